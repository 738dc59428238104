#include "decision/reactive_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "common/format.h"
#include "decision/points.h"

namespace phas {

int ReactivePolicy::Direction(double u, int n, int d, int launching,
                              std::string* why) const {
  const LoadSignal& s = target_.signal;
  const char* unit = s.unit.c_str();
  double high = target_.value * (1 + c_.tolerance);
  double low = target_.value * (1 - c_.tolerance);
  // The load the n instances served, on the d instances the group is sized
  // to: more when some are still launching, less when some served the
  // minute and are leaving (a scale-in, a rebalance).
  double projected = d != n ? u * n / std::max(d, 1) : u;
  if (projected > high) {
    *why = d != n ? Format(FMT_COMPILE("{} {}{} on {} instances, {}{} on the "
                                       "{} desired, above {}{}"),
                           s.name, Fixed(u, 1), unit, n, Fixed(projected, 1),
                           unit, d, Fixed(high, 1), unit)
                  : Format(FMT_COMPILE("{} {}{} above {}{} (target {}{} "
                                       "+ {}%)"),
                           s.name, Fixed(u, 1), unit, Fixed(high, 1), unit,
                           Fixed(target_.value, 0), unit,
                           Fixed(c_.tolerance * 100, 0));
    return +1;
  }
  if (launching > 0) {
    *why = Format(FMT_COMPILE("{} {}{}; {} instance(s) still launching or "
                              "warming up"),
                  s.name, Fixed(u, 1), unit, launching);
    return 0;
  }
  if (d > 1) {
    double after = u * n / (d - 1);
    if (after < low) {
      *why = Format(
          FMT_COMPILE("{} {}{} on {} instances would be {}{} on {}, below "
                      "{}{}"),
          s.name, Fixed(u, 1), unit, n, Fixed(after, 1), unit, d - 1,
          Fixed(low, 1), unit);
      return -1;
    }
  }
  *why = Format(FMT_COMPILE("{} {}{} near target {}{}"), s.name, Fixed(u, 1),
                unit, Fixed(target_.value, 0), unit);
  return 0;
}

TypedProposal<ReactiveState> ReactivePolicy::Evaluate(
    const Observation& obs, const ReactiveState& state) const {
  TypedProposal<ReactiveState> p;
  p.target = obs.group.desired;
  p.state = state;
  if (!obs.metrics_ok || obs.signal.empty()) {
    p.reason = Format(FMT_COMPILE("no {} metric this cycle; holding"),
                      target_.signal.title);
    p.code = {Reason::kNoMetrics};
    return p;
  }
  // The instances the average covers: a new instance has no datapoint yet,
  // so it has taken no load in the numbers either.
  const MetricSample& latest = obs.signal.back();
  const int n = ReadyInstances(obs);
  // A desired capacity of 0 with instances still serving (protected from
  // scale-in, terminating): the load is read on them.
  const int d = obs.group.desired > 0 ? obs.group.desired : n;
  // Instances still to serve: no scale-in until they do.
  const int launching = std::max(d - n, obs.group.pending + obs.group.warming);
  std::string why;
  // Count each new one-minute point once.
  int below = state.below;
  p.state.last_point =
      ForEachNewPoint(obs.signal, state.last_point, [&](const MetricSample& s) {
        below = Direction(s.value, n, d, launching, &why) < 0 ? below + 1 : 0;
      });
  int dir = Direction(latest.value, n, d, launching, &why);
  p.state.below = below;
  if (dir > 0) {
    p.target = obs.group.desired + 1;
    p.reason = why;
    p.code = {Reason::kCpuAboveTarget};
  } else if (dir < 0 && below >= c_.scale_down_points) {
    p.target = obs.group.desired - 1;
    p.reason = Format(FMT_COMPILE("{} for {} consecutive minutes"), why, below);
    p.code = {Reason::kCpuBelowTarget};
    p.state_if_acted = p.state;
    p.state_if_acted->below = 0;
  } else if (dir < 0) {
    p.reason = Format(FMT_COMPILE("{} ({} of {} minutes needed)"), why, below,
                      c_.scale_down_points);
    p.code = {Reason::kCpuBelowTargetWaiting};
  } else {
    p.reason = why;
    p.code = {Reason::kCpuNearTarget};
  }
  return p;
}

}  // namespace phas
