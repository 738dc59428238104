// The reactive target rule (decision/reactive_policy.h).
#include "decision/reactive_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Group;
using phas::testing::kNow;
using phas::testing::Signal;

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
  // The minute was served by 4, and the desired capacity is 3 since (a
  // scale-in by phas, or by someone else).
  GroupView leaving = Group(1, 10, 3);
  leaving.in_service = 4;
  // An instance being replaced: capacity rebalancing launches first (3
  // desired, 3 InService, 1 Pending), an unhealthy one is terminated first
  // (2 InService, 1 Pending).
  GroupView rebalancing = Group(1, 10, 3);
  rebalancing.pending = 1;
  GroupView replacing = rebalancing;
  replacing.in_service = 2;
  // Set to 0 while its instances are protected from scale-in: they serve.
  GroupView at_zero = Group(0, 10, 0);
  at_zero.in_service = 2;
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
      // 30 on 4 is 40 on 3 and 60 on 2: the one fewer is counted from the
      // desired 3, not the 4 that served.
      {"cold on the instances leaving, not one fewer than desired",
       {30},
       4,
       leaving,
       4,
       3,
       "cpu_near_target"},
      {"hot on the instances left", {55}, 4, leaving, 0, 4, "cpu_above_target"},
      {"no scale-in while capacity is rebalanced",
       {20},
       3,
       rebalancing,
       4,
       3,
       "cpu_near_target"},
      {"no scale-in while an instance is replaced",
       {20},
       3,
       replacing,
       4,
       3,
       "cpu_near_target"},
      // 40 % on the 2 serving: near target, as on a group of 2.
      {"desired 0, 2 serving", {40}, 2, at_zero, 0, 0, "cpu_near_target"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ReactivePolicy policy({}, {});
    Observation o = Signal(tc.cpu, tc.group, tc.point_instances);
    PolicyState s = PolicyState::Of(ReactiveState{tc.below_before, {}});
    Proposal p = policy.Propose(o, s);
    EXPECT_EQ(p.target, tc.target) << p.reason;
    EXPECT_EQ(p.code.ToString(), tc.code) << p.reason;
    // Each minute is counted once: proposing again changes nothing.
    Proposal again = policy.Propose(o, p.if_held);
    EXPECT_EQ(again.if_held.As<ReactiveState>().below,
              p.if_held.As<ReactiveState>().below);
  }
}

TEST(ReactivePolicyTest, NoMetricsHolds) {
  ReactivePolicy policy({}, {});
  Observation o;
  o.now = kNow;
  o.group = Group(1, 10, 3);
  Decision d = Decide(policy, {}, o, policy.NewState(), {});
  EXPECT_EQ(d.kind, Decision::Kind::kHold);
  EXPECT_EQ(d.code(), "no_metrics");
  EXPECT_EQ(d.reason, "no CPU metric this cycle; holding");
}

TEST(ReactivePolicyTest, TheTargetIsTheGroups) {
  ScalingTarget t;
  t.value = 40;
  ReactivePolicy policy({}, t);
  Proposal p = policy.Propose(Signal({55}, Group(1, 10, 3)), policy.NewState());
  EXPECT_EQ(p.code.ToString(), "cpu_above_target") << p.reason;
}

}  // namespace
}  // namespace phas
