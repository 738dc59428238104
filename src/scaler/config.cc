#include "scaler/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "common/file_util.h"
#include "scaler/yaml_reader.h"

namespace phas {
namespace {

using Reader = YamlReader;

Status ParseGuard(const Reader& r, GuardConfig* g) {
  PHAS_RETURN_IF_ERROR(r.Seconds("cooldown_seconds", &g->cooldown, 0, 86400));
  PHAS_RETURN_IF_ERROR(r.Int("max_step_up", &g->max_step_up, 0, 10000));
  return r.Int("max_step_down", &g->max_step_down, 0, 10000);
}

Status ParseReactive(const Reader& r, ReactivePolicyConfig* c) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"target_cpu", "tolerance", "scale_down_points"}));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(r.Num("tolerance", &c->tolerance, 0, 0.9));
  return r.Int("scale_down_points", &c->scale_down_points, 1, 1440);
}

Status ParseMemory(const Reader& r, MemoryMetricConfig* m) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"enabled", "namespace", "name", "dimensions"}));
  PHAS_RETURN_IF_ERROR(r.Bool("enabled", &m->enabled));
  PHAS_RETURN_IF_ERROR(r.Str("namespace", &m->ns));
  PHAS_RETURN_IF_ERROR(r.Str("name", &m->name));
  if (r.Has("dimensions")) {
    YAML::Node d = r.Child("dimensions");
    if (!d.IsSequence() || d.size() == 0)
      return r.Bad("dimensions", "must be a non-empty list");
    m->dimensions.clear();
    for (size_t i = 0; i < d.size(); ++i) {
      std::string v = d[i].as<std::string>();
      if (v != "InstanceId" && v != "AutoScalingGroupName" &&
          v != "InstanceType") {
        return r.Bad(
            fmt::format("dimensions[{}]", i),
            "must be InstanceId, AutoScalingGroupName or InstanceType, got '" +
                v + "'");
      }
      m->dimensions.push_back(v);
    }
  }
  return Status::OK();
}

}  // namespace

std::vector<std::string> PolicyNames() {
  return {"seed", "reactive",       "target-tracking", "step",
          "hpa",  "aws-predictive", "predictive",      "oracle"};
}

namespace {

Status ParseTargetTracking(const Reader& r, TargetTrackingConfig* c) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"target_cpu", "scale_out_points", "scale_in_points",
                   "scale_in_ratio", "scale_in_rounding"}));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(
      r.Int("scale_out_points", &c->scale_out_points, 1, 1440));
  PHAS_RETURN_IF_ERROR(r.Int("scale_in_points", &c->scale_in_points, 1, 1440));
  PHAS_RETURN_IF_ERROR(r.Num("scale_in_ratio", &c->scale_in_ratio, 0.1, 1.0));
  return r.OneOf("scale_in_rounding", &c->scale_in_rounding, {"floor", "ceil"});
}

Status ParseSteps(const Reader& r, const std::string& key,
                  std::vector<StepAdjustment>* out) {
  if (!r.Has(key)) return Status::OK();
  YAML::Node list = r.Child(key);
  if (!list.IsSequence() || list.size() == 0)
    return r.Bad(key, "must be a non-empty list");
  out->clear();
  for (size_t i = 0; i < list.size(); ++i) {
    Reader s(list[i], fmt::format("{}[{}]", r.Path(key), i));
    PHAS_RETURN_IF_ERROR(s.CheckKeys({"lower", "upper", "adjustment"}));
    StepAdjustment a;
    PHAS_RETURN_IF_ERROR(s.Num("lower", &a.lower, -1e9, 1e9));
    PHAS_RETURN_IF_ERROR(s.Num("upper", &a.upper, -1e9, 1e9));
    PHAS_RETURN_IF_ERROR(s.Num("adjustment", &a.adjustment, -1e6, 1e6));
    if (!(a.lower < a.upper)) return s.Bad("upper", "must be above lower");
    out->push_back(a);
  }
  return Status::OK();
}

