#include "aws/services.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "aws/xml.h"

namespace phas::aws {
namespace {

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
  // A finite number; required (AWS always sends the target values read so).
  // NaN and infinity are refused: AWS never sends them, and a target of NaN
  // would reach the backtest's `aws` row as a target nothing meets.
  Result<double> Number(const std::string& path) const {
    std::string s = Text(node_, path);
    if (s.empty())
      return Status::Corruption(where_ + ": " + path + " is missing");
    auto v = ToDouble(s);
    if (!v || !std::isfinite(*v)) return Error(path, s, "a finite number");
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
  a.status = Text(g, "Status");
  a.desired_capacity_type = Text(g, "DesiredCapacityType");
  for (pugi::xml_node o :
       Members(g, "MixedInstancesPolicy/LaunchTemplate/Overrides")) {
    if (std::string w = Text(o, "WeightedCapacity"); !w.empty()) {
      a.override_weights.push_back(w);
    }
  }
  std::set<std::string> ids;
  for (pugi::xml_node m : Members(g, "Instances")) {
    AsgInstance i;
    i.id = Text(m, "InstanceId");
    i.lifecycle_state = Text(m, "LifecycleState");
    i.health_status = Text(m, "HealthStatus");
    i.availability_zone = Text(m, "AvailabilityZone");
    i.instance_type = Text(m, "InstanceType");
    i.protected_from_scale_in = Text(m, "ProtectedFromScaleIn") == "true";
    i.weighted_capacity = Text(m, "WeightedCapacity");
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
    const std::vector<std::string>& names,
    std::map<std::string, Status>* unreadable) {
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
        auto group = ParseGroup(g);
        const std::string name = Text(g, "AutoScalingGroupName");
        // Which of two answers would be the group's?
        if (!seen.insert(name).second) {
          return Status::Corruption(fmt::format(
              "DescribeAutoScalingGroups: group '{}' is in the answer twice",
              name));
        }
        if (!group.ok()) {
          if (!unreadable || name.empty()) return group.status();
          (*unreadable)[name] = group.status();
          continue;
        }
        out.push_back(std::move(group).value());
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

std::string AutoScalingGroupInfo::CapacityUnits() const {
  if (!desired_capacity_type.empty() && desired_capacity_type != "units") {
    return "DesiredCapacityType " + desired_capacity_type;
  }
  auto weighted = [](const std::string& w) {
    return !w.empty() && ToDouble(w) != std::optional<double>(1.0);
  };
  for (const std::string& w : override_weights) {
    if (weighted(w)) {
      return "a mixed instances policy weighs instance types " + w + " units";
    }
  }
  for (const AsgInstance& i : instances) {
    if (weighted(i.weighted_capacity)) {
      return fmt::format("instance {} weighs {} units", i.id,
                         i.weighted_capacity);
    }
  }
  return "";
}

}  // namespace phas::aws
