#include "decision/reason.h"

namespace phas {
namespace {

const char* ReasonName(Reason r) {
  switch (r) {
    case Reason::kNoMetrics:
      return "no_metrics";
    case Reason::kModelScaleUp:
      return "model_scale_up";
    case Reason::kModelScaleDown:
      return "model_scale_down";
    case Reason::kModelScaleDownWaiting:
      return "model_scale_down_waiting";
    case Reason::kModelHold:
      return "model_hold";
    case Reason::kFallbackHold:
      return "fallback_hold";
    case Reason::kCpuAboveTarget:
      return "cpu_above_target";
    case Reason::kCpuBelowTarget:
      return "cpu_below_target";
    case Reason::kCpuBelowTargetWaiting:
      return "cpu_below_target_waiting";
    case Reason::kCpuNearTarget:
      return "cpu_near_target";
    case Reason::kTtScaleOut:
      return "tt_scale_out";
    case Reason::kTtScaleOutWarming:
      return "tt_scale_out_warming";
    case Reason::kTtScaleInBlocked:
      return "tt_scale_in_blocked";
    case Reason::kTtScaleIn:
      return "tt_scale_in";
    case Reason::kTtOk:
      return "tt_ok";
    case Reason::kStepOut:
      return "step_out";
    case Reason::kStepOutWarming:
      return "step_out_warming";
    case Reason::kStepInBlocked:
      return "step_in_blocked";
    case Reason::kStepIn:
      return "step_in";
    case Reason::kStepOk:
      return "step_ok";
    case Reason::kHpaUnreadyCover:
      return "hpa_unready_cover";
    case Reason::kHpaWithinTolerance:
      return "hpa_within_tolerance";
    case Reason::kHpaScaleUpLimited:
      return "hpa_scale_up_limited";
    case Reason::kHpaScaleUp:
      return "hpa_scale_up";
    case Reason::kHpaStabilized:
      return "hpa_stabilized";
    case Reason::kHpaScaleDown:
      return "hpa_scale_down";
    case Reason::kForecastOnly:
      return "forecast_only";
    case Reason::kPredForecastUp:
      return "pred_forecast_up";
    case Reason::kPredReactiveUp:
      return "pred_reactive_up";
    case Reason::kPredForecastDown:
      return "pred_forecast_down";
    case Reason::kPredHold:
      return "pred_hold";
    case Reason::kApForecast:
      return "ap_forecast";
    case Reason::kOracleBlind:
      return "oracle_blind";
    case Reason::kOracle:
      return "oracle";
  }
  return "unknown";
}

const char* ViaPrefix(Via v) {
  switch (v) {
    case Via::kSelf:
      return "";
    case Via::kSeedFallback:
      return "fallback_";
    case Via::kPredictiveFallback:
      return "pred_fallback_";
    case Via::kAwsPredictiveTracking:
      return "ap_";
  }
  return "";
}

}  // namespace

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kHold:
      return "hold";
    case Direction::kUp:
      return "scale_up";
    case Direction::kDown:
      return "scale_down";
  }
  return "hold";
}

std::string ReasonCode::ToString() const {
  return std::string(ViaPrefix(via)) + ReasonName(reason);
}

const char* GuardRuleName(GuardRule r) {
  switch (r) {
    case GuardRule::kNone:
      return "";
    case GuardRule::kAtMax:
      return "at_max";
    case GuardRule::kAtMin:
      return "at_min";
    case GuardRule::kCooldown:
      return "cooldown";
    case GuardRule::kScaleInProtected:
      return "scale_in_protected";
    case GuardRule::kNotDelivered:
      return "capacity_not_delivered";
    case GuardRule::kPausedByTag:
      return "paused_by_tag";
    case GuardRule::kSuspended:
      return "suspended";
    case GuardRule::kCapacityUnits:
      return "capacity_units";
    case GuardRule::kControlsUnknown:
      return "controls_unreadable";
    case GuardRule::kInstanceRefresh:
      return "instance_refresh";
    case GuardRule::kAwsPolicyConflict:
      return "aws_policy_conflict";
    case GuardRule::kAwsScaleIn:
      return "aws_scale_in";
    case GuardRule::kForecastOnly:
      return "forecast_only";
  }
  return "";
}

const char* GuardClampName(GuardClamp c) {
  switch (c) {
    case GuardClamp::kMaxSize:
      return "max_size";
    case GuardClamp::kMinSize:
      return "min_size";
    case GuardClamp::kStepUp:
      return "step_up";
    case GuardClamp::kStepDown:
      return "step_down";
    case GuardClamp::kScaleInProtected:
      return "scale_in_protected";
  }
  return "";
}

}  // namespace phas