Status ParseStep(const Reader& r, StepPolicyConfig* c) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"high_threshold", "low_threshold", "evaluation_points",
                   "adjustment_type", "out_steps", "in_steps"}));
  PHAS_RETURN_IF_ERROR(r.Num("high_threshold", &c->high_threshold, 0, 100));
  PHAS_RETURN_IF_ERROR(r.Num("low_threshold", &c->low_threshold, 0, 100));
  PHAS_RETURN_IF_ERROR(
      r.Int("evaluation_points", &c->evaluation_points, 1, 1440));
  std::string type =
      c->percent ? "PercentChangeInCapacity" : "ChangeInCapacity";
  PHAS_RETURN_IF_ERROR(
      r.OneOf("adjustment_type", &type,
              {"ChangeInCapacity", "PercentChangeInCapacity"}));
  c->percent = type == "PercentChangeInCapacity";
  PHAS_RETURN_IF_ERROR(ParseSteps(r, "out_steps", &c->out_steps));
  PHAS_RETURN_IF_ERROR(ParseSteps(r, "in_steps", &c->in_steps));
  if (c->low_threshold >= c->high_threshold) {
    return r.Bad("low_threshold", "must be below high_threshold");
  }
  return Status::OK();
}

Status ParseHpa(const Reader& r, HpaConfig* c) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"target_cpu", "tolerance", "stabilization_seconds"}));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(r.Num("tolerance", &c->tolerance, 0, 0.9));
  return r.Seconds("stabilization_seconds", &c->stabilization, 0, 86400);
}

Status ParseAwsPredictive(const Reader& r, AwsPredictiveConfig* c) {
  PHAS_RETURN_IF_ERROR(r.CheckKeys({"target_cpu", "buffer_seconds",
                                    "min_history_hours", "max_history_days"}));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(r.Seconds("buffer_seconds", &c->buffer, 0, 3600));
  PHAS_RETURN_IF_ERROR(
      r.Span("min_history_hours", &c->min_history, 3600, 0, 24 * 14));
  return r.Span("max_history_days", &c->max_history, 86400, 1, 60);
}

Status ParsePredictive(const Reader& r, PredictiveConfig* c) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"target_cpu", "boot_seconds", "buffer_seconds",
                   "stabilization_seconds", "forecast_only", "quantile"}));
  PHAS_RETURN_IF_ERROR(r.Num("quantile", &c->quantile, 0.5, 0.999));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(r.Seconds("boot_seconds", &c->boot_time, 0, 3600));
  PHAS_RETURN_IF_ERROR(r.Seconds("buffer_seconds", &c->buffer, 0, 3600));
  PHAS_RETURN_IF_ERROR(
      r.Seconds("stabilization_seconds", &c->stabilization, 0, 86400));
  return r.Bool("forecast_only", &c->forecast_only);
}

}  // namespace

