// The oracle (decision/oracle_policy.h): foresight, no cooldown of its own.
#include "decision/oracle_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"
#include "scaler/policy_registry.h"

namespace phas {
namespace {

using phas::testing::kNow;
using phas::testing::Signal;
using phas::testing::Sized;
using std::chrono::seconds;

TEST(OracleTest, FollowsForesightWithoutCooldown) {
  OraclePolicy p({}, {});
  const PolicyRow* row = PolicyRegistry::Default().Find("oracle");
  ASSERT_NE(row, nullptr);
  Observation o = Signal({55}, Sized(4), 4);
  o.oracle_capacity = 9;
  Decision d =
      Decide(p, row->guard, o, p.NewState(), GuardState{kNow - seconds(1)});
  EXPECT_EQ(d.kind, Decision::Kind::kScaleUp);
  EXPECT_EQ(d.target, 9);
  o.oracle_capacity.reset();
  EXPECT_EQ(Decide(p, row->guard, o, p.NewState(), {}).code(), "oracle_blind");
}

}  // namespace
}  // namespace phas
