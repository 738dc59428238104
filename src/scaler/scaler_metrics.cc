#include "scaler/scaler_metrics.h"

#include <algorithm>
#include <cmath>

#include "scaler/conditions.h"

namespace phas {
namespace {

// The SLO's gauges, removed where phas does not count.
constexpr const char* kSloAskedGauge =
    "phas_scaler_slo_max_underprovisioned_ratio";
constexpr const char* kSloMarginGauge = "phas_scaler_slo_margin_spreads";

constexpr const char* kModelHelp =
    "1: the forecaster the group's policy uses now (0: used before).";

}  // namespace

void MetricsReporter::Error(const std::string& group, const char* stage,
                            const std::string& code) {
  m_->GetCounter("phas_scaler_group_errors_total",
                 "A group's failures, by stage (describe, metrics, predictor, "
                 "act, cycle) and error code.",
                 {{"group", group}, {"stage", stage}, {"code", code}})
      .Inc();
}

void MetricsReporter::ReportRead(TimePoint now, const GroupOutcome& o) {
  bool read = ReadFailure(o).empty();
  m_->GetGauge("phas_scaler_group_up",
               "1: the group was described and its metrics read in the last "
               "cycle; 0: it was not (see phas_scaler_group_errors_total).",
               {{"group", o.group}})
      .Set(read ? 1 : 0);
  if (read) {
    m_->GetGauge("phas_scaler_group_last_successful_read_timestamp_seconds",
                 "When the group was last described and its metrics read "
                 "(Unix seconds).",
                 {{"group", o.group}})
        .Set(ToUnixSeconds(now));
  }
  if (!o.found) {
    Error(o.group, "describe",
          o.describe_status.ok() ? "not_found" : ErrorCode(o.describe_status));
    return;
  }
  if (!o.metrics_status.ok()) {
    Error(o.group, "metrics", ErrorCode(o.metrics_status));
  } else if (o.metrics) {
    m_->GetGauge("phas_scaler_group_reporting_instances",
                 "Instances of the group with a datapoint in the last metrics "
                 "read (0 while instances are in service: nothing to decide "
                 "on; PhasGroupNoMetricData).",
                 {{"group", o.group}})
        .Set(o.metrics->instances_with_data);
  }
  if (!o.predictor_status.ok()) {
    Error(o.group, "predictor", ErrorCode(o.predictor_status));
  }
  // Not acting because another actor changed the group during the cycle is
  // no failed call.
  if (o.decision.acts() && !o.dry_run && !o.act_status.ok() &&
      !ChangedMeanwhile(o)) {
    Error(o.group, "act", ErrorCode(o.act_status));
  }
  for (size_t i = 0; i < o.errors.size(); ++i) Error(o.group, "cycle", "error");
}

void MetricsReporter::ReportCapacity(const GroupOutcome& o) {
  const std::string& g = o.group;
  const GroupView& view = o.observation.group;
  auto gauge = [&](const char* name, const char* help, double v) {
    m_->GetGauge(name, help, {{"group", g}}).Set(v);
  };
  const Decision& d = o.decision;
  gauge("phas_scaler_group_desired_capacity",
        "The group's desired capacity after this cycle's action.",
        o.acted ? d.target : view.desired);
  gauge("phas_scaler_group_wanted_capacity",
        "The capacity the policy asked for, before the safety rules (bounds, "
        "steps, cooldown).",
        d.proposed);
  gauge("phas_scaler_group_in_service_instances",
        "InService instances of the group.", view.in_service);
  gauge("phas_scaler_group_pending_instances",
        "Instances launched and not yet InService.", view.pending);
  gauge("phas_scaler_group_unhealthy_instances",
        "InService instances marked Unhealthy (not counted in service).",
        view.unhealthy);
  gauge("phas_scaler_group_min_size", "The group's MinSize.", view.min_size);
  gauge("phas_scaler_group_max_size", "The group's MaxSize.", view.max_size);
  // Without a value this cycle, none (the last one stood still).
  if (!o.observation.signal.empty()) {
    gauge("phas_scaler_group_signal",
          "The load signal observed, per instance, in its unit (cpu: %).",
          o.observation.signal.back().value);
  } else {
    m_->RemoveGauge("phas_scaler_group_signal", {{"group", g}});
  }
  if (!LoadOf(o).empty()) {
    gauge("phas_scaler_group_load",
          "The group's load in instance-units (one instance fully used = 1).",
          LoadOf(o).back().value);
  } else {
    m_->RemoveGauge("phas_scaler_group_load", {{"group", g}});
  }
}

void MetricsReporter::ReportLimits(const GroupOutcome& o, Memory* mem) {
  std::vector<std::string> now = LimitedReasons(o.decision);
  for (const char* r : {"at_max", "at_min", "cooldown", "step_cap"}) {
    mem->limited_seen.insert(r);
  }
  for (const std::string& r : now) mem->limited_seen.insert(r);
  for (const std::string& r : mem->limited_seen) {
    bool on = std::find(now.begin(), now.end(), r) != now.end();
    m_->GetGauge("phas_scaler_scaling_limited",
                 "1 while a rule keeps the group's capacity from what the "
                 "policy wants: at_max, at_min, step_cap, scale_in_protected, "
                 "cooldown, or a rule that keeps phas off the group (its "
                 "code).",
                 {{"group", o.group}, {"reason", r}})
        .Set(on ? 1 : 0);
  }
}

void MetricsReporter::RemoveForecastLoad(const std::string& group) {
  for (const char* bound : {"mean", "upper"}) {
    m_->RemoveGauge("phas_scaler_forecast_load",
                    {{"group", group}, {"bound", bound}});
  }
}

void MetricsReporter::ReportForecast(TimePoint now, const GroupOutcome& o,
                                     Memory* mem) {
  const std::string& g = o.group;
  if (!o.forecast_model_name.empty() && o.forecast_model_name != mem->model) {
    if (!mem->model.empty()) {
      m_->GetGauge("phas_scaler_forecast_model_info", kModelHelp,
                   {{"group", g}, {"model", mem->model}})
          .Set(0);
    }
    mem->model = o.forecast_model_name;
  }
  if (!mem->model.empty()) {
    m_->GetGauge("phas_scaler_forecast_model_info", kModelHelp,
                 {{"group", g}, {"model", mem->model}})
        .Set(1);
  }
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
    mem->forecast_mean[UnixMinute(f.time)] = f.mean;
  } else {
    RemoveForecastLoad(g);
  }
  // Score the latest minute that has both a load and a forecast made for it.
  std::span<const MetricSample> loads = LoadOf(o);
  bool scored = false;
  for (auto it = loads.rbegin(); it != loads.rend(); ++it) {
    auto f = mem->forecast_mean.find(UnixMinute(it->time));
    if (f == mem->forecast_mean.end()) continue;
    double load = it->value;
    m_->GetGauge("phas_scaler_forecast_abs_error_ratio",
                 "|load - forecast mean| / load, for the latest minute "
                 "forecast a horizon before.",
                 {{"group", g}})
        .Set(std::abs(load - f->second) / std::max(load, 0.01));
    scored = true;
    break;
  }
  // No minute to score (no forecast made for the minutes read): none, not
  // the last ratio standing still under PhasForecastErrorHigh.
  if (!scored) {
    m_->RemoveGauge("phas_scaler_forecast_abs_error_ratio", {{"group", g}});
  }
  int64_t keep_from = UnixMinute(now) - 6 * 60;
  while (!mem->forecast_mean.empty() &&
         mem->forecast_mean.begin()->first < keep_from) {
    mem->forecast_mean.erase(mem->forecast_mean.begin());
  }
}

