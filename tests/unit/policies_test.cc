// Table tests of the comparison policies, each row citing the behaviour it
// reproduces (AWS EC2 Auto Scaling User Guide; Kubernetes HPA algorithm).
#include <gtest/gtest.h>

#include "decision/aws_predictive_policy.h"
#include "decision/hpa_policy.h"
#include "decision/step_policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

GroupView Group(int desired, int pending = 0, int warming = 0) {
  GroupView g;
  g.name = "g";
  g.min_size = 1;
  g.max_size = 100;
  g.desired = desired;
  g.in_service = desired - pending;
  g.pending = pending;
  g.warming = warming;
  return g;
}

// Per-minute points ending a minute ago, `ready` instances each.
Observation Points(GroupView g, std::vector<double> cpu, int ready) {
  Observation o;
  o.now = kNow;
  o.group = g;
  o.metrics_ok = true;
  for (size_t i = 0; i < cpu.size(); ++i) {
    o.cpu.push_back(
        {kNow - minutes(static_cast<int>(cpu.size() - i)), cpu[i], ready});
  }
  return o;
}

TEST(TargetTrackingTest, Table) {
  struct Case {
    const char* name;  // and the documented behaviour
    // inputs
    std::vector<double> cpu;
    int ready;
    GroupView group;
    std::string rounding;
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"2 points above: the high alarm needs 3",
       {90, 90},
       4,
       Group(4),
       "ceil",
       4,
       "tt_ok"},
      {"3 points above: ceil(n x m / t)",
       {90, 90, 90},
       4,
       Group(4),
       "ceil",
       6,
       "tt_scale_out"},
      {"warming instances are not counted: no second launch",
       {90, 90, 90},
       4,
       Group(6, 0, 2),
       "ceil",
       6,
       "tt_scale_out_warming"},
      {"breach grows while warming: launch the difference",
       {90, 90, 120},
       4,
       Group(6, 0, 2),
       "ceil",
       8,
       "tt_scale_out"},
      {"14 points low: the low alarm needs 15", std::vector<double>(14, 30.0),
       4, Group(4), "ceil", 4, "tt_ok"},
      {"15 points under 90% of target: scale in", std::vector<double>(15, 30.0),
       4, Group(4), "ceil", 2, "tt_scale_in"},
      {"scale in keeps the metric at or under target (ceil)",
       std::vector<double>(15, 50.0), 4, Group(4), "ceil", 4, "tt_scale_in"},
      {"floor rounding removes one more", std::vector<double>(15, 50.0), 4,
       Group(4), "floor", 3, "tt_scale_in"},
      {"no scale-in while instances warm up", std::vector<double>(15, 30.0), 4,
       Group(5, 0, 1), "ceil", 5, "tt_scale_in_blocked"},
      {"a point at 55 is neither high nor low",
       {90, 90, 55},
       4,
       Group(4),
       "ceil",
       4,
       "tt_ok"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    TargetTrackingConfig c;
    c.scale_in_rounding = tc.rounding;
    TargetTrackingPolicy p(c);
    Proposal out = p.Propose(Points(tc.group, tc.cpu, tc.ready), {});
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code, tc.code) << out.reason;
  }
}

TEST(TargetTrackingTest, EachPointIsCountedOnce) {
  TargetTrackingPolicy p({});
  Observation o = Points(Group(4), {90, 90}, 4);
  PolicyState s = p.Propose(o, {}).if_held;
  // The same two points seen again (the loop runs every 10 s): still 2.
  s = p.Propose(o, s).if_held;
  EXPECT_EQ(s.counters.at("tt.above"), 2);
  o.cpu.push_back({kNow, 90, 4});
  EXPECT_EQ(p.Propose(o, s).target, 6);
}

TEST(StepPolicyTest, Table) {
  struct Case {
    const char* name;
    // inputs
    std::vector<double> cpu;
    int ready;
    GroupView group;
    bool percent;
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"one point over: 2 evaluation points needed",
       {80},
       4,
       Group(4),
       false,
       4,
       "step_ok"},
      {"over by 10: first step +1",
       {80, 80},
       4,
       Group(4),
       false,
       5,
       "step_out"},
      {"over by 20: second step +2",
       {90, 90},
       4,
       Group(4),
       false,
       6,
       "step_out"},
      {"over by 30: third step +3",
       {100, 100},
       4,
       Group(4),
       false,
       7,
       "step_out"},
      {"same step while warming: no second launch",
       {80, 80},
       4,
       Group(5, 0, 1),
       false,
       5,
       "step_out_warming"},
      {"percent change rounds away from zero, at least 1",
       {80, 80},
       4,
       Group(4),
       true,
       5,
       "step_out"},
      {"under the low threshold: -1",
       {30, 30},
       4,
       Group(4),
       false,
       3,
       "step_in"},
      {"no scale-in while warming",
       {30, 30},
       4,
       Group(5, 0, 1),
       false,
       5,
       "step_in_blocked"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    StepPolicyConfig c;
    c.percent = tc.percent;
    if (tc.percent) c.out_steps = {{0, 1e9, 10}};  // +10% of 4 = 0.4 -> 1
    StepPolicy p(c);
    Proposal out = p.Propose(Points(tc.group, tc.cpu, tc.ready), {});
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code, tc.code) << out.reason;
  }
  EXPECT_EQ(StepPolicy::StepFor(StepPolicyConfig().out_steps, 14.99), 1);
  EXPECT_EQ(StepPolicy::StepFor(StepPolicyConfig().out_steps, 15), 2);
}

