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

const char* ModelActionName(ModelAction a) {
  switch (a) {
    case ModelAction::kScaleUp:
      return "scale_up";
    case ModelAction::kScaleDown:
      return "scale_down";
    case ModelAction::kHold:
      return "hold";
  }
  return "hold";
}

bool InCooldown(const GuardState& state, TimePoint now, Duration cooldown) {
  // A last action in the future (the clock went back) also counts: waiting
  // is the safe side.
  return state.last_action.has_value() && now < *state.last_action + cooldown;
}

Decision ApplyGuard(const Proposal& p, const GroupView& g,
                    const GuardState& state, TimePoint now,
                    const GuardConfig& cfg) {
  Decision d;
  d.current = g.desired;
  d.policy_code = p.code;
  d.state_if_held = p.if_held;
  d.state_if_acted = p.if_acted;
  auto hold = [&](GuardRule rule, int wanted, std::string why) {
    d.kind = Decision::Kind::kHold;
    d.target = g.desired;
    d.wanted = wanted;
    d.held_by = rule;
    d.reason = std::move(why);
    return d;
  };
  int target = p.target;
  // Rule 1: bounds.
  int lo = std::min(g.min_size, g.max_size);
  int clamped = std::clamp(target, lo, g.max_size);
  if (target > g.desired && g.desired >= g.max_size) {
    return hold(GuardRule::kAtMax, g.desired,
                fmt::format("{}; already at maximum capacity ({} instances)",
                            p.reason, g.desired));
  }
  if (target < g.desired && g.desired <= g.min_size) {
    return hold(GuardRule::kAtMin, g.desired,
                fmt::format("{}; already at minimum capacity ({} instances)",
                            p.reason, g.desired));
  }
  target = clamped;
  // Rule 2: step limits.
  if (cfg.max_step_up > 0) {
    target = std::min(target, g.desired + cfg.max_step_up);
  }
  if (cfg.max_step_down > 0) {
    target = std::max(target, g.desired - cfg.max_step_down);
  }
  // Rule 4 before 3: a hold needs no cooldown check.
  if (target == g.desired) return hold(GuardRule::kNone, target, p.reason);
  // Rule 3: cooldown.
  if (InCooldown(state, now, cfg.cooldown)) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(
        *state.last_action + cfg.cooldown - now);
    return hold(GuardRule::kCooldown, target,
                fmt::format("{}; in cooldown for {} s more (wanted {} -> {})",
                            p.reason, left.count(), g.desired, target));
  }
  d.kind = target > g.desired ? Decision::Kind::kScaleUp
                              : Decision::Kind::kScaleDown;
  d.target = target;
  d.wanted = target;
  d.reason = p.reason;
  return d;
}

Decision Decide(const Policy& policy, const GuardConfig& guard,
                const Observation& obs, const PolicyState& policy_state,
                const GuardState& guard_state) {
  return ApplyGuard(policy.Propose(obs, policy_state), obs.group, guard_state,
                    obs.now, guard);
}

}  // namespace phas
