#include "decision/hpa_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "decision/points.h"

namespace phas {

Proposal HpaPolicy::Propose(const Observation& obs,
                            const PolicyState& state) const {
  Proposal p;
  int current = obs.group.desired;
  p.target = current;
  p.if_held = state;
  if (!obs.metrics_ok || obs.cpu.empty()) {
    p.if_acted = p.if_held;
    p.reason = "no metric this cycle";
    p.code = "no_metrics";
    return p;
  }
  double metric = obs.cpu.back().value;
  double ratio = metric / c_.target;
  int ready = ReadyInstances(obs);
  int unready = std::max(0, current - ready);
  int raw = current;
  bool covered = false;  // the unready instances already cover the breach
  if (std::fabs(ratio - 1.0) > c_.tolerance) {
    if (ratio > 1.0 && unready > 0) {
      // Unready instances count as 0%: recompute over all of them.
      double adjusted = metric * ready / (c_.target * (ready + unready));
      covered = adjusted <= 1.0;
      raw = covered ? current
                    : static_cast<int>(
                          std::ceil(adjusted * (ready + unready) - 1e-9));
    } else {
      raw = static_cast<int>(std::ceil(ratio * ready - 1e-9));
    }
  }
  int stabilized = StabilizeScaleIn(&p.if_held.recommendations, obs.now,
                                    c_.stabilization, raw, current);
  int limit = std::max(2 * current, current + 4);
  int want = std::min(stabilized, limit);
  p.if_acted = p.if_held;
  p.target = want;
  p.reason = fmt::format("ceil({} ready x {:.1f} / {:.0f}) = {}", ready, metric,
                         c_.target, raw);
  if (covered) {
    p.reason = fmt::format(
        "cpu {:.1f}% on {} ready; the {} not ready yet (counted at 0%) cover "
        "it",
        metric, ready, unready);
    p.code = "hpa_unready_cover";
  } else if (raw == current) {
    p.reason = fmt::format("cpu {:.1f}% within {:.0f}% of target {:.0f}%",
                           metric, c_.tolerance * 100, c_.target);
    p.code = "hpa_within_tolerance";
  } else if (raw > current) {
    p.code = want < raw ? "hpa_scale_up_limited" : "hpa_scale_up";
    if (want < raw)
      p.reason += fmt::format(", limited to max(2n, n+4) = {}", limit);
  } else if (stabilized > raw) {
    p.code = "hpa_stabilized";
    p.reason += fmt::format(
        ", stabilized to {} (highest of the last {} s)", stabilized,
        std::chrono::duration_cast<std::chrono::seconds>(c_.stabilization)
            .count());
  } else {
    p.code = "hpa_scale_down";
  }
  return p;
}

}  // namespace phas
