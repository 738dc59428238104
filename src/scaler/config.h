// The scaler's configuration: a YAML file (deploy/phas.yaml is the
// annotated example), overridden by flags. Every key is known: an unknown
// key, a duplicated key, a wrong type or an out-of-range value is an error
// that names it ("phas.yaml: groups[0].cooldown_seconds: must be an integer
// >= 0, got 'x'").
//
// A group entry:
//   name: web
//   policy: predictive          # scaler/policy_registry.h
//   target: 60                  # the load signal's target per instance
//   cooldown_seconds: 60        # guard overrides; default: the policy's
//   max_step_up: 10
//   max_step_down: 3
//   predictive: {...}           # the named policy's own settings only
//   warmup_seconds: 0
//   aws_policies: refuse        # or scale_out_only (decision/coexist.h)
//   memory_metric: {...}
//   role_arn: arn:aws:iam::123456789012:role/phas   # optional: calls as
//   external_id: ...            # this role (STS AssumeRole), its ExternalId
//   session_name: phas          # and session name
//
// Thread-safety: plain values.
#ifndef PHAS_SCALER_CONFIG_H_
#define PHAS_SCALER_CONFIG_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credential_providers.h"
#include "decision/coexist.h"
#include "decision/guard.h"
#include "decision/load_signal.h"
#include "scaler/observe.h"
#include "scaler/policy_registry.h"

namespace YAML {
class Node;
}

namespace phas {

// How one group is scaled: the keys of a group entry other than its name,
// warm-up and metrics (a backtest's `policies:` entries have the same keys).
struct PolicyConfig {
  PolicyConfig();  // the seed policy with its defaults

  // The policy. Default: seed.
  const PolicyRow* row;
  // Its settings: the row's defaults unless configured.
  AnyStruct settings;
  // Guard settings this group overrides; unset: the policy's defaults.
  std::optional<Duration> cooldown;
  std::optional<int> max_step_up;
  std::optional<int> max_step_down;
  // The load signal and its target per instance (key `target`).
  // Default: CPU, 60 %.
  ScalingTarget target;

