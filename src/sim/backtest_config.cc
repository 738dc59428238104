#include "sim/backtest_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "scaler/yaml_reader.h"

namespace phas {

Status ParseBacktestConfig(const std::string& yaml, const std::string& source,
                           BacktestOptions* o) {
  PHAS_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlDocument(yaml, source));
  if (!root || root.IsNull()) return Status::OK();
  auto wrap = [&](Status st) { return st.ok() ? st : st.WithContext(source); };
  YamlReader r(root, "");
  PHAS_RETURN_IF_ERROR(
      wrap(r.CheckKeys({"world", "demand", "model", "policies"})));
  PHAS_RETURN_IF_ERROR(wrap(r.Str("model", &o->model_dir)));
  if (r.Has("world")) {
    YamlReader w(r.Child("world"), "world");
    PHAS_RETURN_IF_ERROR(wrap(w.CheckKeys(
        {"min_size", "max_size", "boot_seconds", "metric_delay_seconds",
         "interval_seconds", "metrics_refresh_seconds", "price_per_hour",
         "over_threshold", "signal"})));
    PHAS_RETURN_IF_ERROR(
        wrap(ParseSignalConfig(r.Child("world"), "world", &o->signal)));
    const SignalSource& s = o->signal;
    if (s.kind == SignalKind::kCustom && !s.expression.empty() &&
        std::none_of(
            s.metrics.begin(), s.metrics.end(),
            [&](const MetricQuery& m) { return m.id == s.expression; })) {
      return wrap(YamlReader(w.Child("signal"), "world.signal")
                      .Bad("expression",
                           "backtests simulate one metric: the expression "
                           "must name one metric's id"));
    }
    PHAS_RETURN_IF_ERROR(wrap(w.Int("min_size", &o->min_size, 0, 100000)));
    PHAS_RETURN_IF_ERROR(wrap(w.Int("max_size", &o->max_size, 1, 100000)));
    PHAS_RETURN_IF_ERROR(
        wrap(w.Seconds("boot_seconds", &o->boot_time, 0, 86400)));
    PHAS_RETURN_IF_ERROR(
        wrap(w.Seconds("metric_delay_seconds", &o->metric_delay, 0, 3600)));
    PHAS_RETURN_IF_ERROR(
        wrap(w.Seconds("interval_seconds", &o->interval, 1, 3600)));
    PHAS_RETURN_IF_ERROR(wrap(
        w.Seconds("metrics_refresh_seconds", &o->metrics_refresh, 0, 3600)));
    PHAS_RETURN_IF_ERROR(
        wrap(w.Num("price_per_hour", &o->score.price_per_hour, 0, 1000)));
    PHAS_RETURN_IF_ERROR(
        wrap(w.Num("over_threshold", &o->score.over_threshold, 0.01, 10)));
    if (o->min_size > o->max_size)
      return wrap(w.Bad("min_size", "must not exceed max_size"));
  }
  if (r.Has("demand")) {
    YamlReader d(r.Child("demand"), "demand");
    PHAS_RETURN_IF_ERROR(
        wrap(d.CheckKeys({"capacity_per_instance", "peak_instances",
                          "target_utilization", "smoothing_minutes"})));
    if (d.Has("capacity_per_instance") && d.Has("peak_instances")) {
      // Either scales the trace: capacity_per_instance would silently win.
      return wrap(d.Bad("capacity_per_instance",
                        "give it or demand.peak_instances, not both"));
    }
    // 0 is the mapping's "by the peak": given, it silently mapped the trace
    // by demand.peak_instances' default (20) instead.
    PHAS_RETURN_IF_ERROR(wrap(d.Num("capacity_per_instance",
                                    &o->mapping.capacity_per_instance, 0, 1e12,
                                    /*lo_open=*/true)));
    PHAS_RETURN_IF_ERROR(
        wrap(d.Int("peak_instances", &o->mapping.peak_instances, 1, 100000)));
    PHAS_RETURN_IF_ERROR(wrap(d.Num(
        "target_utilization", &o->mapping.target_utilization, 0.05, 1.0)));
    PHAS_RETURN_IF_ERROR(wrap(
        d.Span("smoothing_minutes", &o->mapping.smoothing, 60, 0, 24 * 60)));
  }
  if (r.Has("policies")) {
    if (!r.Child("policies").IsMap())
      return wrap(
          r.Bad("policies", "must be a mapping of policy name to settings"));
    YamlReader ps(r.Child("policies"), "policies");
    std::vector<std::string> keys;
    PHAS_RETURN_IF_ERROR(wrap(ps.Keys(&keys)));
    const PolicyRegistry& registry = PolicyRegistry::Default();
    for (const std::string& name : keys) {
      PolicyConfig pc;
      if (auto it = o->policies.find(name); it != o->policies.end()) {
        pc = it->second;
      } else if (!pc.Select(name, registry).ok()) {
        return wrap(
            ps.Bad(name, fmt::format("unknown policy (known: {})",
                                     fmt::join(registry.names(), ", "))));
      }
      PHAS_RETURN_IF_ERROR(
          wrap(ParsePolicyConfig(ps.Child(name), ps.Path(name), &pc, {},
                                 registry, SimulatedSignal(o->signal))));
      if (pc.name() != name) {
        return wrap(YamlReader(ps.Child(name), ps.Path(name))
                        .Bad("policy", "must be " + name + " here, or absent"));
      }
      o->policies[name] = pc;
    }
  }
  return Status::OK();
}

}  // namespace phas
