#include "cloud/sim_cloud.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace phas {
namespace {

constexpr auto kMinute = std::chrono::seconds(60);

double Statistic(const std::string& stat, const std::vector<double>& v) {
  if (stat == "Sum") {
    double s = 0;
    for (double x : v) s += x;
    return s;
  }
  if (stat == "Maximum") return *std::max_element(v.begin(), v.end());
  if (stat == "Minimum") return *std::min_element(v.begin(), v.end());
  if (stat == "SampleCount") return static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// Every InService instance's values in a minute with mean demand d spread
// over n instances (the model in sim_cloud.h).
void MinuteValues(double d, double n, double out[kInstanceMetricCount]) {
  double cpu = std::min(100.0, 100.0 * d / n);
  double served = std::min(d / n, 1.0);
  out[0] = cpu;
  out[1] = served * kSimNetworkInFull;
  out[2] = served * kSimNetworkOutFull;
  out[3] = served * 2e6;
  out[4] = served * 4e6;
  out[5] = out[1] / 1500.0;
  out[6] = out[2] / 1500.0;
  out[7] = 30.0 + 0.5 * cpu;
}

}  // namespace

bool SimMetric(const std::string& ns, const std::string& name,
               InstanceMetric* out) {
  // Asked for every instance's every metric: compared as views whose
  // lengths are known (a const char* would be measured at every compare).
  struct Named {
    InstanceMetric id;
    std::string_view ns, name;
  };
  static const auto kNamed = [] {
    std::array<Named, kInstanceMetricCount> a{};
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = {kInstanceMetrics[i].id, kInstanceMetrics[i].ns,
              kInstanceMetrics[i].name};
    }
    return a;
  }();
  const std::string_view n(name), s(ns);
  for (const Named& m : kNamed) {
    if (n == m.name && s == m.ns) {  // the name tells them apart first
      *out = m.id;
      return true;
    }
  }
  return false;
}

SimCloud::SimCloud(Clock* clock, std::vector<SimGroupSpec> groups,
                   SimOptions options)
    : clock_(clock), options_(options) {
  TimePoint now = clock_->Now();
  for (SimGroupSpec& spec : groups) {
    Group g;
    g.spec = std::move(spec);
    g.next_minute = FloorMinute(now);
    // The group starts warm: its initial instances have been InService a while.
    for (int i = 0; i < g.spec.desired; ++i) {
      TimePoint launched = now - g.spec.boot_time - std::chrono::hours(1);
      g.instances.push_back({fmt::format("i-sim{:06d}", next_instance_++),
                             launched, launched + g.spec.boot_time,
                             std::nullopt});
      g.serves_from[g.instances.back().id] = g.instances.back().in_service_at;
    }
    // Bill from the start of the run only.
    for (const Machine& i : g.instances) {
      g.closed_seconds -=
          std::chrono::duration<double>(now - i.launched).count();
    }
    any_load_metric_ |= !g.spec.load_metrics.empty();
    groups_.push_back(std::move(g));
  }
}

SimCloud::Group* SimCloud::Find(const std::string& name) {
  for (Group& g : groups_) {
    if (g.spec.name == name) return &g;
  }
  return nullptr;
}

const SimGroupSpec& SimCloud::spec(const std::string& group) const {
  for (const Group& g : groups_) {
    if (g.spec.name == group) return g.spec;
  }
  return groups_.front().spec;
}

void SimCloud::Sync() {
  TimePoint now = clock_->Now();
  for (Group& g : groups_) {
    while (g.next_minute + kMinute <= now) {
      SimulateMinute(g, g.next_minute);
      g.next_minute += kMinute;
    }
  }
}

