// SimCloud: simulated Auto Scaling groups and CloudWatch, in the time of a
// Clock (virtual in backtests and the demo).
//
// The world, documented in docs/backtest.md:
//   - A group has min/max/desired. Raising desired launches instances: each
//     is Pending for `boot_time`, then InService. Lowering it terminates
//     Pending instances first, then the newest InService ones. Billing counts
//     every instance-second from launch to termination, boot included.
//   - Demand (cloud/sim_demand.h, in instance-units) is spread evenly over the
//     InService instances, as a load balancer would. Each minute m, with D
//     the mean demand over [m, m+60) and n the instances InService at m+30:
//       CPUUtilization    = min(100, 100 * D / n)
//       NetworkIn / Out   = served * 60 MB / 45 MB per minute, served =
//       min(D/n, 1) NetworkPackets*   = Network bytes / 1,500 DiskRead / Write
//       = served * 2 MB / 4 MB CWAgent mem_used_percent (when publish_memory) =
//       30 + 0.5 * CPU
//     A datapoint of minute m becomes visible at m + 60 s + metric_delay, like
//     CloudWatch's publication delay. No data (a gap in the demand, or no
//     InService instance): no datapoint.
//   - Group-level load metrics (SimLoadMetric): D * per_unit each minute.
//     Metric math: an expression that is one other query's id (identity) is
//     answered; any other fails the request (not simulated).
//   - SetDesiredCapacity outside [min, max] fails as AWS does
//   (ValidationError).
//
// Deterministic: no randomness.
// Thread-safety: single-threaded use (the loop's thread).
#ifndef PHAS_CLOUD_SIM_CLOUD_H_
#define PHAS_CLOUD_SIM_CLOUD_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloud/cloud.h"
#include "cloud/instance_metrics.h"
#include "cloud/sim_demand.h"

namespace phas {

// NetworkIn / NetworkOut of one instance fully used, bytes per minute.
inline constexpr double kSimNetworkInFull = 60e6;
inline constexpr double kSimNetworkOutFull = 45e6;

// A group-level metric whose value per minute is the group's demand times
// `per_unit` (D instance-units of demand = D * per_unit, e.g. requests per
// minute), whatever the capacity: demand arrives whether or not it is
// served. As an ALB's RequestCount for the group's target group, or a
// custom load metric. Published with exactly these dimensions.
struct SimLoadMetric {
  std::string ns;
  std::string name;
  std::vector<MetricDimension> dimensions;
  double per_unit = 1;
  // Divided by the instances that served the minute (ALB's
  // RequestCountPerTarget); no datapoint when none did.
  bool per_serving_instance = false;
};

struct SimGroupSpec {
  std::string name;
  int min_size = 1;
  int max_size = 10;
  int desired = 1;
  // Launch to InService. Default: 300 s.
  Duration boot_time = std::chrono::seconds(300);
  std::shared_ptr<const SimDemand> demand;
  // Group-level metrics of its load (an ALB's RequestCount, ...). Default:
  // none.
  std::vector<SimLoadMetric> load_metrics;
};

struct SimOptions {
  // CloudWatch publication delay after a minute ends. Default: 60 s.
  Duration metric_delay = std::chrono::seconds(60);
  // Publish CWAgent mem_used_percent. Default: false (as most groups).
  bool publish_memory = false;
  // Per-instance datapoints kept (minutes). Default: 120.
  int retention_minutes = 120;
};

// Ground truth of one simulated minute, for scoring.
struct SimMinute {
  TimePoint start;
  double demand = 0;  // instance-units; NaN = no data
  int in_service = 0;
  int pending = 0;
  int desired = 0;
};

struct SimCallCounts {
  int describe = 0;         // DescribeAutoScalingGroups requests
  int get_metric_data = 0;  // GetMetricData requests (500 queries each)
  int set_desired = 0;
  int describe_controls = 0;  // DescribeControls calls
};

class SimCloud final : public Cloud {
 public:
  SimCloud(Clock* clock, std::vector<SimGroupSpec> groups,
           SimOptions options = {});

  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override;
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override;
  Status SetDesiredCapacity(const std::string& group, int desired) override;
  // What SetControls set; by default nothing steers a group.
  Result<GroupControls> DescribeControls(const std::string& group) override;

  // What an operator or AWS sets beside phas (tests of the coexistence
  // rules): the group's tags and suspended processes, in every describe
  // from now on; its controls, or the failure DescribeControls answers
  // (`controls` is ignored when `fail` is not OK). NotFound for an unknown
  // group.
  Status SetTags(const std::string& group,
                 std::map<std::string, std::string> tags);
  Status SetSuspended(const std::string& group,
                      std::vector<std::string> processes);
  Status SetControls(const std::string& group, GroupControls controls,
                     Status fail = Status::OK());

  // Brings the simulation up to the clock's time (the Cloud operations do it
  // themselves; scoring calls it at the end of a run).
  void Sync();
  // Changes min/max as an operator would (tests of bounds read every cycle).
  Status SetBounds(const std::string& group, int min_size, int max_size);

  const std::vector<SimMinute>& minutes(const std::string& group) const;
  // Billed instance-seconds so far (launch to termination, boot included).
  double instance_seconds(const std::string& group) const;
  const SimCallCounts& calls() const { return calls_; }
  const SimGroupSpec& spec(const std::string& group) const;

 private:
  struct Machine {
    std::string id;
    TimePoint launched;
    TimePoint in_service_at;
    std::optional<TimePoint> terminated;
  };
  struct Point {
    TimePoint minute;
    double values[kInstanceMetricCount];  // InstanceMetric order
  };
  struct Group {
    SimGroupSpec spec;
    std::vector<Machine> instances;  // live ones
    double closed_seconds = 0;       // billed seconds of terminated instances
    // Every instance serving a minute has the same values: the group's
    // points (the last retention_minutes), and per live instance the time
    // from which it serves. An instance's points are the group's from the
    // first minute it served (whose middle is at or after that time).
    std::deque<Point> points;
    std::unordered_map<std::string, TimePoint> serves_from;
    // The instances as DescribeGroups answered them at `described_at`,
    // valid until `described_until` (the next Pending instance's InService
    // time; min: not described yet or resized since).
    std::vector<Instance> described;
    TimePoint described_at;
    TimePoint described_until = TimePoint::min();
    std::vector<SimMinute> minutes;
    TimePoint next_minute;  // first minute not yet simulated
    std::map<std::string, std::string> tags;
    std::vector<std::string> suspended;
    GroupControls controls;
    Status controls_error;
  };
  Group* Find(const std::string& name);
  // The group-level metric a query reads, if any, and its group.
  const SimLoadMetric* FindLoadMetric(const MetricQuery& q,
                                      const Group** owner) const;
  void SimulateMinute(Group& g, TimePoint m);
  void Resize(Group& g, int desired, TimePoint now);

  Clock* clock_;
  SimOptions options_;
  std::vector<Group> groups_;
  SimCallCounts calls_;
  // The query ids of the last request found unique: the loop asks the
  // same ones cycle after cycle, checked once.
  std::vector<std::string> unique_ids_;
  int next_instance_ = 1;
  bool any_load_metric_ = false;  // some group publishes a SimLoadMetric
};

// The metric SimCloud answers for a namespace and name (the defaults of
// cloud/instance_metrics.h); false for any other.
bool SimMetric(const std::string& ns, const std::string& name,
               InstanceMetric* out);

}  // namespace phas

#endif  // PHAS_CLOUD_SIM_CLOUD_H_
