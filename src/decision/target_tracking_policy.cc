#include "decision/target_tracking_policy.h"

#include <fmt/format.h>

#include <cmath>

#include "decision/points.h"

namespace phas {
namespace {

constexpr const char* kAbove = "tt.above";
constexpr const char* kBelow = "tt.below";

}  // namespace

Proposal TargetTrackingPolicy::Propose(const Observation& obs,
                                       const PolicyState& state) const {
  Proposal p;
  p.target = obs.group.desired;
  auto [above, below] = CountAlarms(obs, state, kAbove, c_.target, kBelow,
                                    c_.target * c_.scale_in_ratio, &p);
  if (!obs.metrics_ok || obs.cpu.empty()) {
    p.reason = "no metric this cycle";
    p.code = "no_metrics";
    return p;
  }
  double metric = obs.cpu.back().value;
  int n = ReadyInstances(obs);
  double exact = n * metric / c_.target;
  if (above >= c_.scale_out_points) {
    int want = static_cast<int>(std::ceil(exact - 1e-9));
    p.target = std::max(obs.group.desired, want);
    p.reason = fmt::format(
        "cpu {:.1f}% above target {:.0f}% for {} points: ceil({} x {:.1f} / "
        "{:.0f}) = {}",
        metric, c_.target, above, n, metric, c_.target, want);
    p.code =
        p.target > obs.group.desired ? "tt_scale_out" : "tt_scale_out_warming";
    return p;
  }
  if (below >= c_.scale_in_points) {
    if (obs.group.warming > 0 || obs.group.pending > 0) {
      p.reason = "low alarm, but instances are warming up: no scale-in";
      p.code = "tt_scale_in_blocked";
      return p;
    }
    int want = c_.scale_in_rounding == "ceil"
                   ? static_cast<int>(std::ceil(exact - 1e-9))
                   : static_cast<int>(std::floor(exact + 1e-9));
    want = std::max(want, 1);
    p.target = std::min(obs.group.desired, want);
    p.reason = fmt::format(
        "cpu {:.1f}% below {:.0f}% of target for {} points: {}({} x {:.1f} / "
        "{:.0f}) = {}",
        metric, c_.scale_in_ratio * 100, below, c_.scale_in_rounding, n, metric,
        c_.target, want);
    p.code = "tt_scale_in";
    return p;
  }
  p.reason = fmt::format(
      "cpu {:.1f}% (target {:.0f}%): alarms not in breach ({} high, {} low "
      "points)",
      metric, c_.target, above, below);
  p.code = "tt_ok";
  return p;
}

}  // namespace phas
