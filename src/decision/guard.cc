#include "decision/guard.h"

#include <fmt/format.h>

#include <algorithm>

namespace phas {

const char* DecisionKindName(Decision::Kind k) {
  switch (k) {
    case Decision::Kind::kHold:
      return "hold";
    case Decision::Kind::kScaleUp:
      return "scale_up";
    case Decision::Kind::kScaleDown:
      return "scale_down";
  }
  return "hold";
}

bool InCooldown(const PolicyState& state, TimePoint now, Duration cooldown) {
  // A last action in the future (the clock went back) also counts: waiting
  // is the safe side.
  return state.last_action.has_value() && now < *state.last_action + cooldown;
}

Decision ApplyGuard(const Proposal& p, const GroupView& g,
                    const PolicyState& state, TimePoint now,
                    const GuardConfig& cfg) {
  Decision d;
  d.current = g.desired;
  d.policy_code = p.code;
  d.next = p.if_held;
  d.next_if_failed = p.if_held;
  auto hold = [&](const std::string& code, const std::string& why) {
    d.kind = Decision::Kind::kHold;
    d.target = g.desired;
    d.code = code;
    d.reason = why;
    d.next.last_decision = "hold: " + why;
    return d;
  };
  int target = p.target;
  // Rule 1: bounds.
  int lo = std::min(g.min_size, g.max_size);
  int clamped = std::clamp(target, lo, g.max_size);
  if (target > g.desired && g.desired >= g.max_size) {
    return hold("at_max",
                fmt::format("{}; already at maximum capacity ({} instances)",
                            p.reason, g.desired));
  }
  if (target < g.desired && g.desired <= g.min_size) {
    return hold("at_min",
                fmt::format("{}; already at minimum capacity ({} instances)",
                            p.reason, g.desired));
  }
  target = clamped;
  // Rule 2: step limits.
  if (cfg.max_step_up > 0)
    target = std::min(target, g.desired + cfg.max_step_up);
  if (cfg.max_step_down > 0)
    target = std::max(target, g.desired - cfg.max_step_down);
  // Rule 4 before 3: a hold needs no cooldown check.
  if (target == g.desired) return hold(p.code, p.reason);
  // Rule 3: cooldown.
  if (InCooldown(state, now, cfg.cooldown)) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(
        *state.last_action + cfg.cooldown - now);
    return hold("cooldown",
                fmt::format("{}; in cooldown for {} s more (wanted {} -> {})",
                            p.reason, left.count(), g.desired, target));
  }
  d.kind = target > g.desired ? Decision::Kind::kScaleUp
                              : Decision::Kind::kScaleDown;
  d.target = target;
  d.code = p.code;
  d.reason = p.reason;
  d.next = p.if_acted;
  d.next.last_action = now;
  d.next.last_decision = fmt::format(
      "{} {} -> {}: {}", DecisionKindName(d.kind), g.desired, target, p.reason);
  return d;
}

}  // namespace phas
