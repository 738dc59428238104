// Observing groups: which metric queries to send (all InService instances of
// all groups in ONE GetMetricData request, where the original made 7
// GetMetricStatistics calls per instance), and how the answers are combined,
// as the original combined them.
//
// Pure functions over values; the loop (scaler/scaler.h) does the I/O.
// Thread-safety: stateless.
#ifndef PHAS_SCALER_OBSERVE_H_
#define PHAS_SCALER_OBSERVE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "cloud/instance_metrics.h"
#include "common/sample.h"
#include "model/features.h"
#include "scaler/signal_source.h"

namespace phas {

// The CloudWatch agent's memory metric.
struct MemoryMetricConfig {
  // Query it at all. Default: true (absent data simply means "estimated").
  bool enabled = true;
  // Default: CWAgent / mem_used_percent.
  std::string ns = "CWAgent";
  std::string name = "mem_used_percent";
  // Dimensions the agent publishes it with; values phas knows: InstanceId,
  // AutoScalingGroupName, InstanceType. Default: [InstanceId].
  std::vector<std::string> dimensions = {"InstanceId"};
};

struct GroupToObserve {
  GroupDescription group;
  MemoryMetricConfig memory;
  SignalSource signal;            // its `full` set
  std::set<std::string> warming;  // InService instances still warming up
  // Read every instance metric (the model's features, the original's
  // record); false: only those the signal uses (see QueryPlan).
  bool all_metrics = false;
};

// Whether a group reads instance metric `m`: every one when it reads all
// (the memory metric when also enabled), else CPUUtilization (which
// instances served a minute) and the signal's own per-instance metric.
bool ReadsInstanceMetric(bool all_metrics, const SignalSource& signal,
                         InstanceMetric m);

// One query per (InService instance, metric): the original's 7 AWS/EC2
// metrics and the agent's memory metric (cloud/instance_metrics.h), or,
// for a group that does not read them all, CPUUtilization (which instances
// served a minute) and the signal's own per-instance metric; first,
// the group-level queries of the groups whose signal needs them
// (scaler/signal_source.h), so that an expression and its inputs share a
// request.
struct QueryPlan {
  // Target::instance of a group-level query.
  static constexpr size_t kGroupLevel = static_cast<size_t>(-1);
  struct Target {
    size_t group;
    size_t instance;  // index in the group's description, or kGroupLevel
    InstanceMetric metric;
    // Group-level: the series that is the group's load, the one that is the
    // signal per instance, or neither (an expression's input).
    bool load = false;
    bool per_instance = false;
  };
  std::vector<MetricQuery> queries;
  std::vector<Target> targets;  // parallel to queries
};

QueryPlan PlanQueries(const std::vector<GroupToObserve>& groups,
                      int period_seconds = 60);

struct GroupMetrics {
  AggregatedMetrics aggregate;  // over all InService instances
  // Per-minute mean of the load signal over the instances not warming up
  // (a group-level signal: its load over the InService instances). The
  // observer then counts the instances that served each minute, also
  // those that have not reported it (Observer's CountServing).
  std::vector<MetricSample> signal;
  // The signal is a group-level load divided by the instances that had a
  // CPU datapoint for each minute (not a mean, not the source's own
  // per-instance series).
  bool signal_divided = false;
  // Per-minute load of all InService instances with data, in instance-units
  // (the sum of their signal / its full value).
  std::vector<MetricSample> load;
  // The first `whole_load` minutes of `load` are whole: the rest, a newest
  // minute some InService instance has not published yet (SettledLoad),
  // would show less than the load. Set by the observer.
  size_t whole_load = 0;
  int instances_with_data = 0;
};

// Combines the answers for group `g`: per metric, each instance's latest
// datapoint, then mean / max / min / count across instances.
GroupMetrics AggregateGroup(const QueryPlan& plan,
                            const std::vector<MetricSeries>& results, size_t g,
                            const GroupToObserve& group);

// The queries of one group the cloud could not answer, though the request
// went through: the first of those its decisions need (CPU, its signal's,
// the group-level ones, the features' metrics), which fails its read; and
// the first of its memory metric's (the CloudWatch agent's: optional, the
// features estimate it without, as when the agent publishes nothing).
struct GroupReadFailures {
  Status required;
  Status memory;
};
// Per group of the plan (by Target::group); one pass over the results.
std::vector<GroupReadFailures> GroupReadStatuses(
    const QueryPlan& plan, const std::vector<MetricSeries>& results);

// InService instance ids of a description.
std::vector<std::string> InServiceIds(const GroupDescription& d);

}  // namespace phas

#endif  // PHAS_SCALER_OBSERVE_H_
