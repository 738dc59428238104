// ReactivePolicy: a simple CPU target rule, phas's safety net when no model
// answers (the seed policy's `reactive` fallback) and a policy of its own.
//
// With u the latest per-minute average CPU of the n InService instances that
// are past warm-up, and d the desired capacity (what will be serving once
// launches finish):
//   u * n / d > target * (1 + tolerance)       -> scale_up (+1): capacity
//       already launching counts, so a boot time does not cause a second
//       scale-up for the same load (as AWS target tracking counts it)
//   u * n / (n - 1) < target * (1 - tolerance) -> scale_down, i.e. only when
//       one instance fewer would still run below target: no flapping; and
//       never while instances are pending or warming up (AWS: warming
//       instances block scale-in)
//   otherwise                                  -> hold
// Scale-down needs `scale_down_points` consecutive such minutes (each
// one-minute point counted once, however often the loop runs).
// No metric this cycle: hold (missing data leans against change).
#ifndef PHAS_DECISION_REACTIVE_POLICY_H_
#define PHAS_DECISION_REACTIVE_POLICY_H_

#include "decision/policy.h"

namespace phas {

struct ReactivePolicyConfig {
  // Target average CPU, percent. Default: 60.
  double target = 60.0;
  // Dead band around the target, as a fraction. Default: 0.1.
  double tolerance = 0.1;
  // Consecutive one-minute points below the scale-in line. Default: 5.
  int scale_down_points = 5;
  GuardConfig guard;
};

class ReactivePolicy final : public Policy {
 public:
  explicit ReactivePolicy(ReactivePolicyConfig config) : config_(config) {}
  std::string name() const override { return "reactive"; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return config_.guard; }

  // What the rule says for one CPU reading on n serving instances with
  // desired capacity d: +1, -1 or 0 (before the scale-down counting).
  static int Direction(double cpu, int n, int d, const ReactivePolicyConfig& c,
                       std::string* why);

 private:
  ReactivePolicyConfig config_;
};

}  // namespace phas

#endif  // PHAS_DECISION_REACTIVE_POLICY_H_
