#include "decision/step_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>

#include "common/format.h"

namespace phas {
namespace {

int Change(double adjustment, int capacity, bool percent) {
  if (!percent) return static_cast<int>(adjustment);
  double raw = capacity * adjustment / 100.0;
  // AWS: rounded away from zero, and at least 1 instance.
  int c = static_cast<int>(raw > 0 ? std::ceil(raw) : std::floor(raw));
  if (c == 0 && adjustment != 0) c = adjustment > 0 ? 1 : -1;
  return c;
}

}  // namespace

double StepPolicy::StepFor(const std::vector<StepAdjustment>& steps,
                           double breach) {
  for (const StepAdjustment& s : steps) {
    if (breach >= s.lower && breach < s.upper) return s.adjustment;
  }
  return 0;
}

TypedProposal<AlarmState> StepPolicy::Evaluate(const Observation& obs,
                                               const AlarmState& state) const {
  const LoadSignal& s = target_.signal;
  const char* unit = s.unit.c_str();
  TypedProposal<AlarmState> p;
  p.target = obs.group.desired;
  p.state = CountAlarms(obs.signal, state, c_.high_threshold, c_.low_threshold);
  if (!obs.metrics_ok || obs.signal.empty()) {
    p.reason = "no metric this cycle";
    p.code = {Reason::kNoMetrics};
    return p;
  }
  double metric = obs.signal.back().value;
  int ready = ReadyInstances(obs);
  const char* pct = c_.percent() ? "%" : "";
  if (p.state.high >= c_.evaluation_points) {
    double adj = StepFor(c_.out_steps, metric - c_.high_threshold);
    int want = ready + Change(adj, ready, c_.percent());
    p.target = std::max(obs.group.desired, want);
    p.reason = Format(
        FMT_COMPILE("{} {}{} over {}{} by {}: "
                    "step {:+g}{} on {} ready = {}"),
        s.name, Fixed(metric, 1), unit, Fixed(c_.high_threshold, 0), unit,
        Fixed(metric - c_.high_threshold, 1), adj, pct, ready, want);
    p.code = {p.target > obs.group.desired ? Reason::kStepOut
                                           : Reason::kStepOutWarming};
    return p;
  }
  if (p.state.low >= c_.evaluation_points) {
    if (obs.group.warming > 0 || obs.group.pending > 0) {
      p.reason = "low alarm, but instances are warming up: no scale-in";
      p.code = {Reason::kStepInBlocked};
      return p;
    }
    double adj = StepFor(c_.in_steps, metric - c_.low_threshold);
    p.target = obs.group.desired + Change(adj, obs.group.desired, c_.percent());
    p.reason = Format(FMT_COMPILE("{} {}{} under {}{}: step {:+g}{}"), s.name,
                      Fixed(metric, 1), unit, Fixed(c_.low_threshold, 0), unit,
                      adj, pct);
    p.code = {Reason::kStepIn};
    return p;
  }
  p.reason = Format(FMT_COMPILE("{} {}{} between {}{} and {}{}"), s.name,
                    Fixed(metric, 1), unit, Fixed(c_.low_threshold, 0), unit,
                    Fixed(c_.high_threshold, 0), unit);
  p.code = {Reason::kStepOk};
  return p;
}

}  // namespace phas
