#include "scaler/history_pull.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// CloudWatch keeps 60 s data 15 days, 300 s data 63 days, 3600 s 455 days.
struct Retention {
  Duration age;
  int period_seconds;
};
constexpr Retention kRetention[] = {
    {hours(24 * 15), 60}, {hours(24 * 63), 300}, {hours(24 * 455), 3600}};

TimePoint Floor(TimePoint t, int period_seconds) {
  double s = ToUnixSeconds(t);
  return FromUnixSeconds(std::floor(s / period_seconds) * period_seconds);
}
TimePoint Ceil(TimePoint t, int period_seconds) {
  double s = ToUnixSeconds(t);
  return FromUnixSeconds(std::ceil(s / period_seconds) * period_seconds);
}

std::string Iso(TimePoint t) { return FormatIso8601(t); }

const MetricSeries* Find(const std::vector<MetricSeries>& all,
                         const std::string& id) {
  for (const MetricSeries& s : all) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::map<TimePoint, double> ByTime(const MetricSeries* s) {
  std::map<TimePoint, double> m;
  if (s == nullptr) return m;
  for (size_t i = 0; i < s->timestamps.size(); ++i) {
    if (std::isfinite(s->values[i])) m[s->timestamps[i]] = s->values[i];
  }
  return m;
}

MetricQuery GroupMetric(const std::string& id, const char* ns, const char* name,
                        const std::string& group, const char* stat,
                        int period) {
  MetricQuery q;
  q.id = id;
  q.ns = ns;
  q.metric_name = name;
  q.dimensions = {{"AutoScalingGroupName", group}};
  q.stat = stat;
  q.period_seconds = period;
  return q;
}

// Whether the load query's values are sums over the period (and so are
// divided by its minutes to be per minute).
bool LoadIsSum(const SignalQueries& q) {
  for (const MetricQuery& m : q.queries) {
    if (m.id == q.load_id && m.expression.empty()) return m.stat == "Sum";
  }
  // An expression: per minute when every metric it reads is a Sum.
  for (const MetricQuery& m : q.queries) {
    if (m.expression.empty() && m.stat != "Sum") return false;
  }
  return true;
}

// The median spacing of a series' timestamps (0 with fewer than 2).
Duration MedianSpacing(const std::map<TimePoint, double>& m) {
  std::vector<Duration> d;
  for (auto it = m.begin(); it != m.end(); ++it) {
    auto next = std::next(it);
    if (next != m.end()) d.push_back(next->first - it->first);
  }
  if (d.empty()) return Duration::zero();
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return d[d.size() / 2];
}

}  // namespace

Result<std::vector<HistorySegment>> PlanHistory(TimePoint now, Duration span) {
  if (span <= Duration::zero()) {
    return Status::InvalidArgument("the history's span must be positive");
  }
  if (span > kRetention[2].age) {
    return Status::InvalidArgument(
        "CloudWatch keeps at most 455 days of a metric (asked for more)");
  }
  std::vector<HistorySegment> out;
  TimePoint end = Floor(now, 60);
  TimePoint from = end - span;
  Duration newer_age = Duration::zero();
  for (const Retention& r : kRetention) {
    // This retention covers ages (newer_age, r.age].
    TimePoint seg_end = end - newer_age;
    TimePoint seg_start = std::max(from, end - r.age);
    newer_age = r.age;
    if (seg_start >= seg_end) continue;
    // Align inward to the period, so that every row covers a whole period
    // of this age.
    seg_start = Ceil(seg_start, r.period_seconds);
    seg_end = out.empty() && r.period_seconds == 60
                  ? seg_end
                  : Floor(seg_end, r.period_seconds);
    if (seg_start >= seg_end) continue;
    out.push_back({seg_start, seg_end, r.period_seconds});
  }
  // Oldest first. Aligned inward, an older segment ends at or before the
  // newer one starts: they never overlap.
  std::reverse(out.begin(), out.end());
  return out;
}

