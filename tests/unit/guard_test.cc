// Table tests of the guard (decision/guard.h): bounds, step limits and the
// cooldown apply to every policy's proposal, and the decision says which
// rule held it and where the policy wanted to go.
#include "decision/guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Group;
using phas::testing::kNow;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = Decision::Kind;

// `g` with `n` of its instances protected from scale-in.
GroupView Protected(GroupView g, int n) {
  g.protected_from_scale_in = n;
  return g;
}

GuardState LastActionAgo(Duration ago) { return GuardState{kNow - ago}; }
// AWS has had fewer InService and Pending than desired for `ago`.
GuardState NotDeliveredFor(Duration ago) {
  GuardState s;
  s.not_delivered_since = kNow - ago;
  return s;
}
// `g` with only `n` instances InService and none Pending.
GroupView Delivered(GroupView g, int n) {
  g.in_service = n;
  return g;
}
// The loop started `ago` without the group's saved state.
GuardState StartedWithoutStateAgo(Duration ago) {
  GuardState s;
  s.started_without_state = kNow - ago;
  return s;
}

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
    // The reason: the policy's ("because"), then the guard's words.
    std::string reason;
    std::vector<GuardClamp> clamped_by;
  };
  GuardConfig def;  // 300 s, no step limits
  GuardConfig step2;
  step2.max_step_up = 2;
  step2.max_step_down = 1;
  GuardConfig step1;
  step1.max_step_up = 1;
  GuardConfig step_down3;
  step_down3.max_step_down = 3;
  GuardConfig cd60;
  cd60.cooldown = seconds(60);
  GuardConfig cd60_step1 = cd60;
  cd60_step1.max_step_up = 1;
  const auto kMax = GuardClamp::kMaxSize;
  const auto kMin = GuardClamp::kMinSize;
  const auto kUp = GuardClamp::kStepUp;
  const auto kDown = GuardClamp::kStepDown;
  const auto kProt = GuardClamp::kScaleInProtected;
  const Case cases[] = {
      {"up",
       4,
       Group(1, 10, 3),
       {},
       def,
       Kind::kScaleUp,
       4,
       "tt_ok",
       4,
       "because",
       {}},
      {"down",
       2,
       Group(1, 10, 3),
       {},
       def,
       Kind::kScaleDown,
       2,
       "tt_ok",
       2,
       "because",
       {}},
      {"same is a hold",
       3,
       Group(1, 10, 3),
       {},
       def,
       Kind::kHold,
       3,
       "tt_ok",
       3,
       "because",
       {}},
      // Bounds.
      {"clamped to max",
       50,
       Group(1, 10, 3),
       {},
       def,
       Kind::kScaleUp,
       10,
       "tt_ok",
       10,
       "because; wanted 3 -> 50, max size 10: 3 -> 10",
       {kMax}},
      {"clamped to max, one short",
       12,
       Group(1, 10, 9),
       {},
       def,
       Kind::kScaleUp,
       10,
       "tt_ok",
       10,
       "because; wanted 9 -> 12, max size 10: 9 -> 10",
       {kMax}},
      {"clamped to min",
       -5,
       Group(2, 10, 5),
       {},
       def,
       Kind::kScaleDown,
       2,
       "tt_ok",
       2,
       "because; wanted 5 -> -5, min size 2: 5 -> 2",
       {kMin}},
      {"at max",
       11,
       Group(1, 10, 10),
       {},
       def,
       Kind::kHold,
       10,
       "at_max",
       10,
       "because; wanted 10 -> 11, max size 10: hold at 10",
       {}},
      {"at min",
       0,
       Group(1, 10, 1),
       {},
       def,
       Kind::kHold,
       1,
       "at_min",
       1,
       "because; wanted 1 -> 0, min size 1: hold at 1",
       {}},
      {"max lowered under desired: no up",
       6,
       Group(1, 4, 5),
       {},
       def,
       Kind::kHold,
       5,
       "at_max",
       5,
       "because; wanted 5 -> 6, max size 4: hold at 5",
       {}},
      {"max lowered under desired: down to max",
       4,
       Group(1, 4, 5),
       {},
       def,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4,
       "because",
       {}},
      {"max lowered under desired: down past what was asked",
       5,
       Group(1, 4, 6),
       {},
       def,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4,
       "because; wanted 6 -> 5, max size 4: 6 -> 4",
       {kMax}},
      {"min raised over desired: no down",
       1,
       Group(3, 10, 2),
       {},
       def,
       Kind::kHold,
       2,
       "at_min",
       2,
       "because; wanted 2 -> 1, min size 3: hold at 2",
       {}},
      // Step limits.
      {"step up limit",
       9,
       Group(1, 10, 3),
       {},
       step2,
       Kind::kScaleUp,
       5,
       "tt_ok",
       5,
       "because; wanted 3 -> 9, step limit +2: 3 -> 5",
       {kUp}},
      {"step up limit +1",
       4,
       Group(1, 10, 2),
       {},
       step1,
       Kind::kScaleUp,
       3,
       "tt_ok",
       3,
       "because; wanted 2 -> 4, step limit +1: 2 -> 3",
       {kUp}},
      {"step down limit",
       1,
       Group(1, 10, 5),
       {},
       step2,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4,
       "because; wanted 5 -> 1, step limit -1: 5 -> 4",
       {kDown}},
      {"within the step limit: no words",
       4,
       Group(1, 10, 3),
       {},
       step2,
       Kind::kScaleUp,
       4,
       "tt_ok",
       4,
       "because",
       {}},
      {"max size, then step limit",
       12,
       Group(1, 10, 2),
       {},
       step1,
       Kind::kScaleUp,
       3,
       "tt_ok",
       3,
       "because; wanted 2 -> 12, max size 10, step limit +1: 2 -> 3",
       {kMax, kUp}},
      // From a desired outside the bounds (changed by hand), a step limit
      // stopped short of them: 12 -> 11 with max 10, which AWS refuses.
      {"above max, a step down goes to max",
       9,
       Group(1, 10, 12),
       {},
       step2,
       Kind::kScaleDown,
       10,
       "tt_ok",
       10,
       "because; wanted 12 -> 9, step limit -1, max size 10: 12 -> 10",
       {kDown, kMax}},
      {"below min, a step up goes to min",
       2,
       Group(3, 10, 1),
       {},
       step1,
       Kind::kScaleUp,
       3,
       "tt_ok",
       3,
       "because; wanted 1 -> 2, min size 3, step limit +1: 1 -> 3",
       {kMin, kUp}},
      // Instances protected from scale-in: AWS terminates none of them, so
      // a desired capacity below them would remove nothing now and all of
      // them when their protection is lifted.
      {"protected: scale-in stops at them",
       2,
       Protected(Group(1, 10, 5), 3),
       {},
       def,
       Kind::kScaleDown,
       3,
       "tt_ok",
       3,
       "because; wanted 5 -> 2, 3 instances protected from scale-in: 5 -> 3",
       {kProt}},
      {"protected: one",
       0,
       Protected(Group(0, 10, 2), 1),
       {},
       def,
       Kind::kScaleDown,
       1,
       "tt_ok",
       1,
       "because; wanted 2 -> 0, 1 instance protected from scale-in: 2 -> 1",
       {kProt}},
      {"protected: every instance, held",
       2,
       Protected(Group(1, 10, 3), 3),
       {},
       def,
       Kind::kHold,
       3,
       "scale_in_protected",
       3,
       "because; wanted 3 -> 2, 3 instances protected from scale-in: hold at 3",
       {}},
      {"protected: more than desired, held",
       1,
       Protected(Group(1, 10, 2), 4),
       {},
       def,
       Kind::kHold,
       2,
       "scale_in_protected",
       2,
       "because; wanted 2 -> 1, 4 instances protected from scale-in: hold at 2",
       {}},
      {"protected: scale-out as ever",
       6,
       Protected(Group(1, 10, 3), 3),
       {},
       def,
       Kind::kScaleUp,
       6,
       "tt_ok",
       6,
       "because",
       {}},
      {"protected: step limit, then them",
       1,
       Protected(Group(1, 10, 6), 4),
       {},
       step_down3,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4,
       "because; wanted 6 -> 1, step limit -3, 4 instances protected from "
       "scale-in: 6 -> 4",
       {kDown, kProt}},
      {"protected: above max, the bound decides",
       9,
       Protected(Group(1, 10, 12), 11),
       {},
       def,
       Kind::kScaleDown,
       10,
       "tt_ok",
       10,
       "because; wanted 12 -> 9, 11 instances protected from scale-in, max "
       "size 10: 12 -> 10",
       {kProt, kMax}},
      {"protected: at max, held by them",
       4,
       Protected(Group(1, 10, 10), 10),
       {},
       def,
       Kind::kHold,
       10,
       "scale_in_protected",
       10,
       "because; wanted 10 -> 4, 10 instances protected from scale-in: hold "
       "at 10",
       {}},
      // Cooldown after an action (also after a restart with saved state).
      {"in cooldown: held, wanted up",
       4,
       Group(1, 10, 3),
       LastActionAgo(seconds(299)),
       def,
       Kind::kHold,
       3,
       "cooldown",
       4,
       "because; wanted 3 -> 4, cooldown 300 s (1 s left): hold at 3",
       {}},
      {"in cooldown: held, wanted down",
       2,
       Group(1, 10, 3),
       LastActionAgo(seconds(299)),
       def,
       Kind::kHold,
       3,
       "cooldown",
       2,
       "because; wanted 3 -> 2, cooldown 300 s (1 s left): hold at 3",
       {}},
      {"in a 60 s cooldown",
       4,
       Group(1, 10, 2),
       LastActionAgo(seconds(25)),
       cd60,
       Kind::kHold,
       2,
       "cooldown",
       4,
       "because; wanted 2 -> 4, cooldown 60 s (35 s left): hold at 2",
       {}},
      {"step limit and cooldown",
       4,
       Group(1, 10, 2),
       LastActionAgo(seconds(25)),
       cd60_step1,
       Kind::kHold,
       2,
       "cooldown",
       3,
       "because; wanted 2 -> 4, step limit +1, cooldown 60 s (35 s left): "
       "hold at 2",
       {kUp}},
      {"a part second left rounds up",
       4,
       Group(1, 10, 2),
       LastActionAgo(std::chrono::milliseconds(59500)),
       cd60,
       Kind::kHold,
       2,
       "cooldown",
       4,
       "because; wanted 2 -> 4, cooldown 60 s (1 s left): hold at 2",
       {}},
      {"cooldown just over",
       4,
       Group(1, 10, 3),
       LastActionAgo(seconds(300)),
       def,
       Kind::kScaleUp,
       4,
       "tt_ok",
       4,
       "because",
       {}},
      {"last action in the future (clock went back)",
       4,
       Group(1, 10, 3),
       LastActionAgo(-minutes(10)),
       def,
       Kind::kHold,
       3,
       "cooldown",
       4,
       "because; wanted 3 -> 4, cooldown 300 s (900 s left): hold at 3",
       {}},
      {"hold needs no cooldown check",
       3,
       Group(1, 10, 3),
       LastActionAgo(seconds(1)),
       def,
       Kind::kHold,
       3,
       "tt_ok",
       3,
       "because",
       {}},
      // A start without saved state: scale-in waits a cooldown, scale-out
      // does not.
      {"started without state: scale-out at once",
       5,
       Group(1, 10, 3),
       StartedWithoutStateAgo(seconds(0)),
       def,
       Kind::kScaleUp,
       5,
       "tt_ok",
       5,
       "because",
       {}},
      {"started without state: scale-in held",
       2,
       Group(1, 10, 3),
       StartedWithoutStateAgo(seconds(100)),
       def,
       Kind::kHold,
       3,
       "cooldown",
       2,
       "because; wanted 3 -> 2, scale-in held 300 s after a start without "
       "saved state (200 s left): hold at 3",
       {}},
      {"started without state: scale-in after a cooldown",
       2,
       Group(1, 10, 3),
       StartedWithoutStateAgo(seconds(300)),
       def,
       Kind::kScaleDown,
       2,
       "tt_ok",
       2,
       "because",
       {}},
      // Launches failing (a broken launch template, no capacity, a quota):
      // a higher desired capacity launches nothing, and all of it at once
      // when they work again.
      {"not delivered for 15 min: scale-out held",
       6,
       Delivered(Group(1, 10, 5), 3),
       NotDeliveredFor(minutes(15)),
       def,
       Kind::kHold,
       5,
       "capacity_not_delivered",
       5,
       "because; wanted 5 -> 6, AWS has not delivered the desired 5 for 15 "
       "min (3 InService, 0 Pending; its scaling activities say why): hold "
       "at 5",
       {}},
      {"not delivered for 14 min: scale-out as ever",
       6,
       Delivered(Group(1, 10, 5), 3),
       NotDeliveredFor(minutes(14)),
       def,
       Kind::kScaleUp,
       6,
       "tt_ok",
       6,
       "because",
       {}},
      {"not delivered: scale-in as ever",
       4,
       Delivered(Group(1, 10, 5), 3),
       NotDeliveredFor(hours(2)),
       def,
       Kind::kScaleDown,
       4,
       "tt_ok",
       4,
       "because",
       {}},
      {"started without state, then acted: both ways held",
       5,
       Group(1, 10, 3),
       GuardState{.last_action = kNow - seconds(10),
                  .started_without_state = kNow - seconds(20)},
       def,
       Kind::kHold,
       3,
       "cooldown",
       5,
       "because; wanted 3 -> 5, cooldown 300 s (290 s left): hold at 3",
       {}},
      {"started without state: scale-in clamped, then held",
       -5,
       Group(2, 10, 5),
       StartedWithoutStateAgo(seconds(0)),
       def,
       Kind::kHold,
       5,
       "cooldown",
       2,
       "because; wanted 5 -> -5, min size 2, scale-in held 300 s after a "
       "start without saved state (300 s left): hold at 5",
       {kMin}},
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
    EXPECT_EQ(d.proposed, tc.target);
    EXPECT_EQ(d.reason, tc.reason);
    EXPECT_EQ(d.clamped_by, tc.clamped_by);
    EXPECT_EQ(d.policy_code, ReasonCode{Reason::kTtOk});
    EXPECT_GE(d.target, std::min(tc.group.desired, tc.group.min_size));
    EXPECT_LE(d.target, std::max(tc.group.desired, tc.group.max_size));
  }
}

