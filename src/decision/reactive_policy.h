// ReactivePolicy: a simple target rule on the load signal, phas's safety net
// when no model answers (the seed policy's `reactive` fallback) and a policy
// of its own.
//
// With u the latest per-minute mean of the signal over the n instances that
// served it (decision/points.h ReadyInstances: past warm-up, and those that
// have left since), and d the desired capacity (what will be serving once
// launches and terminations finish):
//   u * n / d > target * (1 + tolerance)       -> scale_up (+1): capacity
//       already launching counts, so a boot time does not cause a second
//       scale-up for the same load (as AWS target tracking counts it), and
//       instances leaving count too (after a scale-in, during a rebalance)
//   u * n / (d - 1) < target * (1 - tolerance) -> scale_down, i.e. only when
//       one instance fewer than desired would still run below target: no
//       flapping; and never while instances are pending or warming up
//       (AWS: warming instances block scale-in)
//   otherwise                                  -> hold
// Scale-down needs `scale_down_points` consecutive such minutes (each
// one-minute point counted once, however often the loop runs).
// No metric this cycle: hold (missing data leans against change).
#ifndef PHAS_DECISION_REACTIVE_POLICY_H_
#define PHAS_DECISION_REACTIVE_POLICY_H_

#include "decision/policy.h"

namespace phas {

struct ReactivePolicyConfig {
  // Dead band around the target, as a fraction. Default: 0.1.
  double tolerance = 0.1;
  // Consecutive one-minute points below the scale-in line. Default: 5.
  int scale_down_points = 5;

  void Describe(FieldVisitor& v) {
    v.Number("tolerance", &tolerance, 0, 0.9);
    v.Integer("scale_down_points", &scale_down_points, 1, kMinutesPerDay);
  }
  friend bool operator==(const ReactivePolicyConfig&,
                         const ReactivePolicyConfig&) = default;
};

struct ReactiveState {
  int below = 0;  // consecutive points below the scale-in line
  std::optional<TimePoint> last_point;

  void Describe(FieldVisitor& v) {
    v.Integer("below", &below);
    v.Time("last_point", &last_point);
  }
  friend bool operator==(const ReactiveState&, const ReactiveState&) = default;
};

class ReactivePolicy final
    : public TypedPolicy<ReactivePolicyConfig, ReactiveState> {
 public:
  using Config = ReactivePolicyConfig;
  using State = ReactiveState;
  using TypedPolicy::TypedPolicy;
  std::string_view name() const override { return "reactive"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

  // What the rule says for one reading `u` on the n instances that served
  // it, for a group of desired capacity d with `launching` instances not yet
  // serving: +1, -1 or 0 (before the scale-down counting).
  int Direction(double u, int n, int d, int launching, std::string* why) const;
};

}  // namespace phas

#endif  // PHAS_DECISION_REACTIVE_POLICY_H_
