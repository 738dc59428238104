// AWS step scaling (decision/step_policy.h).
#include "decision/step_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Signal;
using phas::testing::Sized;

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
       Sized(4),
       false,
       4,
       "step_ok"},
      {"over by 10: first step +1",
       {80, 80},
       4,
       Sized(4),
       false,
       5,
       "step_out"},
      {"over by 20: second step +2",
       {90, 90},
       4,
       Sized(4),
       false,
       6,
       "step_out"},
      {"over by 30: third step +3",
       {100, 100},
       4,
       Sized(4),
       false,
       7,
       "step_out"},
      {"same step while warming: no second launch",
       {80, 80},
       4,
       Sized(5, 0, 1),
       false,
       5,
       "step_out_warming"},
      {"percent change rounds away from zero, at least 1",
       {80, 80},
       4,
       Sized(4),
       true,
       5,
       "step_out"},
      {"under the low threshold: -1",
       {30, 30},
       4,
       Sized(4),
       false,
       3,
       "step_in"},
      {"no scale-in while warming",
       {30, 30},
       4,
       Sized(5, 0, 1),
       false,
       5,
       "step_in_blocked"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    StepPolicyConfig c;
    if (tc.percent) {
      c.adjustment_type = "PercentChangeInCapacity";
      c.out_steps = {{0, 1e9, 10}};  // +10% of 4 = 0.4 -> 1
    }
    StepPolicy p(c, {});
    Proposal out = p.Propose(Signal(tc.cpu, tc.group, tc.ready), p.NewState());
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
  }
  EXPECT_EQ(StepPolicy::StepFor(StepPolicyConfig().out_steps, 14.99), 1);
  EXPECT_EQ(StepPolicy::StepFor(StepPolicyConfig().out_steps, 15), 2);
}

}  // namespace
}  // namespace phas