Status ParsePolicyConfig(const YAML::Node& node, const std::string& path,
                         PolicyConfig* out,
                         const std::vector<std::string>& extra_keys) {
  Reader r(node, path);
  std::set<std::string> keys = {
      "policy", "cooldown_seconds", "max_step_up",     "max_step_down",
      "seed",   "reactive",         "target_tracking", "step",
      "hpa",    "aws_predictive",   "predictive"};
  keys.insert(extra_keys.begin(), extra_keys.end());
  PHAS_RETURN_IF_ERROR(r.CheckKeys(keys));
  auto names = PolicyNames();
  PHAS_RETURN_IF_ERROR(
      r.OneOf("policy", &out->policy, {names.begin(), names.end()}));
  PHAS_RETURN_IF_ERROR(ParseGuard(r, &out->guard));
  out->cooldown_set = out->cooldown_set || r.Has("cooldown_seconds");
  if (r.Has("seed")) {
    Reader s(r.Child("seed"), r.Path("seed"));
    PHAS_RETURN_IF_ERROR(s.CheckKeys({"scale_down_streak", "fallback"}));
    PHAS_RETURN_IF_ERROR(
        s.Int("scale_down_streak", &out->seed.scale_down_streak, 1, 100000));
    PHAS_RETURN_IF_ERROR(
        s.OneOf("fallback", &out->seed.fallback, {"hold", "reactive"}));
  }
  if (r.Has("reactive")) {
    PHAS_RETURN_IF_ERROR(ParseReactive(
        Reader(r.Child("reactive"), r.Path("reactive")), &out->reactive));
  }
  auto section = [&](const char* key, auto parse, auto* cfg) -> Status {
    if (!r.Has(key)) return Status::OK();
    return parse(Reader(r.Child(key), r.Path(key)), cfg);
  };
  PHAS_RETURN_IF_ERROR(
      section("target_tracking", ParseTargetTracking, &out->target_tracking));
  PHAS_RETURN_IF_ERROR(section("step", ParseStep, &out->step));
  PHAS_RETURN_IF_ERROR(section("hpa", ParseHpa, &out->hpa));
  PHAS_RETURN_IF_ERROR(
      section("aws_predictive", ParseAwsPredictive, &out->aws_predictive));
  PHAS_RETURN_IF_ERROR(
      section("predictive", ParsePredictive, &out->predictive));
  return Status::OK();
}

Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& config) {
  PolicyConfig c = config;
  if (!c.cooldown_set) {
    int secs = 300;
    if (c.policy == "target-tracking" || c.policy == "step" ||
        c.policy == "aws-predictive" || c.policy == "predictive") {
      secs = 60;
    }
    if (c.policy == "hpa" || c.policy == "oracle") secs = 0;
    c.guard.cooldown = std::chrono::seconds(secs);
  }
  c.seed.guard = c.guard;
  c.seed.reactive = c.reactive;
  c.reactive.guard = c.guard;
  c.target_tracking.guard = c.guard;
  c.step.guard = c.guard;
  c.hpa.guard = c.guard;
  c.aws_predictive.guard = c.guard;
  c.aws_predictive.tracking = c.target_tracking;
  c.aws_predictive.tracking.guard = c.guard;
  c.predictive.guard = c.guard;
  if (c.policy == "predictive") {
    // Default step bounds of this policy (decision/predictive_policy.h).
    if (c.predictive.guard.max_step_up == 0)
      c.predictive.guard.max_step_up = 10;
    if (c.predictive.guard.max_step_down == 0)
      c.predictive.guard.max_step_down = 3;
  }
  c.predictive.tracking = c.target_tracking;
  c.predictive.tracking.guard = c.predictive.guard;
  if (c.policy == "seed")
    return std::unique_ptr<Policy>(new SeedPolicy(c.seed));
  if (c.policy == "reactive")
    return std::unique_ptr<Policy>(new ReactivePolicy(c.reactive));
  if (c.policy == "target-tracking") {
    return std::unique_ptr<Policy>(new TargetTrackingPolicy(c.target_tracking));
  }
  if (c.policy == "step")
    return std::unique_ptr<Policy>(new StepPolicy(c.step));
  if (c.policy == "hpa") return std::unique_ptr<Policy>(new HpaPolicy(c.hpa));
  if (c.policy == "aws-predictive") {
    return std::unique_ptr<Policy>(new AwsPredictivePolicy(c.aws_predictive));
  }
  if (c.policy == "predictive")
    return std::unique_ptr<Policy>(new PredictivePolicy(c.predictive));
  if (c.policy == "oracle") return std::unique_ptr<Policy>(new OraclePolicy());
  return Status::InvalidArgument("unknown policy '" + c.policy + "'");
}

Status ValidateScalerConfig(const ScalerConfig& c, const std::string& source) {
  if (c.groups.empty()) {
    return Status::InvalidArgument(source +
                                   ": groups: at least one group is needed");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < c.groups.size(); ++i) {
    const std::string& n = c.groups[i].name;
    if (n.empty()) {
      return Status::InvalidArgument(
          fmt::format("{}: groups[{}].name: missing", source, i));
    }
    if (!names.insert(n).second) {
      return Status::InvalidArgument(
          fmt::format("{}: groups[{}].name: '{}' appears twice", source, i, n));
    }
  }
  if (c.interval < std::chrono::seconds(1)) {
    return Status::InvalidArgument(source +
                                   ": interval_seconds: must be at least 1");
  }
  return Status::OK();
}

