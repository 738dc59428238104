#include "decision/step_policy.h"

#include <fmt/format.h>

#include <cmath>

#include "decision/points.h"

namespace phas {
namespace {

constexpr const char* kHigh = "step.high";
constexpr const char* kLow = "step.low";

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

Proposal StepPolicy::Propose(const Observation& obs,
                             const PolicyState& state) const {
  Proposal p;
  p.target = obs.group.desired;
  auto [high, low] = CountAlarms(obs, state, kHigh, c_.high_threshold, kLow,
                                 c_.low_threshold, &p);
  if (!obs.metrics_ok || obs.cpu.empty()) {
    p.reason = "no metric this cycle";
    p.code = "no_metrics";
    return p;
  }
  double metric = obs.cpu.back().value;
  int ready = ReadyInstances(obs);
  if (high >= c_.evaluation_points) {
    double adj = StepFor(c_.out_steps, metric - c_.high_threshold);
    int want = ready + Change(adj, ready, c_.percent);
    p.target = std::max(obs.group.desired, want);
    p.reason = fmt::format(
        "cpu {:.1f}% over {:.0f}% by {:.1f}: step {:+g}{} on {} ready = {}",
        metric, c_.high_threshold, metric - c_.high_threshold, adj,
        c_.percent ? "%" : "", ready, want);
    p.code = p.target > obs.group.desired ? "step_out" : "step_out_warming";
    return p;
  }
  if (low >= c_.evaluation_points) {
    if (obs.group.warming > 0 || obs.group.pending > 0) {
      p.reason = "low alarm, but instances are warming up: no scale-in";
      p.code = "step_in_blocked";
      return p;
    }
    double adj = StepFor(c_.in_steps, metric - c_.low_threshold);
    p.target = obs.group.desired + Change(adj, obs.group.desired, c_.percent);
    p.reason = fmt::format("cpu {:.1f}% under {:.0f}%: step {:+g}{}", metric,
                           c_.low_threshold, adj, c_.percent ? "%" : "");
    p.code = "step_in";
    return p;
  }
  p.reason = fmt::format("cpu {:.1f}% between {:.0f}% and {:.0f}%", metric,
                         c_.low_threshold, c_.high_threshold);
  p.code = "step_ok";
  return p;
}

}  // namespace phas
