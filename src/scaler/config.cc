#include "scaler/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/file_util.h"
#include "common/json_util.h"
#include "common/text.h"
#include "scaler/yaml_fields.h"
#include "scaler/yaml_reader.h"

namespace phas {
namespace {

using Reader = YamlReader;

Status ParseMemory(const Reader& r, MemoryMetricConfig* m) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"enabled", "namespace", "name", "dimensions"}));
  PHAS_RETURN_IF_ERROR(r.Bool("enabled", &m->enabled));
  PHAS_RETURN_IF_ERROR(r.Str("namespace", &m->ns));
  PHAS_RETURN_IF_ERROR(r.Str("name", &m->name));
  if (r.Has("dimensions")) {
    YAML::Node d = r.Child("dimensions");
    if (!d.IsSequence() || d.size() == 0) {
      return r.Bad("dimensions", "must be a non-empty list");
    }
    m->dimensions.clear();
    for (size_t i = 0; i < d.size(); ++i) {
      std::string key = fmt::format("dimensions[{}]", i);
      const char* known =
          "must be InstanceId, AutoScalingGroupName or InstanceType";
      if (!d[i].IsScalar()) return r.Bad(key, known);
      std::string v = d[i].Scalar();
      if (v != "InstanceId" && v != "AutoScalingGroupName" &&
          v != "InstanceType") {
        return r.Bad(key, fmt::format("{}, got '{}'", known, v));
      }
      m->dimensions.push_back(v);
    }
  }
  return Status::OK();
}

bool IsMetricId(const std::string& id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// A custom signal's metric: {id, namespace, name, dimensions: {k: v}, stat}.
Status ParseCustomMetric(const Reader& r, MetricQuery* q) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"id", "namespace", "name", "dimensions", "stat"}));
  for (const char* k : {"id", "namespace", "name"}) {
    if (!r.Has(k)) return r.Bad(k, "missing");
  }
  PHAS_RETURN_IF_ERROR(r.Str("id", &q->id));
  if (!IsMetricId(q->id)) {
    return r.Bad("id", "must match [a-z][a-zA-Z0-9_]*, got '" + q->id + "'");
  }
  PHAS_RETURN_IF_ERROR(r.Str("namespace", &q->ns));
  PHAS_RETURN_IF_ERROR(r.Str("name", &q->metric_name));
  q->stat = "Sum";
  PHAS_RETURN_IF_ERROR(r.Str("stat", &q->stat));
  if (r.Has("dimensions")) {
    Reader d(r.Child("dimensions"), r.Path("dimensions"));
    std::vector<std::string> keys;
    PHAS_RETURN_IF_ERROR(d.Keys(&keys));
    for (const std::string& k : keys) {
      std::string v;
      PHAS_RETURN_IF_ERROR(d.Str(k, &v));
      q->dimensions.push_back({k, v});
    }
  }
  return Status::OK();
}