Result<ScalerConfig> ParseScalerConfig(const std::string& yaml,
                                       const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": not valid YAML: " + e.what());
  }
  ScalerConfig c;
  if (!root || root.IsNull()) return c;
  Reader r(root, "");
  auto wrap = [&](Status st) { return st.ok() ? st : st.WithContext(source); };
  PHAS_RETURN_IF_ERROR(wrap(r.CheckKeys(
      {"region", "interval_seconds", "metrics_refresh_seconds", "dry_run",
       "model", "predictor_url", "predictor_timeout_seconds", "output_dir",
       "state_path", "metrics_listen", "log_max_mb", "log_keep", "aws",
       "groups"})));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("region", &c.region)));
  PHAS_RETURN_IF_ERROR(
      wrap(r.Seconds("interval_seconds", &c.interval, 1, 3600)));
  PHAS_RETURN_IF_ERROR(
      wrap(r.Seconds("metrics_refresh_seconds", &c.metrics_refresh, 0, 3600)));
  PHAS_RETURN_IF_ERROR(wrap(r.Bool("dry_run", &c.dry_run)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("model", &c.model_dir)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("predictor_url", &c.predictor_url)));
  PHAS_RETURN_IF_ERROR(wrap(
      r.Seconds("predictor_timeout_seconds", &c.predictor_timeout, 0.1, 120)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("output_dir", &c.output_dir)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("state_path", &c.state_path)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("metrics_listen", &c.metrics_listen)));
  int max_mb = static_cast<int>(c.log_max_bytes >> 20);
  PHAS_RETURN_IF_ERROR(wrap(r.Int("log_max_mb", &max_mb, 1, 100000)));
  c.log_max_bytes = static_cast<size_t>(max_mb) << 20;
  PHAS_RETURN_IF_ERROR(wrap(r.Int("log_keep", &c.log_keep, 0, 100)));
  if (r.Has("aws")) {
    Reader a(r.Child("aws"), "aws");
    PHAS_RETURN_IF_ERROR(wrap(a.CheckKeys({"endpoints", "max_attempts"})));
    PHAS_RETURN_IF_ERROR(
        wrap(a.Int("max_attempts", &c.aws.retry.max_attempts, 1, 10)));
    if (a.Has("endpoints")) {
      Reader e(a.Child("endpoints"), "aws.endpoints");
      PHAS_RETURN_IF_ERROR(wrap(
          e.CheckKeys({"default", "autoscaling", "cloudwatch", "ec2", "sts"})));
      for (const char* k :
           {"default", "autoscaling", "cloudwatch", "ec2", "sts"}) {
        std::string url;
        PHAS_RETURN_IF_ERROR(wrap(e.Str(k, &url)));
        if (url.empty()) continue;
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
          return wrap(e.Bad(
              k, "must be an http:// or https:// URL, got '" + url + "'"));
        }
        c.aws.endpoints[k] = url;
      }
    }
  }
  if (r.Has("groups")) {
    YAML::Node groups = r.Child("groups");
    if (!groups.IsSequence()) return wrap(r.Bad("groups", "must be a list"));
    for (size_t i = 0; i < groups.size(); ++i) {
      std::string path = fmt::format("groups[{}]", i);
      GroupConfig g;
      Reader gr(groups[i], path);
      PHAS_RETURN_IF_ERROR(wrap(gr.Str("name", &g.name)));
      PHAS_RETURN_IF_ERROR(
          wrap(gr.Seconds("warmup_seconds", &g.warmup, 0, 86400)));
      if (gr.Has("memory_metric")) {
        PHAS_RETURN_IF_ERROR(wrap(ParseMemory(
            Reader(gr.Child("memory_metric"), path + ".memory_metric"),
            &g.memory)));
      }
      PHAS_RETURN_IF_ERROR(
          wrap(ParsePolicyConfig(groups[i], path, &g.policy,
                                 {"name", "warmup_seconds", "memory_metric"})));
      c.groups.push_back(std::move(g));
    }
  }
  return c;
}

Result<ScalerConfig> LoadScalerConfig(const std::string& path) {
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status().WithContext("config");
  return ParseScalerConfig(*text, path);
}

}  // namespace phas
