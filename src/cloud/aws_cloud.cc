#include "cloud/aws_cloud.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "aws/boot_time.h"
#include "aws/xml.h"

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
    case Lifecycle::kUnhealthy:
      return "Unhealthy";
    case Lifecycle::kOther:
      return "Other";
  }
  return "Other";
}

Lifecycle AwsCloud::ParseLifecycle(std::string_view s,
                                   std::string_view health) {
  auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
  if (s == "InService") {
    return health == "Unhealthy" ? Lifecycle::kUnhealthy
                                 : Lifecycle::kInService;
  }
  if (starts("Pending")) return Lifecycle::kPending;
  if (starts("Terminat")) return Lifecycle::kTerminating;
  if (s == "Standby" || s == "EnteringStandby") return Lifecycle::kStandby;
  return Lifecycle::kOther;
}

Result<std::vector<GroupDescription>> AwsCloud::DescribeGroups(
    const std::vector<std::string>& names) {
  std::map<std::string, Status> unreadable;
  PHAS_ASSIGN_OR_RETURN(std::vector<aws::AutoScalingGroupInfo> groups,
                        asg_.DescribeAutoScalingGroups(names, &unreadable));
  std::vector<GroupDescription> out;
  out.reserve(groups.size() + unreadable.size());
  for (auto& [name, why] : unreadable) {
    out.push_back(GroupDescription{.name = name, .unreadable = why});
  }
  for (const aws::AutoScalingGroupInfo& g : groups) {
    GroupDescription d;
    d.name = g.name;
    d.min_size = g.min_size;
    d.max_size = g.max_size;
    d.desired_capacity = g.desired_capacity;
    d.tags = g.tags;
    d.suspended_processes = g.suspended_processes;
    d.capacity_units = g.CapacityUnits();
    d.instances.reserve(g.instances.size());
    for (const aws::AsgInstance& i : g.instances) {
      d.instances.push_back({i.id,
                             ParseLifecycle(i.lifecycle_state, i.health_status),
                             i.instance_type, i.protected_from_scale_in});
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
    out.push_back({std::move(s.id), std::move(s.timestamps),
                   std::move(s.values), std::move(s.status)});
  }
  return out;
}

Result<GroupControls> AwsCloud::DescribeControls(const std::string& group) {
  GroupControls c;
  auto policies = asg_.DescribePolicies(group);
  if (!policies.ok()) return policies.status().WithContext("DescribePolicies");
  for (const aws::ScalingPolicy& p : *policies) {
    AwsScalingPolicy v{
        p.name, p.type_name.empty() ? "SimpleScaling" : p.type_name, p.enabled};
    v.scales = p.changes_capacity();
    v.scale_out_only = p.target_tracking && p.target_tracking->disable_scale_in;
    c.policies.push_back(std::move(v));
  }
  auto scheduled = controls_.DescribeScheduledActions(group);
  if (!scheduled.ok()) {
    return scheduled.status().WithContext("DescribeScheduledActions");
  }
  for (const aws::ScheduledAction& a : *scheduled) {
    if (!a.changes_capacity()) continue;
    c.scheduled.push_back({a.name, *a.start_time, a.recurrence, a.min_size,
                           a.max_size, a.desired_capacity});
  }
  auto pool = controls_.DescribeWarmPool(group);
  if (!pool.ok()) return pool.status().WithContext("DescribeWarmPool");
  if (*pool) {
    c.warm_pool =
        WarmPoolView{(*pool)->min_size, (*pool)->pool_state,
                     static_cast<int>((*pool)->instance_states.size())};
    for (const std::string& st : (*pool)->instance_states) {
      c.warm_pool->ready += st == "Warmed:Stopped" || st == "Warmed:Running" ||
                            st == "Warmed:Hibernated";
    }
    // How long a launch from it takes: the forecasting policies' boot time
    // while it holds instances. Not a reason to hold the group when
    // unreadable (the configured boot time stands, and the log says why).
    // One request: the newest 100 cover a busy group's recent launches.
    auto activities = asg_.DescribeScalingActivities(
        group, aws::AutoScalingApi::kRecordsPerRequest);
    if (!activities.ok()) {
      c.warm_pool->launch_error = activities.status()
                                      .WithContext("DescribeScalingActivities")
                                      .ToString();
    } else if (auto boot = aws::BootTimeFromActivities(*activities);
               boot && boot->warm_pool_median) {
      c.warm_pool->launch_median = boot->warm_pool_median;
      c.warm_pool->launch_p90 = boot->warm_pool_p90;
      c.warm_pool->launches = boot->warm_pool_launches;
    }
  }
  auto refreshes = controls_.DescribeInstanceRefreshes(group);
  if (!refreshes.ok()) {
    return refreshes.status().WithContext("DescribeInstanceRefreshes");
  }
  if (const aws::InstanceRefreshInfo* r = aws::ActiveRefresh(*refreshes)) {
    c.refresh = InstanceRefreshView{r->id, r->status, r->percentage_complete};
  }
  auto hooks = controls_.DescribeLifecycleHooks(group);
  if (!hooks.ok()) return hooks.status().WithContext("DescribeLifecycleHooks");
  for (const aws::LifecycleHookInfo& h : *hooks) {
    c.lifecycle_hooks.push_back(fmt::format("{} ({}, {} s)", h.name,
                                            h.transition, h.heartbeat_timeout));
  }
  return c;
}

Result<std::optional<TimePoint>> AwsCloud::LastDesiredCapacitySet(
    const std::string& group) {
  // One request: the newest 100 activities (a busy group's launches and
  // terminations of the last hours), newest first.
  PHAS_ASSIGN_OR_RETURN(std::vector<aws::ScalingActivity> activities,
                        asg_.DescribeScalingActivities(
                            group, aws::AutoScalingApi::kRecordsPerRequest));
  std::optional<TimePoint> newest;
  for (const aws::ScalingActivity& a : activities) {
    if (a.cause.find("explicitly set group desired capacity") ==
        std::string::npos) {
      continue;
    }
    if (!newest || a.start_time > *newest) newest = a.start_time;
  }
  return newest;
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
