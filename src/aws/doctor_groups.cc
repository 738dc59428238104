// The per-group checks of `phas doctor --config` (aws/doctor.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include "aws/boot_time.h"
#include "aws/doctor.h"

namespace phas::aws {
namespace {

using Verdict = DoctorCheck::Result;

// "i-1, i-2, i-3 and 4 more".
std::string ListIds(const std::vector<std::string>& ids) {
  constexpr size_t kShown = 3;
  std::string out;
  for (size_t i = 0; i < ids.size() && i < kShown; ++i) {
    out += (i ? ", " : "") + ids[i];
  }
  if (ids.size() > kShown)
    out += fmt::format(" and {} more", ids.size() - kShown);
  return out;
}

std::string MemoryMetricName(const DoctorGroup& g) {
  std::string dims;
  for (const std::string& d : g.memory_dimensions) {
    dims += (dims.empty() ? "" : ", ") + d;
  }
  return fmt::format("{}/{} [{}]", g.memory_namespace, g.memory_name, dims);
}

// What one group's checks read, fetched once for all of them.
struct GroupSnapshot {
  const DoctorGroup* config = nullptr;
  const AutoScalingGroupInfo* info = nullptr;  // null: not found
  std::vector<const AsgInstance*> in_service;
  // Parallel to in_service; empty when the metrics could not be read.
  std::vector<MetricSeries> cpu, memory;
  std::optional<MetricSeries> signal_load;  // group-level signals
  Status metrics;                           // the GetMetricData outcome
  // Its queries CloudWatch did not answer: the first of the CPU ones, the
  // signal's, the memory metric's.
  Status cpu_status, signal_status, memory_status;
  std::optional<Result<std::vector<ScalingPolicy>>> policies;
  std::optional<ControlsRead> controls;
  std::optional<MetricSeries> history;  // hourly, the last 14 days
  Status history_status;
};

constexpr auto kHistoryWindow = std::chrono::hours(24 * 14);
constexpr int kHistoryHours = 24 * 14;

// The controls the scaler reads (AwsCloud::DescribeControls), each answer
// kept for ControlsCheck.
ControlsRead ReadControls(AutoScalingApi& asg, const std::string& group) {
  AutoScalingControlsApi api(asg.client());
  ControlsRead r;
  r.scheduled = api.DescribeScheduledActions(group);
  r.warm_pool = api.DescribeWarmPool(group);
  r.refreshes = api.DescribeInstanceRefreshes(group);
  r.hooks = api.DescribeLifecycleHooks(group);
  if (r.warm_pool.ok() && *r.warm_pool) {
    r.activities = asg.DescribeScalingActivities(
        group, AutoScalingApi::kRecordsPerRequest);
  }
  return r;
}

// What predictive and aws-predictive restore at start: the group's load of
// the last 14 days (src/scaler/observer.cc). Hours with data out of 336.
}  // namespace

DoctorCheck HistoryCheck(const DoctorGroup& g, const MetricSeries* history,
                         const Status& read) {
  if (!read.ok()) {
    return {"history", Verdict::kWarning,
            fmt::format("{}: cannot read it: {}", g.history_metric,
                        read.message())};
  }
  size_t hours = history ? history->timestamps.size() : 0;
  if (hours == 0) {
    return {"history", Verdict::kWarning,
            fmt::format("{}: no datapoint in the last 14 days: the "
                        "forecasting policies (predictive, aws-predictive) "
                        "start with no history and build it as they run",
                        g.history_metric)};
  }
  if (hours < 24) {
    return {"history", Verdict::kWarning,
            fmt::format("{}: {} of the last {} hours have data: the "
                        "forecasting policies restore that much at start "
                        "(aws-predictive needs 24 h, predictive's daily "
                        "period 2 days)",
                        g.history_metric, hours, kHistoryHours)};
  }
  return {"history", Verdict::kOk,
          fmt::format("{}: {} of the last {} hours have data (restored at "
                      "start by the forecasting policies)",
                      g.history_metric, hours, kHistoryHours)};
}

namespace {

// The queries of one group: CPU and (when enabled) memory per InService
// instance, at a 60 s period, the way the loop reads them.
std::vector<MetricQuery> GroupQueries(const GroupSnapshot& g) {
  std::vector<MetricQuery> queries;
  for (size_t i = 0; i < g.in_service.size(); ++i) {
    const AsgInstance& inst = *g.in_service[i];
    queries.push_back({fmt::format("cpu{}", i),
                       "AWS/EC2",
                       "CPUUtilization",
                       {{"InstanceId", inst.id}},
                       60,
                       "Average",
                       ""});
  }
  for (const MetricQuery& q : g.config->signal_queries) queries.push_back(q);
  if (!g.config->memory_enabled || !g.config->memory_not_read.empty()) {
    return queries;
  }
  for (size_t i = 0; i < g.in_service.size(); ++i) {
    const AsgInstance& inst = *g.in_service[i];
    MetricQuery q{fmt::format("mem{}", i),
                  g.config->memory_namespace,
                  g.config->memory_name,
                  {},
                  60,
                  "Average",
                  ""};
    for (const std::string& d : g.config->memory_dimensions) {
      if (d == "InstanceId") q.dimensions.push_back({d, inst.id});
      if (d == "InstanceType") q.dimensions.push_back({d, inst.instance_type});
      if (d == "AutoScalingGroupName")
        q.dimensions.push_back({d, g.info->name});
    }
    queries.push_back(std::move(q));
  }
  return queries;
}

DoctorCheck FoundCheck(const GroupSnapshot& g, const Status& describe) {
  if (!describe.ok()) return {"group", Verdict::kFailed, describe.message()};
  if (g.info == nullptr) {
    return {"group", Verdict::kFailed,
            fmt::format("no group called {} in this region and account (check "
                        "groups[].name in the config, and the region)",
                        g.config->name)};
  }
  const AutoScalingGroupInfo& a = *g.info;
  return {"group", Verdict::kOk,
          fmt::format("found: min {} max {} desired {}, {} InService "
                      "instance(s) of {}",
                      a.min_size, a.max_size, a.desired_capacity,
                      g.in_service.size(), a.instances.size())};
}

// deploy/iam-policy.json lets phas set the capacity of groups tagged
// phas=managed only (docs/aws.md): without the tag, SetDesiredCapacity is
// AccessDenied under that policy. A warning: another policy may not ask it.
DoctorCheck TagCheck(const AutoScalingGroupInfo& a) {
  auto it = a.tags.find("phas");
  if (it != a.tags.end() && it->second == "managed") {
    return {"tag", Verdict::kOk,
            "phas=managed: deploy/iam-policy.json lets phas set its capacity"};
  }
  return {"tag", Verdict::kWarning,
          fmt::format("no tag phas=managed: under deploy/iam-policy.json "
                      "(statement ScalerSetCapacity) SetDesiredCapacity is "
                      "AccessDenied; tag it: aws autoscaling "
                      "create-or-update-tags --tags ResourceId={},ResourceType="
                      "auto-scaling-group,Key=phas,Value=managed,"
                      "PropagateAtLaunch=false",
                      a.name)};
}

// The checks of one group, in report order. Each reads the snapshot only.
// The group's load signal, once the config names one other than CPU (ALB
// requests per target, network, a custom metric), gets its own check here
// after CpuCheck, with its queries added in GroupQueries.
std::vector<DoctorCheck> CheckGroup(const GroupSnapshot& g,
                                    const Status& describe) {
  std::vector<DoctorCheck> checks = {FoundCheck(g, describe)};
  if (g.info == nullptr) return checks;
  checks.push_back(TagCheck(*g.info));
  if (g.policies) checks.push_back(AwsPoliciesCheck(*g.config, *g.policies));
  if (g.controls) checks.push_back(ControlsCheck(*g.info, *g.controls));
  if (!g.metrics.ok()) {
    checks.push_back({"cpu", Verdict::kFailed, g.metrics.message()});
    return checks;
  }
  // A query not answered, as the loop takes it: CPU's or the signal's
  // fails the group's read; the memory metric's is optional.
  const char* kReadFails =
      ": the loop's read of the group fails while it is not answered";
  std::vector<std::string> ids;
  for (const AsgInstance* i : g.in_service) ids.push_back(i->id);
  checks.push_back(g.cpu_status.ok()
                       ? CpuCheck(ids, g.cpu)
                       : DoctorCheck{"cpu", Verdict::kFailed,
                                     g.cpu_status.message() + kReadFails});
  if (!g.signal_status.ok()) {
    checks.push_back(
        {"signal", Verdict::kFailed, g.signal_status.message() + kReadFails});
  } else if (g.signal_load) {
    checks.push_back(SignalCheck(*g.config, &*g.signal_load));
  }
  checks.push_back(
      g.memory_status.ok()
          ? MemoryCheck(*g.config, ids, g.memory)
          : DoctorCheck{"memory", Verdict::kWarning,
                        g.memory_status.message() +
                            ": phas estimates memory while it is not "
                            "answered (the group reads on)"});
  if (!g.config->history_queries.empty()) {
    checks.push_back(HistoryCheck(*g.config, g.history ? &*g.history : nullptr,
                                  g.history_status));
  }
  return checks;
}

}  // namespace

MetricResolution ClassifyResolution(const std::vector<TimePoint>& ts) {
  if (ts.empty()) return MetricResolution::kNone;
  if (ts.size() == 1) return MetricResolution::kTooFew;
  Duration smallest = Duration::max();
  for (size_t i = 1; i < ts.size(); ++i) {
    smallest = std::min(smallest, ts[i] - ts[i - 1]);
  }
  if (smallest <= std::chrono::seconds(60)) return MetricResolution::kOneMinute;
  if (smallest >= std::chrono::seconds(300)) {
    return MetricResolution::kFiveMinute;
  }
  return MetricResolution::kIrregular;
}

DoctorCheck CpuCheck(const std::vector<std::string>& ids,
                     const std::vector<MetricSeries>& cpu) {
  if (ids.empty()) {
    return {"cpu", Verdict::kWarning,
            "no InService instances: no CPU to read (the loop holds the "
            "group until it has some)"};
  }
  std::map<MetricResolution, std::vector<std::string>> by;
  for (size_t i = 0; i < ids.size(); ++i) {
    by[i < cpu.size() ? ClassifyResolution(cpu[i].timestamps)
                      : MetricResolution::kNone]
        .push_back(ids[i]);
  }
  const auto& basic = by[MetricResolution::kFiveMinute];
  if (!basic.empty()) {
    return {"cpu", Verdict::kWarning,
            fmt::format(
                "basic monitoring on {} of {} InService instances ({}): a 60 s "
                "period over the last {} minutes returns one CPUUtilization "
                "point every 5 minutes, so phas sees load up to 5 minutes "
                "late. Fix: enable detailed monitoring in the launch template "
                "(LaunchTemplateData.Monitoring.Enabled: true) and replace the "
                "instances (an instance refresh), or `aws ec2 "
                "monitor-instances --instance-ids ...` for the running ones",
                basic.size(), ids.size(), ListIds(basic),
                kGroupMetricWindow.count())};
  }
  const auto& none = by[MetricResolution::kNone];
  if (none.size() == ids.size()) {
    return {"cpu", Verdict::kWarning,
            fmt::format("no CPUUtilization datapoints in the last {} minutes "
                        "for any of {} InService instances ({}): new instances "
                        "publish after a few minutes; otherwise check the "
                        "region and account",
                        kGroupMetricWindow.count(), ids.size(), ListIds(none))};
  }
  const auto& fine = by[MetricResolution::kOneMinute];
  if (fine.size() == ids.size()) {
    return {"cpu", Verdict::kOk,
            fmt::format("CPUUtilization every minute (detailed monitoring) on "
                        "all {} InService instances",
                        ids.size())};
  }
  std::vector<std::string> unsure = none;
  for (auto r : {MetricResolution::kTooFew, MetricResolution::kIrregular}) {
    unsure.insert(unsure.end(), by[r].begin(), by[r].end());
  }
  return {"cpu", Verdict::kWarning,
          fmt::format("CPUUtilization every minute on {} of {} InService "
                      "instances; too few datapoints to tell on {} (new "
                      "instances publish after a few minutes)",
                      fine.size(), ids.size(), ListIds(unsure))};
}

DoctorCheck MemoryCheck(const DoctorGroup& g,
                        const std::vector<std::string>& ids,
                        const std::vector<MetricSeries>& memory) {
  if (!g.memory_not_read.empty()) {
    return {"memory", Verdict::kSkipped, "not read: " + g.memory_not_read};
  }
  if (!g.memory_enabled) {
    return {"memory", Verdict::kSkipped,
            "not read: memory_metric.enabled is false in the config"};
  }
  if (ids.empty()) {
    return {"memory", Verdict::kSkipped, "no InService instances"};
  }
  std::vector<std::string> missing;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i >= memory.size() || memory[i].values.empty()) {
      missing.push_back(ids[i]);
    }
  }
  std::string metric = MemoryMetricName(g);
  if (missing.empty()) {
    return {"memory", Verdict::kOk,
            fmt::format("{} present on all {} InService instances", metric,
                        ids.size())};
  }
  std::string where =
      missing.size() == ids.size()
          ? fmt::format("on any of the {} InService instances", ids.size())
          : fmt::format("on {} of {} InService instances ({})", missing.size(),
                        ids.size(), ListIds(missing));
  return {"memory", Verdict::kWarning,
          fmt::format("{} has no datapoints in the last {} minutes {}: phas "
                      "estimates memory there. If the CloudWatch agent "
                      "publishes it, compare memory_metric.namespace, .name "
                      "and .dimensions with `aws cloudwatch list-metrics "
                      "--namespace {}`; if it does not, set "
                      "memory_metric.enabled: false",
                      metric, kGroupMetricWindow.count(), where,
                      g.memory_namespace)};
}

