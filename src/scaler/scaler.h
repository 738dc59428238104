// Scaler: the control loop, written once against Cloud and a clock's `now`.
//
//   RunOnce(now) = observe -> decide -> act -> record, for every group:
//   observe  one DescribeAutoScalingGroups for all groups (min, max, desired
//            and lifecycle states, read every cycle), one GetMetricData for
//            all InService instances of all groups (last 3 minutes, 60 s
//            period), aggregated as the original did; the 9 features; the
//            model's answer when the group's policy reads one
//   decide   the group's policy, then the guard (bounds, cooldown): pure
//   act      the state recording the action is saved BEFORE
//            SetDesiredCapacity (HonorCooldown=false), so a crash right after
//            cannot lead to a second action inside the cooldown; no sleep
//            after acting (the next cycles see the change); dry-run never acts
//   record   ec2_monitor.log in the original's line formats, one JSON record
//            per group, Prometheus metrics
//
// `phas scaler` runs it on AwsCloud and the system clock; the demo and
// backtests run it on SimCloud and virtual time.
//
// Thread-safety: one thread (the loop's).
#ifndef PHAS_SCALER_SCALER_H_
#define PHAS_SCALER_SCALER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "common/metrics.h"
#include "decision/policy.h"
#include "scaler/config.h"
#include "scaler/forecast_provider.h"
#include "scaler/history.h"
#include "scaler/predictor_client.h"
#include "scaler/recorder.h"
#include "scaler/state_store.h"

namespace phas {

struct ScalerOptions {
  bool dry_run = false;
  // Forecasting, for the groups whose policy reads a forecast.
  ForecastProviderOptions forecast;
  // Metric window and period. Default: 3 minutes at 60 s, as the original.
  Duration metrics_window = std::chrono::minutes(3);
  int period_seconds = 60;
  // Re-read the metrics at most this often; cycles in between decide on the
  // last answer (CloudWatch bills GetMetricData per metric, and 60 s
  // datapoints change once a minute). The metrics are read again at once
  // when the InService instances change or the last read failed.
  // Default: 0 (every cycle, as the original).
  Duration metrics_refresh = Duration::zero();
  // Keep every group's load history (and so the temporal model inputs),
  // whatever its policy needs: for building training data. Default: false.
  bool keep_history = false;
};

// Adds to an observation what the loop itself does not know (the
// simulator's perfect foresight, a forecaster's output). Called after the
// loop has filled it, before the policy decides.
using ObservationHook =
    std::function<void(const std::string& group, Observation* obs)>;

struct GroupOutcome {
  std::string group;
  bool found = false;
  Observation observation;
  Decision decision;
  bool acted = false;  // SetDesiredCapacity succeeded (never in dry-run)
  Status act_status;
};

struct CycleReport {
  TimePoint now;
  Status describe_status;
  Status metrics_status;
  std::vector<GroupOutcome> groups;
};

class Scaler {
 public:
  // `predictor` may be null when no group's policy reads a model. `store`
  // may be null (backtests): states then live in memory only. `metrics` may
  // be null.
  Scaler(std::vector<GroupConfig> groups, ScalerOptions options, Cloud* cloud,
         Predictor* predictor, StateStore* store, Recorder* recorder,
         MetricsRegistry* metrics);

  // Loads the saved states. With a store, a group without a saved state (or
  // all groups, when the store had to be recreated) starts as if a cooldown
  // had just begun, and that is logged.
  Status Init(TimePoint now, bool store_recovered = false);

  CycleReport RunOnce(TimePoint now);

  // For the groups whose policy reads a load history: reloads what the state
  // store kept, then fetches the rest of the last 14 days from CloudWatch
  // (the group's CPUUtilization Sum, one GetMetricData request), so a
  // forecast is available at once after a restart or a first start.
  Status RestoreHistory(TimePoint now);

  void set_observation_hook(ObservationHook hook) { hook_ = std::move(hook); }
  const PolicyState& state(const std::string& group) const {
    return states_.at(group);
  }
  const std::vector<GroupConfig>& groups() const { return groups_; }
  // The group's load history (null unless its policy reads one).
  LoadHistory* history(const std::string& group);

 private:
  void ObserveGroup(const GroupDescription& d, const GroupMetrics& m,
                    bool metrics_ok, size_t gi, TimePoint now,
                    GroupOutcome* out);
  void Act(size_t gi, TimePoint now, GroupOutcome* out);
  void Record(size_t gi, TimePoint now, const GroupOutcome& out,
              const GroupMetrics& m, const GroupDescription* d);
  void LogDecision(const GroupConfig& g, TimePoint now,
                   const GroupOutcome& out);
  void Log(TimePoint t, const char* level, const std::string& group,
           const std::string& msg);
  // Appends new load minutes to the state database; a failure is logged (the
  // in-memory history keeps them, and the next restart fetches them again).
  void SaveHistory(const std::string& group,
                   const std::vector<MetricSample>& added, TimePoint now);
  void CountDecision(const std::string& group, const Decision& d);

  std::vector<GroupConfig> groups_;
  std::vector<std::unique_ptr<Policy>> policies_;
  ScalerOptions options_;
  Cloud* cloud_;
  Predictor* predictor_;
  StateStore* store_;
  Recorder* recorder_;
  MetricsRegistry* metrics_;
  ObservationHook hook_;
  std::map<std::string, PolicyState> states_;
  std::set<std::string> seen_;  // groups observed at least once by this process
  std::map<std::string, LoadHistory> history_;  // groups whose policy reads it
  std::unique_ptr<ForecastProvider>
      forecaster_;  // when some policy reads a forecast
  // The last query plan and the instances it was built for: most cycles see
  // the same instances, and the plan is then reused as it is.
  QueryPlan plan_;
  std::vector<GroupToObserve> plan_groups_;
  // The last successful metric read for plan_ and when it was made.
  std::vector<MetricSeries> metric_data_;
  std::optional<TimePoint> metrics_read_at_;
};

}  // namespace phas

#endif  // PHAS_SCALER_SCALER_H_
