// Table tests of the guard (decision/guard.h): bounds, step limits and the
// cooldown apply to every policy's proposal, and the decision says which
// rule held it and where the policy wanted to go.
#include "decision/guard.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Group;
using phas::testing::kNow;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = Decision::Kind;

GuardState LastActionAgo(Duration ago) { return GuardState{kNow - ago}; }

TEST(GuardTest, Table) {
  struct Case {
    const char* name;
    // inputs
    int target;
    GroupView group;
    GuardState state;
    GuardConfig config;
    // expected
    Kind kind;
    int result;
    std::string code;
    int wanted;
  };
  GuardConfig def;
  GuardConfig step2;
  step2.max_step_up = 2;
  step2.max_step_down = 1;
  const Case cases[] = {
      {"up", 4, Group(1, 10, 3), {}, def, Kind::kScaleUp, 4, "tt_ok", 4},
      {"down", 2, Group(1, 10, 3), {}, def, Kind::kScaleDown, 2, "tt_ok", 2},
      {"same is a hold",
       3,
       Group(1, 10, 3),
       {},
       def,
       Kind::kHold,
       3,
       "tt_ok",
       3},
      {"clamped to max",
       50,
       Group(1, 10, 3),
       {},
       def,
       Kind::kScaleUp,
       10,
       "tt_ok",
       10},
      {"clamped to min",
       -5,
       Group(2, 10, 5),
       {},
       def,
       Kind::kScaleDown,
       2,
       "tt_ok",
       2},
      {"at max", 11, Group(1, 10, 10), {}, def, Kind::kHold, 10, "at_max", 10},
      {"at min", 0, Group(1, 10, 1), {}, def, Kind::kHold, 1, "at_min", 1},
      {"max lowered under desired: no up",
       6,
       Group(1, 4, 5),
       {},
       def,
       Kind::kHold,
       5,
       "at_max",
       5},
      {"max lowered under desired: down to max",
       4,
       Group(1, 4, 5),
       {},
       def,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4},
      {"min raised over desired: no down",
       1,
       Group(3, 10, 2),
       {},
       def,
       Kind::kHold,
       2,
       "at_min",
       2},
      {"step up limit",
       9,
       Group(1, 10, 3),
       {},
       step2,
       Kind::kScaleUp,
       5,
       "tt_ok",
       5},
      {"step down limit",
       1,
       Group(1, 10, 5),
       {},
       step2,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4},
      {"in cooldown: held, wanted up", 4, Group(1, 10, 3),
       LastActionAgo(seconds(299)), def, Kind::kHold, 3, "cooldown", 4},
      {"in cooldown: held, wanted down", 2, Group(1, 10, 3),
       LastActionAgo(seconds(299)), def, Kind::kHold, 3, "cooldown", 2},
      {"cooldown just over", 4, Group(1, 10, 3), LastActionAgo(seconds(300)),
       def, Kind::kScaleUp, 4, "tt_ok", 4},
      {"last action in the future (clock went back)", 4, Group(1, 10, 3),
       LastActionAgo(-minutes(10)), def, Kind::kHold, 3, "cooldown", 4},
      {"hold needs no cooldown check", 3, Group(1, 10, 3),
       LastActionAgo(seconds(1)), def, Kind::kHold, 3, "tt_ok", 3},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Proposal p;
    p.target = tc.target;
    p.code = {Reason::kTtOk};
    p.reason = "because";
    p.if_held = AnyStruct::Of(NoState{});
    p.if_acted = p.if_held;
    Decision d = ApplyGuard(p, tc.group, tc.state, kNow, tc.config);
    EXPECT_EQ(d.kind, tc.kind);
    EXPECT_EQ(d.target, tc.result);
    EXPECT_EQ(d.code(), tc.code);
    EXPECT_EQ(d.wanted, tc.wanted);
    EXPECT_EQ(d.policy_code, ReasonCode{Reason::kTtOk});
    EXPECT_GE(d.target, std::min(tc.group.desired, tc.group.min_size));
    EXPECT_LE(d.target, std::max(tc.group.desired, tc.group.max_size));
  }
}

// The way a decision wanted to go is typed: the cooldown line cannot get it
// wrong by reading the reason code (the step policy's "step_out" said
// "Scale down needed" when the loop guessed from the code's words).
TEST(GuardTest, WishIsTheDirectionOfTheWantedTarget) {
  Proposal p;
  p.code = {Reason::kStepOut};
  p.target = 5;
  p.if_held = p.if_acted = AnyStruct::Of(NoState{});
  Decision d = ApplyGuard(p, Group(1, 10, 2), GuardState{kNow}, kNow, {});
  EXPECT_EQ(d.held_by, GuardRule::kCooldown);
  EXPECT_EQ(d.wish(), Direction::kUp);
  p.target = 1;
  d = ApplyGuard(p, Group(1, 10, 2), GuardState{kNow}, kNow, {});
  EXPECT_EQ(d.wish(), Direction::kDown);
}

TEST(ReasonCodeTest, NamesAtTheEdge) {
  EXPECT_EQ((ReasonCode{Reason::kTtOk, Via::kPredictiveFallback}).ToString(),
            "pred_fallback_tt_ok");
  EXPECT_EQ(
      (ReasonCode{Reason::kCpuAboveTarget, Via::kSeedFallback}).ToString(),
      "fallback_cpu_above_target");
  EXPECT_EQ(
      (ReasonCode{Reason::kTtScaleOut, Via::kAwsPredictiveTracking}).ToString(),
      "ap_tt_scale_out");
  EXPECT_EQ((ReasonCode{Reason::kOracle}).ToString(), "oracle");
}

}  // namespace
}  // namespace phas
