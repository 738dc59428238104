// A group's health as an on-call engineer reads it, from one cycle's outcome
// (scaler/outcome.h), in the manner of `kubectl describe hpa`:
//   AbleToScale     can phas change the group's capacity now? False when the
//                   group could not be described, the action failed, a rule
//                   holds it (cooldown, or a rule that keeps phas off the
//                   group: its code), or it never acts (dry run, forecast
//                   only)
//   ScalingActive   can the policy compute a capacity? False when the group
//                   or its metrics could not be read
//   ScalingLimited  did a rule keep the capacity from what the policy
//                   wanted? True with the rule (at_max, at_min, step_cap,
//                   scale_in_protected, cooldown, or the holding rule's
//                   code)
// and the checks behind `--once`'s exit code. Pure functions of values; the
// "since" of a condition is kept by its caller (scaler/status_board.h).
//
// Thread-safety: stateless functions.
#ifndef PHAS_SCALER_CONDITIONS_H_
#define PHAS_SCALER_CONDITIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "scaler/outcome.h"

namespace phas {

struct Condition {
  std::string type;    // "AbleToScale", "ScalingActive", "ScalingLimited"
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // one CamelCase word or a phas rule code
  std::string message;
  TimePoint since;  // the last change of status or reason (set by the board)
};

// The three conditions of a group after a cycle, in the order above.
std::vector<Condition> GroupConditions(const GroupOutcome& o);

// The rules that kept the decision from the policy's wish, as short codes:
// "at_max", "at_min" (held at or clamped to a bound), "step_cap" (a step
// limit), "scale_in_protected" (held at or clamped to the instances
// protected from scale-in), "cooldown", the code of any other holding rule,
// "forecast_only" (the predictive policy never acts). Empty: none.
std::vector<std::string> LimitedReasons(const Decision& d);

// Why the group was not read this cycle ("" when it was): not found, the
// describe call failed, or its metrics could not be read.
std::string ReadFailure(const GroupOutcome& o);

// "" unless the metrics read held no datapoint from any instance though
// the group has instances in service (an agent missing, a metric not
// published, basic monitoring): ScalingActive False NoMetricData (it
// showed ValidMetricFound while the policy held). Shown, not a read
// failure: right after a start with basic monitoring the observer waits
// for its coarser window (about 11 minutes) with nothing yet, which is
// normal; phas_scaler_group_reporting_instances 0 for 30 minutes fires
// PhasGroupNoMetricData. A group with no instance in service has none to
// publish.
std::string NoMetricData(const GroupOutcome& o);

// The groups of a cycle that could not be read, decided or acted on, each
// with why (the action failed: "SetDesiredCapacity failed: ..."). Empty when
// every group went through.
std::vector<std::pair<std::string, std::string>> FailedGroups(
    const CycleReport& r);

// A failure's code for metrics: the AWS error code when the adapter kept
// one (Status::detail), else the status code's name ("Unavailable").
std::string ErrorCode(const Status& st);

}  // namespace phas

#endif  // PHAS_SCALER_CONDITIONS_H_
