#include "scaler/config.h"

#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/file_util.h"

namespace phas {
namespace {

// Reads typed values from YAML maps, naming the key path in every error and
// refusing keys nobody reads.
class Reader {
 public:
  Reader(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {}

  Status CheckKeys(const std::set<std::string>& known) const {
    if (!node_.IsMap()) return Bad("", "must be a mapping");
    for (const auto& kv : node_) {
      std::string k = kv.first.as<std::string>();
      if (!known.count(k)) {
        std::string list;
        for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
        return Bad(k, "unknown key (known: " + list + ")");
      }
    }
    return Status::OK();
  }
  bool Has(const std::string& key) const { return node_.IsMap() && node_[key]; }
  YAML::Node Child(const std::string& key) const { return node_[key]; }
  std::string Path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  Status Str(const std::string& key, std::string* out) const {
    if (!Has(key)) return Status::OK();
    YAML::Node n = node_[key];
    if (!n.IsScalar()) return Bad(key, "must be a string");
    *out = n.as<std::string>();
    return Status::OK();
  }
  Status Bool(const std::string& key, bool* out) const {
    if (!Has(key)) return Status::OK();
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
    if (v == "true" || v == "yes" || v == "on") {
      *out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      *out = false;
    } else {
      return Bad(key, "must be true or false, got '" + v + "'");
    }
    return Status::OK();
  }
  Status Int(const std::string& key, int* out, int lo, int hi) const {
    if (!Has(key)) return Status::OK();
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
    try {
      size_t used = 0;
      long long x = std::stoll(v, &used);
      if (used == v.size() && x >= lo && x <= hi) {
        *out = static_cast<int>(x);
        return Status::OK();
      }
    } catch (...) {
    }
    return Bad(key, fmt::format("must be an integer in [{}, {}], got '{}'", lo, hi, v));
  }
  Status Num(const std::string& key, double* out, double lo, double hi) const {
    if (!Has(key)) return Status::OK();
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
    try {
      size_t used = 0;
      double x = std::stod(v, &used);
      if (used == v.size() && x >= lo && x <= hi) {
        *out = x;
        return Status::OK();
      }
    } catch (...) {
    }
    return Bad(key, fmt::format("must be a number in [{}, {}], got '{}'", lo, hi, v));
  }
  Status Seconds(const std::string& key, Duration* out, double lo, double hi) const {
    double s = std::chrono::duration<double>(*out).count();
    PHAS_RETURN_IF_ERROR(Num(key, &s, lo, hi));
    *out = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
    return Status::OK();
  }
  Status OneOf(const std::string& key, std::string* out, const std::set<std::string>& allowed) const {
    PHAS_RETURN_IF_ERROR(Str(key, out));
    if (Has(key) && !allowed.count(*out)) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Bad(key, "must be one of " + list + ", got '" + *out + "'");
    }
    return Status::OK();
  }
  Status Bad(const std::string& key, const std::string& what) const {
    std::string p = key.empty() ? path_ : Path(key);
    return Status::InvalidArgument((p.empty() ? "(top level)" : p) + ": " + what);
  }