// The group's `signal`: a name (cpu, network_in, network_out), or a mapping
// {type, resource_label | metrics + expression + unit, full}.
Status ParseSignal(const Reader& group, SignalSource* s) {
  if (!group.Has("signal")) return Status::OK();
  YAML::Node node = group.Child("signal");
  std::set<std::string> names;
  for (SignalKind k : kSignalKinds) names.insert(SignalKindName(k));
  std::string type;
  Reader r(node, group.Path("signal"));
  if (node.IsScalar()) {
    PHAS_RETURN_IF_ERROR(group.OneOf("signal", &type, names));
  } else {
    PHAS_RETURN_IF_ERROR(r.CheckKeys(
        {"type", "resource_label", "metrics", "expression", "unit", "full"}));
    if (!r.Has("type")) {
      return r.Bad("type",
                   fmt::format("missing (one of {})", fmt::join(names, ", ")));
    }
    PHAS_RETURN_IF_ERROR(r.OneOf("type", &type, names));
  }
  s->kind = *SignalKindFromName(type);
  auto only_for = [&](const char* key, SignalKind kind) -> Status {
    if (r.Has(key) && s->kind != kind) {
      return r.Bad(key, fmt::format("only for type {}", SignalKindName(kind)));
    }
    return Status::OK();
  };
  PHAS_RETURN_IF_ERROR(only_for("resource_label", SignalKind::kAlbRequests));
  PHAS_RETURN_IF_ERROR(only_for("metrics", SignalKind::kCustom));
  PHAS_RETURN_IF_ERROR(only_for("expression", SignalKind::kCustom));
  PHAS_RETURN_IF_ERROR(only_for("unit", SignalKind::kCustom));
  if (r.Has("full")) {
    if (s->kind == SignalKind::kCpu) return r.Bad("full", "CPU's is 100 %");
    double full = 0;
    PHAS_RETURN_IF_ERROR(r.Num("full", &full, 1e-9, 1e15));
    s->full = full;
  }
  if (s->kind == SignalKind::kAlbRequests) {
    PHAS_RETURN_IF_ERROR(r.Str("resource_label", &s->resource_label));
    if (s->resource_label.empty()) {
      return r.Bad("resource_label",
                   "missing (the target group's: app/<lb>/"
                   "<id>/targetgroup/<tg>/<id>)");
    }
    auto dims = AlbDimensions(s->resource_label);
    if (!dims.ok()) return r.Bad("resource_label", dims.status().message());
  }
  if (s->kind == SignalKind::kCustom) {
    YAML::Node m = r.Child("metrics");
    if (!m.IsSequence() || m.size() == 0) {
      return r.Bad("metrics", "must be a non-empty list of metrics");
    }
    std::vector<std::string> ids;
    for (size_t i = 0; i < m.size(); ++i) {
      MetricQuery q;
      PHAS_RETURN_IF_ERROR(ParseCustomMetric(
          Reader(m[i], r.Path(fmt::format("metrics[{}]", i))), &q));
      if (std::find(ids.begin(), ids.end(), q.id) != ids.end()) {
        return r.Bad(fmt::format("metrics[{}].id", i),
                     "'" + q.id + "' appears twice");
      }
      ids.push_back(q.id);
      s->metrics.push_back(std::move(q));
    }
    PHAS_RETURN_IF_ERROR(r.Str("expression", &s->expression));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!s->expression.empty() && ids[i] == "load") {
        return r.Bad(fmt::format("metrics[{}].id", i),
                     "'load' is the expression's own id: name the metric "
                     "otherwise");
      }
    }
    if (s->expression.empty() && s->metrics.size() > 1) {
      return r.Bad("expression",
                   "needed with several metrics: the group's load from "
                   "their ids (e.g. m1 + m2)");
    }
    PHAS_RETURN_IF_ERROR(r.Str("unit", &s->unit));
  }
  return Status::OK();
}

// A group's aws_policies: how it shares the group with AWS's own policies.
Status ParseSharing(const Reader& r, AwsPolicySharing* out) {
  std::string v;
  PHAS_RETURN_IF_ERROR(r.Str("aws_policies", &v));
  if (!r.Has("aws_policies")) return Status::OK();
  for (AwsPolicySharing s :
       {AwsPolicySharing::kRefuse, AwsPolicySharing::kScaleOutOnly}) {
    if (v == AwsPolicySharingName(s)) {
      *out = s;
      return Status::OK();
    }
  }
  return r.Bad("aws_policies",
               "must be refuse or scale_out_only, got '" + v + "'");
}

