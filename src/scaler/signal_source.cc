#include "scaler/signal_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace phas {

const char* SignalKindName(SignalKind k) {
  switch (k) {
    case SignalKind::kCpu:
      return "cpu";
    case SignalKind::kNetworkIn:
      return "network_in";
    case SignalKind::kNetworkOut:
      return "network_out";
    case SignalKind::kAlbRequests:
      return "alb_requests";
    case SignalKind::kCustom:
      return "custom";
  }
  return "?";
}

std::optional<SignalKind> SignalKindFromName(std::string_view name) {
  for (SignalKind k : kSignalKinds) {
    if (name == SignalKindName(k)) return k;
  }
  return std::nullopt;
}

bool SignalSource::per_instance() const {
  return kind == SignalKind::kCpu || kind == SignalKind::kNetworkIn ||
         kind == SignalKind::kNetworkOut;
}

InstanceMetric SignalSource::instance_metric() const {
  switch (kind) {
    case SignalKind::kNetworkIn:
      return InstanceMetric::kNetworkIn;
    case SignalKind::kNetworkOut:
      return InstanceMetric::kNetworkOut;
    default:
      return InstanceMetric::kCpu;
  }
}

LoadSignal SignalSource::Describe(double target) const {
  LoadSignal s;
  s.name = name();
  switch (kind) {
    case SignalKind::kCpu:
      return s;  // CPU, %, 100
    case SignalKind::kNetworkIn:
      s.title = "network in";
      s.unit = " B/min";
      break;
    case SignalKind::kNetworkOut:
      s.title = "network out";
      s.unit = " B/min";
      break;
    case SignalKind::kAlbRequests:
      s.title = "ALB requests per target";
      s.unit = " req/min";
      break;
    case SignalKind::kCustom:
      s.title = "custom load";
      s.unit = " " + (unit.empty() ? std::string("units") : unit);
      break;
  }
  s.full = full.value_or(target);
  s.censored_at_full = false;
  return s;
}

SignalQueries SignalSource::GroupQueries(const std::string& prefix,
                                         int period_seconds) const {
  SignalQueries out;
  if (kind == SignalKind::kAlbRequests) {
    MetricQuery q;
    q.id = prefix + "alb";
    q.ns = "AWS/ApplicationELB";
    q.metric_name = "RequestCount";
    // Checked when the configuration was read.
    auto dims = AlbDimensions(resource_label);
    if (dims.ok()) q.dimensions = *dims;
    q.period_seconds = period_seconds;
    q.stat = "Sum";
    out.load_id = q.id;
    MetricQuery per = q;
    per.id = prefix + "albpt";
    per.metric_name = "RequestCountPerTarget";
    out.per_instance_id = per.id;
    out.queries.push_back(std::move(q));
    out.queries.push_back(std::move(per));
  } else if (kind == SignalKind::kCustom) {
    std::vector<std::string> ids;
    for (const MetricQuery& m : metrics) ids.push_back(m.id);
    for (const MetricQuery& m : metrics) {
      MetricQuery q = m;
      q.id = prefix + m.id;
      q.period_seconds = period_seconds;
      out.queries.push_back(std::move(q));
    }
    if (!expression.empty()) {
      MetricQuery e;
      e.id = prefix + "load";
      e.expression = PrefixIds(expression, ids, prefix);
      e.period_seconds = period_seconds;
      out.load_id = e.id;
      out.queries.push_back(std::move(e));
    } else if (!out.queries.empty()) {
      out.load_id = out.queries.front().id;
    }
  }
  return out;
}

SignalQueries SignalSource::HistoryQueries(const std::string& group,
                                           int period_seconds,
                                           const std::string& prefix) const {
  if (!per_instance()) {
    SignalQueries q = GroupQueries(prefix, period_seconds);
    std::erase_if(q.queries, [&](const MetricQuery& m) {
      return m.id == q.per_instance_id;
    });
    q.per_instance_id.clear();
    return q;
  }
  const InstanceMetricInfo& m = Info(instance_metric());
  MetricQuery q;
  q.id = prefix + "history";
  q.ns = m.ns;
  q.metric_name = m.name;
  q.dimensions = {{"AutoScalingGroupName", group}};
  q.period_seconds = period_seconds;
  // Per period: the sum of the instances' datapoints. At 60 s, one per
  // instance; at longer periods, divided by the minutes (the caller does).
  q.stat = "Sum";
  return {{q}, q.id};
}

Result<std::vector<MetricDimension>> AlbDimensions(const std::string& label) {
  // app/<lb>/<lb-id>/targetgroup/<tg>/<tg-id>
  auto bad = [&](const char* why) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a target group's resource label ({}; expected "
                    "app/<load-balancer>/<id>/targetgroup/<target-group>/<id>)",
                    label, why));
  };
  size_t tg = label.find("/targetgroup/");
  if (label.rfind("app/", 0) != 0) return bad("it must start with app/");
  if (tg == std::string::npos) return bad("no /targetgroup/ part");
  std::string lb = label.substr(0, tg);
  std::string group = label.substr(tg + 1);
  if (std::count(lb.begin(), lb.end(), '/') != 2 ||
      std::count(group.begin(), group.end(), '/') != 2 || lb.back() == '/' ||
      group.back() == '/') {
    return bad("each part is a name and an id");
  }
  return std::vector<MetricDimension>{{"LoadBalancer", lb},
                                      {"TargetGroup", group}};
}

std::string PrefixIds(const std::string& expression,
                      const std::vector<std::string>& ids,
                      const std::string& prefix) {
  std::string out;
  size_t i = 0;
  auto ident = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  while (i < expression.size()) {
    char c = expression[i];
    if (c == '"' || c == '\'') {  // a string literal: copied as it is
      size_t end = expression.find(c, i + 1);
      end = end == std::string::npos ? expression.size() : end + 1;
      out.append(expression, i, end - i);
      i = end;
      continue;
    }
    if (!ident(c)) {
      out += c;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < expression.size() && ident(expression[j])) ++j;
    std::string word = expression.substr(i, j - i);
    if (std::find(ids.begin(), ids.end(), word) != ids.end()) out += prefix;
    out += word;
    i = j;
  }
  return out;
}

}  // namespace phas
