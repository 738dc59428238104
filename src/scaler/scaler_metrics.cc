#include "scaler/scaler_metrics.h"

namespace phas {

void MetricsReporter::Report(TimePoint, const GroupOutcome& o) {
  if (!o.found) return;
  const std::string& g = o.group;
  auto capacity = [&](const char* kind, int v) {
    m_->GetGauge("phas_scaler_group_capacity",
                 "Group capacity as last described, by kind.",
                 {{"group", g}, {"kind", kind}})
        .Set(v);
  };
  const GroupView& view = o.observation.group;
  capacity("desired", view.desired);
  capacity("min", view.min_size);
  capacity("max", view.max_size);
  capacity("in_service", view.in_service);
  capacity("pending", view.pending);
  if (!o.observation.forecast.empty()) {
    // The furthest point of the forecast: what the coming boot time holds.
    const ForecastPoint& f = o.observation.forecast.back();
    for (auto [bound, v] :
         {std::pair<const char*, double>{"mean", f.mean}, {"upper", f.upper}}) {
      m_->GetGauge("phas_scaler_forecast_load",
                   "Forecast load (instance-units) at the end of the forecast "
                   "horizon.",
                   {{"group", g}, {"bound", bound}})
          .Set(v);
    }
  }
  if (!o.predictor_status.ok()) {
    m_->GetCounter("phas_scaler_predictor_failures_total",
                   "Cycles where the model gave no answer.", {{"group", g}})
        .Inc();
    bool reactive = o.decision.policy_code.via == Via::kSeedFallback;
    m_->GetCounter("phas_scaler_fallbacks_total",
                   "Decisions made by the fallback.",
                   {{"group", g}, {"fallback", reactive ? "reactive" : "hold"}})
        .Inc();
  }
  const Decision& d = o.decision;
  if (d.acts() && !o.dry_run && o.standby.empty()) {
    const char* result = o.acted            ? "ok"
                         : o.may_have_acted ? "unknown"
                                            : "error";
    m_->GetCounter("phas_scaler_actions_total",
                   "SetDesiredCapacity attempts, by result (unknown: failed, "
                   "but may have been carried out).",
                   {{"group", g},
                    {"direction", DecisionKindName(d.kind)},
                    {"result", result}})
        .Inc();
  }
  m_->GetCounter(
        "phas_scaler_decisions_total", "Decisions, by kind and reason code.",
        {{"group", g}, {"kind", DecisionKindName(d.kind)}, {"code", d.code()}})
      .Inc();
}

void MetricsReporter::EndCycle(TimePoint now) {
  m_->GetCounter("phas_scaler_cycles_total", "Control loop cycles run.").Inc();
  m_->GetGauge("phas_scaler_last_cycle_timestamp_seconds",
               "Time of the last cycle (Unix seconds).")
      .Set(ToUnixSeconds(now));
}

}  // namespace phas
