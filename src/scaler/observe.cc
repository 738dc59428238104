#include "scaler/observe.h"

#include <fmt/format.h>

#include <algorithm>

namespace phas {

std::vector<std::string> InServiceIds(const GroupDescription& d) {
  std::vector<std::string> out;
  for (const Instance& i : d.instances) {
    if (i.lifecycle == Lifecycle::kInService) out.push_back(i.id);
  }
  return out;
}

bool ReadsInstanceMetric(bool all_metrics, const SignalSource& signal,
                         InstanceMetric m) {
  return all_metrics || m == InstanceMetric::kCpu ||
         (signal.per_instance() && m == signal.instance_metric());
}

QueryPlan PlanQueries(const std::vector<GroupToObserve>& groups,
                      int period_seconds) {
  QueryPlan plan;
  size_t total = 0;
  for (const GroupToObserve& g : groups) {
    total +=
        g.group.instances.size() * (g.all_metrics ? kInstanceMetricCount : 2);
  }
  plan.queries.reserve(total);
  plan.targets.reserve(total);
  for (size_t g = 0; g < groups.size(); ++g) {
    if (InServiceIds(groups[g].group).empty()) continue;
    SignalQueries sq =
        groups[g].signal.GroupQueries(fmt::format("g{}_", g), period_seconds);
    for (MetricQuery& q : sq.queries) {
      bool load = q.id == sq.load_id;
      bool per = q.id == sq.per_instance_id;
      plan.queries.push_back(std::move(q));
      plan.targets.push_back(
          {g, QueryPlan::kGroupLevel, InstanceMetric::kCpu, load, per});
    }
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupDescription& d = groups[g].group;
    const MemoryMetricConfig& mem = groups[g].memory;
    for (size_t ii = 0; ii < d.instances.size(); ++ii) {
      const Instance& inst = d.instances[ii];
      if (inst.lifecycle != Lifecycle::kInService) continue;
      for (const InstanceMetricInfo& m : kInstanceMetrics) {
        bool memory = m.id == InstanceMetric::kMemory;
        if (memory && !mem.enabled) continue;
        if (!ReadsInstanceMetric(groups[g].all_metrics, groups[g].signal,
                                 m.id)) {
          continue;
        }
        MetricQuery& q = plan.queries.emplace_back();
        q.id = fmt::format("q{}", plan.queries.size() - 1);
        q.period_seconds = period_seconds;
        q.stat = "Average";
        if (!memory) {
          q.ns = m.ns;
          q.metric_name = m.name;
          q.dimensions.push_back({"InstanceId", inst.id});
        } else {
          q.ns = mem.ns;
          q.metric_name = mem.name;
          for (const std::string& dim : mem.dimensions) {
            if (dim == "InstanceId") q.dimensions.push_back({dim, inst.id});
            if (dim == "AutoScalingGroupName") {
              q.dimensions.push_back({dim, d.name});
            }
            if (dim == "InstanceType") {
              q.dimensions.push_back({dim, inst.instance_type});
            }
          }
        }
        plan.targets.push_back({g, ii, m.id});
      }
    }
  }
  return plan;
}

std::vector<GroupReadFailures> GroupReadStatuses(
    const QueryPlan& plan, const std::vector<MetricSeries>& results) {
  std::vector<GroupReadFailures> out;
  for (size_t i = 0; i < plan.targets.size() && i < results.size(); ++i) {
    if (results[i].status.ok()) continue;
    const QueryPlan::Target& t = plan.targets[i];
    if (out.size() <= t.group) out.resize(t.group + 1);
    const bool memory = t.instance != QueryPlan::kGroupLevel &&
                        t.metric == InstanceMetric::kMemory;
    Status& first = memory ? out[t.group].memory : out[t.group].required;
    if (first.ok()) first = results[i].status;
  }
  return out;
}

GroupMetrics AggregateGroup(const QueryPlan& plan,
                            const std::vector<MetricSeries>& results, size_t g,
                            const GroupToObserve& o) {
  const GroupDescription& group = o.group;
  GroupMetrics out;
  // Per metric, over the instances' latest values: sum, max, min, count.
  struct Latest {
    double sum = 0, max = 0, min = 0;
    int n = 0;
  };
  Latest latest[kInstanceMetricCount];
  // Per minute (a handful of minutes in the window): sum and count.
  struct Acc {
    TimePoint t;
    double sum = 0;
    int n = 0;
  };
  std::vector<Acc> signal_by_minute, load_by_minute;
  // Adds x at t, covering `n` more instances (a group's one group-level
  // series covers those that served the minute).
  auto add = [](std::vector<Acc>& v, TimePoint t, double x, int n = 1) {
    for (Acc& a : v) {
      if (a.t == t) {
        a.sum += x;
        a.n += n;
        return;
      }
    }
    v.push_back({t, x, n});
  };
  const double full = o.signal.full.value_or(100);
  int in_service = 0;
  for (const Instance& i : group.instances) {
    in_service += i.lifecycle == Lifecycle::kInService;
  }
  // A group-level signal is divided, minute by minute, by the instances
  // that served that minute (those with a CPU datapoint for it, as ALB's
  // RequestCountPerTarget divides by the healthy targets), or by the
  // InService instances when no instance has one.
  std::vector<Acc> serving;
  if (!o.signal.per_instance()) {
    for (size_t i = 0; i < plan.targets.size() && i < results.size(); ++i) {
      const QueryPlan::Target& t = plan.targets[i];
      if (t.group != g || t.instance == QueryPlan::kGroupLevel ||
          t.metric != InstanceMetric::kCpu) {
        continue;
      }
      for (TimePoint ts : results[i].timestamps) add(serving, ts, 1);
    }
  }
  auto serving_at = [&](TimePoint ts) {
    for (const Acc& a : serving) {
      if (a.t == ts) return a.n;
    }
    return in_service;
  };
  // The source's own per-instance series when it has data, else the load
  // divided by the instances that served.
  bool per_instance_series = false;
  for (size_t i = 0; i < plan.targets.size() && i < results.size(); ++i) {
    const QueryPlan::Target& t = plan.targets[i];
    per_instance_series |=
        t.group == g && t.per_instance && !results[i].values.empty();
  }
  std::vector<char> with_data(group.instances.size(), 0);
  for (size_t i = 0; i < plan.targets.size() && i < results.size(); ++i) {
    const QueryPlan::Target& t = plan.targets[i];
    const MetricSeries& s = results[i];
    // A series not answered (the memory metric's, optional: any other
    // fails the group's read) counts nothing, its partial data included:
    // its latest value may be minutes old.
    if (t.group != g || s.values.empty() || !s.status.ok()) continue;
    if (t.instance == QueryPlan::kGroupLevel) {
      if (in_service == 0) continue;
      for (size_t k = 0; k < s.values.size(); ++k) {
        TimePoint ts = s.timestamps[k];
        int n = serving_at(ts);
        if (t.load) add(load_by_minute, ts, s.values[k] / full, n);
        if (t.per_instance) {
          signal_by_minute.push_back({ts, s.values[k] * n, n});
        } else if (t.load && !per_instance_series) {
          signal_by_minute.push_back({ts, s.values[k], n});
        }
      }
      continue;
    }
    // Series are time-ascending: the last value is the latest.
    Latest& l = latest[static_cast<size_t>(t.metric)];
    double v = s.values.back();
    l.sum += v;
    l.max = l.n == 0 ? v : std::max(l.max, v);
    l.min = l.n == 0 ? v : std::min(l.min, v);
    ++l.n;
    with_data[t.instance] = 1;
    if (!o.signal.per_instance() || t.metric != o.signal.instance_metric()) {
      continue;
    }
    bool warm =
        !o.warming.empty() && o.warming.count(group.instances[t.instance].id);
    for (size_t k = 0; k < s.values.size(); ++k) {
      add(load_by_minute, s.timestamps[k], s.values[k] / full);
      if (!warm) add(signal_by_minute, s.timestamps[k], s.values[k]);
    }
  }
  for (const InstanceMetricInfo& m : kInstanceMetrics) {
    const Latest& l = latest[static_cast<size_t>(m.id)];
    if (l.n == 0) continue;
    MetricAggregate a;
    a.value = RoundHalfEven(l.sum / l.n, 2);
    a.max_value = RoundHalfEven(l.max, 2);
    a.min_value = RoundHalfEven(l.min, 2);
    a.instance_count = l.n;
    out.aggregate[m.key] = a;
  }
  auto by_time = [](const Acc& a, const Acc& b) { return a.t < b.t; };
  std::sort(signal_by_minute.begin(), signal_by_minute.end(), by_time);
  std::sort(load_by_minute.begin(), load_by_minute.end(), by_time);
  for (const Acc& a : signal_by_minute) {
    out.signal.push_back({a.t, a.sum / a.n, a.n});
  }
  out.signal_divided = !o.signal.per_instance() && !per_instance_series;
  for (const Acc& a : load_by_minute) out.load.push_back({a.t, a.sum, a.n});
  for (char c : with_data) out.instances_with_data += c;
  return out;
}

}  // namespace phas
