// Typed clients for the AWS operations phas calls, over QueryClient:
//   Auto Scaling  DescribeAutoScalingGroups, SetDesiredCapacity
//   CloudWatch    GetMetricData, GetMetricStatistics
//   EC2           DescribeInstances
// Lists are batched to the API's limits and paginated (NextToken) here, so
// callers see one call per logical request.
//
// Thread-safety: as QueryClient (safe to share).
#ifndef PHAS_AWS_SERVICES_H_
#define PHAS_AWS_SERVICES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/query_client.h"
#include "common/clock.h"

namespace phas::aws {

struct AsgInstance {
  std::string id;
  std::string lifecycle_state;  // "InService", "Pending", "Terminating", ...
  std::string health_status;    // "Healthy" / "Unhealthy"
  std::string availability_zone;
  std::string instance_type;
  bool protected_from_scale_in = false;
};

struct AutoScalingGroupInfo {
  std::string name;
  std::string arn;
  int min_size = 0;
  int max_size = 0;
  int desired_capacity = 0;
  int default_cooldown = 0;
  std::optional<int> default_instance_warmup;
  std::string status;  // "Delete in progress" while being deleted, else ""
  std::vector<AsgInstance> instances;
  std::vector<std::string> suspended_processes;
};

class AutoScalingApi {
 public:
  explicit AutoScalingApi(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}
  // Describes the named groups (50 names per request, each paginated). Groups
  // that do not exist are simply absent from the result, as in the API.
  Result<std::vector<AutoScalingGroupInfo>> DescribeAutoScalingGroups(
      const std::vector<std::string>& names);
  Status SetDesiredCapacity(const std::string& name, int desired,
                            bool honor_cooldown);

  // Names per DescribeAutoScalingGroups request.
  static constexpr size_t kNamesPerRequest = 50;

 private:
  std::shared_ptr<QueryClient> client_;
};

struct MetricDimension {
  std::string name;
  std::string value;
};

// One GetMetricData query: a metric statistic, or a metric-math expression.
struct MetricQuery {
  std::string id;  // [a-z][a-zA-Z0-9_]*
  std::string ns;  // "AWS/EC2"
  std::string metric_name;
  std::vector<MetricDimension> dimensions;
  int period_seconds = 60;
  std::string stat = "Average";
  std::string expression;  // when set, ns/metric/dimensions/stat are unused
};

struct MetricSeries {
  std::string id;
  std::string label;
  std::string status_code;  // "Complete", "PartialData", "InternalError", ...
  std::vector<TimePoint> timestamps;
  std::vector<double> values;
};

struct Datapoint {
  TimePoint timestamp;
  std::optional<double> average, maximum, minimum, sum, sample_count;
  std::string unit;
};

class CloudWatchApi {
 public:
  explicit CloudWatchApi(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}
  // Runs the queries (500 per request, each paginated) over [start, end) and
  // returns one series per query, in query order, timestamps ascending.
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end);
  Result<std::vector<Datapoint>> GetMetricStatistics(
      const std::string& ns, const std::string& metric_name,
      const std::vector<MetricDimension>& dimensions, TimePoint start,
      TimePoint end, int period_seconds,
      const std::vector<std::string>& statistics);

  static constexpr size_t kQueriesPerRequest = 500;

 private:
  std::shared_ptr<QueryClient> client_;
};

struct Ec2Instance {
  std::string id;
  std::string instance_type;
  std::string state;  // "running", "pending", ...
  std::string availability_zone;
  std::optional<TimePoint> launch_time;
};

class Ec2Api {
 public:
  explicit Ec2Api(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}
  // Describes the instances (1000 ids per request, paginated); with no ids,
  // up to `max_results` instances of the account (for `phas doctor`).
  Result<std::vector<Ec2Instance>> DescribeInstances(
      const std::vector<std::string>& ids, int max_results = 5);

 private:
  std::shared_ptr<QueryClient> client_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_SERVICES_H_
