// MetricsReporter: the loop's Prometheus series, from each cycle's outcome:
//   phas_scaler_cycles_total, phas_scaler_last_cycle_timestamp_seconds
//   phas_scaler_group_up{group}   1: described and its metrics read this
//       cycle; 0: not (a group that cannot be read still has its series)
//   phas_scaler_group_last_successful_read_timestamp_seconds{group}
//   phas_scaler_group_errors_total{group, stage, code}   stage: describe,
//       metrics, predictor, act, cycle; code: the AWS error code, or the
//       status code's name, or not_found
//   capacity, one series per kind (their sum means nothing):
//     phas_scaler_group_desired_capacity{group}  after this cycle's action
//     phas_scaler_group_in_service_instances{group}
//     phas_scaler_group_pending_instances{group}
//     phas_scaler_group_min_size{group}, phas_scaler_group_max_size{group}
//     phas_scaler_group_wanted_capacity{group}   what the policy asked for,
//       before the safety rules
//   phas_scaler_scaling_limited{group, reason}   1 while a rule keeps the
//       capacity from the wish (scaler/conditions.h LimitedReasons), 0 for
//       reasons seen before
//   phas_scaler_group_signal{group}   the observed load signal (per
//       instance, in its unit), phas_scaler_group_load{group} (instance-units)
//   phas_scaler_forecast_load{group, bound}   mean/upper at the horizon
//   phas_scaler_forecast_abs_error_ratio{group}   |load - forecast| / load
//       of the latest minute a forecast was made for (made a horizon ago)
//   phas_scaler_forecast_model_info{group, model}  1: the forecaster in use
//   a policy that holds a service level (predictive's slo), while phas sets
//   the group's capacity (outcome.h PhasSetsCapacity: not a standby, a dry
//   run, forecast-only, or held off the group beside AWS's scaling):
//     phas_scaler_slo_max_underprovisioned_ratio{group}   the share asked
//     phas_scaler_slo_counted_seconds_total{group},
//     phas_scaler_slo_short_seconds_total{group}   the minutes counted, and
//       of them those short of capacity at target, in seconds: increments
//       of the state's counts from one report to the next that are both
//       counted (a state read from the store, or counts that went back,
//       start the counting again; the minutes in between are not counted)
//     phas_scaler_slo_margin_spreads{group}   the margin calibrated to it
//     (the two gauges are removed while phas does not set the capacity)
//   phas_scaler_decisions_total{group, kind, code}
//   phas_scaler_actions_total{group, direction, result}   ok/error/unknown
//   phas_scaler_predictor_failures_total{group}
//   phas_scaler_fallbacks_total{group, fallback}
// (The AWS call counters, build info and process_* are the session's:
// cmd/scaler_cmd.cc, common/process_metrics.h.)
//
// Thread-safety: the loop's thread only (the registry itself is
// thread-safe).
#ifndef PHAS_SCALER_SCALER_METRICS_H_
#define PHAS_SCALER_SCALER_METRICS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/metrics.h"
#include "scaler/reporter.h"

namespace phas {

class MetricsReporter final : public Reporter {
 public:
  // `registry` must outlive this.
  explicit MetricsReporter(MetricsRegistry* registry) : m_(registry) {}
  void Note(TimePoint, const char*, const std::string&,
            const std::string&) override {}
  void Report(TimePoint now, const GroupOutcome& outcome) override;
  void EndCycle(TimePoint now) override;

 private:
  // What a group's series need from earlier cycles.
  struct Memory {
    std::set<std::string> limited_seen;
    std::string model;
    // The horizon point's mean per minute (Unix minutes), the last 6 hours.
    std::map<int64_t, double> forecast_mean;
    // The state's counts last reported (none: the next report starts the
    // counters from there).
    std::optional<SloStatus> slo;
    // Since when the group's describe has failed, cycle after cycle.
    std::optional<TimePoint> unread_since;
  };
  void ReportRead(TimePoint now, const GroupOutcome& o);
  void ReportCapacity(const GroupOutcome& o);
  void ReportLimits(const GroupOutcome& o, Memory* mem);
  void ReportForecast(TimePoint now, const GroupOutcome& o, Memory* mem);
  // Drops the group's forecast_load series (both bounds).
  void RemoveForecastLoad(const std::string& group);
  void ReportDecision(const GroupOutcome& o);
  void ReportSlo(const GroupOutcome& o, Memory* mem);
  void Error(const std::string& group, const char* stage,
             const std::string& code);

  MetricsRegistry* m_;
  std::map<std::string, Memory> memory_;
};

}  // namespace phas

#endif  // PHAS_SCALER_SCALER_METRICS_H_
