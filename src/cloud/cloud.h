// Cloud: the narrow interface the control loop acts through, in its own
// vocabulary (groups, instances in a lifecycle, metric queries). Two worlds
// implement it: AwsCloud (EC2 Auto Scaling + CloudWatch, cloud/aws_cloud.h,
// which converts AWS's wire types once) and SimCloud (a simulated group in
// virtual time, cloud/sim_cloud.h), so a backtest runs exactly the loop that
// runs in production.
//
// Its operations mirror AWS's, so the simulator has to answer the same
// questions CloudWatch does (per-instance metric queries over a window).
// DescribeControls reads what else steers a group (AWS's own policies,
// scheduled actions, warm pool, instance refreshes: cloud/group_controls.h).
// ForGroup says which Cloud serves a group when a fleet's groups are read
// through several (an IAM role per group: cloud/routed_cloud.h); the loop
// sends one DescribeGroups and one GetMetricData to each.
//
// Thread-safety: implementations are used from the loop's thread only.
#ifndef PHAS_CLOUD_CLOUD_H_
#define PHAS_CLOUD_CLOUD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/group_controls.h"
#include "common/clock.h"
#include "common/status.h"

namespace phas {

// Where an instance is in its group's lifecycle (EC2 Auto Scaling's states,
// folded to what the loop needs).
enum class Lifecycle : uint8_t {
  kPending,      // Pending, Pending:Wait, Pending:Proceed
  kInService,    // InService: serves, reports metrics
  kTerminating,  // Terminating*, Terminated
  kStandby,      // EnteringStandby, Standby
  kUnhealthy,    // InService, but its HealthStatus is Unhealthy: out of the
                 // load balancer, replaced by AWS (unless ReplaceUnhealthy
                 // is suspended); it serves nothing and is not read
  kOther,        // Detaching, Detached, Warmed:*, anything new
};
const char* LifecycleName(Lifecycle l);

struct Instance {
  std::string id;
  Lifecycle lifecycle = Lifecycle::kPending;
  std::string instance_type;
  // AWS does not terminate it when the desired capacity is lowered.
  bool protected_from_scale_in = false;
};

struct GroupDescription {
  std::string name;
  int min_size = 0;
  int max_size = 0;
  int desired_capacity = 0;
  std::vector<Instance> instances;
  // Read every cycle with the rest: the group's tags (key -> value) and the
  // scaling processes suspended on it ("Launch", "AlarmNotification", ...).
  std::map<std::string, std::string> tags;
  std::vector<std::string> suspended_processes;
  // Why the desired capacity does not count instances, "" when it does: a
  // DesiredCapacityType other than units ("vcpu", "memory-mib"), or
  // instances weighted other than 1 (a mixed instances policy's
  // WeightedCapacity). phas sizes in instances.
  std::string capacity_units;
  // Not OK: the group's description did not read (its sizes; the answer's
  // other groups did). Only `name` is set then, and the group is not
  // observed: it is held, the error saying why.
  Status unreadable;
};

struct MetricDimension {
  std::string name;
  std::string value;
};

// One metric statistic over a period (CloudWatch's MetricStat), or an
// expression over other queries.
struct MetricQuery {
  std::string id;  // [a-z][a-zA-Z0-9_]*
  std::string ns;  // "AWS/EC2"
  std::string metric_name;
  std::vector<MetricDimension> dimensions;
  int period_seconds = 60;
  std::string stat = "Average";
  // Metric math over the other queries' ids of the same request; when set,
  // ns, metric_name, dimensions and stat are unused.
  std::string expression;
};

struct MetricSeries {
  std::string id;
  std::vector<TimePoint> timestamps;  // ascending
  std::vector<double> values;         // parallel to timestamps
  // Not OK when the cloud could not answer this query (the request as a
  // whole succeeded): its series is not "no datapoint".
  Status status;
};

// `r`, or the status of its first query the cloud could not answer: for
// callers that need every query answered (a history fetch, a pull).
inline Result<std::vector<MetricSeries>> EveryQueryAnswered(
    Result<std::vector<MetricSeries>> r) {
  if (!r.ok()) return r;
  for (const MetricSeries& s : *r) {
    if (!s.status.ok()) return s.status;
  }
  return r;
}

class Cloud {
 public:
  virtual ~Cloud() = default;
  // Describes the named groups; names that do not exist are absent from the
  // answer (not an error). Fails (no partial answer) when the groups cannot
  // be read; the loop then holds every group this cycle.
  virtual Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) = 0;
  // Runs metric queries over [start, end): one series per query, in query
  // order (empty when there is no data). Fails as a whole or not at all.
  virtual Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) = 0;
  // Sets the desired capacity (HonorCooldown=false: phas keeps its own).
  // OK: carried out. A failure with outcome_unknown() (a timeout, a reset, a
  // garbled answer) may have been carried out all the same; any other
  // failure was refused and changed nothing.
  virtual Status SetDesiredCapacity(const std::string& group, int desired) = 0;
  // The longest a SetDesiredCapacity call can take to return, retries
  // included: an action may take effect at any moment until then. The loop
  // records an action as that far ahead before it calls, so that a crash
  // during the call cannot shorten the cooldown. Default: 0.
  virtual Duration MaxActionLatency() const { return Duration::zero(); }
  // What else steers `group` (cloud/group_controls.h): one request per
  // kind of control. Fails as a whole (no partial answer) when any cannot
  // be read. Default: nothing steers it.
  virtual Result<GroupControls> DescribeControls(const std::string& group) {
    (void)group;
    return GroupControls{};
  }
  // When someone last set the group's desired capacity by request (AWS:
  // the newest scaling activity whose cause is "a user request explicitly
  // set group desired capacity", as phas's own SetDesiredCapacity is
  // recorded), nullopt when none is recorded. Read at a start without the
  // group's saved state: a previous run's action inside the cooldown then
  // holds the group as a saved one would. Default: none recorded.
  virtual Result<std::optional<TimePoint>> LastDesiredCapacitySet(
      const std::string& group) {
    (void)group;
    return std::optional<TimePoint>();
  }
  // The Cloud that serves `group`: its describes, metrics and actions go
  // there (cloud/routed_cloud.h). Default: this one. The answer lives as
  // long as this Cloud.
  virtual Cloud* ForGroup(const std::string& group) {
    (void)group;
    return this;
  }
};

}  // namespace phas

#endif  // PHAS_CLOUD_CLOUD_H_
