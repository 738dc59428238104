#include "aws/services.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "aws/xml.h"
#include "common/json_util.h"

namespace phas::aws {
namespace {

int ToInt(const std::string& s, int fallback = 0) {
  int v = fallback;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<double> ToDouble(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc()) return std::nullopt;
  return v;
}

void AddDimensions(QueryParams* p, const std::string& prefix,
                   const std::vector<MetricDimension>& dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    p->emplace_back(fmt::format("{}.member.{}.Name", prefix, i + 1),
                    dims[i].name);
    p->emplace_back(fmt::format("{}.member.{}.Value", prefix, i + 1),
                    dims[i].value);
  }
}

// Reads typed values of one element of an answer; errors name `where`
// ("DescribePolicies: policy 'cpu'") and the element's path.
class FieldReader {
 public:
  FieldReader(pugi::xml_node node, std::string where)
      : node_(node), where_(std::move(where)) {}
  pugi::xml_node node() const { return node_; }
  const std::string& where() const { return where_; }
  Status Error(const std::string& path, const std::string& value,
               const std::string& want) const {
    return Status::Corruption(
        fmt::format("{}: {} '{}' is not {}", where_, path, value, want));
  }
  // A number, or `fallback` when the element is absent.
  Result<double> Number(const std::string& path, double fallback = 0) const {
    std::string s = Text(node_, path);
    if (s.empty()) return fallback;
    auto v = ToDouble(s);
    if (!v) return Error(path, s, "a number");
    return *v;
  }
  Result<std::optional<int>> OptionalInt(const std::string& path) const {
    std::string s = Text(node_, path);
    if (s.empty()) return std::optional<int>();
    int v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
      return Error(path, s, "an integer");
    return std::optional<int>(v);
  }
  Result<std::optional<TimePoint>> Time(const std::string& path) const {
    std::string s = Text(node_, path);
    if (s.empty()) return std::optional<TimePoint>();
    TimePoint t;
    if (!ParseIso8601(s, &t)) return Error(path, s, "an ISO 8601 time");
    return std::optional<TimePoint>(t);
  }
  // The index of the element's text in `names`; `fallback` when absent.
  Result<int> OneOf(const std::string& path,
                    const std::vector<const char*>& names, int fallback) const {
    std::string s = Text(node_, path);
    if (s.empty()) return fallback;
    for (size_t i = 0; i < names.size(); ++i) {
      if (s == names[i]) return static_cast<int>(i);
    }
    return Error(path, s, fmt::format("one of {}", fmt::join(names, ", ")));
  }

