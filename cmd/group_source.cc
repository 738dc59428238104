#include "cmd/group_source.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <string_view>
#include <utility>

#include "aws/asg_controls.h"
#include "aws/boot_time.h"
#include "aws/environment.h"
#include "aws/services.h"
#include "cloud/aws_cloud.h"
#include "cmd/number_checks.h"

namespace phas {
namespace {

// An error of the config's signal parser, naming the flag the value came
// from instead of the config key it was read as ("signal: must be one of
// ..." -> "--signal: must be one of ...").
Status FlagsNamed(const Status& st) {
  static constexpr std::pair<std::string_view, std::string_view> kKeys[] = {
      {"signal.type: ", "--signal: "},
      {"signal.resource_label: ", "--resource-label: "},
      {"signal: ", "--signal: "},
  };
  for (const auto& [key, flag] : kKeys) {
    if (st.message().rfind(key, 0) == 0) {
      return Status::InvalidArgument(std::string(flag) +
                                     st.message().substr(key.size()));
    }
  }
  return st;
}

// The signal from --signal/--resource-label, else the config's group entry,
// else CPU. Read by the scaler's own parser, so the rules and messages are
// the config's.
Result<SignalSource> ResolveSignal(const GroupSourceFlags& f,
                                   const std::optional<GroupConfig>& g) {
  if (f.signal.empty()) {
    if (!f.resource_label.empty()) {
      return Status::InvalidArgument(
          "--resource-label goes with --signal alb_requests");
    }
    return g ? g->signal : SignalSource{};
  }
  YAML::Node entry;
  if (f.resource_label.empty()) {
    entry["signal"] = f.signal;
  } else {
    entry["signal"]["type"] = f.signal;
    entry["signal"]["resource_label"] = f.resource_label;
  }
  SignalSource s;
  PHAS_RETURN_IF_ERROR(FlagsNamed(ParseSignalConfig(entry, "", &s)));
  return s;
}

// AWS's predefined metric names for a signal: target tracking's, and
// predictive scaling's metric pair and scaling metric.
struct AwsMetricNames {
  const char* target_tracking;
  const char* pair;
};
std::optional<AwsMetricNames> AwsNamesOf(SignalKind k) {
  switch (k) {
    case SignalKind::kCpu:
      return AwsMetricNames{"ASGAverageCPUUtilization", "ASGCPUUtilization"};
    case SignalKind::kNetworkIn:
      return AwsMetricNames{"ASGAverageNetworkIn", "ASGNetworkIn"};
    case SignalKind::kNetworkOut:
      return AwsMetricNames{"ASGAverageNetworkOut", "ASGNetworkOut"};
    case SignalKind::kAlbRequests:
      return AwsMetricNames{"ALBRequestCountPerTarget", "ALBRequestCount"};
    case SignalKind::kCustom:
      return std::nullopt;
  }
  return std::nullopt;
}

// The group's AWS policy on `signal` as a phas row: a predictive policy that
// scales (ForecastAndScale) -> aws-predictive (predictive + target tracking,
// as AWS runs them together) at the target tracking policy's target when
// there is one, else its own; else an enabled target tracking policy ->
// target-tracking at its target. `note` says why there is none.
std::optional<AwsPolicyRow> AwsPolicyRowOf(
    const std::vector<aws::ScalingPolicy>& policies, const SignalSource& signal,
    std::string* note) {
  auto names = AwsNamesOf(signal.kind);
  if (policies.empty()) {
    *note = "no AWS scaling policy on the group: no row for it";
    return std::nullopt;
  }
  auto label_ok = [&](const std::string& label) {
    return signal.kind != SignalKind::kAlbRequests || label.empty() ||
           label == signal.resource_label;
  };
  const aws::ScalingPolicy* tt = nullptr;
  const aws::ScalingPolicy* predictive = nullptr;
  std::vector<std::string> other;
  for (const aws::ScalingPolicy& p : policies) {
    bool on_signal = false;
    if (names && p.enabled && p.target_tracking &&
        !p.target_tracking->customized &&
        p.target_tracking->predefined_metric_type == names->target_tracking &&
        label_ok(p.target_tracking->resource_label)) {
      on_signal = true;
      if (!tt) tt = &p;
    }
    if (names && p.enabled && p.predictive && !p.predictive->customized &&
        p.predictive->mode == aws::PredictiveMode::kForecastAndScale &&
        (p.predictive->metric_pair_type == names->pair ||
         p.predictive->scaling_metric_type == names->target_tracking) &&
        label_ok(p.predictive->resource_label)) {
      on_signal = true;
      if (!predictive) predictive = &p;
    }
    if (!on_signal) other.push_back(p.name + " (" + p.type_name + ")");
  }
  if (predictive) {
    double target = tt ? tt->target_tracking->target_value
                       : predictive->predictive->target_value;
    return AwsPolicyRow{
        "aws:" + predictive->name, "aws-predictive", target,
        fmt::format("PredictiveScaling {}{}", predictive->name,
                    tt ? " with TargetTrackingScaling " + tt->name : "")};
  }
  if (tt) {
    return AwsPolicyRow{"aws:" + tt->name, "target-tracking",
                        tt->target_tracking->target_value,
                        "TargetTrackingScaling " + tt->name};
  }
  *note = fmt::format(
      "its AWS policies ({}) do not scale on the {} signal: no row for them",
      fmt::join(other, ", "), signal.name());
  return std::nullopt;
}

}  // namespace

GroupFacts FactsOf(PulledGroup* g) {
  GroupFacts f;
  f.history = g->history;
  f.min_size = g->group.min_size;
  f.max_size = g->group.max_size;
  f.signal = g->signal;
  aws::AutoScalingApi asg(g->session->client(aws::Service::kAutoScaling));
  auto activities = asg.DescribeScalingActivities(g->group.name, 100);
  std::optional<aws::BootTime> boot;
  if (activities.ok()) boot = aws::BootTimeFromActivities(*activities);
  // A group with a warm pool scales out from it: its boot time is that of
  // its launches from the pool (asked only when there are launches to
  // choose from).
  Result<std::optional<aws::WarmPoolInfo>> pool =
      std::optional<aws::WarmPoolInfo>{};
  if (boot) {
    pool = aws::AutoScalingControlsApi(
               g->session->client(aws::Service::kAutoScaling))
               .DescribeWarmPool(g->group.name);
  }
  if (!activities.ok()) {
    f.boot_time_note =
        "cannot read its scaling activities: " + activities.status().message();
  } else if (boot && pool.ok() && *pool && boot->warm_pool_median) {
    f.boot_time = *boot->warm_pool_median;
    f.boot_samples = boot->warm_pool_launches;
    f.boot_time_of = " from its warm pool";
  } else if (boot && boot->launches > 0) {
    f.boot_time = boot->median;
    f.boot_samples = boot->launches;
    if (!pool.ok()) {
      f.boot_time_of =
          fmt::format(" (cold; its warm pool, if any, could not be read: {})",
                      pool.status().message());
    } else if (*pool) {
      f.boot_time_of = " (cold: none from its warm pool yet)";
    }
  } else {
    f.boot_time_note =
        fmt::format("no successful launch among its last {} scaling activities",
                    activities->size());
  }
  auto policies = asg.DescribePolicies(g->group.name);
  if (!policies.ok()) {
    f.aws_policy_note =
        "cannot read its AWS scaling policies: " + policies.status().message();
  } else {
    f.aws_policy = AwsPolicyRowOf(*policies, g->signal, &f.aws_policy_note);
  }
  return f;
}

aws::AwsOptions AwsOptionsOf(const ScalerConfig& c, const std::string& path) {
  aws::AwsOptions o;
  o.region = c.region;
  if (!path.empty()) o.region_source = path + ": region";
  o.endpoints = c.aws.endpoints;
  o.retry.max_attempts = c.aws.max_attempts;
  return o;
}

void AddGroupSourceFlags(CLI::App* cmd, GroupSourceFlags* f,
                         const std::string& config_flag) {
  f->options = {
      cmd->add_option(config_flag, f->config,
                      "Scaler config: its region and endpoints, and the "
                      "group's signal when the group is one of its groups"),
      cmd->add_option("--region", f->region,
                      "AWS region (default: the config's, then the SDK "
                      "resolution order)"),
      cmd->add_option("--signal", f->signal,
                      "Load signal: cpu, network_in, network_out or "
                      "alb_requests (with --resource-label); custom: from " +
                          config_flag + ". Default: the config's, else cpu"),
      cmd->add_option("--resource-label", f->resource_label,
                      "alb_requests: the target group's resource label "
                      "(app/<lb>/<id>/targetgroup/<tg>/<id>)"),
      cmd->add_option("--days", f->days,
                      "Days of history (up to 455; CloudWatch keeps 1-minute "
                      "data 15 days, 5-minute 63)")
          ->capture_default_str(),
      cmd->add_option("--request-hours", f->request_hours,
                      "Split each GetMetricData into windows of this many "
                      "hours (default: one request per period; for test "
                      "servers whose cost grows with the window's square)")
          ->check(NumberIn(0, 455 * 24)),  // CloudWatch's retention
  };
}

Status CheckNoGroupFlags(const GroupSourceFlags& f) {
  for (const CLI::Option* o : f.options) {
    if (o->count() == 0) continue;
    const std::string flag = o->get_name();
    const bool signal = flag == "--signal" || flag == "--resource-label";
    return Status::InvalidArgument(fmt::format(
        "{} goes with --asg (the group read from AWS){}", flag,
        signal ? "; a trace's signal is world.signal in the --config file"
               : ""));
  }
  return Status::OK();
}

std::string PulledGroup::Summary() const {
  int total = 0;
  std::string per;
  for (const auto& [action, n] : *requests) {
    total += n;
    per += fmt::format("{}{} {}", per.empty() ? "" : ", ", n, action);
  }
  int gaps = 0;
  for (size_t i = 1; i < history.rows.size(); ++i) {
    const HistoryRow& prev = history.rows[i - 1];
    if (history.rows[i].time - prev.time >
        std::chrono::seconds(prev.period_seconds)) {
      ++gaps;
    }
  }
  return fmt::format(
      "{}: {} .. {}, {} rows, {} gaps; {} requests ({}); {:.1f} s",
      history.group, FormatIso8601(history.start), FormatIso8601(history.end),
      history.rows.size(), gaps, total, per, seconds);
}

Result<PulledGroup> PullGroup(const GroupSourceFlags& f, Clock* clock) {
  if (f.asg.empty()) return Status::InvalidArgument("--asg is required");
  if (!(f.days > 0) || f.days > 455) {
    return Status::InvalidArgument("--days must be in (0, 455]");
  }
  auto wall_start = std::chrono::steady_clock::now();
  PulledGroup out;
  aws::AwsOptions opts;
  if (!f.config.empty()) {
    PHAS_ASSIGN_OR_RETURN(ScalerConfig c, LoadScalerConfig(f.config));
    opts = AwsOptionsOf(c, f.config);
    for (const GroupConfig& g : c.groups) {
      if (g.name == f.asg) out.config = g;
    }
  }
  if (!f.region.empty()) {
    opts.region = f.region;
    opts.region_source = "--region";
  }
  PHAS_ASSIGN_OR_RETURN(out.signal, ResolveSignal(f, out.config));
  PHAS_ASSIGN_OR_RETURN(
      out.session,
      aws::AwsSession::Create(opts, aws::ProcessEnvironment(), clock));
  // The observer holds the map itself: `out` is moved when returned.
  out.session->set_observer(
      [requests = out.requests](const aws::CallRecord& r) {
        (*requests)[r.action] += r.attempts;
      });
  out.cloud = std::make_unique<AwsCloud>(out.session.get(), opts.retry);
  PHAS_ASSIGN_OR_RETURN(auto groups, out.cloud->DescribeGroups({f.asg}));
  if (groups.empty()) {
    return Status::NotFound(fmt::format(
        "no Auto Scaling group named '{}' in {} (region from {})", f.asg,
        out.session->region().region, out.session->region().source));
  }
  out.group = groups.front();
  PHAS_RETURN_IF_ERROR(out.group.unreadable);
  Duration span =
      std::chrono::duration_cast<Duration>(Seconds(std::round(f.days * 86400)));
  if (f.request_hours < 0) {
    return Status::InvalidArgument("--request-hours must not be negative");
  }
  Duration request_span = std::chrono::duration_cast<Duration>(
      Seconds(std::round(f.request_hours * 3600)));
  PHAS_ASSIGN_OR_RETURN(
      out.history, PullHistory(out.cloud.get(), f.asg, out.signal, clock->Now(),
                               span, request_span));
  out.history.region = out.session->region().region;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              wall_start)
                    .count();
  return out;
}

}  // namespace phas
