// RoutedCloud: a Cloud whose groups are each served by one of several
// Clouds (an AwsCloud per IAM role: cloud/aws_fleet.h); groups without a
// route go to the default one.
//   DescribeGroups      the names split by Cloud, one call per Cloud (in
//                       the order of the names), the answers merged; fails
//                       when any part fails (no partial answer, as Cloud
//                       says). The loop's observer asks ForGroup itself, so
//                       that a role's failure holds only that role's groups.
//   GetMetricData       the default Cloud: queries do not name their group;
//                       a routed group's metrics are read through
//                       ForGroup(group)
//   SetDesiredCapacity  the group's Cloud
//   DescribeControls    the group's Cloud
//   MaxActionLatency    the longest of them all
//
// Thread-safety: as the Clouds routed to; Route only before use.
#ifndef PHAS_CLOUD_ROUTED_CLOUD_H_
#define PHAS_CLOUD_ROUTED_CLOUD_H_

#include <map>
#include <string>
#include <vector>

#include "cloud/cloud.h"

namespace phas {

class RoutedCloud final : public Cloud {
 public:
  // `fallback` serves the groups without a route; it must outlive this.
  explicit RoutedCloud(Cloud* fallback) : fallback_(fallback) {}

  // Serves `group` with `cloud` (which must outlive this).
  void Route(const std::string& group, Cloud* cloud) { routes_[group] = cloud; }

  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override;
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    return fallback_->GetMetricData(queries, start, end);
  }
  Status SetDesiredCapacity(const std::string& group, int desired) override {
    return ForGroup(group)->SetDesiredCapacity(group, desired);
  }
  Result<GroupControls> DescribeControls(const std::string& group) override {
    return ForGroup(group)->DescribeControls(group);
  }
  Result<std::optional<TimePoint>> LastDesiredCapacitySet(
      const std::string& group) override {
    return ForGroup(group)->LastDesiredCapacitySet(group);
  }
  Duration MaxActionLatency() const override;
  Cloud* ForGroup(const std::string& group) override;

 private:
  Cloud* fallback_;
  std::map<std::string, Cloud*> routes_;
};

}  // namespace phas

#endif  // PHAS_CLOUD_ROUTED_CLOUD_H_
