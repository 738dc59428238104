// Beside AWS's own scaling: the rules that keep phas from fighting what
// else steers a group (AWS's scaling policies, suspended processes, an
// instance refresh) and let an operator pause it without a deploy (group
// tags, --forecast-only). Applied after the policy and the guard
// (decision/guard.h), so every policy obeys them. The first rule that
// applies holds the group, in this order:
//   1. tag phas:paused=true                          paused_by_tag
//   2. Launch or Terminate suspended                 suspended
//      (AWS could not carry out a new desired capacity, or only half of it;
//      AlarmNotification, ScheduledActions and the others do not stop a
//      SetDesiredCapacity from taking effect, so they do not hold)
//   3. the controls were never read                  controls_unreadable
//      (an AWS policy or a refresh cannot be ruled out)
//   3b. the desired capacity does not count         capacity_units
//      instances (DesiredCapacityType vcpu or memory-mib; weights other
//      than 1 on a mixed instances policy or an instance)
//   4. an instance refresh in progress               instance_refresh
//      (AWS is replacing instances; capacity changes would fight it)
//   5. an AWS policy that changes capacity           aws_policy_conflict
//      (target tracking, step, simple, or predictive in ForecastAndScale;
//      the alarm-driven ones not while AlarmNotification is suspended),
//      unless aws_policies: scale_out_only, where only a scale-in is held
//      (aws_scale_in): phas raises capacity, AWS's policies lower it
//   6. tag phas:forecast-only=true, or the          forecast_only
//      process-wide --forecast-only
// A tag value other than "true" or "false" counts as "true" (the safe
// side), and the reason says so. A scheduled action that changes capacity
// within `scheduled_notice` is reported (CoexistVerdict::notices), never
// held for.
// The held decision says which rule held it (Decision::held_by, the short
// code above) and why, after the policy's reason: "...; wanted 2 -> 3,
// paused by tag phas:paused=true: hold at 2".
//
// Pure: facts, settings and `now` in; verdict and decision out.
#ifndef PHAS_DECISION_COEXIST_H_
#define PHAS_DECISION_COEXIST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "decision/types.h"

namespace phas {

// How phas shares a group with AWS's own scaling policies (the group's
// `aws_policies` key).
enum class AwsPolicySharing : uint8_t {
  kRefuse,        // "refuse" (default): no action while one scales it
  kScaleOutOnly,  // "scale_out_only": phas only raises capacity
};
const char* AwsPolicySharingName(AwsPolicySharing s);

// An AWS scaling policy that changes the group's capacity.
struct AwsPolicyFact {
  std::string name;
  std::string type;  // "TargetTrackingScaling", "PredictiveScaling", ...
  // Acts on CloudWatch alarms (target tracking, step, simple): suspending
  // AlarmNotification stops it.
  bool alarm_driven = true;
};

struct ScheduledFact {
  std::string name;
  TimePoint next;
  std::string change;  // "desired 10, min 2"
};

// What the loop knows of a group's surroundings this cycle.
struct CoexistFacts {
  // Read every cycle with the describe.
  std::map<std::string, std::string> tags;
  std::vector<std::string> suspended_processes;
  // Why the desired capacity does not count instances ("" when it does:
  // cloud/cloud.h GroupDescription::capacity_units).
  std::string capacity_units;
  // The AWS controls (read every few minutes): whether a read ever
  // succeeded, and why the last one failed ("" when it did not).
  bool controls_read = false;
  std::string controls_error;
  std::vector<AwsPolicyFact> policies;
  std::string refresh;  // the refresh in progress, in words; "" for none
  std::vector<ScheduledFact> scheduled;
};

struct CoexistConfig {
  AwsPolicySharing aws_policies = AwsPolicySharing::kRefuse;
  // --forecast-only: every group decides and logs, never acts.
  bool forecast_only = false;
  // How far ahead a scheduled action is reported. Default: 15 minutes.
  Duration scheduled_notice = std::chrono::minutes(15);
};

inline constexpr char kPausedTag[] = "phas:paused";
inline constexpr char kForecastOnlyTag[] = "phas:forecast-only";

struct CoexistVerdict {
  // The rule that holds every change (kNone: none), and its words.
  GuardRule hold = GuardRule::kNone;
  std::string words;
  // The rule that holds a scale-in only (aws_scale_in), and its words.
  GuardRule hold_scale_in = GuardRule::kNone;
  std::string scale_in_words;
  // To report, not to hold for: scheduled actions about to run.
  std::vector<std::string> notices;
};

CoexistVerdict JudgeCoexistence(const CoexistFacts& facts,
                                const CoexistConfig& config, TimePoint now);

// `d` once the verdict applies: unchanged when no rule holds it; else a
// hold at the current capacity, held_by the rule, the rule's words after
// the reason. A decision the guard held already gets the rule too (the
// group's state is what an operator needs to see).
Decision ApplyCoexistence(Decision d, const CoexistVerdict& verdict);

}  // namespace phas

#endif  // PHAS_DECISION_COEXIST_H_
