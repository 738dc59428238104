// The Kubernetes Horizontal Pod Autoscaler's algorithm (kubernetes/
// pkg/controller/podautoscaler, "Algorithm details" in the HPA docs), on the
// load signal (average CPU by default) with instances in place of pods:
//   desired = ceil(ready * metric / target) over the instances that report
//   (ready: InService, past warm-up), unless |metric/target - 1| <=
//   tolerance (0.1): then no change; when scaling up while instances are not
//   ready yet, those count as using 0 (the HPA's treatment of unready
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
  double tolerance = 0.1;                              // Default: 0.1
  Duration stabilization = std::chrono::seconds(300);  // Default: 300 s

  void Describe(FieldVisitor& v) {
    v.Number("tolerance", &tolerance, 0, 0.9);
    v.Seconds("stabilization_seconds", &stabilization, 0, 86400);
  }
  friend bool operator==(const HpaConfig&, const HpaConfig&) = default;
};

struct HpaState {
  Recommendations recommendations;  // for the stabilization window

  void Describe(FieldVisitor& v) {
    v.Timed("recommendations", &recommendations);
  }
  friend bool operator==(const HpaState&, const HpaState&) = default;
};

class HpaPolicy final : public TypedPolicy<HpaConfig, HpaState> {
 public:
  using Config = HpaConfig;
  using State = HpaState;
  using TypedPolicy::TypedPolicy;
  std::string_view name() const override { return "hpa"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;
};

}  // namespace phas

#endif  // PHAS_DECISION_HPA_POLICY_H_