// What the loop logs at start about the cooldown that applies.
TEST(GuardTest, DescribeGuardStateSaysWhichCooldownApplies) {
  struct Case {
    const char* name;
    GuardState state;
    std::string words;
  };
  GuardConfig cd60;
  cd60.cooldown = seconds(60);
  const Case cases[] = {
      {"nothing on record", {}, "no cooldown running: either way at once"},
      {"last action inside the cooldown", LastActionAgo(seconds(20)),
       "last action 20 s ago: no action either way for 40 s more (cooldown "
       "60 s)"},
      {"last action long ago", LastActionAgo(minutes(5)),
       "no cooldown running: either way at once"},
      {"started without state", StartedWithoutStateAgo(seconds(0)),
       "started without saved state: no scale-in for 60 s more (cooldown "
       "60 s); scale-out at once"},
      {"restart inside the first start's hold",
       StartedWithoutStateAgo(seconds(45)),
       "started without saved state: no scale-in for 15 s more (cooldown "
       "60 s); scale-out at once"},
      {"a record saved before a call, as late as it could take effect",
       LastActionAgo(-seconds(30)),
       "last action on record 30 s after now (as late as its call could "
       "take effect): no action either way for 90 s more (cooldown 60 s)"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(DescribeGuardState(tc.state, kNow, cd60), tc.words);
  }
}

// Times ahead of what this clock can have stamped count from now: a last
// action up to a call's latest effect ahead is kept (the record saved
// before a call: this phas's latency, or the record's own if longer);
// further ahead (a clock that went back), from now plus that latency.
TEST(GuardTest, TimesAheadOfTheClockCountFromNow) {
  struct Case {
    const char* name;
    GuardState state;
    // expected
    GuardState bounded;
    std::string words;  // "" = unchanged
  };
  const Duration latency = minutes(2);
  auto at = [](std::optional<Duration> last, std::optional<Duration> start) {
    GuardState g;
    if (last) g.last_action = kNow + *last;
    if (start) g.started_without_state = kNow + *start;
    return g;
  };
  // Saved by a phas whose calls could take `stamped` to take effect.
  auto ahead_by = [](Duration last, Duration stamped) {
    GuardState g;
    g.last_action = kNow + last;
    g.stamped_ahead = stamped;
    return g;
  };
  const Case cases[] = {
      {"nothing on record", {}, {}, ""},
      {"in the past", at(-seconds(20), -hours(1)), at(-seconds(20), -hours(1)),
       ""},
      {"a call's latest effect ahead: kept", at(minutes(2), std::nullopt),
       at(minutes(2), std::nullopt), ""},
      {"an hour ahead: from now plus the latency", at(hours(1), std::nullopt),
       at(minutes(2), std::nullopt),
       "the last action on record is 3600 s after now (the clock went "
       "back?): it counts from now as a call's latest effect (120 s ahead)"},
      {"a record's own latency, longer than this phas's: kept",
       ahead_by(seconds(250), seconds(250)),
       ahead_by(seconds(250), seconds(250)), ""},
      {"a record's own latency, and further ahead: from now plus it",
       ahead_by(hours(1), seconds(250)), ahead_by(seconds(250), seconds(250)),
       "the last action on record is 3600 s after now (the clock went "
       "back?): it counts from now as a call's latest effect (250 s ahead)"},
      {"a start without state up to the latency ahead: kept",
       at(std::nullopt, seconds(1)), at(std::nullopt, seconds(1)), ""},
      {"both further ahead", at(hours(24), hours(24)),
       at(minutes(2), minutes(2)),
       "the last action on record is 86400 s after now (the clock went "
       "back?): it counts from now as a call's latest effect (120 s ahead); "
       "the start without saved state is 86400 s after now (the clock went "
       "back?): it counts from now as a call's latest effect (120 s ahead)"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    GuardState g = tc.state;
    EXPECT_EQ(BoundToNow(&g, kNow, latency), tc.words);
    EXPECT_EQ(g, tc.bounded);
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