void MetricsReporter::ReportDecision(const GroupOutcome& o) {
  const std::string& g = o.group;
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
  if (ChangedMeanwhile(o)) {
    m_->GetCounter("phas_scaler_actions_changed_meanwhile_total",
                   "Actions not sent because another actor changed the "
                   "group's desired capacity or bounds during the cycle "
                   "(decided again the next).",
                   {{"group", g}, {"direction", DecisionKindName(d.kind)}})
        .Inc();
  }
  if (ActionAttempted(o)) {
    m_->GetCounter("phas_scaler_actions_total",
                   "SetDesiredCapacity attempts, by result (unknown: failed, "
                   "but may have been carried out).",
                   {{"group", g},
                    {"direction", DecisionKindName(d.kind)},
                    {"result", ActionResult(o)}})
        .Inc();
  }
  m_->GetCounter(
        "phas_scaler_decisions_total", "Decisions, by kind and reason code.",
        {{"group", g}, {"kind", DecisionKindName(d.kind)}, {"code", d.code()}})
      .Inc();
}

void MetricsReporter::ReportSlo(const GroupOutcome& o, Memory* mem) {
  const std::optional<SloStatus>& s = o.decision.slo;
  const std::string& g = o.group;
  if (!s || !PhasSetsCapacity(o)) {
    // Not phas's capacity to count (a standby's are the holder's): counting
    // starts again from the state seen when it is. The SLO and margin it
    // showed are no longer this replica's to show (the counters keep what
    // it counted).
    mem->slo.reset();
    m_->RemoveGauge(kSloAskedGauge, {{"group", g}});
    m_->RemoveGauge(kSloMarginGauge, {{"group", g}});
    return;
  }
  // Read from the store this cycle: the counts continue another replica's.
  if (o.state_read) mem->slo.reset();
  m_->GetGauge(kSloAskedGauge,
               "The share of minutes the policy's SLO lets the group be short "
               "of capacity at its target (slo.max_underprovisioned_pct / "
               "100).",
               {{"group", g}})
      .Set(s->asked);
  m_->GetGauge(kSloMarginGauge,
               "The margin the policy calibrates to hold its SLO, in spreads "
               "of its forecast's error.",
               {{"group", g}})
      .Set(s->margin);
  // Seconds (Prometheus' base unit): each counted minute is 60.
  Counter& counted = m_->GetCounter(
      "phas_scaler_slo_counted_seconds_total",
      "Time counted for the SLO: the minutes a forecast decided and the group "
      "was below its MaxSize, in seconds.",
      {{"group", g}});
  Counter& short_of = m_->GetCounter(
      "phas_scaler_slo_short_seconds_total",
      "Of the time counted for the SLO, the minutes the group was short of "
      "capacity at its target, in seconds.",
      {{"group", g}});
  Counter& undelivered = m_->GetCounter(
      "phas_scaler_slo_undelivered_seconds_total",
      "Time left out of the SLO because the group still lacked capacity "
      "asked two boot times before (AWS not delivering), in seconds.",
      {{"group", g}});
  // Counts that went back (a state replaced): counting starts from them.
  if (mem->slo && s->minutes >= mem->slo->minutes &&
      s->short_minutes >= mem->slo->short_minutes &&
      s->undelivered_minutes >= mem->slo->undelivered_minutes) {
    counted.Inc(60 * (s->minutes - mem->slo->minutes));
    short_of.Inc(60 * (s->short_minutes - mem->slo->short_minutes));
    undelivered.Inc(60 *
                    (s->undelivered_minutes - mem->slo->undelivered_minutes));
  }
  mem->slo = s;
}