// A group's role_arn, external_id and session_name (STS AssumeRole's
// RoleArn, ExternalId, RoleSessionName, with STS's own limits).
Status ParseRole(const Reader& r, aws::AssumeRoleConfig* role) {
  PHAS_RETURN_IF_ERROR(r.Str("role_arn", &role->role_arn));
  PHAS_RETURN_IF_ERROR(r.Str("external_id", &role->external_id));
  PHAS_RETURN_IF_ERROR(r.Str("session_name", &role->session_name));
  if (role->role_arn.empty()) {
    for (const char* k : {"role_arn", "external_id", "session_name"}) {
      if (r.Has(k)) {
        return r.Bad(k, std::string_view(k) == "role_arn"
                            ? "must not be empty (leave it out for the "
                              "process's own credentials)"
                            : "only with role_arn");
      }
    }
    return Status::OK();
  }
  if (Status st = CheckRoleArn(role->role_arn); !st.ok()) {
    return r.Bad("role_arn", st.message());
  }
  auto chars_ok = [](const std::string& v, std::string_view extra) {
    return std::all_of(v.begin(), v.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             extra.find(c) != std::string_view::npos;
    });
  };
  const std::string& id = role->external_id;
  if (r.Has("external_id") &&
      (id.size() < 2 || id.size() > 1224 || !chars_ok(id, "_+=,.@:/-"))) {
    return r.Bad("external_id",
                 "must be 2 to 1224 letters, digits or _+=,.@:/- (the "
                 "role's trust policy's sts:ExternalId)");
  }
  const std::string& sn = role->session_name;
  if (r.Has("session_name") &&
      (sn.size() < 2 || sn.size() > 64 || !chars_ok(sn, "_+=,.@-"))) {
    return r.Bad("session_name",
                 "must be 2 to 64 letters, digits or _+=,.@-, "
                 "got '" +
                     sn + "'");
  }
  return Status::OK();
}

// The guard overrides of a group entry.
Status ParseGuard(const Reader& r, PolicyConfig* out) {
  PHAS_RETURN_IF_ERROR(r.Seconds("cooldown_seconds", &out->cooldown, 0, 86400));
  PHAS_RETURN_IF_ERROR(r.Int("max_step_up", &out->max_step_up, 0, 10000));
  return r.Int("max_step_down", &out->max_step_down, 0, 10000);
}

}  // namespace

PolicyConfig::PolicyConfig()
    : row(PolicyRegistry::Default().Find("seed")), settings(row->defaults()) {}

GuardConfig PolicyConfig::guard() const {
  GuardConfig g = row->guard;
  if (cooldown) g.cooldown = *cooldown;
  if (max_step_up) g.max_step_up = *max_step_up;
  if (max_step_down) g.max_step_down = *max_step_down;
  return g;
}

Status ParseSignalConfig(const YAML::Node& entry, const std::string& path,
                         SignalSource* out) {
  return ParseSignal(Reader(entry, path), out);
}

Status PolicyConfig::Select(std::string_view name,
                            const PolicyRegistry& registry) {
  const PolicyRow* r = registry.Find(name);
  if (!r) {
    return Status::InvalidArgument(
        fmt::format("unknown policy '{}' (known: {})", name,
                    fmt::join(registry.names(), ", ")));
  }
  row = r;
  settings = r->defaults();
  return Status::OK();
}

