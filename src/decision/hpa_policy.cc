#include "decision/hpa_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/format.h"
#include "decision/points.h"

namespace phas {

TypedProposal<HpaState> HpaPolicy::Evaluate(const Observation& obs,
                                            const HpaState& state) const {
  const double target = target_.value;
  const LoadSignal& s = target_.signal;
  const char* unit = s.unit.c_str();
  TypedProposal<HpaState> p;
  int current = obs.group.desired;
  p.target = current;
  p.state = state;
  if (!obs.metrics_ok || obs.signal.empty()) {
    p.reason = "no metric this cycle";
    p.code = {Reason::kNoMetrics};
    return p;
  }
  double metric = obs.signal.back().value;
  double ratio = metric / target;
  int ready = ReadyInstances(obs);
  int unready = std::max(0, current - ready);
  int raw = current;
  bool covered = false;  // the unready instances already cover the breach
  if (std::fabs(ratio - 1.0) > c_.tolerance) {
    if (ratio > 1.0 && unready > 0) {
      // Unready instances count as 0: recompute over all of them.
      double adjusted = metric * ready / (target * (ready + unready));
      covered = adjusted <= 1.0;
      raw = covered ? current
                    : static_cast<int>(
                          std::ceil(adjusted * (ready + unready) - 1e-9));
    } else {
      raw = static_cast<int>(std::ceil(ratio * ready - 1e-9));
    }
  }
  int stabilized = StabilizeScaleIn(&p.state.recommendations, obs.now,
                                    c_.stabilization, raw, current);
  int limit = std::max(2 * current, current + 4);
  int want = std::min(stabilized, limit);
  p.target = want;
  p.reason = Format(FMT_COMPILE("ceil({} ready x {} / {}) = {}"), ready,
                    Fixed(metric, 1), Fixed(target, 0), raw);
  if (covered) {
    p.reason = Format(FMT_COMPILE("{} {}{} on {} ready; the {} not "
                                  "ready yet (counted at 0) cover "
                                  "it"),
                      s.name, Fixed(metric, 1), unit, ready, unready);
    p.code = {Reason::kHpaUnreadyCover};
  } else if (raw == current) {
    p.reason = Format(FMT_COMPILE("{} {}{} within {}% of target {}{}"), s.name,
                      Fixed(metric, 1), unit, Fixed(c_.tolerance * 100, 0),
                      Fixed(target, 0), unit);
    p.code = {Reason::kHpaWithinTolerance};
  } else if (raw > current) {
    p.code = {want < raw ? Reason::kHpaScaleUpLimited : Reason::kHpaScaleUp};
    if (want < raw) {
      p.reason += Format(FMT_COMPILE(", limited to max(2n, n+4) = {}"), limit);
    }
  } else if (stabilized > raw) {
    p.code = {Reason::kHpaStabilized};
    p.reason +=
        Format(FMT_COMPILE(", stabilized to {} (highest of the last {} s)"),
               stabilized, WholeSeconds(c_.stabilization));
  } else {
    p.code = {Reason::kHpaScaleDown};
  }
  return p;
}

}  // namespace phas