void MetricsReporter::Report(TimePoint now, const GroupOutcome& o) {
  ReportRead(now, o);
  Memory& mem = memory_[o.group];
  if (!o.found) {
    mem.slo.reset();  // a cycle not counted: counting starts again after it
    // Described, and absent (deleted): what was read of it is gone. Kept,
    // the last values stood still (a dashboard summing in-service
    // instances counted a deleted group's). A describe that failed now and
    // then (throttled) keeps them, as it keeps scaling_limited: alerts
    // joining the two (PhasGroupStuckAtMaxWhileShort) would start their
    // `for` again at every such cycle and never fire. One failing for 10
    // minutes (a role revoked) is no longer known either.
    if (!o.describe_status.ok()) {
      if (!mem.unread_since) mem.unread_since = now;
      if (now - *mem.unread_since < std::chrono::minutes(10)) return;
    }
    for (const char* name :
         {"phas_scaler_group_desired_capacity",
          "phas_scaler_group_wanted_capacity",
          "phas_scaler_group_in_service_instances",
          "phas_scaler_group_pending_instances",
          "phas_scaler_group_unhealthy_instances", "phas_scaler_group_min_size",
          "phas_scaler_group_max_size", "phas_scaler_group_signal",
          "phas_scaler_group_load", "phas_scaler_group_reporting_instances",
          "phas_scaler_forecast_abs_error_ratio"}) {
      m_->RemoveGauge(name, {{"group", o.group}});
    }
    RemoveForecastLoad(o.group);
    return;
  }
  mem.unread_since.reset();
  ReportCapacity(o);
  ReportLimits(o, &mem);
  ReportForecast(now, o, &mem);
  ReportDecision(o);
  ReportSlo(o, &mem);
}

void MetricsReporter::EndCycle(TimePoint now) {
  m_->GetCounter("phas_scaler_cycles_total", "Control loop cycles run.").Inc();
  m_->GetGauge("phas_scaler_last_cycle_timestamp_seconds",
               "Time of the last cycle (Unix seconds).")
      .Set(ToUnixSeconds(now));
}

}  // namespace phas
