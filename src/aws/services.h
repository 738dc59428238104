// Typed clients for the AWS operations phas calls, over QueryClient:
//   Auto Scaling  DescribeAutoScalingGroups, SetDesiredCapacity,
//                 DescribePolicies, DescribeScalingActivities (the other
//                 reads of a group's controls: aws/asg_controls.h)
//   CloudWatch    GetMetricData, GetMetricStatistics
//   EC2           DescribeInstances
// Lists are batched to the API's limits and paginated (NextToken) here, so
// callers see one call per logical request.
//
// Thread-safety: as QueryClient (safe to share).
#ifndef PHAS_AWS_SERVICES_H_
#define PHAS_AWS_SERVICES_H_

#include <map>
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
  std::string weighted_capacity;  // "" unless a mixed instances policy sets it
};

struct AutoScalingGroupInfo {
  std::string name;
  std::string arn;
  int min_size = 0;
  int max_size = 0;
  int desired_capacity = 0;
  std::string status;  // "Delete in progress" while being deleted, else ""
  std::string desired_capacity_type;  // "units" (or ""), "vcpu", "memory-mib"
  // A mixed instances policy's weights (its overrides' WeightedCapacity),
  // as given; empty without weights.
  std::vector<std::string> override_weights;
  std::vector<AsgInstance> instances;
  std::vector<std::string> suspended_processes;
  std::map<std::string, std::string> tags;  // key -> value

  // Why the desired capacity does not count instances ("DesiredCapacityType
  // vcpu", "instance i-1 weighs 4 units", ...), or "" when it does: phas
  // sizes in instances and holds such a group (decision/coexist.h rule 3b).
  // Weights other than 1: the policy's (also with no such instance running,
  // or none at all), or an instance's (it keeps its weight once its type
  // leaves the policy).
  std::string CapacityUnits() const;
};

enum class ScalingPolicyType {
  kTargetTracking,  // "TargetTrackingScaling"
  kStepScaling,     // "StepScaling"
  kSimpleScaling,   // "SimpleScaling" (AWS's default)
  kPredictive,      // "PredictiveScaling"
  kOther,           // a type AWS added after phas: ScalingPolicy::type_name
};

// A target tracking policy: the metric it tracks and the value it holds.
struct TargetTrackingSpec {
  double target_value = 0;
  // "ASGAverageCPUUtilization", "ASGAverageNetworkIn", "ASGAverageNetworkOut",
  // "ALBRequestCountPerTarget"; "" when `customized`.
  std::string predefined_metric_type;
  // ALBRequestCountPerTarget's "app/<lb>/<id>/targetgroup/<tg>/<id>", else "".
  std::string resource_label;
  // A CustomizedMetricSpecification (a metric or metric math of its own),
  // whose queries phas does not read.
  bool customized = false;
  bool disable_scale_in = false;
};

enum class PredictiveMode { kForecastOnly, kForecastAndScale };
enum class MaxCapacityBreach { kHonorMaxCapacity, kIncreaseMaxCapacity };

// A predictive scaling policy (its one metric specification; AWS accepts
// exactly one). The metric types are AWS's names; "" when not given.
struct PredictiveSpec {
  PredictiveMode mode = PredictiveMode::kForecastOnly;  // AWS's default
  double target_value = 0;
  // A metric pair ("ASGCPUUtilization", "ASGNetworkIn", "ASGNetworkOut",
  // "ALBRequestCount"), or a load metric ("ASGTotalCPUUtilization", ...,
  // "ALBTargetGroupRequestCount") with a scaling metric
  // ("ASGAverageCPUUtilization", ..., "ALBRequestCountPerTarget").
  std::string metric_pair_type;
  std::string load_metric_type;
  std::string scaling_metric_type;
  // The target group's label of whichever predefined metric names one.
  std::string resource_label;
  // Customized load, scaling or capacity metric queries (not read by phas).
  bool customized = false;
  Duration scheduling_buffer = std::chrono::seconds(300);  // AWS's default
  MaxCapacityBreach max_capacity_breach = MaxCapacityBreach::kHonorMaxCapacity;
  std::optional<int> max_capacity_buffer;  // percent, with kIncreaseMaxCapacity
};