Result<GroupHistory> PullHistory(Cloud* cloud, const std::string& group,
                                 const SignalSource& signal, TimePoint now,
                                 Duration span, Duration request_span) {
  PHAS_ASSIGN_OR_RETURN(std::vector<HistorySegment> segments,
                        PlanHistory(now, span));
  GroupHistory h;
  h.group = group;
  h.signal = signal.name();
  h.pulled_at = now;
  h.segments = segments;
  h.start = segments.front().start;
  h.end = segments.back().end;
  const bool per_instance = signal.per_instance();
  if (per_instance) {
    const InstanceMetricInfo& m = Info(signal.instance_metric());
    h.load_metric = fmt::format(
        "{} {} Average over AutoScalingGroupName={} x instances in service",
        m.ns, m.name, group);
    h.load_unit = signal.kind == SignalKind::kCpu
                      ? "percent, summed over the instances"
                      : "bytes per minute, summed over the instances";
  } else if (signal.kind == SignalKind::kAlbRequests) {
    h.load_metric =
        fmt::format("AWS/ApplicationELB RequestCount Sum of target group {}",
                    signal.resource_label);
    h.load_unit = "requests per minute";
  } else {
    h.load_metric = signal.expression.empty()
                        ? "the custom signal's metric"
                        : "the custom signal's expression " + signal.expression;
    h.load_unit = (signal.unit.empty() ? std::string("units") : signal.unit) +
                  " per minute";
  }
  // The requests: each segment, or its pieces of `request_span` (whole
  // periods).
  std::vector<HistorySegment> requests;
  for (const HistorySegment& seg : segments) {
    const Duration period = std::chrono::seconds(seg.period_seconds);
    Duration piece = seg.end - seg.start;
    if (request_span > Duration::zero()) {
      piece = std::max(period, request_span / period * period);
    }
    for (TimePoint t = seg.start; t < seg.end; t += piece) {
      requests.push_back({t, std::min(seg.end, t + piece), seg.period_seconds});
    }
  }
  int from_group_metric = 0, from_samples = 0;
  for (const HistorySegment& seg : requests) {
    const int p = seg.period_seconds;
    std::vector<MetricQuery> queries;
    SignalQueries load;
    if (per_instance) {
      const InstanceMetricInfo& m = Info(signal.instance_metric());
      queries.push_back(GroupMetric("load", m.ns, m.name, group, "Average", p));
    } else {
      load = signal.HistoryQueries(group, p);
      queries = load.queries;
    }
    queries.push_back(GroupMetric("ins", "AWS/AutoScaling",
                                  "GroupInServiceInstances", group, "Average",
                                  p));
    queries.push_back(
        GroupMetric("cpu", "AWS/EC2", "CPUUtilization", group, "Average", p));
    queries.push_back(GroupMetric("cnt", "AWS/EC2", "CPUUtilization", group,
                                  "SampleCount", p));
    auto r =
        EveryQueryAnswered(cloud->GetMetricData(queries, seg.start, seg.end));
    if (!r.ok()) {
      return r.status().WithContext(
          fmt::format("cannot read {}'s history for {} .. {} at {} s", group,
                      Iso(seg.start), Iso(seg.end), p));
    }
    auto load_by = ByTime(Find(*r, per_instance ? "load" : load.load_id));
    auto ins_by = ByTime(Find(*r, "ins"));
    auto cpu_by = ByTime(Find(*r, "cpu"));
    auto cnt_by = ByTime(Find(*r, "cnt"));
    // Basic monitoring: one CPU datapoint per instance per 5 minutes, so at
    // 60 s the rows are 5 minutes apart and each covers 5 minutes.
    int row_period = p;
    int per_instance_points = std::max(1, p / 60);
    if (p == 60 && MedianSpacing(cpu_by) >= seconds(300)) {
      h.basic_monitoring = true;
      row_period = 300;
    }
    if (h.basic_monitoring) per_instance_points = std::max(1, p / 300);
    const double minutes = p / 60.0;
    for (const auto& [t, v] : load_by) {
      HistoryRow row;
      row.time = t;
      row.period_seconds = row_period;
      if (auto it = ins_by.find(t); it != ins_by.end()) {
        row.in_service = it->second;
        ++from_group_metric;
      } else if (auto c = cnt_by.find(t); c != cnt_by.end()) {
        row.in_service = c->second / per_instance_points;
        ++from_samples;
      }
      if (auto c = cpu_by.find(t); c != cpu_by.end()) row.cpu = c->second;
      if (per_instance) {
        if (!row.in_service) continue;  // no count: the total is unknown
        row.load = v * *row.in_service;
      } else {
        row.load = LoadIsSum(load) ? v / minutes : v;
      }
      h.rows.push_back(row);
    }
  }
  if (h.rows.empty()) {
    return Status::NotFound(fmt::format(
        "no datapoint of {} for group {} between {} and {} (is the group "
        "name, the region or the signal right?)",
        h.load_metric, group, Iso(h.start), Iso(h.end)));
  }
  h.in_service_from =
      from_samples == 0 ? "AWS/AutoScaling GroupInServiceInstances"
      : from_group_metric == 0
          ? fmt::format(
                "CPUUtilization datapoints per period (group metrics "
                "collection is off; {} monitoring)",
                h.basic_monitoring ? "basic" : "detailed")
          : fmt::format(
                "GroupInServiceInstances for {} rows, CPUUtilization "
                "datapoints for {}",
                from_group_metric, from_samples);
  return h;
}

namespace {

// A value on a '#' line: AWS allows line breaks in a group's name (and a
// metric's dimensions), which would end the comment and begin a row.
std::string OneLine(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string HistoryCsv(const GroupHistory& h) {
  std::string out;
  out += fmt::format("# phas history of Auto Scaling group {}\n",
                     OneLine(h.group));
  if (!h.region.empty()) {
    out += fmt::format("# region: {}\n", OneLine(h.region));
  }
  out += fmt::format("# signal: {}\n", OneLine(h.signal));
  out += fmt::format("# load: {}\n", OneLine(h.load_metric));
  out += fmt::format("# load unit: {}\n", OneLine(h.load_unit));
  out += fmt::format("# in_service: {}\n", OneLine(h.in_service_from));
  out += "# cpu: AWS/EC2 CPUUtilization Average over the group, %\n";
  for (const HistorySegment& s : h.segments) {
    out += fmt::format("# period: {} s from {} to {}\n", s.period_seconds,
                       Iso(s.start), Iso(s.end));
  }
  if (h.basic_monitoring) {
    out += "# basic monitoring: CPU datapoints every 5 minutes\n";
  }
  out += fmt::format("# pulled at: {}\n", Iso(h.pulled_at));
  out += "# minutes without data have no row (gaps stay gaps)\n";
  out += "timestamp,load,in_service,cpu,period_seconds\n";
  auto opt = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.10g}", *v) : std::string();
  };
  for (const HistoryRow& r : h.rows) {
    out += fmt::format("{},{:.10g},{},{},{}\n", Iso(r.time), r.load,
                       opt(r.in_service), opt(r.cpu), r.period_seconds);
  }
  return out;
}

}  // namespace phas
