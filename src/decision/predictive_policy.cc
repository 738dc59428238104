#include "decision/predictive_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "decision/points.h"

namespace phas {

TypedProposal<PredictiveState> PredictivePolicy::Evaluate(
    const Observation& obs, const PredictiveState& state) const {
  TypedProposal<AlarmState> tt = tracking_.Evaluate(obs, state.tracking);
  TypedProposal<PredictiveState> p;
  p.state.tracking = tt.state;  // keep target tracking's alarm counts going
  p.state.recommendations = state.recommendations;
  int current = obs.group.desired;
  if (obs.forecast.empty()) {
    p.target = tt.target;
    p.reason = "no forecast (" +
               (obs.forecast_error.empty() ? "none" : obs.forecast_error) +
               "); target tracking: " + tt.reason;
    p.code = {tt.code.reason, Via::kPredictiveFallback};
    if (c_.forecast_only) {
      p.target = current;
      p.code = {Reason::kForecastOnly};
    }
    return p;
  }
  const double u = target_.utilization();
  // Now: the latest minute's load, or target tracking's scale-out.
  int now_need = 0;
  std::string now_why;
  if (obs.load_history && !obs.load_history->empty()) {
    double load = obs.load_history->back().value;
    now_need = InstancesFor(load, u);
    now_why = fmt::format("now {:.2f} needs {}", load, now_need);
  }
  if (tt.code == ReasonCode{Reason::kTtScaleOut} && tt.target > now_need) {
    now_need = tt.target;
    now_why = "target tracking: " + tt.reason;
  }
  // Ahead: the forecast's upper bound over [now, now + boot + buffer].
  TimePoint until = obs.now + c_.boot_time + c_.buffer;
  int ahead = 0;
  const ForecastPoint* peak = nullptr;
  for (const ForecastPoint& f : obs.forecast) {
    if (f.time > until) break;
    int n = InstancesFor(f.upper, u);
    if (!peak || n > ahead) {
      ahead = n;
      peak = &f;
    }
  }
  std::string ahead_why =
      peak ? fmt::format("forecast {:.2f} (upper {:.2f}) at {} needs {}",
                         peak->mean, peak->upper,
                         FormatIso8601(peak->time).substr(11, 5), ahead)
           : "forecast does not reach the lead window";
  int raw = std::max({now_need, ahead, 1});

  int want = StabilizeScaleIn(&p.state.recommendations, obs.now,
                              c_.stabilization, raw, current);
  if (raw < current) want = std::min(want, current);
  p.reason = ahead_why + "; " + now_why;
  if (want < raw || (raw < current && want == current)) {
    p.reason += fmt::format("; scale-in held at {} (highest of the last {} s)",
                            want, WholeSeconds(c_.stabilization));
  }
  p.code = {want > current   ? (ahead >= now_need ? Reason::kPredForecastUp
                                                  : Reason::kPredReactiveUp)
            : want < current ? Reason::kPredForecastDown
                             : Reason::kPredHold};
  p.target = want;
  if (c_.forecast_only) {
    p.reason = fmt::format("forecast-only: would set {} ({})", want, p.reason);
    p.code = {Reason::kForecastOnly};
    p.target = current;
  }
  return p;
}

}  // namespace phas
