#include "decision/target_tracking_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>

#include "common/format.h"

namespace phas {

TargetTrackingPolicy::TargetTrackingPolicy(Config config, ScalingTarget target)
    : TypedPolicy(std::move(config), std::move(target)),
      target_words_(Format(FMT_COMPILE("{}{}"), Fixed(target_.value, 0),
                           target_.signal.unit)) {}

TypedProposal<AlarmState> TargetTrackingPolicy::Evaluate(
    const Observation& obs, const AlarmState& state) const {
  const double target = target_.value;
  const LoadSignal& s = target_.signal;
  const char* unit = s.unit.c_str();
  TypedProposal<AlarmState> p;
  p.target = obs.group.desired;
  p.state = CountAlarms(obs.signal, state, target, target * c_.scale_in_ratio);
  int above = p.state.high;
  int below = p.state.low;
  if (!obs.metrics_ok || obs.signal.empty()) {
    p.reason = "no metric this cycle";
    p.code = {Reason::kNoMetrics};
    return p;
  }
  double metric = obs.signal.back().value;
  int n = ReadyInstances(obs);
  double exact = n * metric / target;
  if (above >= c_.scale_out_points) {
    int want = static_cast<int>(std::ceil(exact - 1e-9));
    p.target = std::max(obs.group.desired, want);
    p.reason = Format(FMT_COMPILE("{} {}{} above target {}{} for "
                                  "{} points: ceil({} x {} / "
                                  "{}) = {}"),
                      s.name, Fixed(metric, 1), unit, Fixed(target, 0), unit,
                      above, n, Fixed(metric, 1), Fixed(target, 0), want);
    p.code = {p.target > obs.group.desired ? Reason::kTtScaleOut
                                           : Reason::kTtScaleOutWarming};
    return p;
  }
  if (below >= c_.scale_in_points) {
    if (obs.group.warming > 0 || obs.group.pending > 0) {
      p.reason = "low alarm, but instances are warming up: no scale-in";
      p.code = {Reason::kTtScaleInBlocked};
      return p;
    }
    int want = c_.scale_in_rounding == "ceil"
                   ? static_cast<int>(std::ceil(exact - 1e-9))
                   : static_cast<int>(std::floor(exact + 1e-9));
    want = std::max(want, 1);
    p.target = std::min(obs.group.desired, want);
    p.reason =
        Format(FMT_COMPILE("{} {}{} below {}% of target "
                           "for {} points: {}({} x {} / "
                           "{}) = {}"),
               s.name, Fixed(metric, 1), unit,
               Fixed(c_.scale_in_ratio * 100, 0), below, c_.scale_in_rounding,
               n, Fixed(metric, 1), Fixed(target, 0), want);
    p.code = {Reason::kTtScaleIn};
    return p;
  }
  p.reason =
      Format(FMT_COMPILE("{} {}{} (target {}): alarms not in "
                         "breach ({} high, {} low points)"),
             s.name, Fixed(metric, 1), unit, target_words_, above, below);
  p.code = {Reason::kTtOk};
  return p;
}

}  // namespace phas
