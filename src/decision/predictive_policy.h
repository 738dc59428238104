// The predictive policy: capacity before the demand arrives, at the service
// level asked.
//
//   desired = max(now, out), scale-in no lower than in, where
//     now = what the load measured in the latest minute needs at the target
//           utilization, or target tracking's scale-out when its high alarm
//           fires (the reactive safety net); on a minute at full on a
//           signal that cannot show more (CPU at 100 %), the step is taken
//           twice (n -> 2 ceil(n/u) - n), so that a burst the signal hides
//           is climbed in fewer rounds of metric delay + boot;
//     out = what the bound on the HIGHEST load over the scale-out window
//           (now .. now + boot + buffer) needs: capacity launched now serves
//           only after the boot time;
//     in  = the same over the scale-in window (now .. now + metric delay +
//           boot + buffer): an instance removed now is gone at once, and
//           getting it back costs the time to see the load, then to boot one;
//   bound = forecast max + bias + margin x spread, calibrated online from
//           the group's own outcomes (decision/calibration.h): bias and
//           spread per window, the margin adapted so that the share of
//           minutes short of capacity at target approaches the SLO
//           (`slo.max_underprovisioned_pct`).
//   With a warm pool whose launches were measured (GroupView::warm_pool),
//   the windows shrink to its launch time when the pool holds what the
//   longer windows would add: those instances can come from it later.
//   Scale-in is also stabilized (the highest recommendation of the last
//   `stabilization`) and the guard bounds every change by min/max and a
//   maximum step (+10 / -3 per action, 60 s cooldown; policy_registry.cc).
// No forecast (cold start, failure): target tracking decides, and the reason
// says why. `forecast_only` (like AWS's ForecastOnly mode) computes and logs
// everything and proposes no change.
#ifndef PHAS_DECISION_PREDICTIVE_POLICY_H_
#define PHAS_DECISION_PREDICTIVE_POLICY_H_

#include "decision/calibration.h"
#include "decision/policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {

struct SloConfig {
  // The share of time the group may be short of capacity at its target
  // (BUNGEE's tau_U), in %. Default: 3 (docs/predictive.md: why).
  double max_underprovisioned_pct = 3;
  void Describe(FieldVisitor& v) {
    v.Number("max_underprovisioned_pct", &max_underprovisioned_pct, 0.1, 50);
  }
  friend bool operator==(const SloConfig&, const SloConfig&) = default;
};

struct PredictiveConfig {
  SloConfig slo;
  // Launch to InService. Default: 300 s (the backtest sets its world's).
  Duration boot_time = std::chrono::seconds(300);
  // Extra lead beyond the boot time. Default: 60 s.
  Duration buffer = std::chrono::seconds(60);
  // From a minute's load to the loop seeing it (CloudWatch's publication
  // delay and the metrics refresh). Default: 120 s.
  Duration metric_delay = std::chrono::seconds(120);
  // Scale-in uses the highest recommendation of this window. Default: 60 s.
  Duration stabilization = std::chrono::seconds(60);
  bool forecast_only = false;
  TargetTrackingConfig tracking;  // fallback without a forecast

  void Describe(FieldVisitor& v) {
    v.Section("slo", &slo);
    v.Seconds("boot_seconds", &boot_time, 0, 3600);
    v.Seconds("buffer_seconds", &buffer, 0, 3600);
    v.Seconds("metric_delay_seconds", &metric_delay, 0, 3600);
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
  // The calibration (decision/calibration.h), persisted with the state.
  WindowCalibration out, in;  // per window: scale-out, scale-in
  double margin = MarginControl::kStart;
  std::vector<PendingOutcome> pending;  // forecasts awaiting their window
  Recommendations capacity;  // InService per recent minute (the lowest seen)
  // Per recent minute, the lowest desired capacity when every cycle in it
  // saw fewer instances InService and Pending (else 0): a minute short of
  // what was asked two boot times and a minute before, with nothing
  // launching since, was not delivered (launches failing), and is not the
  // margin's to learn from.
  Recommendations undelivered;
  // Recent minutes in which some cycle did not count toward the SLO (phas
  // did not set the capacity, or the forecast did not decide): judged when
  // the minute is lived, not when its load arrives a metric delay later. A
  // minute is counted when none of these is within a boot time before it.
  Recommendations uncounted;
  std::optional<TimePoint> last_minute;   // the newest load minute counted
  double minutes = 0, short_minutes = 0;  // realised, at target, below max
  double undelivered_minutes = 0;         // left out: AWS did not deliver

  void Describe(FieldVisitor& v) {
    v.Section("tracking", &tracking);
    v.Timed("recommendations", &recommendations);
    v.Section("out", &out);
    v.Section("in", &in);
    v.Number("margin", &margin, MarginControl::kLow, MarginControl::kHigh);
    v.List("pending", &pending);
    v.Timed("capacity", &capacity);
    v.Timed("undelivered", &undelivered);
    v.Timed("uncounted", &uncounted);
    v.Time("last_minute", &last_minute);
    v.Number("minutes", &minutes, 0);
    v.Number("short_minutes", &short_minutes, 0);
    v.Number("undelivered_minutes", &undelivered_minutes, 0);
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
    // The forecaster's own band (0.9 quantile of its held-out errors) is
    // the margin until the calibration has outcomes.
    return {.history = true, .forecast_quantile = 0.9};
  }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

 private:
  // Counts what the load history shows since the last call: the outcomes
  // of pending forecasts, and each minute's shortfall for the margin.
  // True when a new load minute arrived. `forecast_decides`: the forecast
  // reaches the lead windows (else target tracking decides this cycle).
  bool Learn(const Observation& obs, bool forecast_decides,
             PredictiveState* s) const;
  // The load of a minute (instance-units, over the instances that reported)
  // is at full on a signal that cannot show more (LoadSignal).
  bool AtFull(const MetricSample& load) const;
  TargetTrackingPolicy tracking_;
};

}  // namespace phas

#endif  // PHAS_DECISION_PREDICTIVE_POLICY_H_
