#include "decision/seed_policy.h"

#include <fmt/format.h>

namespace phas {

SeedPolicy::SeedPolicy(SeedPolicyConfig config) : config_(std::move(config)) {}

Proposal SeedPolicy::FromAction(const std::string& action,
                                const std::string& why, const Observation& obs,
                                const PolicyState& state) const {
  Proposal p;
  p.target = obs.group.desired;
  p.if_held = state;
  if (action == "scale_up") {
    p.if_held.down_streak = 0;
    p.if_acted = p.if_held;
    p.target = obs.group.desired + 1;
    p.reason = why + ": scale up";
    p.code = "model_scale_up";
  } else if (action == "scale_down") {
    p.if_held.down_streak = state.down_streak + 1;
    p.if_acted = p.if_held;
    p.if_acted.down_streak = 0;  // the streak starts again after a scale-in
    if (p.if_held.down_streak >= config_.scale_down_streak) {
      p.target = obs.group.desired - 1;
      p.reason = fmt::format("{}: scale down, {} consecutive answers", why,
                             p.if_held.down_streak);
      p.code = "model_scale_down";
    } else {
      p.reason =
          fmt::format("{}: scale down ({} of {} consecutive answers)", why,
                      p.if_held.down_streak, config_.scale_down_streak);
      p.code = "model_scale_down_waiting";
    }
  } else {
    p.if_held.down_streak = 0;
    p.if_acted = p.if_held;
    p.reason = why + ": hold";
    p.code = "model_hold";
  }
  return p;
}

Proposal SeedPolicy::Propose(const Observation& obs,
                             const PolicyState& state) const {
  if (obs.model) {
    std::string why =
        fmt::format("model class {} ({})", obs.model->cls, obs.model->label);
    return FromAction(obs.model->action, why, obs, state);
  }
  // No answer from the model: the fallback decides; the streak resets.
  PolicyState reset = state;
  reset.down_streak = 0;
  std::string why = "no model answer (" + obs.model_error + ")";
  if (config_.fallback == "reactive") {
    ReactivePolicy reactive(config_.reactive);
    Proposal p = reactive.Propose(obs, reset);
    p.if_held.down_streak = 0;
    p.if_acted.down_streak = 0;
    p.reason = why + "; fallback reactive: " + p.reason;
    p.code = "fallback_" + p.code;
    return p;
  }
  Proposal p;
  p.target = obs.group.desired;
  p.if_held = reset;
  p.if_acted = reset;
  p.reason = why + "; fallback hold";
  p.code = "fallback_hold";
  return p;
}

}  // namespace phas