Status ParsePolicyConfig(const YAML::Node& node, const std::string& path,
                         PolicyConfig* out,
                         const std::vector<std::string>& extra_keys,
                         const PolicyRegistry& registry,
                         const SignalSource& signal_source) {
  Reader r(node, path);
  if (!node.IsMap()) return r.Bad("", "must be a mapping");
  // The policy first: it says which settings section is read.
  std::vector<std::string> names = registry.names();
  std::string name = out->name();
  PHAS_RETURN_IF_ERROR(r.OneOf("policy", &name, {names.begin(), names.end()}));
  if (name != out->name()) PHAS_RETURN_IF_ERROR(out->Select(name, registry));
  std::set<std::string> keys = {"policy", "target", "cooldown_seconds",
                                "max_step_up", "max_step_down"};
  keys.insert(extra_keys.begin(), extra_keys.end());
  std::string section(out->row->section);
  if (!section.empty()) keys.insert(section);
  for (const std::string& other : names) {
    const PolicyRow* o = registry.Find(other);
    std::string s(o->section);
    if (o != out->row && !s.empty() && !keys.count(s) && r.Has(s)) {
      return r.Bad(s, fmt::format("configures the {} policy; this entry's "
                                  "policy is {} (policy: {})",
                                  o->name, out->name(), out->name()));
    }
  }
  PHAS_RETURN_IF_ERROR(r.CheckKeys(keys));
  PHAS_RETURN_IF_ERROR(ParseGuard(r, out));
  // The target's signal names the unit in errors; its `full` may be the
  // target itself, so it is described again once the target is read.
  out->target.signal = signal_source.Describe(out->target.value);
  const LoadSignal& signal = out->target.signal;
  bool cpu = signal_source.kind == SignalKind::kCpu;
  if (cpu) {
    PHAS_RETURN_IF_ERROR(r.Num("target", &out->target.value, 1, 100));
  } else {
    if (!r.Has("target")) {
      return r.Bad("target", fmt::format("needed with signal {}: the value "
                                         "per instance to hold, in{}",
                                         signal.name, signal.unit));
    }
    PHAS_RETURN_IF_ERROR(r.Num("target", &out->target.value, 1e-9, 1e15));
  }
  out->target.signal = signal_source.Describe(out->target.value);
  Reader sr(r.Child(section), r.Path(section));
  for (std::string_view key : out->row->signal_unit_keys) {
    std::string k(key);
    if (!cpu && !(r.Has(section) && sr.Has(k))) {
      return sr.Bad(k, fmt::format("needed with signal {} (in{}): the "
                                   "default is in CPU %",
                                   signal.name, signal.unit));
    }
  }
  if (section.empty() || !r.Has(section)) return Status::OK();
  if (sr.Has("target_cpu")) {
    return sr.Bad("target_cpu",
                  "moved: set `target` (the load signal's target per "
                  "instance) in the entry itself");
  }
  YamlFieldReader fields(r.Child(section), r.Path(section));
  out->settings = out->settings.Updated(fields);
  return fields.Finish();
}

Status CheckRoleArn(const std::string& arn) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(fmt::format(
        "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
        ": {}, got '{}'",
        why, arn));
  };
  // arn:partition:service:region:account:resource
  std::vector<std::string> f;
  size_t from = 0;
  for (int k = 0; k < 5; ++k) {
    size_t colon = arn.find(':', from);
    if (colon == std::string::npos) return bad("not an ARN");
    f.push_back(arn.substr(from, colon - from));
    from = colon + 1;
  }
  f.push_back(arn.substr(from));
  if (f[0] != "arn" || f[1].rfind("aws", 0) != 0) return bad("not an ARN");
  if (f[2] != "iam" || !f[3].empty()) return bad("not an IAM ARN");
  if (f[4].size() != 12 || !std::all_of(f[4].begin(), f[4].end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return bad("the account must be 12 digits");
  }
  const std::string& res = f[5];
  std::string name = res.substr(res.rfind('/') + 1);
  bool chars = std::all_of(res.begin(), res.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_+=,.@/-").find(c) != std::string_view::npos;
  });
  if (res.rfind("role/", 0) != 0 || name.empty() || name.size() > 64 ||
      !chars) {
    return bad(
        "not a role (role/<name>, the name 1 to 64 of letters, digits "
        "and _+=,.@-)");
  }
  return Status::OK();
}

namespace {

Status ParseHa(const Reader& h, HaSection* out) {
  PHAS_RETURN_IF_ERROR(
      h.CheckKeys({"dynamodb_table", "lease_seconds", "lease_margin_seconds"}));
  PHAS_RETURN_IF_ERROR(h.Str("dynamodb_table", &out->dynamodb_table));
  if (out->dynamodb_table.empty()) {
    return h.Bad("dynamodb_table", "missing (the lease table's name)");
  }
  PHAS_RETURN_IF_ERROR(h.Seconds("lease_seconds", &out->lease, 3, 600));
  PHAS_RETURN_IF_ERROR(
      h.Seconds("lease_margin_seconds", &out->margin, 0.1, 600));
  if (out->margin && *out->margin >= out->lease) {
    return h.Bad("lease_margin_seconds", "must be less than lease_seconds");
  }
  return Status::OK();
}

}  // namespace