 private:
  YAML::Node node_;
  std::string path_;
};

Status ParseGuard(const Reader& r, GuardConfig* g) {
  PHAS_RETURN_IF_ERROR(r.Seconds("cooldown_seconds", &g->cooldown, 0, 86400));
  PHAS_RETURN_IF_ERROR(r.Int("max_step_up", &g->max_step_up, 0, 10000));
  return r.Int("max_step_down", &g->max_step_down, 0, 10000);
}

Status ParseReactive(const Reader& r, ReactivePolicyConfig* c) {
  PHAS_RETURN_IF_ERROR(r.CheckKeys({"target_cpu", "tolerance", "scale_down_points"}));
  PHAS_RETURN_IF_ERROR(r.Num("target_cpu", &c->target, 1, 100));
  PHAS_RETURN_IF_ERROR(r.Num("tolerance", &c->tolerance, 0, 0.9));
  return r.Int("scale_down_points", &c->scale_down_points, 1, 1440);
}

Status ParseMemory(const Reader& r, MemoryMetricConfig* m) {
  PHAS_RETURN_IF_ERROR(r.CheckKeys({"enabled", "namespace", "name", "dimensions"}));
  PHAS_RETURN_IF_ERROR(r.Bool("enabled", &m->enabled));
  PHAS_RETURN_IF_ERROR(r.Str("namespace", &m->ns));
  PHAS_RETURN_IF_ERROR(r.Str("name", &m->name));
  if (r.Has("dimensions")) {
    YAML::Node d = r.Child("dimensions");
    if (!d.IsSequence() || d.size() == 0) return r.Bad("dimensions", "must be a non-empty list");
    m->dimensions.clear();
    for (size_t i = 0; i < d.size(); ++i) {
      std::string v = d[i].as<std::string>();
      if (v != "InstanceId" && v != "AutoScalingGroupName" && v != "InstanceType") {
        return r.Bad(fmt::format("dimensions[{}]", i),
                     "must be InstanceId, AutoScalingGroupName or InstanceType, got '" + v + "'");
      }
      m->dimensions.push_back(v);
    }
  }
  return Status::OK();
}

}  // namespace

std::vector<std::string> PolicyNames() { return {"seed", "reactive"}; }

Status ParsePolicyConfig(const YAML::Node& node, const std::string& path, PolicyConfig* out,
                         const std::vector<std::string>& extra_keys) {
  Reader r(node, path);
  std::set<std::string> keys = {"policy", "cooldown_seconds", "max_step_up", "max_step_down",
                                "seed", "reactive"};
  keys.insert(extra_keys.begin(), extra_keys.end());
  PHAS_RETURN_IF_ERROR(r.CheckKeys(keys));
  auto names = PolicyNames();
  PHAS_RETURN_IF_ERROR(r.OneOf("policy", &out->policy, {names.begin(), names.end()}));
  PHAS_RETURN_IF_ERROR(ParseGuard(r, &out->guard));
  if (r.Has("seed")) {
    Reader s(r.Child("seed"), r.Path("seed"));
    PHAS_RETURN_IF_ERROR(s.CheckKeys({"scale_down_streak", "fallback"}));
    PHAS_RETURN_IF_ERROR(s.Int("scale_down_streak", &out->seed.scale_down_streak, 1, 100000));
    PHAS_RETURN_IF_ERROR(s.OneOf("fallback", &out->seed.fallback, {"hold", "reactive"}));
  }
  if (r.Has("reactive")) {
    PHAS_RETURN_IF_ERROR(ParseReactive(Reader(r.Child("reactive"), r.Path("reactive")),
                                       &out->reactive));
  }
  out->seed.guard = out->guard;
  out->seed.reactive = out->reactive;
  out->reactive.guard = out->guard;
  return Status::OK();
}

Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& c) {
  if (c.policy == "seed") return std::unique_ptr<Policy>(new SeedPolicy(c.seed));
  if (c.policy == "reactive") return std::unique_ptr<Policy>(new ReactivePolicy(c.reactive));
  return Status::InvalidArgument("unknown policy '" + c.policy + "'");
}

Status ValidateScalerConfig(const ScalerConfig& c, const std::string& source) {
  if (c.groups.empty()) {
    return Status::InvalidArgument(source + ": groups: at least one group is needed");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < c.groups.size(); ++i) {
    const std::string& n = c.groups[i].name;
    if (n.empty()) {
      return Status::InvalidArgument(fmt::format("{}: groups[{}].name: missing", source, i));
    }
    if (!names.insert(n).second) {
      return Status::InvalidArgument(
          fmt::format("{}: groups[{}].name: '{}' appears twice", source, i, n));
    }
  }
  if (c.interval < std::chrono::seconds(1)) {
    return Status::InvalidArgument(source + ": interval_seconds: must be at least 1");
  }
  return Status::OK();
}

Result<ScalerConfig> ParseScalerConfig(const std::string& yaml, const std::string& source) {
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
      {"region", "interval_seconds", "dry_run", "model", "predictor_url",
       "predictor_timeout_seconds", "output_dir", "state_path", "metrics_listen",
       "log_max_mb", "log_keep", "aws", "groups"})));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("region", &c.region)));
  PHAS_RETURN_IF_ERROR(wrap(r.Seconds("interval_seconds", &c.interval, 1, 3600)));
  PHAS_RETURN_IF_ERROR(wrap(r.Bool("dry_run", &c.dry_run)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("model", &c.model_dir)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("predictor_url", &c.predictor_url)));
  PHAS_RETURN_IF_ERROR(wrap(r.Seconds("predictor_timeout_seconds", &c.predictor_timeout, 0.1, 120)));
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
    PHAS_RETURN_IF_ERROR(wrap(a.Int("max_attempts", &c.aws.retry.max_attempts, 1, 10)));
    if (a.Has("endpoints")) {
      Reader e(a.Child("endpoints"), "aws.endpoints");
      PHAS_RETURN_IF_ERROR(
          wrap(e.CheckKeys({"default", "autoscaling", "cloudwatch", "ec2", "sts"})));
      for (const char* k : {"default", "autoscaling", "cloudwatch", "ec2", "sts"}) {
        std::string url;
        PHAS_RETURN_IF_ERROR(wrap(e.Str(k, &url)));
        if (url.empty()) continue;
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
          return wrap(e.Bad(k, "must be an http:// or https:// URL, got '" + url + "'"));
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
      PHAS_RETURN_IF_ERROR(wrap(gr.Seconds("warmup_seconds", &g.warmup, 0, 86400)));
      if (gr.Has("memory_metric")) {
        PHAS_RETURN_IF_ERROR(wrap(ParseMemory(Reader(gr.Child("memory_metric"),
                                                     path + ".memory_metric"),
                                              &g.memory)));
      }
      PHAS_RETURN_IF_ERROR(wrap(ParsePolicyConfig(groups[i], path, &g.policy,
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