 private:
  pugi::xml_node node_;
  std::string where_;
};

// A group's sizes bound every action phas takes: each must be read, none
// defaults to 0 (a MaxSize read as 0 would scale the group to nothing).
// DesiredCapacity is read as it is, within them or not: the guard bounds
// what phas sets (decision/guard.h).
Result<AutoScalingGroupInfo> ParseGroup(pugi::xml_node g) {
  AutoScalingGroupInfo a;
  a.name = Text(g, "AutoScalingGroupName");
  a.arn = Text(g, "AutoScalingGroupARN");
  FieldReader f(g,
                fmt::format("DescribeAutoScalingGroups: group '{}'", a.name));
  for (auto [name, out] : {std::pair{"MinSize", &a.min_size},
                           {"MaxSize", &a.max_size},
                           {"DesiredCapacity", &a.desired_capacity}}) {
    PHAS_ASSIGN_OR_RETURN(std::optional<int> v, f.OptionalInt(name));
    if (!v) return Status::Corruption(f.where() + ": " + name + " is missing");
    if (*v < 0) return f.Error(name, std::to_string(*v), "a size (0 or more)");
    *out = *v;
  }
  if (a.min_size > a.max_size) {
    return Status::Corruption(fmt::format("{}: MinSize {} is above MaxSize {}",
                                          f.where(), a.min_size, a.max_size));
  }
  a.default_cooldown = ToInt(Text(g, "DefaultCooldown"), 300);
  if (std::string w = Text(g, "DefaultInstanceWarmup"); !w.empty()) {
    a.default_instance_warmup = ToInt(w);
  }
  a.status = Text(g, "Status");
  std::set<std::string> ids;
  for (pugi::xml_node m : Members(g, "Instances")) {
    AsgInstance i;
    i.id = Text(m, "InstanceId");
    i.lifecycle_state = Text(m, "LifecycleState");
    i.health_status = Text(m, "HealthStatus");
    i.availability_zone = Text(m, "AvailabilityZone");
    i.instance_type = Text(m, "InstanceType");
    i.protected_from_scale_in = Text(m, "ProtectedFromScaleIn") == "true";
    // Listed twice, it would count as two instances serving.
    if (!ids.insert(i.id).second) {
      return Status::Corruption(
          fmt::format("{}: instance '{}' is listed twice", f.where(), i.id));
    }
    a.instances.push_back(i);
  }
  for (pugi::xml_node m : Members(g, "SuspendedProcesses")) {
    a.suspended_processes.push_back(Text(m, "ProcessName"));
  }
  for (pugi::xml_node m : Members(g, "Tags")) {
    a.tags[Text(m, "Key")] = Text(m, "Value");
  }
  return a;
}

ScalingPolicyType PolicyType(const std::string& s) {
  if (s == "TargetTrackingScaling") return ScalingPolicyType::kTargetTracking;
  if (s == "StepScaling") return ScalingPolicyType::kStepScaling;
  if (s == "SimpleScaling" || s.empty())
    return ScalingPolicyType::kSimpleScaling;
  if (s == "PredictiveScaling") return ScalingPolicyType::kPredictive;
  return ScalingPolicyType::kOther;
}

Result<TargetTrackingSpec> ParseTargetTracking(const FieldReader& f) {
  TargetTrackingSpec t;
  PHAS_ASSIGN_OR_RETURN(t.target_value, f.Number("TargetValue"));
  pugi::xml_node c = f.node();
  t.predefined_metric_type =
      Text(c, "PredefinedMetricSpecification/PredefinedMetricType");
  t.resource_label = Text(c, "PredefinedMetricSpecification/ResourceLabel");
  t.customized = static_cast<bool>(Child(c, "CustomizedMetricSpecification"));
  t.disable_scale_in = Text(c, "DisableScaleIn") == "true";
  return t;
}

Result<PredictiveSpec> ParsePredictive(const FieldReader& f) {
  PredictiveSpec p;
  pugi::xml_node c = f.node();
  PHAS_ASSIGN_OR_RETURN(
      int mode, f.OneOf("Mode", {"ForecastOnly", "ForecastAndScale"}, 0));
  p.mode = static_cast<PredictiveMode>(mode);
  PHAS_ASSIGN_OR_RETURN(
      int breach, f.OneOf("MaxCapacityBreachBehavior",
                          {"HonorMaxCapacity", "IncreaseMaxCapacity"}, 0));
  p.max_capacity_breach = static_cast<MaxCapacityBreach>(breach);
  PHAS_ASSIGN_OR_RETURN(p.max_capacity_buffer,
                        f.OptionalInt("MaxCapacityBuffer"));
  PHAS_ASSIGN_OR_RETURN(std::optional<int> buffer,
                        f.OptionalInt("SchedulingBufferTime"));
  if (buffer) p.scheduling_buffer = std::chrono::seconds(*buffer);
  std::vector<pugi::xml_node> specs = Members(c, "MetricSpecifications");
  if (specs.empty()) return p;
  // AWS accepts one metric specification per policy.
  FieldReader spec(specs[0], f.where() + ": MetricSpecifications");
  PHAS_ASSIGN_OR_RETURN(p.target_value, spec.Number("TargetValue"));
  struct Predefined {
    const char* element;
    std::string* type;
  };
  for (const Predefined& d :
       {Predefined{"PredefinedMetricPairSpecification", &p.metric_pair_type},
        Predefined{"PredefinedLoadMetricSpecification", &p.load_metric_type},
        Predefined{"PredefinedScalingMetricSpecification",
                   &p.scaling_metric_type}}) {
    pugi::xml_node m = Child(specs[0], d.element);
    if (!m) continue;
    *d.type = Text(m, "PredefinedMetricType");
    if (std::string label = Text(m, "ResourceLabel"); !label.empty())
      p.resource_label = label;
  }
  for (const char* custom : {"CustomizedLoadMetricSpecification",
                             "CustomizedScalingMetricSpecification",
                             "CustomizedCapacityMetricSpecification"}) {
    if (Child(specs[0], custom)) p.customized = true;
  }
  return p;
}

Result<ScalingPolicy> ParsePolicy(pugi::xml_node m) {
  ScalingPolicy p;
  p.name = Text(m, "PolicyName");
  p.arn = Text(m, "PolicyARN");
  p.type_name = Text(m, "PolicyType");
  p.type = PolicyType(p.type_name);
  p.enabled = Text(m, "Enabled") != "false";
  FieldReader f(m, fmt::format("DescribePolicies: policy '{}'", p.name));
  PHAS_ASSIGN_OR_RETURN(p.estimated_instance_warmup,
                        f.OptionalInt("EstimatedInstanceWarmup"));
  // Each type reads its own configuration only: moto, for one, answers an
  // empty <PredictiveScalingConfiguration/> in a target tracking policy.
  pugi::xml_node c = Child(m, "TargetTrackingConfiguration");
  if (p.type == ScalingPolicyType::kTargetTracking && c) {
    PHAS_ASSIGN_OR_RETURN(p.target_tracking,
                          ParseTargetTracking(FieldReader(
                              c, fmt::format("DescribePolicies: policy '{}': "
                                             "TargetTrackingConfiguration",
                                             p.name))));
  }
  c = Child(m, "PredictiveScalingConfiguration");
  if (p.type == ScalingPolicyType::kPredictive && c) {
    PHAS_ASSIGN_OR_RETURN(p.predictive,
                          ParsePredictive(FieldReader(
                              c, fmt::format("DescribePolicies: policy '{}': "
                                             "PredictiveScalingConfiguration",
                                             p.name))));
  }
  return p;
}

Result<ScalingActivity> ParseActivity(pugi::xml_node m) {
  ScalingActivity a;
  a.id = Text(m, "ActivityId");
  a.description = Text(m, "Description");
  a.cause = Text(m, "Cause");
  a.status_code = Text(m, "StatusCode");
  a.status_message = Text(m, "StatusMessage");
  FieldReader f(m,
                fmt::format("DescribeScalingActivities: activity '{}'", a.id));
  PHAS_ASSIGN_OR_RETURN(std::optional<TimePoint> start, f.Time("StartTime"));
  if (!start) {
    return Status::Corruption(f.where() + ": StartTime is missing");
  }
  a.start_time = *start;
  PHAS_ASSIGN_OR_RETURN(a.end_time, f.Time("EndTime"));
  PHAS_ASSIGN_OR_RETURN(std::optional<int> progress, f.OptionalInt("Progress"));
  a.progress = progress.value_or(0);
  return a;
}

}  // namespace

