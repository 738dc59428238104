// AwsCloud: Cloud over the real AWS APIs (src/aws/). AWS's wire types are
// converted to the Cloud vocabulary here, once.
// Thread-safety: as the AWS clients (safe to share).
#ifndef PHAS_CLOUD_AWS_CLOUD_H_
#define PHAS_CLOUD_AWS_CLOUD_H_

#include <string_view>

#include "aws/asg_controls.h"
#include "aws/services.h"
#include "aws/session.h"
#include "cloud/cloud.h"

namespace phas {

// A query in the AWS layer's terms.
aws::MetricQuery ToAwsQuery(const MetricQuery& m);

class AwsCloud final : public Cloud {
 public:
  // `retry`: the options the session's clients retry with (they bound how
  // long an action can take).
  explicit AwsCloud(aws::AwsSession* session, aws::RetryOptions retry = {})
      : asg_(session->client(aws::Service::kAutoScaling)),
        controls_(session->client(aws::Service::kAutoScaling)),
        cw_(session->client(aws::Service::kCloudWatch)),
        retry_(retry) {}
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override;
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override;
  Status SetDesiredCapacity(const std::string& group, int desired) override;
  // DescribePolicies, DescribeScheduledActions, DescribeWarmPool,
  // DescribeInstanceRefreshes and DescribeLifecycleHooks, in that order;
  // the first failure fails it, naming the call.
  Result<GroupControls> DescribeControls(const std::string& group) override;
  Result<std::optional<TimePoint>> LastDesiredCapacitySet(
      const std::string& group) override;
  // Every attempt's timeout and every backoff, plus a minute for fetching
  // credentials before the first attempt.
  Duration MaxActionLatency() const override;

  // EC2 Auto Scaling's lifecycle state names, folded, with the instance's
  // HealthStatus ("Unhealthy": InService is kUnhealthy).
  static Lifecycle ParseLifecycle(std::string_view state,
                                  std::string_view health);

 private:
  aws::AutoScalingApi asg_;
  aws::AutoScalingControlsApi controls_;
  aws::CloudWatchApi cw_;
  aws::RetryOptions retry_;
};

}  // namespace phas

#endif  // PHAS_CLOUD_AWS_CLOUD_H_
