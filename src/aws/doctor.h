// `phas doctor`: can this process do its job against AWS? Says where the
// credentials came from (never the secret), the region and the endpoints,
// and tries each call phas makes, naming any missing permission by its IAM
// action ("cloudwatch:GetMetricData").
//
// With the groups of a scaler config (--config), it also checks each group
// as the loop will read it (doctor_groups.cc): the role it names assumed,
// found or not, the CPU metric of its InService instances at 1-minute
// resolution (basic monitoring is detected and named with its fix), and the
// memory metric as configured, and AWS's own scaling policies on the group
// against how the config shares it (aws_policies).
//
// Thread-safety: single-threaded use.
#ifndef PHAS_AWS_DOCTOR_H_
#define PHAS_AWS_DOCTOR_H_

#include <string>
#include <vector>

#include "aws/asg_controls.h"
#include "aws/services.h"
#include "aws/session.h"

namespace phas::aws {

// A group of the scaler's config, as the doctor checks it (cmd/ fills it:
// the AWS layer does not read the scaler's config).
struct DoctorGroup {
  std::string name;
  // The CloudWatch agent's memory metric (the config's memory_metric).
  // Dimensions are names; their values are the instance's id or type, or the
  // group's name.
  bool memory_enabled = true;
  // Why the daemon does not read it although enabled (empty: it does).
  std::string memory_not_read;
  std::string memory_namespace = "CWAgent";
  std::string memory_name = "mem_used_percent";
  std::vector<std::string> memory_dimensions = {"InstanceId"};
  // A group-level load signal (ALB requests, a custom metric): its name,
  // the queries the loop sends for it (ids unique) and the id of the one
  // that is the group's load. Empty queries: a per-instance signal (CPU,
  // network), checked with the instances' metrics.
  std::string signal = "cpu";
  std::vector<MetricQuery> signal_queries;
  std::string signal_load_id;
  // The group's load history as the forecasting policies restore it at
  // start (the signal's HistoryQueries, hourly here), the id of its load
  // series, and the metric in words. Empty: not checked.
  std::vector<MetricQuery> history_queries;
  std::string history_load_id;
  std::string history_metric;
  // The group's aws_policies: "refuse" (phas holds while an AWS policy
  // scales the group) or "scale_out_only".
  std::string aws_policies = "refuse";
  // The role the group is read as (role_arn empty: the session's own
  // credentials): first checked that it can be assumed ("role").
  AssumeRoleConfig role;
};

struct DoctorOptions {
  std::string asg;  // group to check; empty: account-wide reads only
  bool check_write =
      false;  // also call SetDesiredCapacity with the current value
  // The groups of a scaler config, each checked (CheckGroups); empty: none.
  std::vector<DoctorGroup> groups;
  std::string config_path;  // where `groups` came from, for the report
};

struct DoctorCheck {
  // kWarning: phas runs, but worse than it could (basic monitoring, no
  // memory metric); it does not fail the doctor.
  enum class Result { kOk, kWarning, kFailed, kSkipped };
  // The IAM action of a call ("autoscaling:DescribeAutoScalingGroups"), or
  // what a group check looks at ("group", "cpu", "memory").
  std::string what;
  Result result = Result::kSkipped;
  std::string detail;
};

struct GroupReport {
  std::string name;
  std::vector<DoctorCheck> checks;
};

struct DoctorReport {
  std::string credentials_source;
  std::string access_key_hint;  // "AKIA…Y4H": enough to tell keys apart
  std::string region, region_source;
  std::vector<std::pair<std::string, std::string>>
      endpoints;  // service, "url (source)"
  std::vector<DoctorCheck> checks;
  std::string config_path;
  std::vector<GroupReport> groups;
  bool ok() const;
  std::string ToText() const;
};

DoctorReport RunDoctor(AwsSession& session, const DoctorOptions& options,
                       Clock* clock);

// The IAM action for a Query call: cloudwatch for the "monitoring" endpoint.
std::string IamActionName(const std::string& service,
                          const std::string& action);

// How often a metric's datapoints came back from GetMetricData at a 60 s
// period: kOneMinute (detailed monitoring), kFiveMinute (EC2 basic
// monitoring: CloudWatch has only one value per 5 minutes), kTooFew (one
// point: cannot tell), kNone, kIrregular (gaps between 1 and 5 minutes).
enum class MetricResolution {
  kNone,
  kTooFew,
  kOneMinute,
  kFiveMinute,
  kIrregular
};
MetricResolution ClassifyResolution(const std::vector<TimePoint>& timestamps);

// The window the group checks read, ending now.
inline constexpr std::chrono::minutes kGroupMetricWindow{15};

// Checks each group: one DescribeAutoScalingGroups for all of them, then
// one GetMetricData per group found with InService instances (CPU and
// memory of each over the last kGroupMetricWindow at a 60 s period).
std::vector<GroupReport> CheckGroups(AutoScalingApi& asg, CloudWatchApi& cw,
                                     const std::vector<DoctorGroup>& groups,
                                     TimePoint now);

// CheckGroups for the groups of each role (DoctorGroup::role) through a
// session of that role, after a "role" check (AssumeRole, with the fix
// when it is refused; a role not assumed leaves its groups at that);
// groups without a role through `asg` and `cw`. Reports in `groups` order.
std::vector<GroupReport> CheckGroupsByRole(
    AwsSession& session, AutoScalingApi& asg, CloudWatchApi& cw,
    const std::vector<DoctorGroup>& groups, Clock* clock);

// The group's load signal, from the load query's series (`load` null: the
// group has no group-level signal, skipped).
DoctorCheck SignalCheck(const DoctorGroup& g, const MetricSeries* load);

// AWS's own scaling policies on the group (`policies`: DescribePolicies'
// answer) against g.aws_policies: a policy that changes capacity is a
// warning (phas holds the group with "refuse", shares it with
// "scale_out_only"); an unreadable answer fails (phas holds every cycle
// until it can read them).
DoctorCheck AwsPoliciesCheck(
    const DoctorGroup& g, const Result<std::vector<ScalingPolicy>>& policies);

// What else the scaler reads of a group beside its AWS policies, at start
// and every controls_refresh_seconds (docs/scaler.md, "Beside AWS's own
// scaling"), as the doctor read it.
struct ControlsRead {
  Result<std::vector<ScheduledAction>> scheduled =
      std::vector<ScheduledAction>{};
  Result<std::optional<WarmPoolInfo>> warm_pool = std::optional<WarmPoolInfo>{};
  Result<std::vector<InstanceRefreshInfo>> refreshes =
      std::vector<InstanceRefreshInfo>{};
  Result<std::vector<LifecycleHookInfo>> hooks =
      std::vector<LifecycleHookInfo>{};
  // Read only for a group with a warm pool: its launch time.
  std::optional<Result<std::vector<ScalingActivity>>> activities;
};

// The scaler's reads of the group's controls: a refused or failed read
// fails (the scaler holds the group until all are read,
// controls_unreadable), naming each call and its IAM action; an instance
// refresh in progress or a suspended Launch or Terminate is a warning (the
// scaler holds the group meanwhile), as is a warm pool whose launch time
// cannot be read (its boot_seconds stand); otherwise ok, with what was
// found.
DoctorCheck ControlsCheck(const AutoScalingGroupInfo& group,
                          const ControlsRead& read);

// The group's load history of the last 14 days (hourly), as the forecasting
// policies restore it at start: `history` null with `read` OK: no data.
DoctorCheck HistoryCheck(const DoctorGroup& g, const MetricSeries* history,
                         const Status& read);

// The verdicts on one group's metrics, from the series GetMetricData
// returned: `cpu[i]` and `memory[i]` are instance_ids[i]'s CPUUtilization
// and memory metric (`memory` is ignored when memory is disabled).
DoctorCheck CpuCheck(const std::vector<std::string>& instance_ids,
                     const std::vector<MetricSeries>& cpu);
DoctorCheck MemoryCheck(const DoctorGroup& group,
                        const std::vector<std::string>& instance_ids,
                        const std::vector<MetricSeries>& memory);

}  // namespace phas::aws

#endif  // PHAS_AWS_DOCTOR_H_
