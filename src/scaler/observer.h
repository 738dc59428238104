// Observer: the loop's first step. What every group looks like at the start
// of a cycle, as few requests as that takes, per Cloud that serves groups
// (Cloud::ForGroup: one for the process's own credentials, one per IAM role
// the config names; a single one in the common case):
//   - one DescribeGroups for its groups (min, max, desired and lifecycle
//     states, read every cycle);
//   - one GetMetricData for all InService instances of its groups (the last
//     3 minutes at 60 s), reused for `metrics_refresh` unless the instances
//     changed or the last read failed; aggregated as the original did;
//   - warm-up: when each instance was first seen InService (kept in the
//     group's state), so warming instances are left out of the signal;
//   - the load history (appended, saved to the state store; its holes
//     fetched: observer_history.cc), the forecast and the model's answer,
//     for the groups whose policy reads them.
// Failures leave their mark in the outcome (describe_status, metrics_status,
// predictor_status, errors) of the groups they concern (those of the Cloud
// that failed) and never stop the other groups. The CycleReport's
// describe_status and metrics_status are the cycle's first such failure.
//
// Thread-safety: the loop's thread only.
#ifndef PHAS_SCALER_OBSERVER_H_
#define PHAS_SCALER_OBSERVER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloud/cloud.h"
#include "decision/policy.h"
#include "scaler/forecast_provider.h"
#include "scaler/group_state.h"
#include "scaler/history.h"
#include "scaler/observe.h"
#include "scaler/outcome.h"
#include "scaler/predictor_client.h"
#include "scaler/reporter.h"
#include "scaler/state_store.h"

namespace phas {

struct ObserverOptions {
  // Metric window and period. Default: 3 minutes at 60 s, as the original.
  Duration metrics_window = std::chrono::minutes(3);
  // The window read when a group's InService instances, old enough to have
  // published (InService for metrics_window + 1 minute), have had no
  // datapoint in the last `metrics_window` for `coarse_after`: EC2 basic
  // monitoring stamps one datapoint per 5 minutes at their start and
  // publishes it minutes after their end. The loop then decides on what
  // there is, and reads the narrow window again once data is in it.
  // Default: 15 minutes; 10 minutes.
  Duration coarse_window = std::chrono::minutes(15);
  Duration coarse_after = std::chrono::minutes(10);
  int period_seconds = 60;
  // Re-read the metrics at most this often; cycles in between decide on the
  // last answer (CloudWatch bills GetMetricData per metric, and 60 s
  // datapoints change once a minute). The metrics are read again at once
  // when the InService instances change or the last read failed.
  // Default: 0 (every cycle, as the original).
  Duration metrics_refresh = Duration::zero();
  // Forecasting, for the groups whose policy reads a forecast.
  ForecastProviderOptions forecast;
};

// What the observer needs to know of a group.
struct ObservedGroup {
  std::string name;
  Duration warmup = Duration::zero();
  MemoryMetricConfig memory;
  SignalSource signal;
  PolicyNeeds needs;
  bool keep_history = false;  // keep the load history (and temporal inputs)
  // Read every instance metric and derive the original's features
  // (ReadsAllMetrics in scaler/config.h: configured, or the policy asks a
  // model).
  bool all_metrics = false;
};

class Observer {
 public:
  // An instance that left service: when it was first InService, when its
  // warm-up ended, and the last describe that saw it InService.
  struct LeftService {
    TimePoint since;
    TimePoint warm;
    TimePoint last_seen;
  };
  // The collaborators must outlive the observer.
  Observer(std::vector<ObservedGroup> groups, ObserverOptions options,
           Cloud* cloud, Predictor* predictor, StateStore* store);

  // Observes every group at `now` into report->groups (one outcome per
  // group, in order: the observation parts). states[i] is group i's state:
  // its warm-up clocks are updated.
  void Observe(TimePoint now, const std::vector<GroupState*>& states,
               CycleReport* report);

  // For the groups that keep a load history: reloads what the state store
  // kept, then fetches the rest of the last 14 days from CloudWatch (the
  // group's signal summed, through the group's Cloud: one request for the
  // groups that lack the same minutes, FetchLoads), so a forecast is there
  // at once after a restart or a first start. The fetch stops where the
  // loop's first read begins (metrics_window before `now`): those minutes
  // are the read's, per instance (a newest minute some instance has not
  // published is held back, not kept short). Failures are reported, not
  // returned; the reads fetch what is still missing then (KeepRead).
  void RestoreHistory(TimePoint now, Reporter* reporter);

  // The group's load history (null when it keeps none).
  LoadHistory* history(const std::string& group);