DoctorCheck AwsPoliciesCheck(
    const DoctorGroup& g, const Result<std::vector<ScalingPolicy>>& policies) {
  if (!policies.ok()) {
    return {
        "aws", Verdict::kFailed,
        fmt::format("cannot read the group's AWS scaling policies ({}): "
                    "phas holds the group until it can "
                    "(autoscaling:DescribePolicies, deploy/iam-policy.json)",
                    policies.status().message())};
  }
  std::vector<std::string> acting;
  for (const ScalingPolicy& p : *policies) {
    if (p.changes_capacity())
      acting.push_back(fmt::format("{} ({})", p.name, p.type_name));
  }
  if (acting.empty()) {
    return {"aws", Verdict::kOk,
            fmt::format("no AWS scaling policy changes its capacity ({} "
                        "read)",
                        policies->size())};
  }
  std::string names = fmt::format("{}", fmt::join(acting, ", "));
  if (g.aws_policies == "scale_out_only") {
    return {"aws", Verdict::kWarning,
            fmt::format("AWS scaling policies {} also scale it: shared "
                        "(aws_policies: scale_out_only): phas only raises "
                        "capacity, AWS's policies lower it",
                        names)};
  }
  return {"aws", Verdict::kWarning,
          fmt::format("AWS scaling policies {} scale it: phas will not act on "
                      "the group (aws_policy_conflict). Remove them, or set "
                      "aws_policies: scale_out_only to share it",
                      names)};
}

