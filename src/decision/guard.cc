#include "decision/guard.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "common/format.h"

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

namespace {

// What is left of a cooldown of `cooldown` that began at `from`, or nothing
// when it is over or never began. A beginning after `now` counts (a record
// saved before a call is stamped as late as the call could take effect);
// the loop bounds how far ahead first (BoundToNow).
std::optional<Duration> Left(const std::optional<TimePoint>& from,
                             TimePoint now, Duration cooldown) {
  if (!from || now >= *from + cooldown) return std::nullopt;
  return *from + cooldown - now;
}

// "60 s", "0.5 s": a configured duration as given.
std::string Secs(Duration d) {
  return Format(FMT_COMPILE("{} s"), std::chrono::duration<double>(d).count());
}

// Whole seconds, rounded up: "1 s left" until it is over.
long long CeilSeconds(Duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d).count();
}

// "3 instances protected from scale-in".
std::string ProtectedWords(const GroupView& g) {
  return Format(FMT_COMPILE("{} instance{} protected from scale-in"),
                g.protected_from_scale_in,
                g.protected_from_scale_in == 1 ? "" : "s");
}

std::string ClampWords(GuardClamp c, const GroupView& g,
                       const GuardConfig& cfg) {
  switch (c) {
    case GuardClamp::kMaxSize:
      return Format(FMT_COMPILE("max size {}"), g.max_size);
    case GuardClamp::kMinSize:
      return Format(FMT_COMPILE("min size {}"), g.min_size);
    case GuardClamp::kStepUp:
      return Format(FMT_COMPILE("step limit +{}"), cfg.max_step_up);
    case GuardClamp::kStepDown:
      return Format(FMT_COMPILE("step limit -{}"), cfg.max_step_down);
    case GuardClamp::kScaleInProtected:
      return ProtectedWords(g);
  }
  return "";
}

// The guard's words before its outcome: "wanted 2 -> 12, max size 10, step
// limit +1".
std::string WantedWords(const Decision& d, const GroupView& g,
                        const GuardConfig& cfg) {
  std::string s = Format(FMT_COMPILE("wanted {} -> {}"), d.current, d.proposed);
  for (GuardClamp c : d.clamped_by) s += ", " + ClampWords(c, g, cfg);
  return s;
}

}  // namespace

bool InCooldown(const GuardState& state, TimePoint now, Duration cooldown) {
  return Left(state.last_action, now, cooldown).has_value();
}

