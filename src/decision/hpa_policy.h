// The Kubernetes Horizontal Pod Autoscaler's algorithm (kubernetes/
// pkg/controller/podautoscaler, "Algorithm details" in the HPA docs), on
// average CPU with instances in place of pods:
//   desired = ceil(ready * metric / target) over the instances that report
//   (ready: InService, past warm-up), unless |metric/target - 1| <=
//   tolerance (0.1): then no change; when scaling up while instances are not
//   ready yet, those count as using 0% (the HPA's treatment of unready
//   pods), so capacity already coming is not asked for twice;
//   scale-up limited to max(2 * current, current + 4) (the default scaleUp
//   policies: 100% or 4 pods per 15 s, the larger);
//   scale-down stabilization: the highest recommendation of the last 300 s
//   is used, so the group shrinks only when every recent recommendation
//   agreed.
// `current` is the desired capacity.
#ifndef PHAS_DECISION_HPA_POLICY_H_
#define PHAS_DECISION_HPA_POLICY_H_

#include "decision/policy.h"

namespace phas {

struct HpaConfig {
  double target = 60;                                  // Default: 60 (% CPU)
  double tolerance = 0.1;                              // Default: 0.1
  Duration stabilization = std::chrono::seconds(300);  // Default: 300 s
  GuardConfig guard;  // Default cooldown for this policy: 0 (the HPA has none)
};

class HpaPolicy final : public Policy {
 public:
  explicit HpaPolicy(HpaConfig c) : c_(std::move(c)) {}
  std::string name() const override { return "hpa"; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return c_.guard; }

 private:
  HpaConfig c_;
};

}  // namespace phas

#endif  // PHAS_DECISION_HPA_POLICY_H_