TEST(HpaTest, Table) {
  struct Case {
    const char* name;
    // inputs
    double cpu;
    int ready;
    GroupView group;
    std::vector<std::pair<int, int>> history;  // (seconds ago, recommendation)
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"within 10% tolerance: no change",
       65,
       4,
       Group(4),
       {},
       4,
       "hpa_within_tolerance"},
      {"ceil(ready x m / t)", 90, 4, Group(4), {}, 6, "hpa_scale_up"},
      {"scale-up limit max(2n, n+4): n=2 -> 6",
       100 * 10,
       2,
       Group(2),
       {},
       6,
       "hpa_scale_up_limited"},
      {"scale-up limit max(2n, n+4): n=10 -> 20",
       300,
       10,
       Group(10),
       {},
       20,
       "hpa_scale_up_limited"},
      {"unready instances count as 0% on scale-up",
       90,
       4,
       Group(6, 2),
       {},
       6,
       "hpa_unready_cover"},
      {"scale down when every recent recommendation agrees",
       30,
       4,
       Group(4),
       {{200, 2}, {100, 2}},
       2,
       "hpa_scale_down"},
      {"stabilization: highest of the last 300 s",
       30,
       4,
       Group(4),
       {{250, 4}, {100, 3}},
       4,
       "hpa_stabilized"},
      {"older than the window is forgotten",
       30,
       4,
       Group(4),
       {{400, 4}, {100, 3}},
       3,
       "hpa_stabilized"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    HpaPolicy p({});
    Observation o = Points(tc.group, {tc.cpu}, tc.ready);
    PolicyState s;
    for (auto [ago, r] : tc.history)
      s.recommendations.emplace_back(kNow - seconds(ago), r);
    Proposal out = p.Propose(o, s);
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code, tc.code) << out.reason;
  }
}

// A day-shaped load: `base` instance-units, `peak` from 12:00 to 14:00.
std::shared_ptr<std::vector<MetricSample>> Days(int days, double base,
                                                double peak) {
  auto h = std::make_shared<std::vector<MetricSample>>();
  for (int m = days * 24 * 60; m > 0; --m) {
    TimePoint t = kNow - minutes(m);
    int hour = static_cast<int>((ToUnixSeconds(t) / 3600)) % 24;
    h->push_back({t, hour >= 12 && hour < 14 ? peak : base, 1});
  }
  return h;
}

TEST(AwsPredictiveTest, Table) {
  struct Case {
    const char* name;
    // inputs
    int history_days;
    double hours_ahead;  // the observation's time, relative to midnight
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"under 24 h of history: target tracking only", 0, 11.9, 4, "ap_tt_ok"},
      {"before the buffer: no floor yet", 3, 11.9, 4,
       "ap_tt_ok"},  // 11:54: hour 12 starts at 11:55
      {"from H - 300 s the forecast of hour H applies", 3, 11.95, 10,
       "ap_forecast"},  // 11:57
      {"never scales in by itself: floor stays under current", 3, 15.0, 4,
       "ap_tt_ok"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    AwsPredictivePolicy p({});
    Observation o = Points(Group(4), {55}, 4);
    o.now = kNow + std::chrono::duration_cast<Duration>(
                       Seconds(tc.hours_ahead * 3600));
    o.cpu.back().time = o.now - minutes(1);
    auto h = Days(tc.history_days, 1.2, 6.0);
    o.load_history = h;
    Proposal out = p.Propose(o, {});
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code, tc.code) << out.reason;
  }
}

TEST(OracleTest, FollowsForesightWithoutCooldown) {
  OraclePolicy p;
  Observation o = Points(Group(4), {55}, 4);
  o.oracle_capacity = 9;
  PolicyState s;
  s.last_action = kNow - seconds(1);
  Decision d = p.Decide(o, s);
  EXPECT_EQ(d.kind, Decision::Kind::kScaleUp);
  EXPECT_EQ(d.target, 9);
  o.oracle_capacity.reset();
  EXPECT_EQ(p.Decide(o, {}).code, "oracle_blind");
}

}  // namespace
}  // namespace phas