bool ScalingPolicy::changes_capacity() const {
  if (!enabled) return false;
  if (type != ScalingPolicyType::kPredictive) return true;
  return predictive && predictive->mode == PredictiveMode::kForecastAndScale;
}

Result<std::vector<AutoScalingGroupInfo>>
AutoScalingApi::DescribeAutoScalingGroups(
    const std::vector<std::string>& names) {
  std::vector<AutoScalingGroupInfo> out;
  for (size_t b = 0; b < names.size() || (names.empty() && b == 0);
       b += kNamesPerRequest) {
    std::string token;
    Paging paging("autoscaling DescribeAutoScalingGroups");
    std::set<std::string> seen;  // this request's groups
    do {
      QueryParams p;
      for (size_t i = b; i < std::min(names.size(), b + kNamesPerRequest);
           ++i) {
        p.emplace_back(
            fmt::format("AutoScalingGroupNames.member.{}", i - b + 1),
            names[i]);
      }
      p.emplace_back("MaxRecords", "100");
      if (!token.empty()) p.emplace_back("NextToken", token);
      PHAS_ASSIGN_OR_RETURN(XmlDoc doc,
                            client_->Call("DescribeAutoScalingGroups", p));
      pugi::xml_node result = Find(*doc, "DescribeAutoScalingGroupsResult");
      for (pugi::xml_node g : Members(result, "AutoScalingGroups")) {
        PHAS_ASSIGN_OR_RETURN(AutoScalingGroupInfo group, ParseGroup(g));
        // Which of two answers would be the group's?
        if (!seen.insert(group.name).second) {
          return Status::Corruption(fmt::format(
              "DescribeAutoScalingGroups: group '{}' is in the answer twice",
              group.name));
        }
        out.push_back(std::move(group));
      }
      std::string next = Text(result, "NextToken");
      PHAS_RETURN_IF_ERROR(paging.Next(token, next));
      token = std::move(next);
    } while (!token.empty());
    if (names.empty()) break;
  }
  return out;
}