 private:
  // See KeepRead: a hole's fetch is tried at 3 reads, kMissingFetchSpacing
  // apart at least: at the daemon's read a minute, every read (its cycles
  // drift by milliseconds either way); reads every 10 s cycle would spend
  // the 3 tries in 20 s, inside a throttling burst, and ask at every read.
  static constexpr int kMissingFetchTries = 3;
  static constexpr Duration kMissingFetchSpacing = std::chrono::seconds(50);
  // A history fetch's request (FetchLoads), at most: CloudWatch's queries
  // per GetMetricData (an expression names queries of its own request
  // only), and its datapoints per page (a 14-day fetch: 5 queries).
  static constexpr size_t kFetchQueries = 500;
  static constexpr size_t kFetchPoints = 100800;
  // A history fetch's period: a datapoint a minute, as the reads keep.
  static constexpr int kFetchPeriodSeconds = 60;

  // The groups one Cloud serves, read with one DescribeGroups and one
  // GetMetricData.
  struct Partition {
    Cloud* cloud = nullptr;
    std::vector<size_t> groups;      // indices in groups_
    std::vector<std::string> names;  // their names, as described
    // This cycle: the groups described (in plan order) and the outcomes;
    // observe_group[k] is observe[k]'s index in groups_.
    std::vector<GroupToObserve> observe;
    std::vector<size_t> observe_group;
    std::vector<std::string_view> scratch_ids;
    Status describe_status;
    // This cycle: a group whose own description did not read (its index in
    // groups_, why), the others' having read.
    std::vector<std::pair<size_t, Status>> unreadable;
    Status metrics_status;
    // The last query plan and the instances it was built for: most cycles
    // see the same instances, and the plan is then reused as it is.
    QueryPlan plan;
    std::vector<GroupToObserve> plan_groups;
    // The last successful metric read for `plan` and when it was made.
    std::vector<MetricSeries> metric_data;
    // Per group of `plan` whose queries were not all answered, why (empty:
    // every query was).
    std::vector<GroupReadFailures> group_read_status;
    std::optional<TimePoint> metrics_read_at;
    // Changes whenever metric_data or plan may have: what was aggregated
    // from an equal version is still true.
    uint64_t data_version = 0;
    // Reading coarse_window (some group's instances publish too seldom for
    // metrics_window).
    bool coarse = false;
    // The last successful metric read, and how many reads so far began
    // after the minutes the one before reached (the first; one after reads
    // failed, a describe outage, a stalled loop): such a read may leave out
    // minutes the load histories have not kept.
    std::optional<TimePoint> last_read_ok;
    uint64_t read_gaps = 0;
  };

  // The queries of p's oi-th group the last read did not answer.
  static GroupReadFailures GroupRead(const Partition& p, size_t oi) {
    return oi < p.group_read_status.size() ? p.group_read_status[oi]
                                           : GroupReadFailures{};
  }
  // Describes p's groups and reads their metrics (when due).
  void ObservePartition(Partition& p, TimePoint now,
                        const std::vector<GroupState*>& states,
                        CycleReport* report);
  // Group gi, the oi-th of p's plan: its metrics aggregated from p's last
  // read (out->metrics), and, for a new read, the minutes its load history
  // lacks before it (cycle_[gi]).
  void AggregateRead(size_t gi, const Partition& p, size_t oi,
                     const GroupState& st, GroupOutcome* out);
  // Fetches, per partition, the minutes AggregateRead found missing
  // (FetchLoads: one request for the groups that lack the same minutes, as
  // after an outage most do); not a group's whose last try failed less
  // than kMissingFetchSpacing before `now`.
  void FetchMissing(TimePoint now);
  // The rest of group gi's observation, once AggregateRead and
  // FetchMissing have run. Moves the entry's description into the outcome.
  void ObserveGroup(size_t gi, Partition& p, size_t oi, const GroupState& st,
                    TimePoint now, GroupOutcome* out);
  // Keeps a new read's minutes (out->metrics->load) in group gi's load
  // history, with the minutes the reads left out before them (fetched by
  // FetchMissing), and saves them; failures go to out->errors. When those
  // minutes could not be fetched, the read is not kept and the next read
  // tries again (the history only appends: kept, the read would leave a
  // hole for good), kMissingFetchTries reads in all, kMissingFetchSpacing
  // apart at least (the reads between wait without a try); then the read
  // is kept, and the hole with it.
  void KeepRead(size_t gi, GroupOutcome* out);
  // The minutes group gi's history lacks before a read starting at
  // `read_from`, when p's reads may have left some out since the group
  // last looked (LoadHistory::Missing; a failed restart's fetch).
  std::optional<std::pair<TimePoint, TimePoint>> MissingBefore(
      size_t gi, const Partition& p, TimePoint read_from);
  // Whether group gi (the oi-th of p's plan) needs the coarse window: see
  // ObserverOptions::coarse_window. Updates its starved_since_.
  bool Starved(size_t gi, const Partition& p, size_t oi, const GroupState& st,
               TimePoint now);
  // Reads p's planned metrics over `window`; false (and the status in p and
  // the report) on failure.
  bool ReadMetrics(Partition& p, TimePoint now, Duration window,
                   CycleReport* report);
  // Group `group`'s load per minute over [from, until).
  struct LoadFetch {
    size_t group;
    TimePoint from, until;
  };
  // Each fetch's minutes from CloudWatch, through `cloud` (the groups'
  // partition's): the group's signal summed over the group
  // (SignalSource::HistoryQueries), in instance-units, no instance count.
  // One GetMetricData for the fetches of the same range (after an outage,
  // or at a restart, most are), kFetchQueries and kFetchPoints at most,
  // each group's queries in one. Each fails alone when one of its own
  // queries is not answered (an expression's input too: its load would be
  // short); all of a request, when it does.
  std::vector<Result<std::vector<MetricSample>>> FetchLoads(
      Cloud* cloud, const std::vector<LoadFetch>& fetches);
  // Appends new load minutes to the state store; a failure is returned for
  // the log (the in-memory history keeps them, and the next restart fetches
  // them again).
  Status SaveHistory(const std::string& group,
                     const std::vector<MetricSample>& added);

