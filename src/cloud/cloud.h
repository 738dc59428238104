// Cloud: the narrow interface the control loop acts through. Two worlds
// implement it: AwsCloud (EC2 Auto Scaling + CloudWatch, src/cloud/aws_cloud.h)
// and SimCloud (a simulated group in virtual time, src/cloud/sim_cloud.h),
// so a backtest runs exactly the loop that runs in production.
//
// Its three operations mirror AWS's, so the simulator has to answer the same
// questions CloudWatch does (per-instance metric queries over a window).
//
// Thread-safety: implementations are used from the loop's thread only.
#ifndef PHAS_CLOUD_CLOUD_H_
#define PHAS_CLOUD_CLOUD_H_

#include <string>
#include <vector>

#include "aws/services.h"
#include "common/clock.h"
#include "common/status.h"

namespace phas {

using GroupDescription = aws::AutoScalingGroupInfo;
using aws::MetricDimension;
using aws::MetricQuery;
using aws::MetricSeries;

class Cloud {
 public:
  virtual ~Cloud() = default;
  // Describes the named groups; absent names are absent from the answer.
  virtual Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) = 0;
  // Runs metric queries over [start, end); one series per query, in order.
  virtual Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) = 0;
  // Sets the desired capacity (HonorCooldown=false: phas keeps its own).
  virtual Status SetDesiredCapacity(const std::string& group, int desired) = 0;
};

}  // namespace phas

#endif  // PHAS_CLOUD_CLOUD_H_
