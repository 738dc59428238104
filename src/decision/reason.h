// Why a decision was made, as closed types: what a policy saw (Reason, with
// Via when it delegated to another rule) and which safety rule held it
// (GuardRule) or moved it (GuardClamp). Names exist only for the log, the JSON
// records and the metrics; nothing parses them back.
//
// Thread-safety: plain values.
#ifndef PHAS_DECISION_REASON_H_
#define PHAS_DECISION_REASON_H_

#include <cstdint>
#include <string>

namespace phas {

// Which way a decision or a wish goes.
enum class Direction : uint8_t { kHold, kUp, kDown };
const char* DirectionName(Direction d);  // "hold", "scale_up", "scale_down"

enum class Reason : uint8_t {
  kNoMetrics,  // no metric this cycle
  // seed: the model's class
  kModelScaleUp,
  kModelScaleDown,
  kModelScaleDownWaiting,  // scale_down, streak not long enough yet
  kModelHold,
  kFallbackHold,  // no model answer, fallback hold
  // reactive
  kCpuAboveTarget,
  kCpuBelowTarget,
  kCpuBelowTargetWaiting,
  kCpuNearTarget,
  // target tracking
  kTtScaleOut,
  kTtScaleOutWarming,  // breach, but capacity already coming covers it
  kTtScaleInBlocked,   // low alarm while instances warm up
  kTtScaleIn,
  kTtOk,
  // step scaling
  kStepOut,
  kStepOutWarming,
  kStepInBlocked,
  kStepIn,
  kStepOk,
  // hpa
  kHpaUnreadyCover,
  kHpaWithinTolerance,
  kHpaScaleUpLimited,
  kHpaScaleUp,
  kHpaStabilized,
  kHpaScaleDown,
  // predictive
  kForecastOnly,
  kPredForecastUp,
  kPredReactiveUp,
  kPredForecastDown,
  kPredHold,
  // aws-predictive
  kApForecast,
  // oracle (simulator only)
  kOracleBlind,
  kOracle,
};

// When a policy hands the decision to another rule, which one (the name is
// then prefixed: "fallback_cpu_above_target", "pred_fallback_tt_ok").
enum class Via : uint8_t {
  kSelf,
  kSeedFallback,           // "fallback_": the seed policy's reactive fallback
  kPredictiveFallback,     // "pred_fallback_": predictive without a forecast
  kAwsPredictiveTracking,  // "ap_": target tracking beside aws-predictive
};

struct ReasonCode {
  Reason reason = Reason::kNoMetrics;
  Via via = Via::kSelf;

  // "tt_scale_out", "pred_fallback_tt_ok", ...
  std::string ToString() const;
  friend bool operator==(const ReasonCode&, const ReasonCode&) = default;
};

// The safety rule that held a policy's wish (decision/guard.h), or the rule
// beside AWS's own scaling that did (decision/coexist.h).
enum class GuardRule : uint8_t {
  kNone,
  kAtMax,     // "at_max": wanted more, already at MaxSize
  kAtMin,     // "at_min": wanted fewer, already at MinSize
  kCooldown,  // "cooldown": inside the cooldown of the last action, or a
              // scale-in inside the first cooldown after a start without
              // saved state
  kScaleInProtected,  // "scale_in_protected": wanted fewer, and every
                      // instance AWS could terminate is protected from
                      // scale-in
  kNotDelivered,      // "capacity_not_delivered": wanted more, and AWS has
                      // not delivered the desired capacity for 15 minutes
  // Beside AWS's own scaling (decision/coexist.h), in the order they apply:
  kPausedByTag,        // "paused_by_tag": tag phas:paused=true
  kSuspended,          // "suspended": Launch or Terminate suspended
  kCapacityUnits,      // "capacity_units": the desired capacity counts
                       // vCPUs, MiB or weighted units, not instances
  kControlsUnknown,    // "controls_unreadable": never read the AWS controls
  kInstanceRefresh,    // "instance_refresh": AWS is replacing instances
  kAwsPolicyConflict,  // "aws_policy_conflict": an AWS policy scales it
  kAwsScaleIn,         // "aws_scale_in": scale-in left to AWS's policies
                       // (aws_policies: scale_out_only)
  kForecastOnly,       // "forecast_only": tag phas:forecast-only=true or
                       // --forecast-only: decide and log, never act
};
const char* GuardRuleName(GuardRule r);

// A safety rule that moved a policy's target without holding it
// (decision/guard.h), in the order the guard applies them: bounds, step
// limits, then the instances protected from scale-in.
enum class GuardClamp : uint8_t {
  kMaxSize,           // "max_size": the target was above MaxSize
  kMinSize,           // "min_size": the target was below MinSize
  kStepUp,            // "step_up": more than max_step_up instances at once
  kStepDown,          // "step_down": more than max_step_down instances at once
  kScaleInProtected,  // "scale_in_protected": a scale-in below the instances
                      // protected from scale-in
};
const char* GuardClampName(GuardClamp c);

}  // namespace phas

#endif  // PHAS_DECISION_REASON_H_