DoctorCheck ControlsCheck(const AutoScalingGroupInfo& group,
                          const ControlsRead& read) {
  std::vector<std::string> failed, actions;
  std::string first;
  auto note = [&](const Status& st, const char* call) {
    if (st.ok()) return;
    failed.push_back(call);
    actions.push_back(std::string("autoscaling:") + call);
    if (first.empty()) first = st.message();
  };
  note(read.scheduled.status(), "DescribeScheduledActions");
  note(read.warm_pool.status(), "DescribeWarmPool");
  note(read.refreshes.status(), "DescribeInstanceRefreshes");
  note(read.hooks.status(), "DescribeLifecycleHooks");
  if (!failed.empty()) {
    return {
        "controls", Verdict::kFailed,
        fmt::format("cannot read {} ({}): phas holds the group until it "
                    "can (controls_unreadable; {}, deploy/iam-policy.json)",
                    fmt::join(failed, ", "), first, fmt::join(actions, ", "))};
  }
  // Every hold, in the order the daemon's rules take them
  // (decision/coexist.h): suspended processes, capacity units, a refresh.
  std::vector<std::string> holds;
  for (const std::string& p : group.suspended_processes) {
    if (p == "Launch" || p == "Terminate") {
      holds.push_back("process " + p + " suspended");
    }
  }
  if (std::string units = group.CapacityUnits(); !units.empty()) {
    holds.push_back("the desired capacity does not count instances (" + units +
                    "; phas sizes in instances, capacity_units)");
  }
  if (const InstanceRefreshInfo* r = ActiveRefresh(*read.refreshes)) {
    holds.push_back(fmt::format("instance refresh {} ({}, {} % done)", r->id,
                                r->status, r->percentage_complete));
  }
  if (!holds.empty()) {
    return {"controls", Verdict::kWarning,
            fmt::format("{}: phas holds the group meanwhile",
                        fmt::join(holds, ", "))};
  }
  auto scheduled = std::count_if(
      read.scheduled->begin(), read.scheduled->end(),
      [](const ScheduledAction& a) { return a.changes_capacity(); });
  std::string pool = "no warm pool";
  if (const auto& wp = *read.warm_pool) {
    pool =
        fmt::format("warm pool of {} ({}, min {})", wp->instance_states.size(),
                    wp->pool_state, wp->min_size);
    if (read.activities && !read.activities->ok()) {
      return {"controls", Verdict::kWarning,
              fmt::format("{}: cannot read its scaling activities ({}): its "
                          "launch time is unknown, the forecasting policies "
                          "keep their boot_seconds "
                          "(autoscaling:DescribeScalingActivities)",
                          pool, read.activities->status().message())};
    }
    std::optional<BootTime> boot;
    if (read.activities) boot = BootTimeFromActivities(**read.activities);
    auto secs = [](Duration d) {
      return std::chrono::duration_cast<std::chrono::seconds>(d).count();
    };
    pool += boot && boot->warm_pool_median && boot->warm_pool_p90
                ? fmt::format(
                      ", launches from it take {} s (median; {} s at "
                      "the 90th percentile, the boot time the "
                      "forecasting policies take)",
                      secs(*boot->warm_pool_median), secs(*boot->warm_pool_p90))
                : ", no launch from it yet";
  }
  return {"controls", Verdict::kOk,
          fmt::format("all read: {} scheduled capacity change(s), {}, no "
                      "instance refresh, {} lifecycle hook(s)",
                      scheduled, pool, read.hooks->size())};
}

