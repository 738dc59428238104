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
#include "decision/types.h"
#include "model/features.h"

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
  std::set<std::string> warming;  // InService instances still warming up
};

// One query per (InService instance, metric): the original's 7 AWS/EC2
// metrics and the agent's memory metric.
struct QueryPlan {
  struct Target {
    size_t group;
    size_t instance;  // index in the group's description
    int metric;       // index into kMetricKeys
  };
  std::vector<MetricQuery> queries;
  std::vector<Target> targets;  // parallel to queries
};

// The aggregated metrics' keys (model/features.h), by Target::metric.
inline constexpr const char* kMetricKeys[8] = {
    "cpu_utilization",     "network_in",        "network_out",
    "disk_read_bytes",     "disk_write_bytes",  "network_packets_in",
    "network_packets_out", "memory_utilization"};

QueryPlan PlanQueries(const std::vector<GroupToObserve>& groups,
                      int period_seconds = 60);

struct GroupMetrics {
  AggregatedMetrics aggregate;  // over all InService instances
  std::vector<MetricSample>
      cpu;  // per-minute mean CPU of non-warming instances
  // Per-minute load of all InService instances with data, in instance-units
  // (the sum of their CPU / 100).
  std::vector<MetricSample> load;
  int instances_with_data = 0;
};

// Combines the answers for group `g`: per metric, each instance's latest
// datapoint, then mean / max / min / count across instances.
GroupMetrics AggregateGroup(const QueryPlan& plan,
                            const std::vector<MetricSeries>& results, size_t g,
                            const GroupDescription& group,
                            const std::set<std::string>& warming);

// InService instance ids of a description.
std::vector<std::string> InServiceIds(const GroupDescription& d);

}  // namespace phas

#endif  // PHAS_SCALER_OBSERVE_H_
