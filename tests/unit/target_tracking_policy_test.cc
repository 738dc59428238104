// AWS target tracking (decision/target_tracking_policy.h), each row citing
// the documented behaviour it reproduces.
#include "decision/target_tracking_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::kNow;
using phas::testing::Signal;
using phas::testing::Sized;

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
       Sized(4),
       "ceil",
       4,
       "tt_ok"},
      {"3 points above: ceil(n x m / t)",
       {90, 90, 90},
       4,
       Sized(4),
       "ceil",
       6,
       "tt_scale_out"},
      {"warming instances are not counted: no second launch",
       {90, 90, 90},
       4,
       Sized(6, 0, 2),
       "ceil",
       6,
       "tt_scale_out_warming"},
      {"breach grows while warming: launch the difference",
       {90, 90, 120},
       4,
       Sized(6, 0, 2),
       "ceil",
       8,
       "tt_scale_out"},
      {"14 points low: the low alarm needs 15", std::vector<double>(14, 30.0),
       4, Sized(4), "ceil", 4, "tt_ok"},
      {"15 points under 90% of target: scale in", std::vector<double>(15, 30.0),
       4, Sized(4), "ceil", 2, "tt_scale_in"},
      {"scale in keeps the metric at or under target (ceil)",
       std::vector<double>(15, 50.0), 4, Sized(4), "ceil", 4, "tt_scale_in"},
      {"floor rounding removes one more", std::vector<double>(15, 50.0), 4,
       Sized(4), "floor", 3, "tt_scale_in"},
      {"no scale-in while instances warm up", std::vector<double>(15, 30.0), 4,
       Sized(5, 0, 1), "ceil", 5, "tt_scale_in_blocked"},
      {"a point at 55 is neither high nor low",
       {90, 90, 55},
       4,
       Sized(4),
       "ceil",
       4,
       "tt_ok"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    TargetTrackingConfig c;
    c.scale_in_rounding = tc.rounding;
    TargetTrackingPolicy p(c, {});
    Proposal out = p.Propose(Signal(tc.cpu, tc.group, tc.ready), p.NewState());
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
  }
}

TEST(TargetTrackingTest, EachPointIsCountedOnce) {
  TargetTrackingPolicy p({}, {});
  Observation o = Signal({90, 90}, Sized(4), 4);
  PolicyState s = p.Propose(o, p.NewState()).if_held;
  // The same two points seen again (the loop runs every 10 s): still 2.
  s = p.Propose(o, s).if_held;
  EXPECT_EQ(s.As<AlarmState>().high, 2);
  o.signal.push_back({kNow, 90, 4});
  EXPECT_EQ(p.Propose(o, s).target, 6);
}

}  // namespace
}  // namespace phas