DoctorCheck SignalCheck(const DoctorGroup& g, const MetricSeries* load) {
  if (load == nullptr || g.signal_queries.empty()) {
    return {"signal", Verdict::kSkipped, "a per-instance signal: see cpu"};
  }
  switch (ClassifyResolution(load->timestamps)) {
    case MetricResolution::kOneMinute:
      return {"signal", Verdict::kOk,
              fmt::format("{}: {} one-minute datapoints in the last {} "
                          "minutes (latest {:g})",
                          g.signal, load->timestamps.size(),
                          kGroupMetricWindow.count(), load->values.back())};
    case MetricResolution::kNone:
      return {"signal", Verdict::kWarning,
              fmt::format("{}: no datapoints in the last {} minutes: check "
                          "the signal's resource_label or metrics (namespace, "
                          "name, dimensions) against `aws cloudwatch "
                          "list-metrics`; without them phas holds the group",
                          g.signal, kGroupMetricWindow.count())};
    default:
      return {"signal", Verdict::kWarning,
              fmt::format("{}: datapoints are not one minute apart ({} in the "
                          "last {} minutes): phas decides on what there is, "
                          "a minute late or more",
                          g.signal, load->timestamps.size(),
                          kGroupMetricWindow.count())};
  }
}

std::vector<GroupReport> CheckGroups(AutoScalingApi& asg, CloudWatchApi& cw,
                                     const std::vector<DoctorGroup>& groups,
                                     TimePoint now) {
  std::vector<std::string> names;
  for (const DoctorGroup& g : groups) names.push_back(g.name);
  // A group whose description does not read fails its own check, as the
  // loop holds it alone; the others are checked.
  std::map<std::string, Status> unreadable;
  auto described = asg.DescribeAutoScalingGroups(names, &unreadable);
  TimePoint start = FloorMinute(now - kGroupMetricWindow);
  std::vector<GroupReport> out;
  for (const DoctorGroup& config : groups) {
    Status describe = described.ok() ? Status::OK() : described.status();
    if (auto it = unreadable.find(config.name); it != unreadable.end())
      describe = it->second;
    GroupSnapshot g;
    g.config = &config;
    if (described.ok()) {
      for (const AutoScalingGroupInfo& a : *described) {
        if (a.name == config.name) g.info = &a;
      }
    }
    if (g.info != nullptr) {
      g.policies = asg.DescribePolicies(config.name);
      g.controls = ReadControls(asg, config.name);
      for (const AsgInstance& i : g.info->instances) {
        if (i.lifecycle_state == "InService") g.in_service.push_back(&i);
      }
      if (!g.in_service.empty()) {
        auto series = cw.GetMetricData(GroupQueries(g), start, now);
        if (series.ok()) {
          size_t n = g.in_service.size();
          size_t s = config.signal_queries.size();
          auto first_failed = [&](size_t from, size_t to) {
            for (size_t k = from; k < to && k < series->size(); ++k) {
              if (!(*series)[k].status.ok()) return (*series)[k].status;
            }
            return Status::OK();
          };
          g.cpu_status = first_failed(0, n);
          g.signal_status = first_failed(n, n + s);
          g.memory_status = first_failed(n + s, series->size());
          g.cpu.assign(series->begin(), series->begin() + n);
          for (size_t k = n; k < n + s; ++k) {
            if ((*series)[k].id == config.signal_load_id) {
              g.signal_load = (*series)[k];
            }
          }
          g.memory.assign(series->begin() + n + s, series->end());
        } else {
          g.metrics = series.status();
        }
      }
      if (!config.history_queries.empty()) {
        // A request of its own: a 14-day window at an hourly period.
        auto h = EveryQueryAnswered(cw.GetMetricData(
            config.history_queries,
            FromUnixSeconds(
                std::floor(ToUnixSeconds(now - kHistoryWindow) / 3600) * 3600),
            now));
        if (h.ok()) {
          for (MetricSeries& m : *h) {
            if (m.id == config.history_load_id) g.history = std::move(m);
          }
        } else {
          g.history_status = h.status();
        }
      }
    }
    out.push_back({config.name, CheckGroup(g, describe)});
  }
  return out;
}

