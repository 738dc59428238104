#include "decision/reactive_policy.h"

#include <fmt/format.h>

namespace phas {
namespace {

constexpr const char* kBelow = "reactive.below";

}  // namespace

int ReactivePolicy::Direction(double cpu, int n, int d,
                              const ReactivePolicyConfig& c, std::string* why) {
  double high = c.target * (1 + c.tolerance);
  double low = c.target * (1 - c.tolerance);
  double projected = d > n ? cpu * n / d : cpu;
  if (projected > high) {
    *why = d > n ? fmt::format(
                       "cpu {:.1f}% on {} instances, {:.1f}% on the {} coming, "
                       "above "
                       "{:.1f}%",
                       cpu, n, projected, d, high)
                 : fmt::format(
                       "cpu {:.1f}% above {:.1f}% (target {:.0f}% + {:.0f}%)",
                       cpu, high, c.target, c.tolerance * 100);
    return +1;
  }
  if (d > n) {
    *why =
        fmt::format("cpu {:.1f}%; {} instance(s) still launching or warming up",
                    cpu, d - n);
    return 0;
  }
  if (n > 1) {
    double after = cpu * n / (n - 1);
    if (after < low) {
      *why = fmt::format(
          "cpu {:.1f}% on {} instances would be {:.1f}% on {}, below {:.1f}%",
          cpu, n, after, n - 1, low);
      return -1;
    }
  }
  *why = fmt::format("cpu {:.1f}% near target {:.0f}%", cpu, c.target);
  return 0;
}

Proposal ReactivePolicy::Propose(const Observation& obs,
                                 const PolicyState& state) const {
  Proposal p;
  p.target = obs.group.desired;
  p.if_held = state;
  p.if_acted = state;
  if (!obs.metrics_ok || obs.cpu.empty()) {
    p.reason = "no CPU metric this cycle; holding";
    p.code = "no_metrics";
    return p;
  }
  // Count each new one-minute point once.
  int below = static_cast<int>(
      state.counters.count(kBelow) ? state.counters.at(kBelow) : 0);
  std::optional<TimePoint> last = state.last_point;
  // The instances the CPU average covers: a new instance has no datapoint
  // yet, so it has taken no load in the numbers either.
  const MetricSample& latest_point = obs.cpu.back();
  int n = latest_point.instances > 0
              ? latest_point.instances
              : std::max(1, obs.group.in_service - obs.group.warming);
  int d = std::max(obs.group.desired, n);
  std::string why;
  int dir = 0;
  for (const MetricSample& s : obs.cpu) {
    if (last && s.time <= *last) continue;
    last = s.time;
    dir = Direction(s.value, n, d, config_, &why);
    below = dir < 0 ? below + 1 : 0;
  }
  dir = Direction(latest_point.value, n, d, config_, &why);
  p.if_held.counters[kBelow] = below;
  p.if_held.last_point = last;
  p.if_acted = p.if_held;
  if (dir > 0) {
    p.target = obs.group.desired + 1;
    p.reason = why;
    p.code = "cpu_above_target";
  } else if (dir < 0 && below >= config_.scale_down_points) {
    p.target = obs.group.desired - 1;
    p.reason = fmt::format("{} for {} consecutive minutes", why, below);
    p.code = "cpu_below_target";
    p.if_acted.counters[kBelow] = 0;
  } else if (dir < 0) {
    p.reason = fmt::format("{} ({} of {} minutes needed)", why, below,
                           config_.scale_down_points);
    p.code = "cpu_below_target_waiting";
  } else {
    p.reason = why;
    p.code = "cpu_near_target";
  }
  return p;
}

}  // namespace phas