Duration MetricsRefresh(std::optional<Duration> configured, Duration interval) {
  constexpr Duration kDefault = std::chrono::seconds(60);
  if (configured) return *configured;
  return interval >= kDefault ? Duration::zero() : kDefault;
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
    if (c.groups[i].policy.row->simulator_only) {
      return Status::InvalidArgument(
          fmt::format("{}: groups[{}].policy: {} runs only in the simulator",
                      source, i, c.groups[i].policy.name()));
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
  // (--predictor-url sets it too.)
  std::string scheme = AsciiLower(c.predictor_url.substr(0, 8));
  if (!c.predictor_url.empty() && scheme.rfind("http://", 0) != 0 &&
      scheme.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(fmt::format(
        "{}: predictor_url: must be an http:// or https:// URL, got '{}'",
        source, Abbreviate(c.predictor_url)));
  }
  return Status::OK();
}

Result<std::optional<ListenAddress>> ParseListenAddress(
    const std::string& text) {
  if (text.empty() || text == "off") return std::optional<ListenAddress>();
  const size_t colon = text.rfind(':');
  ListenAddress a{.host = "127.0.0.1"};  // a bare port: on loopback
  std::string port = text;
  if (colon != std::string::npos) {
    a.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  // An IPv6 literal may be written in brackets, as in a URL ([::1]:9464);
  // the brackets are not part of the address getaddrinfo is given.
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.find(':') == std::string::npos) a.host.clear();
  }
  const bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), [](char ch) {
                        return ch >= '0' && ch <= '9';
                      });
  if (a.host.empty() || a.host.find_first_of("[]") != std::string::npos ||
      !digits || std::stoi(port) > 65535) {
    return Status::InvalidArgument(fmt::format(
        "must be host:port (port 0 to 65535) or off, got '{}'", text));
  }
  a.port = std::stoi(port);
  return std::optional<ListenAddress>(a);
}

std::string FormatHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

