#include "aws/doctor.h"

#include <fmt/format.h>

#include "aws/services.h"

namespace phas::aws {
namespace {

DoctorCheck Check(const std::string& service, const std::string& action,
                  const Status& st, const std::string& ok_detail) {
  DoctorCheck c;
  c.what = IamActionName(service, action);
  if (st.ok()) {
    c.result = DoctorCheck::Result::kOk;
    c.detail = ok_detail;
  } else {
    c.result = DoctorCheck::Result::kFailed;
    // Authorization failures only; AuthFailure, SignatureDoesNotMatch and
    // InvalidClientTokenId are about the credentials themselves.
    bool denied = st.detail() == "AccessDenied" ||
                  st.detail() == "AccessDeniedException" ||
                  st.detail() == "UnauthorizedOperation";
    c.detail = denied ? "missing permission " + c.what + " — " + st.message()
                      : st.message();
  }
  return c;
}

}  // namespace

std::string IamActionName(const std::string& service,
                          const std::string& action) {
  return (service == "cloudwatch" || service == "monitoring" ? "cloudwatch"
                                                             : service) +
         ":" + action;
}

bool DoctorReport::ok() const {
  auto failed = [](const std::vector<DoctorCheck>& checks) {
    for (const DoctorCheck& c : checks) {
      if (c.result == DoctorCheck::Result::kFailed) return true;
    }
    return false;
  };
  if (failed(checks)) return false;
  for (const GroupReport& g : groups) {
    if (failed(g.checks)) return false;
  }
  return !credentials_source.empty();
}

namespace {

void AppendChecks(const std::vector<DoctorCheck>& checks, const char* indent,
                  int width, std::string* out) {
  for (const DoctorCheck& c : checks) {
    const char* r = c.result == DoctorCheck::Result::kOk        ? "ok  "
                    : c.result == DoctorCheck::Result::kWarning ? "warn"
                    : c.result == DoctorCheck::Result::kFailed  ? "FAIL"
                                                                : "skip";
    *out += fmt::format("{}{} {:<{}} {}\n", indent, r, c.what, width, c.detail);
  }
}

}  // namespace

std::string DoctorReport::ToText() const {
  std::string out;
  out += fmt::format("credentials: {}\n", credentials_source.empty()
                                              ? "NOT FOUND"
                                              : credentials_source);
  if (!access_key_hint.empty())
    out += fmt::format("access key:  {}\n", access_key_hint);
  out += fmt::format("region:      {} (from {})\n", region, region_source);
  out += "endpoints:\n";
  for (const auto& [svc, ep] : endpoints)
    out += fmt::format("  {:<12} {}\n", svc, ep);
  out += "checks:\n";
  AppendChecks(checks, "  ", 40, &out);
  if (!config_path.empty()) {
    out += fmt::format("groups of {}:\n", config_path);
    for (const GroupReport& g : groups) {
      out += fmt::format("  {} (region {}, from {})\n", g.name, region,
                         region_source);
      AppendChecks(g.checks, "    ", 6, &out);
    }
  }
  out += ok() ? "result: ok\n" : "result: FAILED\n";
  return out;
}

DoctorReport RunDoctor(AwsSession& session, const DoctorOptions& options,
                       Clock* clock) {
  DoctorReport rep;
  rep.region = session.region().region;
  rep.region_source = session.region().source;
  for (Service s : {Service::kAutoScaling, Service::kCloudWatch, Service::kEc2,
                    Service::kSts}) {
    const ServiceEndpoint& ep = session.client(s)->endpoint();
    rep.endpoints.emplace_back(ServiceId(s), ep.url + " (" + ep.source + ")");
  }
  auto creds = session.credentials()->Get(clock->Now());
  if (!creds.ok()) {
    rep.checks.push_back({"(credentials)", DoctorCheck::Result::kFailed,
                          creds.status().message()});
    return rep;
  }
  rep.credentials_source = creds->source;
  const std::string& id = creds->access_key_id;
  rep.access_key_hint =
      id.size() > 8 ? id.substr(0, 4) + "…" + id.substr(id.size() - 4) : "…";

  AutoScalingApi asg(session.client(Service::kAutoScaling));
  CloudWatchApi cw(session.client(Service::kCloudWatch));
  Ec2Api ec2(session.client(Service::kEc2));

  std::vector<std::string> names;
  if (!options.asg.empty()) names.push_back(options.asg);
  // Without --asg every group of the account is listed: one whose
  // description does not read (an unrelated group) is named, not a failure
  // of the permission checked here.
  std::map<std::string, Status> unreadable;
  auto groups = asg.DescribeAutoScalingGroups(names, &unreadable);
  std::vector<std::string> instance_ids;
  const AutoScalingGroupInfo* group = nullptr;
  std::string detail;
  Status gst = groups.ok() ? Status::OK() : groups.status();
  if (groups.ok()) {
    for (const auto& g : *groups) {
      if (g.name == options.asg) group = &g;
    }
    if (auto it = unreadable.find(options.asg); it != unreadable.end()) {
      gst = it->second;
    } else if (!options.asg.empty() && group == nullptr) {
      gst = Status::NotFound("group " + options.asg + " does not exist in " +
                             rep.region);
    } else if (group) {
      for (const auto& i : group->instances) instance_ids.push_back(i.id);
      detail = fmt::format("{}: min {} max {} desired {}, {} instances",
                           group->name, group->min_size, group->max_size,
                           group->desired_capacity, group->instances.size());
    } else {
      detail = fmt::format("groups visible: {}", groups->size());
      for (const auto& [name, st] : unreadable) detail += "; " + st.message();
      if (groups->empty() && unreadable.empty()) {
        detail += fmt::format(" (none in {}: is that the groups' region?)",
                              rep.region);
      }
    }
  }
  rep.checks.push_back(
      Check("autoscaling", "DescribeAutoScalingGroups", gst, detail));
  // No group seen at all reads as a wrong region more often than an empty
  // account: a warning, not "ok" (it said ok).
  if (gst.ok() && group == nullptr &&
      (!unreadable.empty() || (groups.ok() && groups->empty()))) {
    rep.checks.back().result = DoctorCheck::Result::kWarning;
  }

  TimePoint now = clock->Now();
  std::vector<MetricQuery> queries;
  std::vector<MetricDimension> dims;
  if (!instance_ids.empty()) {
    dims = {{"InstanceId", instance_ids[0]}};
  } else if (!options.asg.empty()) {
    dims = {{"AutoScalingGroupName", options.asg}};
  }
  queries.push_back(
      {"cpu", "AWS/EC2", "CPUUtilization", dims, 60, "Average", ""});
  auto data = EveryQueryAnswered(
      cw.GetMetricData(queries, now - std::chrono::minutes(10), now));
  rep.checks.push_back(Check(
      "cloudwatch", "GetMetricData", data.ok() ? Status::OK() : data.status(),
      data.ok() ? fmt::format(
                      "{} datapoints of CPUUtilization in the last 10 minutes",
                      (*data)[0].values.size())
                : ""));
  auto stats = cw.GetMetricStatistics("AWS/EC2", "CPUUtilization", dims,
                                      now - std::chrono::minutes(10), now, 60,
                                      {"Average"});
  rep.checks.push_back(
      Check("cloudwatch", "GetMetricStatistics",
            stats.ok() ? Status::OK() : stats.status(),
            stats.ok() ? fmt::format("{} datapoints", stats->size()) : ""));
  auto inst = ec2.DescribeInstances(instance_ids);
  rep.checks.push_back(Check(
      "ec2", "DescribeInstances", inst.ok() ? Status::OK() : inst.status(),
      inst.ok() ? fmt::format("{} instances", inst->size()) : ""));

  DoctorCheck write;
  write.what = "autoscaling:SetDesiredCapacity";
  if (!options.check_write || group == nullptr) {
    write.detail =
        group ? "not tried: pass --check-write to set the group's desired "
                "capacity to its current value"
        : options.asg.empty()
            ? "not tried: needs --asg and --check-write"
            : "not tried: the group " + options.asg + " was not described";
  } else {
    // Described again right before: the metric and instance calls above
    // can take seconds (tens with retries), and setting the value read
    // then would undo a change made meanwhile (phas's own scale-out, an AWS
    // policy, a person).
    auto fresh = asg.DescribeAutoScalingGroups({group->name});
    int desired = group->desired_capacity;
    Status st = fresh.status();
    if (st.ok() && (fresh->size() != 1 || (*fresh)[0].name != group->name)) {
      st = Status::NotFound("group " + group->name +
                            " was not found when described again");
    }
    if (st.ok()) {
      desired = (*fresh)[0].desired_capacity;
      st = asg.SetDesiredCapacity(group->name, desired, false);
    }
    write = Check("autoscaling", "SetDesiredCapacity", st,
                  fmt::format("set {} to its current desired capacity {}",
                              group->name, desired));
  }
  rep.checks.push_back(write);

  rep.config_path = options.config_path;
  if (!options.groups.empty()) {
    rep.groups = CheckGroupsByRole(session, asg, cw, options.groups, clock);
  }
  return rep;
}

}  // namespace phas::aws