  std::string name() const { return std::string(row->name); }
  // The guard: the policy's defaults with this group's overrides.
  GuardConfig guard() const;
  std::unique_ptr<Policy> MakePolicy() const {
    return row->make(settings, target);
  }
  // Chooses another policy, with its default settings.
  Status Select(std::string_view name,
                const PolicyRegistry& registry = PolicyRegistry::Default());
  // The settings when they are a C, else null.
  template <typename C>
  const C* settings_as() const {
    return settings.Is<C>() ? &settings.As<C>() : nullptr;
  }
  // Changes the settings when they are a C; false otherwise.
  template <typename C, typename F>
  bool Edit(F change) {
    const C* c = settings_as<C>();
    if (!c) return false;
    C copy = *c;
    change(copy);
    settings = AnyStruct::Of(std::move(copy));
    return true;
  }
};

struct GroupConfig {
  std::string name;
  PolicyConfig policy;
  // InService instances younger than this are left out of the signal the
  // policies read. Default: 0 (none).
  Duration warmup = Duration::zero();
  MemoryMetricConfig memory;
  // Which per-instance metrics each read asks CloudWatch for (key
  // instance_metrics): "used" (false), CPUUtilization and the signal's own
  // metric; "all" (true), the original's seven and the memory metric, for
  // the cycle log's raw_cloudwatch and features. A policy that asks a model
  // reads them all either way. CloudWatch bills each metric requested.
  // Default: used.
  bool all_metrics = false;
  // Where the load signal is read (key `signal`). Default: CPU. The
  // policy's target (policy.target.signal) describes the same signal.
  SignalSource signal;
  // The IAM role every AWS call for this group is made as (keys role_arn,
  // external_id, session_name): STS AssumeRole signed with the process's
  // own credentials, refreshed before expiry (cloud/aws_fleet.h). Groups
  // naming the same role share its session. Default: no role_arn (the
  // process's credentials); session name "phas"; no external id.
  aws::AssumeRoleConfig role;
  // How phas shares the group with AWS's own scaling policies (key
  // aws_policies): refuse to act while one scales it, or scale_out_only
  // (phas raises capacity, AWS's policies lower it). Default: refuse.
  AwsPolicySharing aws_policies = AwsPolicySharing::kRefuse;
};

// Whether the loop reads every instance metric of the group (and derives the
// model's features): instance_metrics: all, or a policy that asks a model
// (`needs`: its policy's; without, the policy is made to ask it).
bool ReadsAllMetrics(const GroupConfig& g, const PolicyNeeds& needs);
bool ReadsAllMetrics(const GroupConfig& g);
// The metrics each read asks per InService instance, in words, for the
// startup log (CloudWatch bills each one): "CPUUtilization (instance_metrics:
// used)", "the 7 AWS/EC2 metrics and the memory metric (instance_metrics:
// used; the policy asks a model)", ...
std::string MetricsReadWords(const GroupConfig& g);

// The `aws:` section; cmd/ turns it into the AWS layer's options.
struct AwsSection {
  // Endpoint overrides: keys "autoscaling", "cloudwatch", "ec2", "sts",
  // "dynamodb", or "default" for all. Default: none.
  std::map<std::string, std::string> endpoints;
  // Attempts per call, the first included. Default: 3.
  int max_attempts = 3;
};

// The `ha:` section: replicas sharing leases and state in DynamoDB
// (docs/ha.md, scaler/dynamo_ha.h). Absent: one replica, SQLite.
struct HaSection {
  // The table (partition key `pk`, type S). Required.
  std::string dynamodb_table;
  // How long a lease lasts after its last renew (lease_seconds, 3 to 600).
  // Default: 30 s.
  Duration lease = std::chrono::seconds(30);
  // The holder stops acting this long before its lease ends, by its own
  // clock (lease_margin_seconds; less than the lease). Default: lease / 3.
  std::optional<Duration> margin;
};

struct ScalerConfig {
  std::string region;  // empty: the AWS resolution order
  // Default: 10 s.
  Duration interval = std::chrono::seconds(10);
  // Re-read CloudWatch metrics at most this often (ScalerOptions); 0: every
  // cycle. Default (unset): MetricsRefresh's, 60 s, or every cycle when the
  // interval is 60 s or longer.
  std::optional<Duration> metrics_refresh;
  // Decide and log, never act. Default: false.
  bool dry_run = false;
  // How often each group's AWS controls (scaling policies, scheduled
  // actions, warm pool, instance refreshes, lifecycle hooks) are read
  // again (key controls_refresh_seconds). Default: 300 s.
  Duration controls_refresh = std::chrono::minutes(5);
  // Model bundle; empty: the shipped default. Not with predictor_url.
  std::string model_dir;
  // Call a `phas predictor` over HTTP instead of predicting in process.
  // Not with model.
  std::string predictor_url;
  // Default: 6 s (the original's).
  Duration predictor_timeout = std::chrono::seconds(6);
  // Default: output (ec2_monitor.log, ec2_metrics_data.jsonl).
  std::string output_dir = "output";
  // Default: state/phas.db.
  std::string state_path = "state/phas.db";
  // Prometheus /metrics address, host:port (ParseListenAddress); "off"
  // disables. Default: 127.0.0.1:9464.
  std::string metrics_listen = "127.0.0.1:9464";
  // Rotation of both output files (log_max_mb, log_keep). Default: 50 MiB,
  // 5 kept.
  size_t log_max_bytes = 50u << 20;
  int log_keep = 5;
  AwsSection aws;
  std::optional<HaSection> ha;
  std::vector<GroupConfig> groups;
};

// How often the loop re-reads the metrics: `configured` when set (0: every
// cycle), else every 60 s (CloudWatch bills GetMetricData per metric, and
// 60 s datapoints change once a minute: docs/scaler.md, "API economy"), or
// every cycle when `interval` is 60 s or longer. The daemon and backtests
// both take it from here, so a backtest scores what runs in production.
Duration MetricsRefresh(std::optional<Duration> configured, Duration interval);

Result<ScalerConfig> ParseScalerConfig(
    const std::string& yaml, const std::string& source,
    const PolicyRegistry& registry = PolicyRegistry::Default());
Result<ScalerConfig> LoadScalerConfig(const std::string& path);

// Reads a policy section (the keys of a group entry other than name) from
// `node` onto `out`; `path` prefixes error messages; `extra_keys` are the
// other keys the caller reads from the same mapping; `signal` is what the
// target is a value of (out->target describes it). Used by the scaler and
// backtests.
Status ParsePolicyConfig(
    const YAML::Node& node, const std::string& path, PolicyConfig* out,
    const std::vector<std::string>& extra_keys = {},
    const PolicyRegistry& registry = PolicyRegistry::Default(),
    const SignalSource& signal = {});

// Reads the `signal` key of `entry` (a group entry, or a backtest's world)
// onto `out`; absent: unchanged. `path` names `entry` in errors.
Status ParseSignalConfig(const YAML::Node& entry, const std::string& path,
                         SignalSource* out);

// A listen address (metrics_listen, --metrics-listen).
struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port
};
// `text` as host:port (the host non-empty; an IPv6 literal bare, ::1:9464,
// or in brackets, [::1]:9464, the brackets dropped from `host`), or a bare
// port on 127.0.0.1; the port digits only, 0 to 65535. "off" or empty: no
// address (nullopt). InvalidArgument otherwise, saying what is expected, not
// where.
Result<std::optional<ListenAddress>> ParseListenAddress(
    const std::string& text);
// host:port as a URL writes it: an IPv6 literal in brackets.
std::string FormatHostPort(const std::string& host, int port);

// InvalidArgument unless `arn` is an IAM role's ARN
// (arn:<partition>:iam::<12 digits>:role/[<path>/]<name>); the message says
// what is wrong, not where.
Status CheckRoleArn(const std::string& arn);

// Checks a whole configuration (groups present, names unique, ...).
Status ValidateScalerConfig(const ScalerConfig& c, const std::string& source);

}  // namespace phas

#endif  // PHAS_SCALER_CONFIG_H_