void SimCloud::SimulateMinute(Group& g, TimePoint m) {
  TimePoint mid = m + std::chrono::seconds(30);
  SimMinute rec;
  rec.start = m;
  rec.demand = g.spec.demand ? g.spec.demand->Mean(m, kMinute) : 0.0;
  std::vector<const Machine*> serving;
  for (const Machine& i : g.instances) {
    if (i.in_service_at <= mid) {
      serving.push_back(&i);
    } else {
      ++rec.pending;
    }
  }
  rec.in_service = static_cast<int>(serving.size());
  rec.desired = static_cast<int>(g.instances.size());
  g.minutes.push_back(rec);
  if (std::isnan(rec.demand) || serving.empty()) return;  // no datapoints
  Point p;
  p.minute = m;
  MinuteValues(rec.demand, static_cast<double>(serving.size()), p.values);
  g.points.push_back(p);
  while (static_cast<int>(g.points.size()) > options_.retention_minutes)
    g.points.pop_front();
}

Result<std::vector<GroupDescription>> SimCloud::DescribeGroups(
    const std::vector<std::string>& names) {
  Sync();
  calls_.describe +=
      std::max<int>(1, static_cast<int>((names.size() + 49) / 50));
  TimePoint now = clock_->Now();
  std::vector<GroupDescription> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    Group* g = Find(name);
    if (!g) continue;
    GroupDescription d;
    d.name = g->spec.name;
    d.min_size = g->spec.min_size;
    d.max_size = g->spec.max_size;
    d.desired_capacity = g->spec.desired;
    d.tags = g->tags;
    d.suspended_processes = g->suspended;
    if (now >= g->described_until || now < g->described_at) {
      g->described_at = now;
      g->described.clear();
      // No instance pending: valid until the next Resize.
      g->described_until = TimePoint::max();
      for (const Machine& i : g->instances) {
        bool pending = now < i.in_service_at;
        g->described.push_back(
            {i.id, pending ? Lifecycle::kPending : Lifecycle::kInService, ""});
        if (pending) {
          g->described_until = std::min(g->described_until, i.in_service_at);
        }
      }
    }
    d.instances = g->described;
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<MetricSeries>> SimCloud::GetMetricData(
    const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end) {
  // CloudWatch refuses a request whose ids are not unique.
  if (!std::equal(queries.begin(), queries.end(), unique_ids_.begin(),
                  unique_ids_.end(),
                  [](const MetricQuery& q, const std::string& id) {
                    return q.id == id;
                  })) {
    std::vector<std::string_view> ids;
    ids.reserve(queries.size());
    for (const MetricQuery& q : queries) ids.push_back(q.id);
    std::sort(ids.begin(), ids.end());
    if (auto d = std::adjacent_find(ids.begin(), ids.end()); d != ids.end()) {
      return Status::InvalidArgument(
          fmt::format("simulator: the query id '{}' appears twice", *d));
    }
    unique_ids_.clear();
    for (const MetricQuery& q : queries) unique_ids_.push_back(q.id);
  }
  Sync();
  calls_.get_metric_data +=
      std::max<int>(1, static_cast<int>((queries.size() + 499) / 500));
  TimePoint visible_before = clock_->Now() - kMinute - options_.metric_delay;
  // CloudWatch rounds a start that is not on the period down to it (the
  // minute: the periods phas reads).
  start = std::chrono::floor<std::chrono::minutes>(start);
  std::vector<MetricSeries> out;
  out.reserve(queries.size());
  auto in_window = [&](TimePoint m) {
    return m >= start && m < end && m <= visible_before;
  };
  const std::string* window_of = nullptr;  // the instance `window` is of
  std::vector<const Point*> window;
  for (const MetricQuery& q : queries) {
    MetricSeries s;
    s.id = q.id;
    if (!q.expression.empty()) {
      out.push_back(std::move(s));  // filled below, once all are read
      continue;
    }
    const Group* owner = nullptr;
    if (const SimLoadMetric* lm = FindLoadMetric(q, &owner)) {
      const Group& g = *owner;
      auto m = std::lower_bound(
          g.minutes.begin(), g.minutes.end(), start,
          [](const SimMinute& x, TimePoint t) { return x.start < t; });
      for (; m != g.minutes.end() && in_window(m->start); ++m) {
        if (std::isnan(m->demand)) continue;
        double v = m->demand * lm->per_unit;
        if (lm->per_serving_instance) {
          if (m->in_service == 0) continue;
          v /= m->in_service;
        }
        s.timestamps.push_back(m->start);
        s.values.push_back(v);
      }
      out.push_back(std::move(s));
      continue;
    }
    InstanceMetric metric;
    if (!SimMetric(q.ns, q.metric_name, &metric) || q.dimensions.size() != 1 ||
        (metric == InstanceMetric::kMemory && !options_.publish_memory)) {
      out.push_back(std::move(s));
      continue;
    }
    const MetricDimension& dim = q.dimensions[0];
    if (dim.name == "InstanceId") {
      // The loop asks for an instance's metrics one after another: its
      // window of points is found once for all of them.
      if (!window_of || *window_of != dim.value) {
        window_of = &dim.value;
        window.clear();
        for (const Group& g : groups_) {
          auto it = g.serves_from.find(dim.value);
          if (it == g.serves_from.end()) continue;
          // The minutes it served (their middle at or after serves_from),
          // in time order: jump to the window.
          TimePoint from =
              std::max(start, it->second - std::chrono::seconds(30));
          const auto& pts = g.points;
          auto p = std::lower_bound(
              pts.begin(), pts.end(), from,
              [](const Point& x, TimePoint t) { return x.minute < t; });
          for (; p != pts.end() && in_window(p->minute); ++p) {
            window.push_back(&*p);
          }
        }
      }
      s.timestamps.reserve(window.size());
      s.values.reserve(window.size());
      for (const Point* p : window) {
        s.timestamps.push_back(p->minute);
        s.values.push_back(p->values[static_cast<size_t>(metric)]);
      }
    } else if (dim.name == "AutoScalingGroupName") {
      if (Group* g = Find(dim.value)) {
        // Group aggregate: every instance had the same values in a minute.
        for (const SimMinute& m : g->minutes) {
          if (!in_window(m.start) || std::isnan(m.demand) || m.in_service == 0)
            continue;
          double vals[kInstanceMetricCount];
          MinuteValues(m.demand, m.in_service, vals);
          std::vector<double> per(static_cast<size_t>(m.in_service),
                                  vals[static_cast<size_t>(metric)]);
          s.timestamps.push_back(m.start);
          s.values.push_back(Statistic(q.stat, per));
        }
      }
    }
    out.push_back(std::move(s));
  }
  for (size_t i = 0; i < queries.size(); ++i) {
    const std::string& e = queries[i].expression;
    if (e.empty()) continue;
    auto src = std::find_if(queries.begin(), queries.end(),
                            [&](const MetricQuery& q) { return q.id == e; });
    if (src == queries.end()) {
      return Status::InvalidArgument(
          "simulator: metric math '" + e +
          "' is not simulated (only an expression naming one query's id)");
    }
    out[i].timestamps = out[src - queries.begin()].timestamps;
    out[i].values = out[src - queries.begin()].values;
  }
  return out;
}

const SimLoadMetric* SimCloud::FindLoadMetric(const MetricQuery& q,
                                              const Group** owner) const {
  if (!any_load_metric_) return nullptr;
  for (const Group& g : groups_) {
    for (const SimLoadMetric& m : g.spec.load_metrics) {
      if (m.dimensions.size() != q.dimensions.size() ||
          m.name != q.metric_name || m.ns != q.ns) {
        continue;
      }
      bool same = std::is_permutation(
          m.dimensions.begin(), m.dimensions.end(), q.dimensions.begin(),
          [](const MetricDimension& a, const MetricDimension& b) {
            return a.name == b.name && a.value == b.value;
          });
      if (same) {
        *owner = &g;
        return &m;
      }
    }
  }
  return nullptr;
}

void SimCloud::Resize(Group& g, int desired, TimePoint now) {
  while (static_cast<int>(g.instances.size()) < desired) {
    g.instances.push_back({fmt::format("i-sim{:06d}", next_instance_++), now,
                           now + g.spec.boot_time, std::nullopt});
    g.serves_from[g.instances.back().id] = g.instances.back().in_service_at;
  }
  while (static_cast<int>(g.instances.size()) > desired) {
    // Pending first (newest first), then the newest InService.
    auto victim = std::max_element(g.instances.begin(), g.instances.end(),
                                   [&](const Machine& a, const Machine& b) {
                                     bool pa = a.in_service_at > now,
                                          pb = b.in_service_at > now;
                                     if (pa != pb)
                                       return pb;  // pending sorts last (= max)
                                     return a.launched < b.launched;
                                   });
    g.closed_seconds +=
        std::chrono::duration<double>(now - victim->launched).count();
    g.serves_from.erase(victim->id);
    g.instances.erase(victim);
  }
  g.spec.desired = desired;
  g.described_until = TimePoint::min();  // describe again
}

Status SimCloud::SetDesiredCapacity(const std::string& group, int desired) {
  Sync();
  ++calls_.set_desired;
  Group* g = Find(group);
  if (!g) {
    return Status::InvalidArgument("AutoScalingGroup name not found - " + group)
        .WithDetail("ValidationError");
  }
  if (desired > g->spec.max_size) {
    return Status::InvalidArgument(
               fmt::format("New SetDesiredCapacity value {} is above max value "
                           "{} for the AutoScalingGroup.",
                           desired, g->spec.max_size))
        .WithDetail("ValidationError");
  }
  if (desired < g->spec.min_size) {
    return Status::InvalidArgument(
               fmt::format("New SetDesiredCapacity value {} is below min value "
                           "{} for the AutoScalingGroup.",
                           desired, g->spec.min_size))
        .WithDetail("ValidationError");
  }
  Resize(*g, desired, clock_->Now());
  return Status::OK();
}

Status SimCloud::SetBounds(const std::string& group, int min_size,
                           int max_size) {
  Group* g = Find(group);
  if (!g) return Status::NotFound(group);
  g->spec.min_size = min_size;
  g->spec.max_size = max_size;
  // As AWS: desired capacity is brought inside the new bounds.
  Resize(*g, std::clamp(g->spec.desired, min_size, max_size), clock_->Now());
  return Status::OK();
}

Result<GroupControls> SimCloud::DescribeControls(const std::string& group) {
  ++calls_.describe_controls;
  Group* g = Find(group);
  if (!g) return GroupControls{};  // as AWS: an unknown group has none
  if (!g->controls_error.ok()) return g->controls_error;
  return g->controls;
}

Status SimCloud::SetTags(const std::string& group,
                         std::map<std::string, std::string> tags) {
  Group* g = Find(group);
  if (!g) return Status::NotFound(group);
  g->tags = std::move(tags);
  return Status::OK();
}

Status SimCloud::SetSuspended(const std::string& group,
                              std::vector<std::string> processes) {
  Group* g = Find(group);
  if (!g) return Status::NotFound(group);
  g->suspended = std::move(processes);
  return Status::OK();
}

Status SimCloud::SetControls(const std::string& group, GroupControls controls,
                             Status fail) {
  Group* g = Find(group);
  if (!g) return Status::NotFound(group);
  g->controls = std::move(controls);
  g->controls_error = std::move(fail);
  return Status::OK();
}

const std::vector<SimMinute>& SimCloud::minutes(
    const std::string& group) const {
  for (const Group& g : groups_) {
    if (g.spec.name == group) return g.minutes;
  }
  static const std::vector<SimMinute> kEmpty;
  return kEmpty;
}

double SimCloud::instance_seconds(const std::string& group) const {
  TimePoint now = clock_->Now();
  for (const Group& g : groups_) {
    if (g.spec.name != group) continue;
    double total = g.closed_seconds;
    for (const Machine& i : g.instances) {
      total += std::chrono::duration<double>(now - i.launched).count();
    }
    return total;
  }
  return 0;
}

}  // namespace phas