Status AutoScalingApi::SetDesiredCapacity(const std::string& name, int desired,
                                          bool honor_cooldown) {
  auto r =
      client_->Call("SetDesiredCapacity",
                    {{"AutoScalingGroupName", name},
                     {"DesiredCapacity", std::to_string(desired)},
                     {"HonorCooldown", honor_cooldown ? "true" : "false"}});
  return r.ok() ? Status::OK() : r.status();
}

Result<std::vector<ScalingPolicy>> AutoScalingApi::DescribePolicies(
    const std::string& group) {
  std::vector<ScalingPolicy> out;
  std::string token;
  Paging paging("autoscaling DescribePolicies");
  do {
    QueryParams p = {{"AutoScalingGroupName", group},
                     {"MaxRecords", std::to_string(kRecordsPerRequest)}};
    if (!token.empty()) p.emplace_back("NextToken", token);
    PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("DescribePolicies", p));
    pugi::xml_node result = Find(*doc, "DescribePoliciesResult");
    for (pugi::xml_node m : Members(result, "ScalingPolicies")) {
      PHAS_ASSIGN_OR_RETURN(ScalingPolicy policy, ParsePolicy(m));
      out.push_back(std::move(policy));
    }
    std::string next = Text(result, "NextToken");
    PHAS_RETURN_IF_ERROR(paging.Next(token, next));
    token = std::move(next);
  } while (!token.empty());
  return out;
}

Result<std::vector<ScalingActivity>> AutoScalingApi::DescribeScalingActivities(
    const std::string& group, int max) {
  std::vector<ScalingActivity> out;
  std::string token;
  Paging paging("autoscaling DescribeScalingActivities");
  while (static_cast<int>(out.size()) < max) {
    int want = std::min(kRecordsPerRequest, max - static_cast<int>(out.size()));
    QueryParams p = {{"AutoScalingGroupName", group},
                     {"MaxRecords", std::to_string(want)}};
    if (!token.empty()) p.emplace_back("NextToken", token);
    PHAS_ASSIGN_OR_RETURN(XmlDoc doc,
                          client_->Call("DescribeScalingActivities", p));
    pugi::xml_node result = Find(*doc, "DescribeScalingActivitiesResult");
    for (pugi::xml_node m : Members(result, "Activities")) {
      if (static_cast<int>(out.size()) == max) break;
      PHAS_ASSIGN_OR_RETURN(ScalingActivity a, ParseActivity(m));
      out.push_back(std::move(a));
    }
    std::string next = Text(result, "NextToken");
    PHAS_RETURN_IF_ERROR(paging.Next(token, next));
    token = std::move(next);
    if (token.empty()) break;
  }
  return out;
}

