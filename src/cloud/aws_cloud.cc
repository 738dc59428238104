#include "cloud/aws_cloud.h"

#include <algorithm>

namespace phas {

const char* LifecycleName(Lifecycle l) {
  switch (l) {
    case Lifecycle::kPending:
      return "Pending";
    case Lifecycle::kInService:
      return "InService";
    case Lifecycle::kTerminating:
      return "Terminating";
    case Lifecycle::kStandby:
      return "Standby";
    case Lifecycle::kOther:
      return "Other";
  }
  return "Other";
}

Lifecycle AwsCloud::ParseLifecycle(std::string_view s) {
  auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
  if (s == "InService") return Lifecycle::kInService;
  if (starts("Pending")) return Lifecycle::kPending;
  if (starts("Terminat")) return Lifecycle::kTerminating;
  if (s == "Standby" || s == "EnteringStandby") return Lifecycle::kStandby;
  return Lifecycle::kOther;
}

Result<std::vector<GroupDescription>> AwsCloud::DescribeGroups(
    const std::vector<std::string>& names) {
  PHAS_ASSIGN_OR_RETURN(std::vector<aws::AutoScalingGroupInfo> groups,
                        asg_.DescribeAutoScalingGroups(names));
  std::vector<GroupDescription> out;
  out.reserve(groups.size());
  for (const aws::AutoScalingGroupInfo& g : groups) {
    GroupDescription d;
    d.name = g.name;
    d.min_size = g.min_size;
    d.max_size = g.max_size;
    d.desired_capacity = g.desired_capacity;
    d.instances.reserve(g.instances.size());
    for (const aws::AsgInstance& i : g.instances) {
      d.instances.push_back(
          {i.id, ParseLifecycle(i.lifecycle_state), i.instance_type});
    }
    out.push_back(std::move(d));
  }
  return out;
}

aws::MetricQuery ToAwsQuery(const MetricQuery& m) {
  aws::MetricQuery a;
  a.id = m.id;
  a.ns = m.ns;
  a.metric_name = m.metric_name;
  for (const MetricDimension& d : m.dimensions) {
    a.dimensions.push_back({d.name, d.value});
  }
  a.period_seconds = m.period_seconds;
  a.stat = m.stat;
  a.expression = m.expression;
  return a;
}

Result<std::vector<MetricSeries>> AwsCloud::GetMetricData(
    const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end) {
  std::vector<aws::MetricQuery> q;
  q.reserve(queries.size());
  for (const MetricQuery& m : queries) q.push_back(ToAwsQuery(m));
  PHAS_ASSIGN_OR_RETURN(std::vector<aws::MetricSeries> series,
                        cw_.GetMetricData(q, start, end));
  std::vector<MetricSeries> out;
  out.reserve(series.size());
  for (aws::MetricSeries& s : series) {
    out.push_back(
        {std::move(s.id), std::move(s.timestamps), std::move(s.values)});
  }
  return out;
}

Status AwsCloud::SetDesiredCapacity(const std::string& group, int desired) {
  return asg_.SetDesiredCapacity(group, desired, /*honor_cooldown=*/false);
}

Duration AwsCloud::MaxActionLatency() const {
  Duration total = std::chrono::minutes(1);
  for (int attempt = 1; attempt <= retry_.max_attempts; ++attempt) {
    total += retry_.request_timeout;
    if (attempt > 1) {
      // The longest backoff before this attempt (the throttling base).
      total += std::min<Duration>(
          retry_.max_backoff,
          retry_.throttle_base_delay * (1 << std::min(attempt - 2, 20)));
    }
  }
  return total;
}

}  // namespace phas