// One scaling policy of a group, as DescribePolicies gives it.
struct ScalingPolicy {
  std::string name;
  std::string arn;
  ScalingPolicyType type = ScalingPolicyType::kSimpleScaling;
  std::string type_name;  // AWS's text, e.g. "TargetTrackingScaling"
  bool enabled = true;
  std::optional<int> estimated_instance_warmup;       // seconds
  std::optional<TargetTrackingSpec> target_tracking;  // kTargetTracking only
  std::optional<PredictiveSpec> predictive;           // kPredictive only

  // Whether AWS changes the group's capacity by it: enabled, and dynamic
  // (any type but predictive) or predictive in ForecastAndScale mode.
  bool changes_capacity() const;
};

// One scaling activity of a group (DescribeScalingActivities).
struct ScalingActivity {
  std::string id;
  std::string description;  // "Launching a new EC2 instance: i-0123…"
  std::string cause;
  TimePoint start_time;
  std::optional<TimePoint> end_time;  // absent while in progress
  // "Successful", "Failed", "Cancelled", "InProgress", "PreInService",
  // "WaitingForInstanceWarmup", ... (AWS's ScalingActivityStatusCode).
  std::string status_code;
  std::string status_message;
  int progress = 0;  // 0..100
};

class AutoScalingApi {
 public:
  explicit AutoScalingApi(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}
  // Describes the named groups (50 names per request, each paginated). Groups
  // that do not exist are simply absent from the result, as in the API. A
  // group whose description does not read (a size missing or not a size)
  // fails the call; with `unreadable`, it is left out of the result and its
  // error put there under its name instead (the other groups stand).
  Result<std::vector<AutoScalingGroupInfo>> DescribeAutoScalingGroups(
      const std::vector<std::string>& names,
      std::map<std::string, Status>* unreadable = nullptr);
  Status SetDesiredCapacity(const std::string& name, int desired,
                            bool honor_cooldown);
  // The group's scaling policies, every page (100 a request). A group without
  // policies, or that does not exist, gives an empty list (as the API does).
  // An answer whose values do not parse (a TargetValue that is no number, an
  // unknown Mode) is an error naming the policy and the element.
  Result<std::vector<ScalingPolicy>> DescribePolicies(const std::string& group);
  // The group's most recent activities, newest first as AWS sorts them (in
  // progress first), paginated until `max` (100 a request) or the end. An
  // activity without a parsable StartTime, or with an EndTime that does not
  // parse, is an error naming it.
  Result<std::vector<ScalingActivity>> DescribeScalingActivities(
      const std::string& group, int max);

  // The client its calls go through (for the other Auto Scaling APIs).
  const std::shared_ptr<QueryClient>& client() const { return client_; }

  // Names per DescribeAutoScalingGroups request.
  static constexpr size_t kNamesPerRequest = 50;
  // Records per DescribePolicies / DescribeScalingActivities request (the
  // APIs' maximum).
  static constexpr int kRecordsPerRequest = 100;

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
  std::string message;      // its first message, "Code: Value", if any
  // Not OK when CloudWatch could not answer the query (InternalError on its
  // last page, Forbidden on any): Unavailable or PermissionDenied, naming
  // the query, its detail the status code; or when its datapoints do not
  // read (Timestamps and Values of different lengths, a time or value that
  // does not parse, NaN, infinity): Unavailable, detail
  // malformed_response. The series then holds what came and read, if
  // anything.
  Status status;
  std::vector<TimePoint> timestamps;
  std::vector<double> values;
};

// `r`, or the status of its first query CloudWatch could not answer: for
// callers that need every query answered (doctor).
Result<std::vector<MetricSeries>> EveryQueryAnswered(
    Result<std::vector<MetricSeries>> r);

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
  // returns one series per query, in query order, timestamps ascending
  // (each minute once). A query CloudWatch could not answer has its own
  // MetricSeries::status: one query's failure is not the others'.
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end);
  Result<std::vector<Datapoint>> GetMetricStatistics(
      const std::string& ns, const std::string& metric_name,
      const std::vector<MetricDimension>& dimensions, TimePoint start,
      TimePoint end, int period_seconds,
      const std::vector<std::string>& statistics);

  static constexpr size_t kQueriesPerRequest = 500;
  // Pages per request, at most (a NextToken that never ends, or comes back
  // the same, is an error): the loop's reads fit in one; a page holds up to
  // 100,800 datapoints.
  static constexpr int kMaxPages = 100;
  static constexpr int kSameTokenRetries = 3;

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
