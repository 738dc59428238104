// The predictive policy: capacity before the demand arrives.
//
//   desired = max(now, ahead), where
//     now   = what the load measured in the latest minute needs at the
//             target utilization, or target tracking's scale-out when its high
//             alarm fires (the reactive safety net);
//     ahead = what the forecast's upper bound (the load we are `quantile`
//             sure not to exceed) needs at any moment from now to
//             now + boot time + buffer: capacity launched now serves from
//             then on, and capacity removed now is gone at once, so the whole
//             window must be covered;
//   scale-in is stabilized (the highest recommendation of the last
//   `stabilization`, as the HPA does) and the guard bounds it by
//   min/max and a maximum step (default +10 / -3 per action).
// No forecast (cold start, failure): target tracking decides, and the reason
// says why. `forecast_only` (like AWS's ForecastOnly mode) computes and logs
// everything and proposes no change.
#ifndef PHAS_DECISION_PREDICTIVE_POLICY_H_
#define PHAS_DECISION_PREDICTIVE_POLICY_H_

#include "decision/policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {

struct PredictiveConfig {
  // Target utilization of the capacity model, percent. Default: 60.
  double target = 60;
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
  GuardConfig guard;
};

class PredictivePolicy final : public Policy {
 public:
  explicit PredictivePolicy(PredictiveConfig c) : c_(std::move(c)) {}
  std::string name() const override { return "predictive"; }
  bool needs_forecast() const override { return true; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return c_.guard; }

 private:
  PredictiveConfig c_;
};

}  // namespace phas

#endif  // PHAS_DECISION_PREDICTIVE_POLICY_H_
