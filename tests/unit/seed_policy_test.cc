// The seed policy (decision/seed_policy.h): the original's rules, the streak
// bug fixed, the fallback; run through the guard as the loop does.
#include "decision/seed_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Answer;
using phas::testing::Group;
using phas::testing::Harness;
using phas::testing::kNow;
using phas::testing::Signal;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = Decision::Kind;

const GuardConfig kGuard{seconds(300), 0, 0};

TEST(SeedPolicyTest, Table) {
  struct Case {
    const char* name;
    // inputs
    std::optional<ModelAction> answer;  // none: the model did not answer
    std::string fallback;
    double cpu;
    // world state
    GroupView group;
    std::optional<Duration> last_action_ago;
    int streak_before;
    // expected
    Kind kind;
    int target;
    std::string code;
    int streak_after;  // kept when the decision is carried out
  };
  const auto up = ModelAction::kScaleUp;
  const auto down = ModelAction::kScaleDown;
  const auto hold = ModelAction::kHold;
  const Case cases[] = {
      {"class 0 scales up at once",
       up,
       "hold",
       50,
       Group(1, 5, 2),
       {},
       0,
       Kind::kScaleUp,
       3,
       "model_scale_up",
       0},
      {"class 0 at max",
       up,
       "hold",
       50,
       Group(1, 5, 5),
       {},
       0,
       Kind::kHold,
       5,
       "at_max",
       0},
      {"class 0 in cooldown", up, "hold", 50, Group(1, 5, 2), seconds(100), 0,
       Kind::kHold, 2, "cooldown", 0},
      {"class 0 after cooldown", up, "hold", 50, Group(1, 5, 2), seconds(301),
       0, Kind::kScaleUp, 3, "model_scale_up", 0},
      {"class 0 resets a streak", up, "hold", 50, Group(1, 5, 5), seconds(500),
       20, Kind::kHold, 5, "at_max", 0},
      {"class 2 holds and resets", hold, "hold", 50, Group(1, 5, 3),
       seconds(500), 29, Kind::kHold, 3, "model_hold", 0},
      {"class 1, 29th in a row: wait", down, "hold", 50, Group(1, 5, 3),
       seconds(500), 28, Kind::kHold, 3, "model_scale_down_waiting", 29},
      {"class 1, 30th in a row: scale in", down, "hold", 50, Group(1, 5, 3),
       seconds(500), 29, Kind::kScaleDown, 2, "model_scale_down", 0},
      {"class 1 streak at min", down, "hold", 50, Group(2, 5, 2), seconds(500),
       40, Kind::kHold, 2, "at_min", 41},
      {"class 1 streak in cooldown keeps counting", down, "hold", 50,
       Group(1, 5, 3), seconds(10), 35, Kind::kHold, 3, "cooldown", 36},
      {"min raised above desired", down, "hold", 50, Group(4, 6, 3),
       seconds(500), 40, Kind::kHold, 3, "at_min", 41},
      {"no answer, fallback hold",
       {},
       "hold",
       95,
       Group(1, 5, 2),
       seconds(500),
       12,
       Kind::kHold,
       2,
       "fallback_hold",
       0},
      {"no answer, fallback reactive, hot",
       {},
       "reactive",
       95,
       Group(1, 5, 2),
       seconds(500),
       12,
       Kind::kScaleUp,
       3,
       "fallback_cpu_above_target",
       0},
      {"no answer, fallback reactive, near target",
       {},
       "reactive",
       60,
       Group(1, 5, 2),
       {},
       0,
       Kind::kHold,
       2,
       "fallback_cpu_near_target",
       0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SeedPolicyConfig cfg;
    cfg.fallback = tc.fallback;
    SeedPolicy policy(cfg, ScalingTarget{});
    Harness h(policy, kGuard);
    h.set_state(PolicyState::Of(SeedState{tc.streak_before, {}}));
    if (tc.last_action_ago)
      h.guard_state().last_action = kNow - *tc.last_action_ago;
    Observation o = Signal({tc.cpu}, tc.group);
    if (tc.answer) {
      o.model = Answer(*tc.answer);
    } else {
      o.model_error = "predictor down";
    }
    Decision d = h.Step(o);
    EXPECT_EQ(d.kind, tc.kind) << d.reason;
    EXPECT_EQ(d.target, tc.target);
    EXPECT_EQ(d.code(), tc.code) << d.reason;
    EXPECT_EQ(h.state<SeedState>().down_streak, tc.streak_after);
    EXPECT_FALSE(d.reason.empty());
  }
}

// The original never reset its scale-down buffer: 30 scale-down answers
// with scale-up answers between them still scaled in. phas needs 30 in a row.
TEST(SeedPolicyTest, StreakMustBeConsecutive) {
  SeedPolicy policy({}, {});
  Harness h(policy, kGuard);
  h.guard_state().last_action = kNow - minutes(60);
  GroupView g = Group(1, 10, 5);
  auto step = [&](ModelAction a) {
    Observation o = Signal({50}, g);
    o.model = Answer(a);
    return h.Step(o);
  };
  for (int i = 0; i < 29; ++i) {
    EXPECT_EQ(step(ModelAction::kScaleDown).kind, Kind::kHold);
  }
  step(ModelAction::kHold);  // interrupts the streak
  for (int i = 0; i < 29; ++i) {
    EXPECT_EQ(step(ModelAction::kScaleDown).kind, Kind::kHold)
        << "answer " << i;
  }
  Decision d = step(ModelAction::kScaleDown);  // the 30th consecutive one
  EXPECT_EQ(d.kind, Kind::kScaleDown);
  EXPECT_EQ(d.target, 4);
  EXPECT_EQ(h.state<SeedState>().down_streak, 0)
      << "the streak starts again after a scale-in";
}

}  // namespace
}  // namespace phas