namespace {

// A query as an operator reads it: "AWS/EC2 CPUUtilization Average
// InstanceId=i-0abc", or its expression.
std::string Describe(const MetricQuery& q) {
  if (!q.expression.empty()) return "expression " + q.expression;
  std::string d = q.ns + " " + q.metric_name + " " + q.stat;
  for (const MetricDimension& dim : q.dimensions) {
    d += " " + dim.name + "=" + dim.value;
  }
  return d;
}

}  // namespace

Result<std::vector<MetricSeries>> EveryQueryAnswered(
    Result<std::vector<MetricSeries>> r) {
  if (!r.ok()) return r;
  for (const MetricSeries& s : *r) {
    if (!s.status.ok()) return s.status;
  }
  return r;
}

Result<std::vector<MetricSeries>> CloudWatchApi::GetMetricData(
    const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end) {
  std::vector<MetricSeries> out(queries.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < queries.size(); ++i) {
    out[i].id = queries[i].id;
    index[queries[i].id] = i;
  }
  // Each datapoint's page (numbered across batches) and series label (an
  // expression may answer several series under one id): a minute of a
  // series a later page answers again replaces the earlier answer.
  std::vector<std::vector<int>> page_of(queries.size());
  std::vector<std::vector<std::string>> label_of(queries.size());
  int page = 0;
  // Per query: why paging stopped before it was answered in full, if so.
  std::vector<std::string> cut(queries.size());
  // Per query: what of its answer did not read, if anything.
  std::vector<std::string> malformed(queries.size());
  for (size_t b = 0; b < queries.size(); b += kQueriesPerRequest) {
    std::string token;
    int pages = 0;  // this batch's
    int same = 0;   // pages in a row that answered the token sent
    do {
      QueryParams p;
      size_t end_i = std::min(queries.size(), b + kQueriesPerRequest);
      for (size_t i = b; i < end_i; ++i) {
        const MetricQuery& q = queries[i];
        std::string pre = fmt::format("MetricDataQueries.member.{}", i - b + 1);
        p.emplace_back(pre + ".Id", q.id);
        if (!q.expression.empty()) {
          p.emplace_back(pre + ".Expression", q.expression);
          p.emplace_back(pre + ".Period", std::to_string(q.period_seconds));
        } else {
          p.emplace_back(pre + ".MetricStat.Metric.Namespace", q.ns);
          p.emplace_back(pre + ".MetricStat.Metric.MetricName", q.metric_name);
          AddDimensions(&p, pre + ".MetricStat.Metric.Dimensions",
                        q.dimensions);
          p.emplace_back(pre + ".MetricStat.Period",
                         std::to_string(q.period_seconds));
          p.emplace_back(pre + ".MetricStat.Stat", q.stat);
        }
        p.emplace_back(pre + ".ReturnData", "true");
      }
      p.emplace_back("StartTime", FormatIso8601(start));
      p.emplace_back("EndTime", FormatIso8601(end));
      p.emplace_back("ScanBy", "TimestampAscending");
      if (!token.empty()) p.emplace_back("NextToken", token);
      PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("GetMetricData", p));
      pugi::xml_node result = Find(*doc, "GetMetricDataResult");
      for (pugi::xml_node m : Members(result, "MetricDataResults")) {
        auto it = index.find(Text(m, "Id"));
        if (it == index.end()) continue;
        MetricSeries& s = out[it->second];
        s.label = Text(m, "Label");
        // An InternalError answered with a NextToken is retried by the next
        // page, as AWS asks: its word holds. Forbidden is not retried: it
        // stays.
        if (s.status_code != "Forbidden") {
          s.status_code = Text(m, "StatusCode");
          s.message.clear();
          for (pugi::xml_node msg : Members(m, "Messages")) {
            std::string code = Text(msg, "Code");
            s.message = (code.empty() ? "" : code + ": ") + Text(msg, "Value");
            break;
          }
        }
        auto ts = Members(m, "Timestamps");
        auto vs = Members(m, "Values");
        if (ts.size() != vs.size() && malformed[it->second].empty()) {
          malformed[it->second] =
              fmt::format("{} Timestamps and {} Values", ts.size(), vs.size());
        }
        for (size_t k = 0; k < std::min(ts.size(), vs.size()); ++k) {
          TimePoint t;
          auto v = ToDouble(vs[k].child_value());
          if (!ParseIso8601(ts[k].child_value(), &t) || !v ||
              !std::isfinite(*v)) {
            if (malformed[it->second].empty()) {
              malformed[it->second] =
                  fmt::format("a datapoint that does not read ('{}' at '{}')",
                              Abbreviate(vs[k].child_value(), 40),
                              Abbreviate(ts[k].child_value(), 40));
            }
            continue;
          }
          s.timestamps.push_back(t);
          s.values.push_back(*v);
          page_of[it->second].push_back(page);
          label_of[it->second].push_back(s.label);
        }
      }
      std::string next = Text(result, "NextToken");
      ++page;
      // The same token again asks to retry a page (an InternalError): a few
      // times.
      same = !next.empty() && next == token ? same + 1 : 0;
      ++pages;
      if (!next.empty() && (same > kSameTokenRetries || pages >= kMaxPages)) {
        // Paging stops: the queries of the batch not answered in full by
        // now are not answered (the others' answers stand).
        for (size_t i = b; i < std::min(queries.size(), b + kQueriesPerRequest);
             ++i) {
          MetricSeries& s = out[i];
          if (s.status_code == "Complete" || s.status_code == "Forbidden") {
            continue;
          }
          cut[i] = fmt::format(
              "still a NextToken after {} pages{}", pages,
              same > kSameTokenRetries ? ", the same one again and again" : "");
        }
        break;
      }
      token = std::move(next);
    } while (!token.empty());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    MetricSeries& s = out[i];
    // A query CloudWatch could not answer: named, so that its empty series
    // is not taken for an instance that published nothing.
    if (!malformed[i].empty()) {
      // Its series would hold what read, the minutes in between gone.
      s.status = Status::Unavailable(
                     fmt::format("GetMetricData query {} ({}) answered {}",
                                 s.id, Describe(queries[i]), malformed[i]))
                     .WithDetail(transport_error::kMalformedResponse);
    } else if (!cut[i].empty()) {
      s.status =
          Status::Unavailable(
              fmt::format("GetMetricData query {} ({}) not answered in full: "
                          "{} (last answered {}{})",
                          s.id, Describe(queries[i]), cut[i],
                          s.status_code.empty() ? "nothing" : s.status_code,
                          s.message.empty() ? "" : ": " + s.message))
              .WithDetail("Incomplete");
    } else if (s.status_code.empty()) {
      // CloudWatch answers every query asked to return data, with no
      // datapoint at least: one it never mentioned was not answered.
      s.status = Status::Unavailable(
                     fmt::format("GetMetricData query {} ({}) not answered: "
                                 "no result for it in CloudWatch's answer",
                                 s.id, Describe(queries[i])))
                     .WithDetail("Incomplete");
    } else if (s.status_code == "InternalError" ||
               s.status_code == "Forbidden") {
      std::string what =
          fmt::format("GetMetricData query {} ({}) answered {}{}", s.id,
                      Describe(queries[i]), s.status_code,
                      s.message.empty() ? "" : " (" + s.message + ")");
      s.status = (s.status_code == "Forbidden" ? Status::PermissionDenied(what)
                                               : Status::Unavailable(what))
                     .WithDetail(s.status_code);
    }
    // Pages need not arrive in time order: sort each series by timestamp.
    // A minute of one series (label) is kept as the last page that answered
    // it did (a retry answers it again); that page's several values for it
    // all, and every other series' value for it.
    const std::vector<int>& pg = page_of[i];
    const std::vector<std::string>& lb = label_of[i];
    std::vector<size_t> order(s.timestamps.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return s.timestamps[a] < s.timestamps[b];
    });
    std::vector<TimePoint> ts;
    std::vector<double> vs;
    for (size_t from = 0; from < order.size();) {
      size_t to = from;
      while (to < order.size() &&
             s.timestamps[order[to]] == s.timestamps[order[from]]) {
        ++to;
      }
      for (size_t k = from; k < to; ++k) {
        const size_t a = order[k];
        bool newest = true;
        for (size_t j = from; j < to && newest; ++j) {
          newest = lb[order[j]] != lb[a] || pg[order[j]] <= pg[a];
        }
        if (!newest) continue;
        ts.push_back(s.timestamps[a]);
        vs.push_back(s.values[a]);
      }
      from = to;
    }
    s.timestamps = std::move(ts);
    s.values = std::move(vs);
  }
  return out;
}