Decision ApplyGuard(const Proposal& p, const GroupView& g,
                    const GuardState& state, TimePoint now,
                    const GuardConfig& cfg) {
  Decision d;
  d.current = g.desired;
  d.proposed = p.target;
  d.policy_code = p.code;
  d.slo = p.slo;
  d.state_if_held = p.if_held;
  d.state_if_acted = p.if_acted;
  d.reason = p.reason;
  // A rule holds the group where it is; `rule_words` name the rule.
  auto hold = [&](GuardRule rule, const std::string& rule_words) {
    d.kind = Decision::Kind::kHold;
    d.target = g.desired;
    d.held_by = rule;
    d.reason = Format(FMT_COMPILE("{}; {}, {}: hold at {}"), p.reason,
                      WantedWords(d, g, cfg), rule_words, g.desired);
    return d;
  };
  auto clamp = [&](int* target, int to, GuardClamp rule) {
    *target = to;
    d.clamped_by.push_back(rule);
  };
  // Rule 1: bounds. Already at the bound the policy wants to pass: a hold.
  if (p.target > g.desired && g.desired >= g.max_size) {
    d.wanted = g.desired;
    return hold(GuardRule::kAtMax,
                Format(FMT_COMPILE("max size {}"), g.max_size));
  }
  if (p.target < g.desired && g.desired <= g.min_size) {
    d.wanted = g.desired;
    return hold(GuardRule::kAtMin,
                Format(FMT_COMPILE("min size {}"), g.min_size));
  }
  // Rule 1b: AWS terminates only instances not protected from scale-in. A
  // desired capacity below those it keeps removes nothing now, and the
  // instances all at once when their protection is lifted. Inside the
  // bounds only: above MaxSize the bound decides.
  if (p.target < g.desired && g.desired <= g.protected_from_scale_in &&
      g.desired <= g.max_size) {
    d.wanted = g.desired;
    return hold(GuardRule::kScaleInProtected, ProtectedWords(g));
  }
  // Rule 1c: no scale-out on top of a desired capacity AWS has not
  // delivered for a while.
  if (p.target > g.desired && state.not_delivered_since &&
      now - *state.not_delivered_since >= kNotDeliveredHold) {
    d.wanted = g.desired;
    return hold(
        GuardRule::kNotDelivered,
        Format(FMT_COMPILE("AWS has not delivered the desired {} for {} min "
                           "({} InService, {} Pending{}; its scaling "
                           "activities say why)"),
               g.desired,
               std::chrono::duration_cast<std::chrono::minutes>(
                   now - *state.not_delivered_since)
                   .count(),
               g.in_service, g.pending,
               g.unhealthy > 0
                   ? Format(FMT_COMPILE(", {} Unhealthy"), g.unhealthy)
                   : std::string()));
  }
  int target = p.target;
  if (target > g.max_size) {
    clamp(&target, g.max_size, GuardClamp::kMaxSize);
  } else if (int lo = std::min(g.min_size, g.max_size); target < lo) {
    clamp(&target, lo, GuardClamp::kMinSize);
  }
  // Rule 2: step limits.
  if (cfg.max_step_up > 0 && target > g.desired + cfg.max_step_up) {
    clamp(&target, g.desired + cfg.max_step_up, GuardClamp::kStepUp);
  }
  if (cfg.max_step_down > 0 && target < g.desired - cfg.max_step_down) {
    clamp(&target, g.desired - cfg.max_step_down, GuardClamp::kStepDown);
  }
  if (target < g.desired && target < g.protected_from_scale_in) {
    clamp(&target, std::min(g.desired, g.protected_from_scale_in),
          GuardClamp::kScaleInProtected);
  }
  // The bounds again: from a desired outside them (bounds just changed by
  // hand), a step toward them stopped short of them (12 -> 11 with max 10),
  // a value AWS refuses and phas never sends. Each rule is named once.
  auto bound = [&](int to, GuardClamp rule) {
    target = to;
    if (std::find(d.clamped_by.begin(), d.clamped_by.end(), rule) ==
        d.clamped_by.end()) {
      d.clamped_by.push_back(rule);
    }
  };
  if (target > g.max_size) {
    bound(g.max_size, GuardClamp::kMaxSize);
  } else if (int lo = std::min(g.min_size, g.max_size); target < lo) {
    bound(lo, GuardClamp::kMinSize);
  }
  d.wanted = target;
  // Rule 4 before 3: a hold needs no cooldown check.
  if (target == g.desired) {
    d.kind = Decision::Kind::kHold;
    d.target = target;
    return d;
  }
  // Rule 3: cooldown, and a scale-in just after a start without state.
  if (auto left = Left(state.last_action, now, cfg.cooldown)) {
    return hold(GuardRule::kCooldown,
                Format(FMT_COMPILE("cooldown {} ({} s left)"),
                       Secs(cfg.cooldown), CeilSeconds(*left)));
  }
  if (target < g.desired) {
    if (auto left = Left(state.started_without_state, now, cfg.cooldown)) {
      return hold(
          GuardRule::kCooldown,
          Format(FMT_COMPILE("scale-in held {} after a start without saved "
                             "state ({} s left)"),
                 Secs(cfg.cooldown), CeilSeconds(*left)));
    }
  }
  d.kind = target > g.desired ? Decision::Kind::kScaleUp
                              : Decision::Kind::kScaleDown;
  d.target = target;
  if (!d.clamped_by.empty()) {
    d.reason = Format(FMT_COMPILE("{}; {}: {} -> {}"), p.reason,
                      WantedWords(d, g, cfg), g.desired, target);
  }
  return d;
}

std::string BoundToNow(GuardState* state, TimePoint now, Duration latest) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  const TimePoint at_most =
      now + std::max(latest, state->stamped_ahead.value_or(Duration::zero()));
  std::string words;
  auto bound = [&](std::optional<TimePoint>* t, const char* what) {
    if (!*t || **t <= at_most) return;
    words +=
        Format(FMT_COMPILE("{}{} is {} s after now (the clock went back?): "
                           "it counts from now as a call's latest effect "
                           "({} s ahead)"),
               words.empty() ? "" : "; ", what,
               duration_cast<seconds>(**t - now).count(),
               duration_cast<seconds>(at_most - now).count());
    *t = at_most;
  };
  bound(&state->last_action, "the last action on record");
  bound(&state->started_without_state, "the start without saved state");
  return words;
}

std::string DescribeGuardState(const GuardState& state, TimePoint now,
                               const GuardConfig& cfg) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  if (auto left = Left(state.last_action, now, cfg.cooldown)) {
    // A record saved before a call is stamped as late as it could take
    // effect: after now.
    const Duration since = now - *state.last_action;
    return Format(
        FMT_COMPILE("last action {}: no action either way for {} s more "
                    "(cooldown {})"),
        since < Duration::zero()
            ? Format(FMT_COMPILE("on record {} s after now (as late as its "
                                 "call could take effect)"),
                     duration_cast<seconds>(-since).count())
            : Format(FMT_COMPILE("{} s ago"),
                     duration_cast<seconds>(since).count()),
        CeilSeconds(*left), Secs(cfg.cooldown));
  }
  if (auto left = Left(state.started_without_state, now, cfg.cooldown)) {
    return Format(
        FMT_COMPILE(
            "started without saved state: no scale-in for {} s more (cooldown "
            "{}); scale-out at once"),
        CeilSeconds(*left), Secs(cfg.cooldown));
  }
  return "no cooldown running: either way at once";
}

Decision Decide(const Policy& policy, const GuardConfig& guard,
                const Observation& obs, const PolicyState& policy_state,
                const GuardState& guard_state) {
  return ApplyGuard(policy.Propose(obs, policy_state), obs.group, guard_state,
                    obs.now, guard);
}

}  // namespace phas
