// The predictive policy: capacity before the demand arrives.
//
//   desired = max(now, ahead), where
//     now   = what the load measured in the latest minute needs at the
//             target utilization, or target tracking's scale-out when its
//             high alarm fires (the reactive safety net);
//     ahead = what the forecast's upper bound (the load we are `quantile`
//             sure not to exceed) needs at any moment from now to
//             now + boot time + buffer: capacity launched now serves from
//             then on, and capacity removed now is gone at once, so the whole
//             window must be covered;
//   scale-in is stabilized (the highest recommendation of the last
//   `stabilization`, as the HPA does) and the guard bounds it by
//   min/max and a maximum step (this policy's guard defaults: +10 / -3 per
//   action, 60 s cooldown; scaler/policy_registry.cc).
// No forecast (cold start, failure): target tracking decides, and the reason
// says why. `forecast_only` (like AWS's ForecastOnly mode) computes and logs
// everything and proposes no change.
#ifndef PHAS_DECISION_PREDICTIVE_POLICY_H_
#define PHAS_DECISION_PREDICTIVE_POLICY_H_

#include "decision/policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {

struct PredictiveConfig {
  // Launch to InService. Default: 300 s (the backtest sets its world's).
  Duration boot_time = std::chrono::seconds(300);
  // Extra lead beyond the boot time. Default: 60 s.
  Duration buffer = std::chrono::seconds(60);
  // Scale-in uses the highest recommendation of this window. Default: 120 s.
  Duration stabilization = std::chrono::seconds(120);
  bool forecast_only = false;
  // The forecast's upper bound is this quantile of the held-out errors
  // (read by the loop's forecaster). Default: 0.9.
  double quantile = 0.9;
  TargetTrackingConfig tracking;  // fallback without a forecast

  void Describe(FieldVisitor& v) {
    v.Number("quantile", &quantile, 0.5, 0.999);
    v.Seconds("boot_seconds", &boot_time, 0, 3600);
    v.Seconds("buffer_seconds", &buffer, 0, 3600);
    v.Seconds("stabilization_seconds", &stabilization, 0, 86400);
    v.Flag("forecast_only", &forecast_only);
    v.Section("tracking", &tracking);
  }
  friend bool operator==(const PredictiveConfig&,
                         const PredictiveConfig&) = default;
};

struct PredictiveState {
  AlarmState tracking;              // the fallback's alarms, always counted
  Recommendations recommendations;  // for the scale-in stabilization

  void Describe(FieldVisitor& v) {
    v.Section("tracking", &tracking);
    v.Timed("recommendations", &recommendations);
  }
  friend bool operator==(const PredictiveState&,
                         const PredictiveState&) = default;
};

class PredictivePolicy final
    : public TypedPolicy<PredictiveConfig, PredictiveState> {
 public:
  using Config = PredictiveConfig;
  using State = PredictiveState;
  PredictivePolicy(Config c, ScalingTarget target)
      : TypedPolicy(c, target), tracking_(c.tracking, target) {}
  std::string_view name() const override { return "predictive"; }
  PolicyNeeds needs() const override {
    return {.history = true, .forecast_quantile = c_.quantile};
  }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

 private:
  TargetTrackingPolicy tracking_;
};

}  // namespace phas

#endif  // PHAS_DECISION_PREDICTIVE_POLICY_H_
