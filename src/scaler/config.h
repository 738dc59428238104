// The scaler's configuration: a YAML file (deploy/phas.yaml is the
// annotated example), overridden by flags. Every key is known: an unknown
// key, a wrong type or an out-of-range value is an error that names it
// ("phas.yaml: groups[0].cooldown_seconds: must be an integer >= 0, got 'x'").
//
// Thread-safety: plain values.
#ifndef PHAS_SCALER_CONFIG_H_
#define PHAS_SCALER_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "aws/session.h"
#include "decision/aws_predictive_policy.h"
#include "decision/hpa_policy.h"
#include "decision/policy.h"
#include "decision/predictive_policy.h"
#include "decision/reactive_policy.h"
#include "decision/seed_policy.h"
#include "decision/step_policy.h"
#include "decision/target_tracking_policy.h"
#include "scaler/observe.h"

namespace YAML {
class Node;
}

namespace phas {

// How one group is scaled. Policy-specific sections are read only for the
// policy named.
struct PolicyConfig {
  // seed | reactive | target-tracking | step | hpa | aws-predictive |
  // predictive | oracle (simulator only). Default: seed.
  std::string policy = "seed";
  // Shared safety rules (decision/guard.h). The cooldown defaults by policy:
  // 300 s for seed and reactive (the original's), 60 s for target-tracking,
  // step and aws-predictive (one alarm period), 0 for hpa and oracle.
  GuardConfig guard;
  bool cooldown_set = false;  // cooldown_seconds given explicitly
  SeedPolicyConfig seed;
  ReactivePolicyConfig reactive;
  TargetTrackingConfig target_tracking;
  StepPolicyConfig step;
  HpaConfig hpa;
  AwsPredictiveConfig aws_predictive;
  PredictiveConfig predictive;
};

struct GroupConfig {
  std::string name;
  PolicyConfig policy;
  // InService instances younger than this are left out of the CPU metric
  // the reactive rules read. Default: 0 (none).
  Duration warmup = Duration::zero();
  MemoryMetricConfig memory;
};

struct ScalerConfig {
  std::string region;  // empty: the AWS resolution order
  // Default: 10 s.
  Duration interval = std::chrono::seconds(10);
  // Re-read CloudWatch metrics at most this often (ScalerOptions).
  // Default: 0 (every cycle).
  Duration metrics_refresh = Duration::zero();
  // Decide and log, never act. Default: false.
  bool dry_run = false;
  // Model bundle; empty: the shipped default. Ignored when predictor_url is
  // set.
  std::string model_dir;
  // Call a `phas predictor` over HTTP instead of predicting in process.
  std::string predictor_url;
  // Default: 6 s (the original's).
  Duration predictor_timeout = std::chrono::seconds(6);
  // Default: output (ec2_monitor.log, ec2_metrics_data.jsonl).
  std::string output_dir = "output";
  // Default: state/phas.db.
  std::string state_path = "state/phas.db";
  // Prometheus /metrics address; "off" disables. Default: 127.0.0.1:9464.
  std::string metrics_listen = "127.0.0.1:9464";
  // Rotation of both output files (log_max_mb, log_keep). Default: 50 MiB, 5
  // kept.
  size_t log_max_bytes = 50u << 20;
  int log_keep = 5;
  aws::AwsOptions aws;
  std::vector<GroupConfig> groups;

  // The AWS options with the region folded in.
  aws::AwsOptions aws_options() const {
    aws::AwsOptions o = aws;
    o.region = region;
    return o;
  }
};

Result<ScalerConfig> ParseScalerConfig(const std::string& yaml,
                                       const std::string& source);
Result<ScalerConfig> LoadScalerConfig(const std::string& path);

// Reads a policy section (the keys of a group entry other than name) from
// `node`; `path` prefixes error messages. Used by the scaler and backtests.
Status ParsePolicyConfig(const YAML::Node& node, const std::string& path,
                         PolicyConfig* out,
                         const std::vector<std::string>& extra_keys = {});

// The policy a configuration names. InvalidArgument for an unknown name.
Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& config);
// Every policy name MakePolicy knows.
std::vector<std::string> PolicyNames();

// Checks a whole configuration (groups present, names unique, ...).
Status ValidateScalerConfig(const ScalerConfig& c, const std::string& source);

}  // namespace phas

#endif  // PHAS_SCALER_CONFIG_H_