Result<ScalerConfig> ParseScalerConfig(const std::string& yaml,
                                       const std::string& source,
                                       const PolicyRegistry& registry) {
  PHAS_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlDocument(yaml, source));
  ScalerConfig c;
  if (!root || root.IsNull()) return c;
  Reader r(root, "");
  auto wrap = [&](Status st) { return st.ok() ? st : st.WithContext(source); };
  PHAS_RETURN_IF_ERROR(wrap(r.CheckKeys(
      {"region", "interval_seconds", "metrics_refresh_seconds", "dry_run",
       "model", "predictor_url", "predictor_timeout_seconds", "output_dir",
       "state_path", "metrics_listen", "log_max_mb", "log_keep", "aws", "ha",
       "groups", "controls_refresh_seconds"})));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("region", &c.region)));
  PHAS_RETURN_IF_ERROR(
      wrap(r.Seconds("interval_seconds", &c.interval, 1, 3600)));
  PHAS_RETURN_IF_ERROR(
      wrap(r.Seconds("metrics_refresh_seconds", &c.metrics_refresh, 0, 3600)));
  PHAS_RETURN_IF_ERROR(wrap(r.Bool("dry_run", &c.dry_run)));
  PHAS_RETURN_IF_ERROR(wrap(
      r.Seconds("controls_refresh_seconds", &c.controls_refresh, 10, 86400)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("model", &c.model_dir)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("predictor_url", &c.predictor_url)));
  PHAS_RETURN_IF_ERROR(wrap(
      r.Seconds("predictor_timeout_seconds", &c.predictor_timeout, 0.1, 120)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("output_dir", &c.output_dir)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("state_path", &c.state_path)));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("metrics_listen", &c.metrics_listen)));
  if (!c.model_dir.empty() && !c.predictor_url.empty()) {
    // The model would be silently ignored: predictor_url is asked instead.
    return wrap(r.Bad("model", "give it or predictor_url, not both"));
  }
  if (r.Has("metrics_listen")) {
    if (Status st = ParseListenAddress(c.metrics_listen).status(); !st.ok()) {
      return wrap(r.Bad("metrics_listen", st.message()));
    }
  }
  int max_mb = static_cast<int>(c.log_max_bytes >> 20);
  PHAS_RETURN_IF_ERROR(wrap(r.Int("log_max_mb", &max_mb, 1, 100000)));
  c.log_max_bytes = static_cast<size_t>(max_mb) << 20;
  PHAS_RETURN_IF_ERROR(wrap(r.Int("log_keep", &c.log_keep, 0, 100)));
  if (r.Has("aws")) {
    Reader a(r.Child("aws"), "aws");
    PHAS_RETURN_IF_ERROR(wrap(a.CheckKeys({"endpoints", "max_attempts"})));
    PHAS_RETURN_IF_ERROR(
        wrap(a.Int("max_attempts", &c.aws.max_attempts, 1, 10)));
    if (a.Has("endpoints")) {
      Reader e(a.Child("endpoints"), "aws.endpoints");
      PHAS_RETURN_IF_ERROR(wrap(e.CheckKeys(
          {"default", "autoscaling", "cloudwatch", "ec2", "sts", "dynamodb"})));
      for (const char* k :
           {"default", "autoscaling", "cloudwatch", "ec2", "sts", "dynamodb"}) {
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
  if (r.Has("ha")) {
    HaSection ha;
    PHAS_RETURN_IF_ERROR(wrap(ParseHa(Reader(r.Child("ha"), "ha"), &ha)));
    c.ha = ha;
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
      std::string metrics = "used";
      PHAS_RETURN_IF_ERROR(
          wrap(gr.OneOf("instance_metrics", &metrics, {"used", "all"})));
      g.all_metrics = metrics == "all";
      PHAS_RETURN_IF_ERROR(wrap(ParseSignal(gr, &g.signal)));
      PHAS_RETURN_IF_ERROR(wrap(ParseRole(gr, &g.role)));
      PHAS_RETURN_IF_ERROR(wrap(ParseSharing(gr, &g.aws_policies)));
      PHAS_RETURN_IF_ERROR(wrap(ParsePolicyConfig(
          groups[i], path, &g.policy,
          {"name", "warmup_seconds", "memory_metric", "instance_metrics",
           "signal", "role_arn", "external_id", "session_name", "aws_policies"},
          registry, g.signal)));
      c.groups.push_back(std::move(g));
    }
  }
  return c;
}

bool ReadsAllMetrics(const GroupConfig& g, const PolicyNeeds& needs) {
  return g.all_metrics || needs.model;
}

bool ReadsAllMetrics(const GroupConfig& g) {
  return ReadsAllMetrics(g, g.policy.MakePolicy()->needs());
}

std::string MetricsReadWords(const GroupConfig& g) {
  const bool all = ReadsAllMetrics(g);
  std::string what;
  if (all) {
    what = g.memory.enabled ? "the 7 AWS/EC2 metrics and the memory metric"
                            : "the 7 AWS/EC2 metrics";
  } else {
    for (const InstanceMetricInfo& m : kInstanceMetrics) {
      if (!ReadsInstanceMetric(false, g.signal, m.id)) continue;
      what += (what.empty() ? "" : " and ") + std::string(m.name);
    }
  }
  return fmt::format("{} (instance_metrics: {}{})", what,
                     g.all_metrics ? "all" : "used",
                     all && !g.all_metrics ? "; the policy asks a model" : "");
}

Result<ScalerConfig> LoadScalerConfig(const std::string& path) {
  auto text = ReadFile(path, 1 << 20);
  if (text.status().code() == Status::Code::kIoError) {
    // Unreadable (permissions, a read error) is the operator's to fix like
    // a bad key: a usage error (exit 2), which the units do not restart on.
    return Status::InvalidArgument("config: " + text.status().message());
  }
  if (!text.ok()) return text.status().WithContext("config");
  return ParseScalerConfig(*text, path);
}

}  // namespace phas
