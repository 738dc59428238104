// Table tests of the pure decision logic: the guard (bounds, steps,
// cooldown), the seed policy (the original's rules, streak bug fixed, the
// fallback) and the reactive CPU rule.
#include <gtest/gtest.h>

#include "decision/guard.h"
#include "decision/reactive_policy.h"
#include "decision/seed_policy.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Kind = Decision::Kind;

const TimePoint kNow =
    FromUnixSeconds(10);  // fixed, as cluster-autoscaler's tests do

GroupView Group(int min, int max, int desired) {
  GroupView g;
  g.name = "g";
  g.min_size = min;
  g.max_size = max;
  g.desired = desired;
  g.in_service = desired;
  return g;
}

PolicyState LastActionAgo(Duration ago, int streak = 0) {
  PolicyState s;
  s.last_action = kNow - ago;
  s.down_streak = streak;
  return s;
}

TEST(GuardTest, Table) {
  struct Case {
    const char* name;
    // inputs
    int target;
    GroupView group;
    PolicyState state;
    GuardConfig config;
    // expected
    Kind kind;
    int result;
    std::string code;
  };
  GuardConfig def;
  GuardConfig step2;
  step2.max_step_up = 2;
  step2.max_step_down = 1;
  const Case cases[] = {
      {"up", 4, Group(1, 10, 3), {}, def, Kind::kScaleUp, 4, "p"},
      {"down", 2, Group(1, 10, 3), {}, def, Kind::kScaleDown, 2, "p"},
      {"same is a hold", 3, Group(1, 10, 3), {}, def, Kind::kHold, 3, "p"},
      {"clamped to max", 50, Group(1, 10, 3), {}, def, Kind::kScaleUp, 10, "p"},
      {"clamped to min",
       -5,
       Group(2, 10, 5),
       {},
       def,
       Kind::kScaleDown,
       2,
       "p"},
      {"at max", 11, Group(1, 10, 10), {}, def, Kind::kHold, 10, "at_max"},
      {"at min", 0, Group(1, 10, 1), {}, def, Kind::kHold, 1, "at_min"},
      {"max lowered under desired: no up",
       6,
       Group(1, 4, 5),
       {},
       def,
       Kind::kHold,
       5,
       "at_max"},
      {"max lowered under desired: down to max",
       4,
       Group(1, 4, 5),
       {},
       def,
       Kind::kScaleDown,
       4,
       "p"},
      {"min raised over desired: no down",
       1,
       Group(3, 10, 2),
       {},
       def,
       Kind::kHold,
       2,
       "at_min"},
      {"step up limit", 9, Group(1, 10, 3), {}, step2, Kind::kScaleUp, 5, "p"},
      {"step down limit",
       1,
       Group(1, 10, 5),
       {},
       step2,
       Kind::kScaleDown,
       4,
       "p"},
      {"in cooldown", 4, Group(1, 10, 3), LastActionAgo(seconds(299)), def,
       Kind::kHold, 3, "cooldown"},
      {"cooldown just over", 4, Group(1, 10, 3), LastActionAgo(seconds(300)),
       def, Kind::kScaleUp, 4, "p"},
      {"last action in the future (clock went back)", 4, Group(1, 10, 3),
       LastActionAgo(-minutes(10)), def, Kind::kHold, 3, "cooldown"},
      {"hold needs no cooldown check", 3, Group(1, 10, 3),
       LastActionAgo(seconds(1)), def, Kind::kHold, 3, "p"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Proposal p;
    p.target = tc.target;
    p.code = "p";
    p.reason = "because";
    p.if_held = tc.state;
    p.if_acted = tc.state;
    Decision d = ApplyGuard(p, tc.group, tc.state, kNow, tc.config);
    EXPECT_EQ(d.kind, tc.kind);
    EXPECT_EQ(d.target, tc.result);
    EXPECT_EQ(d.code, tc.code);
    EXPECT_GE(d.target, std::min(tc.group.desired, tc.group.min_size));
    EXPECT_LE(d.target, std::max(tc.group.desired, tc.group.max_size));
    if (d.acts()) {
      EXPECT_EQ(d.next.last_action, kNow) << "an action starts a cooldown";
      EXPECT_EQ(d.next_if_failed.last_action, tc.state.last_action);
    }
  }
}

Observation ModelSays(const std::string& action, GroupView g) {
  Observation o;
  o.now = kNow;
  o.group = g;
  o.model = ModelAnswer{action == "scale_up"     ? 0
                        : action == "scale_down" ? 1
                                                 : 2,
                        "L", action, 0.9};
  o.metrics_ok = true;
  o.cpu = {{kNow - minutes(2), 50.0, g.in_service}};
  return o;
}

TEST(SeedPolicyTest, Table) {
  struct Case {
    const char* name;
    // inputs
    std::string answer;  // "" = the model did not answer
    std::string fallback;
    double cpu;
    // world state
    GroupView group;
    PolicyState state;
    // expected
    Kind kind;
    int target;
    std::string code;
    int streak_after;  // in the state persisted when the decision is carried
                       // out
  };
  PolicyState none;
  const Case cases[] = {
      {"class 0 scales up at once", "scale_up", "hold", 50, Group(1, 5, 2),
       none, Kind::kScaleUp, 3, "model_scale_up", 0},
      {"class 0 at max", "scale_up", "hold", 50, Group(1, 5, 5), none,
       Kind::kHold, 5, "at_max", 0},
      {"class 0 in cooldown", "scale_up", "hold", 50, Group(1, 5, 2),
       LastActionAgo(seconds(100)), Kind::kHold, 2, "cooldown", 0},
      {"class 0 after cooldown", "scale_up", "hold", 50, Group(1, 5, 2),
       LastActionAgo(seconds(301)), Kind::kScaleUp, 3, "model_scale_up", 0},
      {"class 0 resets a streak", "scale_up", "hold", 50, Group(1, 5, 5),
       LastActionAgo(seconds(500), 20), Kind::kHold, 5, "at_max", 0},
      {"class 2 holds and resets", "hold", "hold", 50, Group(1, 5, 3),
       LastActionAgo(seconds(500), 29), Kind::kHold, 3, "model_hold", 0},
      {"class 1, 29th in a row: wait", "scale_down", "hold", 50, Group(1, 5, 3),
       LastActionAgo(seconds(500), 28), Kind::kHold, 3,
       "model_scale_down_waiting", 29},
      {"class 1, 30th in a row: scale in", "scale_down", "hold", 50,
       Group(1, 5, 3), LastActionAgo(seconds(500), 29), Kind::kScaleDown, 2,
       "model_scale_down", 0},
      {"class 1 streak at min", "scale_down", "hold", 50, Group(2, 5, 2),
       LastActionAgo(seconds(500), 40), Kind::kHold, 2, "at_min", 41},
      {"class 1 streak in cooldown keeps counting", "scale_down", "hold", 50,
       Group(1, 5, 3), LastActionAgo(seconds(10), 35), Kind::kHold, 3,
       "cooldown", 36},
      {"min raised above desired", "scale_down", "hold", 50, Group(4, 6, 3),
       LastActionAgo(seconds(500), 40), Kind::kHold, 3, "at_min", 41},
      {"no answer, fallback hold", "", "hold", 95, Group(1, 5, 2),
       LastActionAgo(seconds(500), 12), Kind::kHold, 2, "fallback_hold", 0},
      {"no answer, fallback reactive, hot", "", "reactive", 95, Group(1, 5, 2),
       LastActionAgo(seconds(500), 12), Kind::kScaleUp, 3,
       "fallback_cpu_above_target", 0},
      {"no answer, fallback reactive, near target", "", "reactive", 60,
       Group(1, 5, 2), none, Kind::kHold, 2, "fallback_cpu_near_target", 0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SeedPolicyConfig cfg;
    cfg.fallback = tc.fallback;
    SeedPolicy policy(cfg);
    Observation o = ModelSays(tc.answer, tc.group);
    o.cpu[0].value = tc.cpu;
    if (tc.answer.empty()) {
      o.model.reset();
      o.model_error = "predictor down";
    }
    Decision d = policy.Decide(o, tc.state);
    EXPECT_EQ(d.kind, tc.kind) << d.reason;
    EXPECT_EQ(d.target, tc.target);
    EXPECT_EQ(d.code, tc.code) << d.reason;
    EXPECT_EQ(d.next.down_streak, tc.streak_after);
    EXPECT_FALSE(d.reason.empty());
  }
}

// The original never reset its scale-down buffer: 30 scale-down answers
// with scale-up answers between them still scaled in. phas needs 30 in a row.
TEST(SeedPolicyTest, StreakMustBeConsecutive) {
  SeedPolicy policy({});
  GroupView g = Group(1, 10, 5);
  PolicyState s;
  s.last_action = kNow - minutes(60);
  auto step = [&](const std::string& action) {
    Decision d = policy.Decide(ModelSays(action, g), s);
    s = d.next;
    return d;
  };
  for (int i = 0; i < 29; ++i) EXPECT_EQ(step("scale_down").kind, Kind::kHold);
  step("hold");  // interrupts the streak
  for (int i = 0; i < 29; ++i) {
    EXPECT_EQ(step("scale_down").kind, Kind::kHold) << "answer " << i;
  }
  Decision d = step("scale_down");  // the 30th consecutive one
  EXPECT_EQ(d.kind, Kind::kScaleDown);
  EXPECT_EQ(d.target, 4);
  EXPECT_EQ(s.down_streak, 0) << "the streak starts again after a scale-in";
}

TEST(ReactivePolicyTest, Table) {
  struct Case {
    const char* name;
    // inputs: per-minute CPU points (oldest first), instances they average
    std::vector<double> cpu;
    int point_instances;
    // world state
    GroupView group;
    int below_before;
    // expected
    int target;
    std::string code;
  };
  GroupView launching = Group(1, 10, 4);
  launching.in_service = 3;
  launching.pending = 1;
  const Case cases[] = {
      {"hot", {70, 80}, 3, Group(1, 10, 3), 0, 4, "cpu_above_target"},
      {"near target", {55, 62}, 3, Group(1, 10, 3), 0, 3, "cpu_near_target"},
      {"cold, counting",
       {20, 20},
       3,
       Group(1, 10, 3),
       0,
       3,
       "cpu_below_target_waiting"},
      {"cold for 5 minutes",
       {20, 20, 20},
       3,
       Group(1, 10, 3),
       2,
       2,
       "cpu_below_target"},
      {"cold but one fewer would be hot",
       {35, 35, 35},
       2,
       Group(1, 10, 2),
       4,
       2,
       "cpu_near_target"},
      {"hot but capacity already launching",
       {80},
       3,
       launching,
       0,
       4,
       "cpu_near_target"},
      {"very hot even counting launches",
       {99},
       3,
       launching,
       0,
       5,
       "cpu_above_target"},
      {"no scale-in while launching",
       {10, 10, 10},
       3,
       launching,
       10,
       4,
       "cpu_near_target"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ReactivePolicy policy({});
    Observation o;
    o.now = kNow;
    o.group = tc.group;
    o.metrics_ok = true;
    for (size_t i = 0; i < tc.cpu.size(); ++i) {
      o.cpu.push_back({kNow - minutes(static_cast<int>(tc.cpu.size() - i)),
                       tc.cpu[i], tc.point_instances});
    }
    PolicyState s;
    s.counters["reactive.below"] = tc.below_before;
    Proposal p = policy.Propose(o, s);
    EXPECT_EQ(p.target, tc.target) << p.reason;
    EXPECT_EQ(p.code, tc.code) << p.reason;
    // Each minute is counted once: proposing again changes nothing.
    Proposal again = policy.Propose(o, p.if_held);
    EXPECT_EQ(again.if_held.counters, p.if_held.counters);
  }
}

TEST(ReactivePolicyTest, NoMetricsHolds) {
  ReactivePolicy policy({});
  Observation o;
  o.now = kNow;
  o.group = Group(1, 10, 3);
  Decision d = policy.Decide(o, {});
  EXPECT_EQ(d.kind, Kind::kHold);
  EXPECT_EQ(d.code, "no_metrics");
}

}  // namespace
}  // namespace phas
