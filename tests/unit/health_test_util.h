// Cycle outcomes as the health tests need them (health_test.cc,
// status_board_test.cc): a healthy group, one not found, one at its max.
#ifndef PHAS_TESTS_UNIT_HEALTH_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_HEALTH_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scaler/conditions.h"
#include "scaler/outcome.h"

namespace phas::testing {

inline const TimePoint kT0 =
    FromUnixSeconds(1764306600);  // 2025-11-28T05:10:00Z

// A group read this cycle at 3 instances (min 1, max 5), holding.
inline GroupOutcome Healthy(const std::string& name = "web") {
  GroupOutcome o;
  o.group = name;
  o.policy = "reactive";
  o.found = true;
  o.observation.group = {name, 1, 5, 3, 3, 0, 0};
  o.observation.signal = {{kT0, 55.0, 3}};
  o.observation.metrics_ok = true;
  o.metrics = std::make_shared<GroupMetrics>(GroupMetrics{
      .load = {{kT0 - std::chrono::minutes(1), 1.5, 3}, {kT0, 1.65, 3}},
      .instances_with_data = 3});
  o.decision.current = 3;
  o.decision.target = 3;
  o.decision.proposed = 3;
  o.decision.wanted = 3;
  o.decision.policy_code = {Reason::kCpuNearTarget, Via::kSelf};
  o.decision.reason = "cpu 55.0% near target 60%";
  return o;
}

inline GroupOutcome NotFound(const std::string& name = "ghost") {
  GroupOutcome o;
  o.group = name;
  o.policy = "reactive";
  return o;
}

inline GroupOutcome AtMax() {
  GroupOutcome o = Healthy();
  o.observation.group.desired = o.observation.group.in_service = 5;
  o.decision.current = o.decision.target = 5;
  o.decision.proposed = 7;
  o.decision.held_by = GuardRule::kAtMax;
  o.decision.reason = "cpu 90% above target; already at MaxSize 5";
  return o;
}

inline std::string Find(const std::vector<Condition>& cs,
                        const std::string& type) {
  for (const Condition& c : cs) {
    if (c.type == type) return c.status + " " + c.reason;
  }
  return "absent";
}

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_HEALTH_TEST_UTIL_H_
