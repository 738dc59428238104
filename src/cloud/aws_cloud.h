// AwsCloud: Cloud over the real AWS APIs (src/aws/).
// Thread-safety: as the AWS clients (safe to share).
#ifndef PHAS_CLOUD_AWS_CLOUD_H_
#define PHAS_CLOUD_AWS_CLOUD_H_

#include <memory>

#include "aws/session.h"
#include "cloud/cloud.h"

namespace phas {

class AwsCloud final : public Cloud {
 public:
  explicit AwsCloud(aws::AwsSession* session)
      : asg_(session->client(aws::Service::kAutoScaling)),
        cw_(session->client(aws::Service::kCloudWatch)) {}
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    return asg_.DescribeAutoScalingGroups(names);
  }
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    return cw_.GetMetricData(queries, start, end);
  }
  Status SetDesiredCapacity(const std::string& group, int desired) override {
    return asg_.SetDesiredCapacity(group, desired, /*honor_cooldown=*/false);
  }

 private:
  aws::AutoScalingApi asg_;
  aws::CloudWatchApi cw_;
};

}  // namespace phas

#endif  // PHAS_CLOUD_AWS_CLOUD_H_