Result<std::vector<Datapoint>> CloudWatchApi::GetMetricStatistics(
    const std::string& ns, const std::string& metric_name,
    const std::vector<MetricDimension>& dimensions, TimePoint start,
    TimePoint end, int period_seconds,
    const std::vector<std::string>& statistics) {
  QueryParams p = {{"Namespace", ns}, {"MetricName", metric_name}};
  AddDimensions(&p, "Dimensions", dimensions);
  p.emplace_back("StartTime", FormatIso8601(start));
  p.emplace_back("EndTime", FormatIso8601(end));
  p.emplace_back("Period", std::to_string(period_seconds));
  for (size_t i = 0; i < statistics.size(); ++i) {
    p.emplace_back(fmt::format("Statistics.member.{}", i + 1), statistics[i]);
  }
  PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("GetMetricStatistics", p));
  std::vector<Datapoint> out;
  for (pugi::xml_node m :
       Members(Find(*doc, "GetMetricStatisticsResult"), "Datapoints")) {
    Datapoint d;
    if (!ParseIso8601(Text(m, "Timestamp"), &d.timestamp)) continue;
    d.average = ToDouble(Text(m, "Average"));
    d.maximum = ToDouble(Text(m, "Maximum"));
    d.minimum = ToDouble(Text(m, "Minimum"));
    d.sum = ToDouble(Text(m, "Sum"));
    d.sample_count = ToDouble(Text(m, "SampleCount"));
    d.unit = Text(m, "Unit");
    out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const Datapoint& a, const Datapoint& b) {
    return a.timestamp < b.timestamp;
  });
  return out;
}

