// Beside AWS's own scaling: the rules (decision/coexist.h) as a table, and
// the loop that reads what they need (scaler/controls.h) on SimCloud in
// virtual time: when the controls are read, what a failed read does, and
// tags read every cycle.
#include "decision/coexist.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "cloud/sim_cloud.h"
#include "scaler/driver.h"
#include "scaler/scaler.h"
#include "sim/demand.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

// A decision the guard let through: 2 -> 3 (up) or 3 -> 2 (down).
Decision Acting(bool up) {
  Decision d;
  d.kind = up ? Decision::Kind::kScaleUp : Decision::Kind::kScaleDown;
  d.current = up ? 2 : 3;
  d.target = d.wanted = d.proposed = up ? 3 : 2;
  d.reason = "cpu";
  d.policy_code = {up ? Reason::kCpuAboveTarget : Reason::kCpuBelowTarget};
  return d;
}

CoexistFacts Read() {
  CoexistFacts f;
  f.controls_read = true;
  return f;
}

TEST(CoexistTest, Table) {
  auto with = [](auto change) {
    CoexistFacts f = Read();
    change(f);
    return f;
  };
  const AwsPolicyFact tt{"cpu50", "TargetTrackingScaling", true};
  const AwsPolicyFact predictive{"pred", "PredictiveScaling", false};
  const CoexistConfig refuse;
  const CoexistConfig share{.aws_policies = AwsPolicySharing::kScaleOutOnly};
  const CoexistConfig flag{.forecast_only = true};
  struct Case {
    const char* name;
    // inputs
    CoexistFacts facts;
    CoexistConfig config;
    bool up;
    // expected
    bool acts;
    const char* code;
    const char* words;  // in the reason
  };
  const Case cases[] = {
      {"nothing beside phas", Read(), refuse, true, true, "cpu_above_target",
       "cpu"},
      {"paused by tag", with([](auto& f) { f.tags["phas:paused"] = "true"; }),
       refuse, true, false, "paused_by_tag",
       "cpu; wanted 2 -> 3, paused by tag phas:paused=true: hold at 2"},
      {"a paused tag of False does not pause",
       with([](auto& f) { f.tags["phas:paused"] = "False"; }), refuse, true,
       true, "cpu_above_target", "cpu"},
      {"a paused tag neither true nor false pauses",
       with([](auto& f) { f.tags["phas:paused"] = "yes"; }), refuse, true,
       false, "paused_by_tag",
       "tag phas:paused=yes (neither true nor false: read as true)"},
      {"Launch suspended",
       with([](auto& f) { f.suspended_processes = {"Launch"}; }), refuse, true,
       false, "suspended", "process Launch suspended on the group"},
      {"Launch and Terminate suspended", with([](auto& f) {
         f.suspended_processes = {"AZRebalance", "Terminate", "Launch"};
       }),
       refuse, false, false, "suspended",
       "processes Launch and Terminate suspended"},
      {"capacity in vCPUs",
       with([](auto& f) { f.capacity_units = "DesiredCapacityType vcpu"; }),
       refuse, true, false, "capacity_units",
       "cpu; wanted 2 -> 3, the desired capacity does not count instances "
       "(DesiredCapacityType vcpu): phas sizes in instances and does not "
       "scale such a group: hold at 2"},
      {"AlarmNotification and ScheduledActions do not hold", with([](auto& f) {
         f.suspended_processes = {"AlarmNotification", "ScheduledActions"};
       }),
       refuse, true, true, "cpu_above_target", "cpu"},
      {"controls never read", CoexistFacts{}, refuse, true, false,
       "controls_unreadable", "AWS scaling controls not read (not yet)"},
      {"controls never read, and why",
       [] {
         CoexistFacts f;
         f.controls_error = "DescribePolicies: AccessDenied";
         return f;
       }(),
       refuse, true, false, "controls_unreadable",
       "not read (DescribePolicies: AccessDenied): an AWS policy or an "
       "instance refresh cannot be ruled out"},
      {"a stale read after a failure still counts", with([&](auto& f) {
         f.controls_error = "throttled";
         f.policies = {tt};
       }),
       refuse, true, false, "aws_policy_conflict", "cpu50"},
      {"instance refresh",
       with([](auto& f) { f.refresh = "r-1 (InProgress)"; }), refuse, true,
       false, "instance_refresh",
       "instance refresh r-1 (InProgress): AWS is replacing instances"},
      {"an AWS policy: refused", with([&](auto& f) { f.policies = {tt}; }),
       refuse, true, false, "aws_policy_conflict",
       "AWS scaling policy cpu50 (TargetTrackingScaling) on the group"},
      {"alarm-driven policies are off with AlarmNotification suspended",
       with([&](auto& f) {
         f.policies = {tt};
         f.suspended_processes = {"AlarmNotification"};
       }),
       refuse, true, true, "cpu_above_target", "cpu"},
      {"a predictive policy does not run on alarms", with([&](auto& f) {
         f.policies = {tt, predictive};
         f.suspended_processes = {"AlarmNotification"};
       }),
       refuse, true, false, "aws_policy_conflict", "pred (PredictiveScaling)"},
      {"shared scale-out only: phas scales out",
       with([&](auto& f) { f.policies = {tt}; }), share, true, true,
       "cpu_above_target", "cpu"},
      {"shared scale-out only: scale-in is AWS's",
       with([&](auto& f) { f.policies = {tt}; }), share, false, false,
       "aws_scale_in",
       "wanted 3 -> 2, scale-in left to AWS (aws_policies: scale_out_only; "
       "cpu50 (TargetTrackingScaling)): hold at 3"},
      {"forecast-only by tag",
       with([](auto& f) { f.tags["phas:forecast-only"] = "TRUE"; }), refuse,
       true, false, "forecast_only",
       "forecast-only by tag phas:forecast-only=TRUE"},
      {"forecast-only by flag", Read(), flag, false, false, "forecast_only",
       "forecast-only (--forecast-only)"},
      {"forecast-only after sharing", with([&](auto& f) {
         f.policies = {tt};
         f.tags["phas:forecast-only"] = "true";
       }),
       share, true, false, "forecast_only", "forecast-only by tag"},
      {"the first rule wins: paused before suspended", with([](auto& f) {
         f.tags["phas:paused"] = "true";
         f.suspended_processes = {"Launch"};
       }),
       refuse, true, false, "paused_by_tag", "paused by tag"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    CoexistVerdict v = JudgeCoexistence(tc.facts, tc.config, kNow);
    Decision d = ApplyCoexistence(Acting(tc.up), v);
    EXPECT_EQ(d.acts(), tc.acts);
    EXPECT_EQ(d.code(), tc.code);
    EXPECT_NE(d.reason.find(tc.words), std::string::npos) << d.reason;
    if (!tc.acts) {
      EXPECT_EQ(d.target, d.current);
      EXPECT_EQ(d.wanted, tc.up ? 3 : 2) << "the wish is kept";
    }
  }
}

// A decision the guard held already shows the rule (the group's state),
// without a wish it did not have.
TEST(CoexistTest, AHoldGetsTheRuleToo) {
  Decision held;
  held.current = held.target = held.wanted = 2;
  held.reason = "cpu near target";
  CoexistFacts f = Read();
  f.tags["phas:paused"] = "true";
  Decision d = ApplyCoexistence(held, JudgeCoexistence(f, {}, kNow));
  EXPECT_EQ(d.code(), "paused_by_tag");
  EXPECT_EQ(d.reason,
            "cpu near target; paused by tag phas:paused=true: hold at 2");
}

TEST(CoexistTest, ScheduledActionsAreReportedInsideTheNoticeOnly) {
  CoexistFacts f = Read();
  f.scheduled = {{"soon", kNow + minutes(5), "desired 10"},
                 {"later", kNow + minutes(20), "desired 12"},
                 {"past", kNow - minutes(1), "desired 1"}};
  CoexistVerdict v = JudgeCoexistence(f, {}, kNow);
  ASSERT_EQ(v.notices.size(), 1u);
  EXPECT_EQ(v.notices[0],
            "scheduled action soon sets desired 10 at 2026-01-01T00:05:00Z (in "
            "300 s): AWS changes the group then, and phas decides on what it "
            "finds");
  EXPECT_EQ(v.hold, GuardRule::kNone) << "reported, not held for";
  CoexistConfig wide{.scheduled_notice = minutes(30)};
  EXPECT_EQ(JudgeCoexistence(f, wide, kNow).notices.size(), 2u);
}

// The loop on SimCloud: a group at 2 whose load wants more (reactive).
class CoexistLoopTest : public ::testing::Test {
 protected:
  CoexistLoopTest() {
    auto demand = std::make_shared<DemandSeries>(
        std::vector<DemandSeries::Sample>{{kNow - std::chrono::hours(1), 3.0},
                                          {kNow + std::chrono::hours(4), 3.0}},
        std::chrono::hours(10), std::chrono::hours(5));
    cloud_ = std::make_unique<SimCloud>(
        &clock_,
        std::vector<SimGroupSpec>{{"web", 1, 3, 2, seconds(60), demand}});
  }
  std::unique_ptr<Scaler> Make(ScalerOptions options = {},
                               AwsPolicySharing sharing = {}) {
    GroupConfig g;
    g.name = "web";
    EXPECT_TRUE(g.policy.Select("reactive").ok());
    g.memory.enabled = false;
    g.aws_policies = sharing;
    auto s = std::make_unique<Scaler>(
        std::vector<GroupConfig>{g}, options,
        ScalerEnv{.cloud = cloud_.get(), .clock = &clock_});
    EXPECT_TRUE(s->Init(clock_.Now()).ok());
    return s;
  }
  // Runs until `end`; the decisions' codes and the warnings, per cycle.
  std::vector<SimGroupResult> Run(Scaler& s, Duration until) {
    SimRunOptions o;
    o.end = kNow + until;
    o.on_cycle = [this](const CycleReport& r) {
      codes_.push_back(r.groups[0].decision.code());
      sets_capacity_.push_back(r.groups[0].observation.phas_sets_capacity);
      for (const std::string& w : r.groups[0].warnings) warnings_.push_back(w);
    };
    return RunVirtualTime(s, *cloud_, clock_, o);
  }
  // Cycles whose observation told the policy phas sets the capacity.
  int ToldItSets() const {
    return static_cast<int>(
        std::count(sets_capacity_.begin(), sets_capacity_.end(), true));
  }
  int Count(const std::string& code) const {
    return static_cast<int>(std::count(codes_.begin(), codes_.end(), code));
  }

  ManualClock clock_{kNow};
  std::unique_ptr<SimCloud> cloud_;
  std::vector<std::string> codes_;
  std::vector<bool> sets_capacity_;  // each cycle's observation said
  std::vector<std::string> warnings_;
};

TEST_F(CoexistLoopTest, ControlsAreReadAtStartThenEveryRefresh) {
  auto s = Make();
  auto r = Run(*s, minutes(21));
  // t = 0, 5, 10, 15, 20 min: not every cycle (126 of them).
  EXPECT_EQ(cloud_->calls().describe_controls, 5);
  EXPECT_FALSE(r[0].actions.empty()) << "nothing beside phas: it scales";
}

// No read yet: holds, and tries again every minute; once read, it acts.
TEST_F(CoexistLoopTest, AFailedFirstReadHoldsUntilARead) {
  ASSERT_TRUE(
      cloud_->SetControls("web", {}, Status::PermissionDenied("AccessDenied"))
          .ok());
  auto s = Make();
  auto r = Run(*s, minutes(3) - seconds(5));
  EXPECT_TRUE(r[0].actions.empty());
  EXPECT_EQ(Count("controls_unreadable"), static_cast<int>(codes_.size()));
  EXPECT_EQ(ToldItSets(), 0);
  EXPECT_EQ(cloud_->calls().describe_controls, 3);  // 0, 1 and 2 minutes
  ASSERT_FALSE(warnings_.empty());
  EXPECT_NE(warnings_[0].find("AccessDenied; holding the group until they "
                              "are read (trying again in 60 s)"),
            std::string::npos)
      << warnings_[0];
  ASSERT_TRUE(cloud_->SetControls("web", {}).ok());
  r = Run(*s, minutes(6));
  EXPECT_FALSE(r[0].actions.empty());
}

// A policy seen once is not forgotten because a re-read failed.
TEST_F(CoexistLoopTest, AFailedRereadKeepsTheLastRead) {
  GroupControls c;
  c.policies = {{"cpu50", "TargetTrackingScaling", true, true, false}};
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  auto s = Make();
  Run(*s, minutes(4));
  ASSERT_TRUE(cloud_->SetControls("web", {}, Status::Unavailable("down")).ok());
  auto r = Run(*s, minutes(12));
  EXPECT_TRUE(r[0].actions.empty());
  EXPECT_EQ(Count("aws_policy_conflict"), static_cast<int>(codes_.size()));
  EXPECT_EQ(ToldItSets(), 0);
  bool told = false;
  for (const std::string& w : warnings_) {
    told |= w.find("deciding on the read of 300 s ago") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

TEST_F(CoexistLoopTest, ScaleOutOnlySharesTheGroup) {
  GroupControls c;
  c.policies = {{"cpu50", "TargetTrackingScaling", true, true, false}};
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  auto s = Make({}, AwsPolicySharing::kScaleOutOnly);
  auto r = Run(*s, minutes(10));
  ASSERT_FALSE(r[0].actions.empty());
  for (const ActionEvent& a : r[0].actions) EXPECT_GT(a.to, a.from);
  EXPECT_EQ(Count("aws_policy_conflict"), 0);
  // Scale-in is AWS's; the scale-out, and so the capacity, still phas's.
  EXPECT_EQ(ToldItSets(), static_cast<int>(sets_capacity_.size()));
}

// Tags come with every describe: a pause applies at the next cycle, and
// its end too.
TEST_F(CoexistLoopTest, TagsAreReadEveryCycle) {
  ASSERT_TRUE(cloud_->SetTags("web", {{"phas:paused", "true"}}).ok());
  auto s = Make();
  auto r = Run(*s, minutes(5));
  EXPECT_TRUE(r[0].actions.empty());
  EXPECT_EQ(Count("paused_by_tag"), static_cast<int>(codes_.size()));
  EXPECT_EQ(ToldItSets(), 0);
  ASSERT_TRUE(cloud_->SetTags("web", {}).ok());
  codes_.clear();
  sets_capacity_.clear();
  r = Run(*s, minutes(5) + seconds(10));
  ASSERT_FALSE(r[0].actions.empty());
  EXPECT_EQ(Count("paused_by_tag"), 0);
  EXPECT_EQ(ToldItSets(), static_cast<int>(sets_capacity_.size()));
  EXPECT_EQ(cloud_->calls().describe_controls, 2) << "tags cost no read";
}

// A fleet's reads spread over cycles: 20 groups a cycle at most.
TEST(CoexistFleetTest, ControlsReadsAreSpreadOverCycles) {
  ManualClock clock(kNow);
  std::vector<SimGroupSpec> specs;
  std::vector<GroupConfig> groups;
  auto demand = std::make_shared<DemandSeries>(
      std::vector<DemandSeries::Sample>{{kNow - std::chrono::hours(1), 1.0},
                                        {kNow + std::chrono::hours(4), 1.0}},
      std::chrono::hours(10), std::chrono::hours(5));
  for (int i = 0; i < 25; ++i) {
    std::string name = "g" + std::to_string(i);
    specs.push_back({name, 1, 3, 2, seconds(60), demand});
    GroupConfig g;
    g.name = name;
    EXPECT_TRUE(g.policy.Select("reactive").ok());
    g.memory.enabled = false;
    groups.push_back(g);
  }
  SimCloud cloud(&clock, specs);
  Scaler s(groups, {}, {.cloud = &cloud, .clock = &clock});
  ASSERT_TRUE(s.Init(clock.Now()).ok());
  CycleReport first = s.RunOnce(clock.Now());
  EXPECT_EQ(cloud.calls().describe_controls, 20);
  int unread = 0;
  for (const GroupOutcome& o : first.groups) {
    unread += o.decision.code() == "controls_unreadable";
  }
  EXPECT_EQ(unread, 5) << "the groups not read yet hold";
  clock.Advance(seconds(10));
  CycleReport second = s.RunOnce(clock.Now());
  EXPECT_EQ(cloud.calls().describe_controls, 25);
  for (const GroupOutcome& o : second.groups) {
    EXPECT_NE(o.decision.code(), "controls_unreadable") << o.group;
  }
}

// Reported once, not every cycle, and not held for: a scheduled action's
// run, a warm pool.
TEST_F(CoexistLoopTest, ScheduledActionAndWarmPoolAreToldOnce) {
  GroupControls c;
  c.scheduled = {
      {"evening", kNow + minutes(10), "", 3, std::nullopt, std::nullopt}};
  c.warm_pool = WarmPoolView{1, "Stopped", 1};
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  auto s = Make();
  auto r = Run(*s, minutes(8));
  EXPECT_FALSE(r[0].actions.empty()) << "not held for";
  int scheduled = 0, pool = 0;
  for (const std::string& w : warnings_) {
    scheduled += w.rfind(
                     "scheduled action evening sets min 3 at "
                     "2026-01-01T00:10:00Z (in 600 s)",
                     0) == 0;
    pool += w.rfind("the group has a warm pool", 0) == 0;
  }
  EXPECT_EQ(scheduled, 1);
  EXPECT_EQ(pool, 1);
}

// The warm pool's measured launch time reaches the policies (the
// forecasting ones take it as their boot time, predictive_policy_test), and
// the log says what is known of it, again when that changes.
TEST_F(CoexistLoopTest, WarmPoolLaunchTimeReachesThePolicy) {
  GroupControls c;
  c.warm_pool = WarmPoolView{1, "Stopped", 3};
  c.warm_pool->ready = 2;  // and one Warmed:Pending
  c.warm_pool->launch_error = "DescribeScalingActivities: AccessDenied";
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  auto s = Make();
  std::vector<std::optional<GroupView::WarmPool>> seen;
  std::vector<int> desired;
  SimRunOptions o;
  o.on_cycle = [&](const CycleReport& r) {
    seen.push_back(r.groups[0].observation.group.warm_pool);
    desired.push_back(r.groups[0].observation.group.desired);
    for (const std::string& w : r.groups[0].warnings) warnings_.push_back(w);
  };
  o.end = kNow + minutes(4);
  RunVirtualTime(*s, *cloud_, clock_, o);
  ASSERT_FALSE(seen.empty());
  // Read at 2: the warmed ones, less what the group took since (2 -> 3).
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_TRUE(seen[i].has_value());
    EXPECT_EQ(seen[i]->instances, 2 - (desired[i] - 2)) << "cycle " << i;
  }
  EXPECT_EQ(desired.back(), 3) << "the group scaled out from the pool";
  EXPECT_FALSE(seen.back()->launch.has_value()) << "never measured";
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("its launch time is unknown "
                              "(DescribeScalingActivities: AccessDenied): "
                              "the forecasting policies keep their "
                              "boot_seconds"),
            std::string::npos)
      << warnings_[0];

  c.warm_pool->ready = 2;
  c.warm_pool->launch_error =
      "DescribeScalingActivities: Throttling (request "
      "1234)";
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  o.end = kNow + minutes(7);  // the read at 5 minutes
  RunVirtualTime(*s, *cloud_, clock_, o);
  ASSERT_EQ(warnings_.size(), 1u) << "still unreadable: not told again";

  c.warm_pool->launch_error.clear();
  c.warm_pool->launch_median = seconds(45);
  c.warm_pool->launch_p90 = seconds(58);
  c.warm_pool->launches = 6;
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  o.end = kNow + minutes(12);  // past the next read, at 10 minutes
  RunVirtualTime(*s, *cloud_, clock_, o);
  ASSERT_TRUE(seen.back().has_value());
  EXPECT_EQ(seen.back()->launch, seconds(58)) << "the 90th percentile";
  ASSERT_EQ(warnings_.size(), 2u) << "told once more: what is known changed";
  EXPECT_NE(warnings_[1].find("its launches take 45 s (median; 58 s at the "
                              "90th percentile, of its last 6 launches from "
                              "the pool)"),
            std::string::npos)
      << warnings_[1];
  c.warm_pool->launches = 7;
  ASSERT_TRUE(cloud_->SetControls("web", c).ok());
  o.end = kNow + minutes(16);  // the read at 15 minutes
  RunVirtualTime(*s, *cloud_, clock_, o);
  EXPECT_EQ(warnings_.size(), 2u) << "one launch more: nothing new to tell";

  ASSERT_TRUE(cloud_->SetControls("web", {}).ok());
  o.end = kNow + minutes(21);
  RunVirtualTime(*s, *cloud_, clock_, o);
  EXPECT_FALSE(seen.back().has_value()) << "the pool was removed";
}

TEST_F(CoexistLoopTest, ForecastOnlyCoversAnyPolicy) {
  ScalerOptions o;
  o.forecast_only = true;
  auto s = Make(o);
  auto r = Run(*s, minutes(10));
  EXPECT_TRUE(r[0].actions.empty());
  EXPECT_EQ(Count("forecast_only"), static_cast<int>(codes_.size()));
  // The policies are told: what the group's capacity does is not theirs.
  EXPECT_EQ(ToldItSets(), 0);
  EXPECT_FALSE(sets_capacity_.empty());
}

}  // namespace
}  // namespace phas
