#include "scaler/conditions.h"

#include <fmt/format.h>

#include <algorithm>

namespace phas {
namespace {

Condition Make(const char* type, bool status, std::string reason,
               std::string message) {
  return {type, status ? "True" : "False", std::move(reason),
          std::move(message), TimePoint{}};
}

Condition AbleToScale(const GroupOutcome& o) {
  const Decision& d = o.decision;
  if (!o.found) {
    return Make("AbleToScale", false, "FailedGetScale", ReadFailure(o));
  }
  if (d.acts() && !o.dry_run && ChangedMeanwhile(o)) {
    return Make("AbleToScale", false, "ChangedMeanwhile",
                "not acting: " + o.act_status.message());
  }
  if (d.acts() && !o.dry_run && !o.act_status.ok()) {
    return Make("AbleToScale", false, "FailedUpdateScale",
                "SetDesiredCapacity failed: " + o.act_status.message());
  }
  if (d.held_by == GuardRule::kCooldown) {
    return Make("AbleToScale", false, "BackoffCooldown", d.reason);
  }
  if (d.held_by != GuardRule::kNone && d.held_by != GuardRule::kAtMax &&
      d.held_by != GuardRule::kAtMin &&
      d.held_by != GuardRule::kScaleInProtected &&
      d.held_by != GuardRule::kNotDelivered) {
    // A rule that keeps phas off the group (paused, suspended processes,
    // another controller): its own code.
    return Make("AbleToScale", false, d.code(), d.reason);
  }
  if (d.policy_code.reason == Reason::kForecastOnly) {
    return Make("AbleToScale", false, "ForecastOnly", d.reason);
  }
  if (o.dry_run) {
    return Make("AbleToScale", false, "DryRun",
                "dry run: phas decides and logs, and never sets the capacity");
  }
  if (o.acted) {
    return Make(
        "AbleToScale", true, "SucceededRescale",
        fmt::format("set the desired capacity {} -> {}", d.current, d.target));
  }
  return Make("AbleToScale", true, "ReadyForNewScale",
              "phas may set the capacity when the policy asks");
}

Condition ScalingActive(const GroupOutcome& o) {
  if (!o.found) {
    return Make("ScalingActive", false, "FailedGetScale", ReadFailure(o));
  }
  if (!o.metrics_status.ok()) {
    return Make("ScalingActive", false, "FailedGetMetrics",
                "cannot read metrics: " + o.metrics_status.message());
  }
  if (std::string none = NoMetricData(o); !none.empty()) {
    return Make("ScalingActive", false, "NoMetricData", none);
  }
  if (o.model_asked && !o.predictor_status.ok()) {
    return Make("ScalingActive", true, "FallbackRule",
                "the model gave no answer (" + o.predictor_status.message() +
                    "): " + o.decision.reason);
  }
  return Make("ScalingActive", true, "ValidMetricFound", o.decision.reason);
}

Condition ScalingLimited(const GroupOutcome& o) {
  if (!o.found) {
    Condition c = Make("ScalingLimited", false, "FailedGetScale",
                       "the group was not read");
    c.status = "Unknown";
    return c;
  }
  std::vector<std::string> why = LimitedReasons(o.decision);
  if (why.empty()) {
    return Make("ScalingLimited", false, "DesiredWithinRange",
                "the desired capacity is what the policy asked for");
  }
  return Make("ScalingLimited", true, why.front(), o.decision.reason);
}

}  // namespace

std::vector<Condition> GroupConditions(const GroupOutcome& o) {
  return {AbleToScale(o), ScalingActive(o), ScalingLimited(o)};
}

std::vector<std::string> LimitedReasons(const Decision& d) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& r) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  };
  if (d.held_by != GuardRule::kNone) add(d.code());
  // Forecast-only: the policy's wish is logged, never carried out.
  if (d.policy_code.reason == Reason::kForecastOnly) add("forecast_only");
  for (GuardClamp c : d.clamped_by) {
    switch (c) {
      case GuardClamp::kMaxSize:
        add("at_max");
        break;
      case GuardClamp::kMinSize:
        add("at_min");
        break;
      case GuardClamp::kStepUp:
      case GuardClamp::kStepDown:
        add("step_cap");
        break;
      case GuardClamp::kScaleInProtected:
        add("scale_in_protected");
        break;
    }
  }
  return out;
}

std::string NoMetricData(const GroupOutcome& o) {
  if (!o.found || !o.metrics_status.ok() || !o.metrics ||
      o.metrics->instances_with_data > 0 ||
      o.observation.group.in_service <= 0) {
    return "";
  }
  return fmt::format(
      "no datapoint from any of the group's {} in-service instance(s) this "
      "cycle (is the metric published? detailed monitoring on?): {}",
      o.observation.group.in_service, o.decision.reason);
}

std::string ReadFailure(const GroupOutcome& o) {
  if (!o.found) {
    return o.describe_status.ok()
               ? "group " + o.group + " not found"
               : "cannot describe the group: " + o.describe_status.message();
  }
  if (!o.metrics_status.ok()) {
    return "cannot read metrics: " + o.metrics_status.message();
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> FailedGroups(
    const CycleReport& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const GroupOutcome& o : r.groups) {
    std::string why = ReadFailure(o);
    if (why.empty() && o.decision.acts() && !o.dry_run && !o.act_status.ok() &&
        !ChangedMeanwhile(o)) {
      why = "SetDesiredCapacity failed: " + o.act_status.message();
    }
    if (!why.empty()) out.emplace_back(o.group, why);
  }
  return out;
}

std::string ErrorCode(const Status& st) {
  return st.detail().empty() ? Status::CodeName(st.code()) : st.detail();
}

}  // namespace phas