Result<std::vector<Ec2Instance>> Ec2Api::DescribeInstances(
    const std::vector<std::string>& ids, int max_results) {
  std::vector<Ec2Instance> out;
  constexpr size_t kIdsPerRequest = 1000;
  for (size_t b = 0; b < ids.size() || (ids.empty() && b == 0);
       b += kIdsPerRequest) {
    std::string token;
    Paging paging("ec2 DescribeInstances");
    do {
      QueryParams p;
      for (size_t i = b; i < std::min(ids.size(), b + kIdsPerRequest); ++i) {
        p.emplace_back(fmt::format("InstanceId.{}", i - b + 1), ids[i]);
      }
      if (ids.empty())
        p.emplace_back("MaxResults", std::to_string(std::max(5, max_results)));
      if (!token.empty()) p.emplace_back("NextToken", token);
      PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("DescribeInstances", p));
      pugi::xml_node root = doc->document_element();
      for (pugi::xml_node r : Members(root, "reservationSet", "item")) {
        for (pugi::xml_node i : Members(r, "instancesSet", "item")) {
          Ec2Instance e;
          e.id = Text(i, "instanceId");
          e.instance_type = Text(i, "instanceType");
          e.state = Text(i, "instanceState/name");
          e.availability_zone = Text(i, "placement/availabilityZone");
          TimePoint t;
          if (ParseIso8601(Text(i, "launchTime"), &t)) e.launch_time = t;
          out.push_back(e);
        }
      }
      std::string next = ids.empty() ? "" : Text(root, "nextToken");
      PHAS_RETURN_IF_ERROR(paging.Next(token, next));
      token = std::move(next);
    } while (!token.empty());
    if (ids.empty()) break;
  }
  return out;
}

}  // namespace phas::aws
