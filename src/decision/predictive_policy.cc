#include "decision/predictive_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "decision/points.h"

namespace phas {

Proposal PredictivePolicy::Propose(const Observation& obs,
                                   const PolicyState& state) const {
  Proposal tt = TargetTrackingPolicy(c_.tracking).Propose(obs, state);
  if (obs.forecast.empty()) {
    Proposal p = tt;
    p.reason = "no forecast (" +
               (obs.forecast_error.empty() ? "none" : obs.forecast_error) +
               "); target tracking: " + tt.reason;
    p.code = "pred_fallback_" + tt.code;
    if (c_.forecast_only) {
      p.target = obs.group.desired;
      p.code = "forecast_only";
    }
    return p;
  }
  int current = obs.group.desired;
  // Now: the latest minute's load, or target tracking's scale-out.
  int now_need = 0;
  std::string now_why;
  if (obs.load_history && !obs.load_history->empty()) {
    double load = obs.load_history->back().value;
    now_need = InstancesFor(load, c_.target / 100.0);
    now_why = fmt::format("now {:.2f} needs {}", load, now_need);
  }
  if (tt.code == "tt_scale_out" && tt.target > now_need) {
    now_need = tt.target;
    now_why = "target tracking: " + tt.reason;
  }
  // Ahead: the forecast's upper bound over [now, now + boot + buffer].
  TimePoint until = obs.now + c_.boot_time + c_.buffer;
  int ahead = 0;
  const ForecastPoint* peak = nullptr;
  for (const ForecastPoint& f : obs.forecast) {
    if (f.time > until) break;
    int n = InstancesFor(f.upper, c_.target / 100.0);
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

  Proposal p;
  p.if_held = tt.if_held;  // keep target tracking's alarm counters going
  int want = StabilizeScaleIn(&p.if_held.recommendations, obs.now,
                              c_.stabilization, raw, current);
  if (raw < current) want = std::min(want, current);
  p.if_acted = p.if_held;
  p.reason = ahead_why + "; " + now_why;
  if (want < raw || (raw < current && want == current)) {
    p.reason += fmt::format(
        "; scale-in held at {} (highest of the last {} s)", want,
        std::chrono::duration_cast<std::chrono::seconds>(c_.stabilization)
            .count());
  }
  p.code = want > current
               ? (ahead >= now_need ? "pred_forecast_up" : "pred_reactive_up")
           : want < current ? "pred_forecast_down"
                            : "pred_hold";
  p.target = want;
  if (c_.forecast_only) {
    p.reason = fmt::format("forecast-only: would set {} ({})", want, p.reason);
    p.code = "forecast_only";
    p.target = current;
  }
  return p;
}

}  // namespace phas