std::vector<GroupReport> CheckGroupsByRole(
    AwsSession& session, AutoScalingApi& asg, CloudWatchApi& cw,
    const std::vector<DoctorGroup>& groups, Clock* clock) {
  // The groups of each role (the first part: no role), as the loop reads
  // them: one session per role.
  std::vector<std::vector<size_t>> parts;
  for (size_t i = 0; i < groups.size(); ++i) {
    auto it = std::find_if(parts.begin(), parts.end(), [&](const auto& p) {
      return SameRole(groups[p[0]].role, groups[i].role);
    });
    if (it == parts.end())
      it = parts.insert(parts.end(), std::vector<size_t>{});
    it->push_back(i);
  }
  std::vector<GroupReport> out(groups.size());
  for (const std::vector<size_t>& part : parts) {
    std::vector<DoctorGroup> some;
    std::vector<std::string> names;
    for (size_t i : part) {
      some.push_back(groups[i]);
      names.push_back(groups[i].name);
    }
    AssumeRoleConfig role = some[0].role;
    std::vector<GroupReport> reports;
    if (role.role_arn.empty()) {
      reports = CheckGroups(asg, cw, some, clock->Now());
    } else {
      role.origin =
          fmt::format("role_arn of group{} {}", names.size() > 1 ? "s" : "",
                      fmt::join(names, ", "));
      std::unique_ptr<AwsSession> as = session.AssumeRole(role);
      auto creds = as->credentials()->Get(clock->Now());
      DoctorCheck check{"role", DoctorCheck::Result::kOk,
                        creds.ok() ? creds->source : creds.status().message()};
      if (creds.ok()) {
        AutoScalingApi role_asg(as->client(Service::kAutoScaling));
        CloudWatchApi role_cw(as->client(Service::kCloudWatch));
        reports = CheckGroups(role_asg, role_cw, some, clock->Now());
      } else {
        check.result = DoctorCheck::Result::kFailed;
        for (const std::string& n : names) reports.push_back({n, {}});
      }
      for (GroupReport& r : reports) r.checks.insert(r.checks.begin(), check);
    }
    for (size_t k = 0; k < part.size(); ++k) out[part[k]] = reports[k];
  }
  return out;
}

}  // namespace phas::aws
