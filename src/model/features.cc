#include "model/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace phas {
namespace {

double Get(const AggregatedMetrics& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0.0 : it->second.value;
}

// Python's float repr: shortest round-trip, with ".0" on integral values.
// A value that is not finite (a metric out of range) is null: the text is
// parsed as JSON again (the scaler's records).
std::string PyFloat(double v) {
  if (!std::isfinite(v)) return "null";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Python's int(): a whole number without a fraction; null when not finite.
std::string PyInt(double v) {
  return std::isfinite(v) ? fmt::format("{:.0f}", v) : "null";
}

}  // namespace

double RoundHalfEven(double x, int digits) {
  if (!std::isfinite(x)) return x;
  static const double kPow[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  if (digits >= 0 && digits <= 8 && std::fabs(x) < 1e9) {
    double y = x * kPow[digits];
    double frac = y - std::floor(y);
    // Away from a tie, rounding the scaled value is exact enough; at (or
    // next to) a tie the product's own rounding could decide, so take the
    // exact path below.
    if (std::fabs(frac - 0.5) > 1e-6) return std::round(y) / kPow[digits];
  }
  // Fixed-point formatting rounds the exact binary value correctly (ties to
  // even), which is what Python's round does.
  std::string s = fmt::format("{:.{}f}", x, digits);
  return std::strtod(s.c_str(), nullptr);
}

Features DeriveFeatures(const AggregatedMetrics& m, int n, int min_capacity,
                        int max_capacity) {
  Features f;
  double cpu_raw = Get(m, "cpu_utilization");
  double net_in = Get(m, "network_in");
  double net_out = Get(m, "network_out");
  double mem_raw = Get(m, "memory_utilization");

  f.cpu_usage = RoundHalfEven(cpu_raw, 1);
  if (mem_raw == 0) {
    f.memory_usage =
        RoundHalfEven(std::clamp(std::min(cpu_raw * 1.2, 95.0), 0.0, 100.0), 1);
    f.memory_estimated = true;
  } else {
    f.memory_usage = RoundHalfEven(mem_raw, 1);
  }
  f.network_traffic =
      RoundHalfEven((net_in + net_out) * n / (1024.0 * 1024.0), 1);

  const double base_power =
      20.0;  // watts per instance (a t3.small, per the original)
  double cpu_factor = f.cpu_usage / 100.0;
  f.power_consumption =
      RoundHalfEven(n * (base_power + base_power * 0.6 * cpu_factor), 1);

  const double mhz = 2400.0, ipc = 2.5;
  f.num_executed_instructions = std::trunc(
      n * (f.cpu_usage / 100.0) * mhz * 1e6 * ipc);  // Python int() truncates

  double complexity =
      (f.cpu_usage + f.memory_usage + std::min(f.network_traffic * 10, 50.0)) /
      3;
  f.execution_time = RoundHalfEven(
      (0.3 + (complexity / 100.0) * 2) / std::max(n * 0.8, 1.0), 2);

  double performance = (f.cpu_usage + f.memory_usage) / 2 * n;
  f.energy_efficiency =
      RoundHalfEven(performance / std::max(f.power_consumption, 1.0), 4);

  double cpu = f.cpu_usage, mem = f.memory_usage, net = f.network_traffic;
  if (cpu >= std::max(net, mem)) {
    f.task_type = "compute";
  } else if (net >= std::max(cpu, mem)) {
    f.task_type = "network";
  } else {
    f.task_type = "io";
  }
  double intensity = std::max({cpu, mem, std::min(net * 2, 100.0)});
  if (n <= min_capacity && intensity > 60) {
    f.task_priority = "high";
  } else if (n >= max_capacity && intensity < 30) {
    f.task_priority = "low";
  } else if (intensity > 80) {
    f.task_priority = "high";
  } else if (intensity > 50) {
    f.task_priority = "medium";
  } else {
    f.task_priority = "low";
  }
  return f;
}

std::string FeaturesJson(const Features& f, int n) {
  return fmt::format(
      "{{\"cpu_usage\": {}, \"memory_usage\": {}, \"network_traffic\": {}, "
      "\"power_consumption\": {}, \"num_executed_instructions\": {}, "
      "\"execution_time\": {}, \"energy_efficiency\": {}, \"task_type\": "
      "\"{}\", "
      "\"task_priority\": \"{}\", \"instance_count\": {}, "
      "\"memory_estimated\": {}}}",
      PyFloat(f.cpu_usage), PyFloat(f.memory_usage), PyFloat(f.network_traffic),
      PyFloat(f.power_consumption), PyInt(f.num_executed_instructions),
      PyFloat(f.execution_time), PyFloat(f.energy_efficiency), f.task_type,
      f.task_priority, n, f.memory_estimated ? "true" : "false");
}

std::map<std::string, double> TemporalInputs(
    const std::vector<MetricSample>& load, int n) {
  using std::chrono::minutes;
  std::map<std::string, double> out;
  if (load.empty() || n <= 0) return out;
  const MetricSample& last = load.back();
  const double scale = 100.0 / n;
  auto first_from = [&](TimePoint t) {  // the first sample at or after t
    return std::lower_bound(
        load.begin(), load.end(), t,
        [](const MetricSample& s, TimePoint x) { return s.time < x; });
  };
  auto at = [&](TimePoint t) -> const MetricSample* {
    auto it = first_from(t);
    return it != load.end() && it->time == t ? &*it : nullptr;
  };
  // The highest value in [from, to], or NaN without history reaching `from`.
  auto max_over = [&](TimePoint from, TimePoint to) {
    double m = std::numeric_limits<double>::quiet_NaN();
    if (load.front().time > from) return m;
    auto it = first_from(from);
    for (; it != load.end() && it->time <= to; ++it) {
      if (std::isfinite(it->value) && !(it->value <= m)) m = it->value;
    }
    return m;
  };
  if (!std::isfinite(last.value)) return out;
  for (auto [name, k] : {std::pair<const char*, int>{"load_change_5m", 5},
                         {"load_change_15m", 15}}) {
    const MetricSample* p = at(last.time - minutes(k));
    if (p && std::isfinite(p->value))
      out[name] = (last.value - p->value) * scale;
  }
  if (double m = max_over(last.time - minutes(59), last.time);
      std::isfinite(m)) {
    out["load_max_1h"] = m * scale;
  }
  TimePoint day = last.time - minutes(kMinutesPerDay);
  if (double m = max_over(day + minutes(1), day + minutes(10));
      std::isfinite(m)) {
    out["load_day_ago_next_10m"] = m * scale;
  }
  return out;
}

Result<std::vector<InputValue>> FeaturesToInputs(const Features& f,
                                                 const FeaturePipeline& p) {
  const std::map<std::string, double> numbers = {
      {"cpu_usage", f.cpu_usage},
      {"memory_usage", f.memory_usage},
      {"network_traffic", f.network_traffic},
      {"power_consumption", f.power_consumption},
      {"num_executed_instructions", f.num_executed_instructions},
      {"execution_time", f.execution_time},
      {"energy_efficiency", f.energy_efficiency}};
  const std::map<std::string, std::string> categories = {
      {"task_type", f.task_type}, {"task_priority", f.task_priority}};
  std::vector<InputValue> out(p.inputs().size());
  for (size_t i = 0; i < p.inputs().size(); ++i) {
    const InputSpec& in = p.inputs()[i];
    if (in.type == InputSpec::Type::kNumber) {
      auto it = numbers.find(in.name);
      if (it != numbers.end()) {
        out[i].number = it->second;
      } else if (auto t = f.temporal.find(in.name); t != f.temporal.end()) {
        out[i].number = t->second;
      } else if (in.optional) {
        out[i] = InputValue::Missing();
      } else {
        return Status::InvalidArgument("the model needs input '" + in.name +
                                       "', which the scaler does not provide");
      }
    } else {
      auto it = categories.find(in.name);
      if (it == categories.end()) {
        return Status::InvalidArgument("the model needs category '" + in.name +
                                       "', which the scaler does not provide");
      }
      out[i].level = in.LevelIndex(it->second);
      if (out[i].level < 0) {
        return Status::InvalidArgument("the model does not know " + in.name +
                                       " '" + it->second + "'");
      }
    }
  }
  return out;
}

}  // namespace phas
