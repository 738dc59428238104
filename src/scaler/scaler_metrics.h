// MetricsReporter: the loop's Prometheus series, from each cycle's outcome:
//   phas_scaler_cycles_total, phas_scaler_last_cycle_timestamp_seconds
//   phas_scaler_group_capacity{group, kind} desired/min/max/in_service/pending
//   phas_scaler_forecast_load{group, bound}   mean/upper at the horizon
//   phas_scaler_decisions_total{group, kind, code}
//   phas_scaler_actions_total{group, direction, result}   ok/error/unknown
//   phas_scaler_predictor_failures_total{group}
//   phas_scaler_fallbacks_total{group, fallback}
// (The AWS call counters are the session's: cmd/scaler_cmd.cc.)
//
// Thread-safety: the loop's thread only (the registry itself is
// thread-safe).
#ifndef PHAS_SCALER_SCALER_METRICS_H_
#define PHAS_SCALER_SCALER_METRICS_H_

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
  MetricsRegistry* m_;
};

}  // namespace phas

#endif  // PHAS_SCALER_SCALER_METRICS_H_
