#include "scaler/observe.h"

#include <algorithm>

#include <fmt/format.h>

namespace phas {
namespace {

struct Ec2Metric {
  const char* name;
  const char* key;
};
// The original's metrics and keys.
constexpr Ec2Metric kEc2Metrics[] = {
    {"CPUUtilization", "cpu_utilization"},     {"NetworkIn", "network_in"},
    {"NetworkOut", "network_out"},             {"DiskReadBytes", "disk_read_bytes"},
    {"DiskWriteBytes", "disk_write_bytes"},    {"NetworkPacketsIn", "network_packets_in"},
    {"NetworkPacketsOut", "network_packets_out"}};

}  // namespace

std::vector<std::string> InServiceIds(const GroupDescription& d) {
  std::vector<std::string> out;
  for (const auto& i : d.instances) {
    if (i.lifecycle_state == "InService") out.push_back(i.id);
  }
  return out;
}

QueryPlan PlanQueries(const std::vector<GroupToObserve>& groups, int period_seconds) {
  QueryPlan plan;
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupDescription& d = groups[g].group;
    for (const auto& inst : d.instances) {
      if (inst.lifecycle_state != "InService") continue;
      auto add = [&](const std::string& ns, const std::string& name, const std::string& key,
                     std::vector<MetricDimension> dims) {
        MetricQuery q;
        q.id = fmt::format("q{}", plan.queries.size());
        q.ns = ns;
        q.metric_name = name;
        q.dimensions = std::move(dims);
        q.period_seconds = period_seconds;
        q.stat = "Average";
        plan.queries.push_back(std::move(q));
        plan.targets.push_back({g, inst.id, key});
      };
      for (const Ec2Metric& m : kEc2Metrics) add("AWS/EC2", m.name, m.key, {{"InstanceId", inst.id}});
      const MemoryMetricConfig& mem = groups[g].memory;
      if (mem.enabled) {
        std::vector<MetricDimension> dims;
        for (const std::string& dim : mem.dimensions) {
          if (dim == "InstanceId") dims.push_back({dim, inst.id});
          if (dim == "AutoScalingGroupName") dims.push_back({dim, d.name});
          if (dim == "InstanceType") dims.push_back({dim, inst.instance_type});
        }
        add(mem.ns, mem.name, "memory_utilization", dims);
      }
    }
  }
  return plan;
}

GroupMetrics AggregateGroup(const QueryPlan& plan, const std::vector<MetricSeries>& results,
                            size_t g, const std::set<std::string>& warming) {
  GroupMetrics out;
  std::map<std::string, std::vector<double>> latest;  // key -> one value per instance
  std::map<TimePoint, std::pair<double, int>> cpu_by_minute;
  std::set<std::string> with_data;
  for (size_t i = 0; i < plan.targets.size() && i < results.size(); ++i) {
    const QueryPlan::Target& t = plan.targets[i];
    const MetricSeries& s = results[i];
    if (t.group != g || s.values.empty()) continue;
    latest[t.key].push_back(s.values.back());  // series are time-ascending
    with_data.insert(t.instance);
    if (t.key == "cpu_utilization" && !warming.count(t.instance)) {
      for (size_t k = 0; k < s.values.size(); ++k) {
        auto& acc = cpu_by_minute[s.timestamps[k]];
        acc.first += s.values[k];
        acc.second += 1;
      }
    }
  }
  for (const auto& [key, values] : latest) {
    MetricAggregate a;
    double sum = 0;
    for (double v : values) sum += v;
    a.value = RoundHalfEven(sum / values.size(), 2);
    a.max_value = RoundHalfEven(*std::max_element(values.begin(), values.end()), 2);
    a.min_value = RoundHalfEven(*std::min_element(values.begin(), values.end()), 2);
    a.instance_count = static_cast<int>(values.size());
    out.aggregate[key] = a;
  }
  for (const auto& [t, acc] : cpu_by_minute) {
    out.cpu.push_back({t, acc.first / acc.second, acc.second});
  }
  out.instances_with_data = static_cast<int>(with_data.size());
  return out;
}

}  // namespace phas
