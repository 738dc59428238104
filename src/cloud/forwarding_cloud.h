// ForwardingCloud: a Cloud that passes every call to another one, for
// wrappers that change a few (fault injection, call counting, spying), in
// the manner of leveldb's EnvWrapper.
//
// Thread-safety: as the target.
#ifndef PHAS_CLOUD_FORWARDING_CLOUD_H_
#define PHAS_CLOUD_FORWARDING_CLOUD_H_

#include "cloud/cloud.h"

namespace phas {

class ForwardingCloud : public Cloud {
 public:
  // `target` must outlive this.
  explicit ForwardingCloud(Cloud* target) : target_(target) {}
  Cloud* target() const { return target_; }

  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    return target_->DescribeGroups(names);
  }
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    return target_->GetMetricData(queries, start, end);
  }
  Status SetDesiredCapacity(const std::string& group, int desired) override {
    return target_->SetDesiredCapacity(group, desired);
  }
  Result<GroupControls> DescribeControls(const std::string& group) override {
    return target_->DescribeControls(group);
  }
  Result<std::optional<TimePoint>> LastDesiredCapacitySet(
      const std::string& group) override {
    return target_->LastDesiredCapacitySet(group);
  }
  Duration MaxActionLatency() const override {
    return target_->MaxActionLatency();
  }

 private:
  Cloud* target_;
};

}  // namespace phas

#endif  // PHAS_CLOUD_FORWARDING_CLOUD_H_