  std::vector<ObservedGroup> groups_;
  ObserverOptions o_;
  Cloud* cloud_;
  Predictor* predictor_;
  StateStore* store_;
  std::vector<bool> seen_;  // observed at least once by this process
  std::vector<std::optional<LoadHistory>> history_;
  // Per group: the start of a restart's fetch that failed, tried again at
  // its next read with data (a saved history's newest minute is enough for
  // LoadHistory::Missing; this is for a group with none).
  std::vector<std::optional<TimePoint>> unrestored_;
  // Per group, this cycle's: between AggregateRead, FetchMissing and
  // ObserveGroup.
  struct CycleRead {
    bool new_read = false;         // the partition's data changed
    std::vector<TimePoint> since;  // when each InService instance was first so
    // The minutes its load history lacks before the read, and their fetch.
    std::optional<std::pair<TimePoint, TimePoint>> missing;
    std::optional<Result<std::vector<MetricSample>>> fetched;
  };
  std::vector<CycleRead> cycle_;
  ForecastProvider forecaster_;
  std::vector<Partition> partitions_;
  // Per group: its partition, and this cycle its index in that
  // partition's `observe` (SIZE_MAX: not described).
  std::vector<size_t> partition_of_;
  // Per group: its metrics aggregated from its partition's data_version
  // with these instances warming up, and the features derived from them
  // for (InService, min, max).
  struct Aggregated {
    std::optional<uint64_t> version;
    std::set<std::string> warming;
    std::shared_ptr<const GroupMetrics> metrics;
    std::optional<Features> features;
    std::array<int, 3> features_of{};
    // The partition's read_gaps when the history last looked for the
    // minutes the reads left out.
    uint64_t read_gaps_seen = 0;
    // Some of the group's queries were not answered since it last looked:
    // the next read looks too (the partition's reads went on).
    bool read_failed = false;
    // Its memory metric was not answered, and the log told so.
    bool memory_failure_told = false;
    // The reads in a row whose missing minutes could not be fetched (each
    // waited for the next: see KeepRead), and when the last was.
    int missing_fetch_failures = 0;
    TimePoint missing_fetch_tried;
    // Instances that left service in the last coarse_window, as this
    // process saw them serve (Observer's CountServing): the minutes they
    // served are still read, on the instances that stayed.
    std::vector<LeftService> left;
    // When this process last described the group, and the InService
    // instances it saw then (sorted; none before its first describe):
    // those gone at the next describe were last seen InService then.
    TimePoint last_described;
    std::vector<std::string> last_in_service;
  };
  std::vector<Aggregated> aggregated_;
  std::vector<size_t> observe_index_;
  // The groups told they are read over coarse_window.
  std::vector<bool> coarse_told_;
  // Per group: since when its instances have had no datapoint in the
  // narrow window.
  std::vector<std::optional<TimePoint>> starved_since_;
};

}  // namespace phas

#endif  // PHAS_SCALER_OBSERVER_H_
