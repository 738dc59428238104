#include "decision/seed_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "common/format.h"

namespace phas {

TypedProposal<SeedState> SeedPolicy::FromAnswer(const ModelAnswer& answer,
                                                const Observation& obs,
                                                const SeedState& state) const {
  std::string why =
      Format(FMT_COMPILE("model class {} ({})"), answer.cls, answer.label);
  TypedProposal<SeedState> p;
  p.target = obs.group.desired;
  p.state = state;
  p.state.down_streak = 0;
  switch (answer.action) {
    case ModelAction::kScaleUp:
      p.target = obs.group.desired + 1;
      p.reason = why + ": scale up";
      p.code = {Reason::kModelScaleUp};
      break;
    case ModelAction::kScaleDown:
      p.state.down_streak = state.down_streak + 1;
      p.state_if_acted = p.state;
      p.state_if_acted->down_streak =
          0;  // the streak restarts after a scale-in
      if (p.state.down_streak >= c_.scale_down_streak) {
        p.target = obs.group.desired - 1;
        p.reason = Format(FMT_COMPILE("{}: scale down, {} consecutive answers"),
                          why, p.state.down_streak);
        p.code = {Reason::kModelScaleDown};
      } else {
        p.reason =
            Format(FMT_COMPILE("{}: scale down ({} of {} consecutive answers)"),
                   why, p.state.down_streak, c_.scale_down_streak);
        p.code = {Reason::kModelScaleDownWaiting};
      }
      break;
    case ModelAction::kHold:
      p.reason = why + ": hold";
      p.code = {Reason::kModelHold};
      break;
  }
  return p;
}

TypedProposal<SeedState> SeedPolicy::Evaluate(const Observation& obs,
                                              const SeedState& state) const {
  if (obs.model) return FromAnswer(*obs.model, obs, state);
  // No answer from the model: the fallback decides; the streak resets.
  std::string why = "no model answer (" + obs.model_error + ")";
  TypedProposal<SeedState> p;
  p.state = state;
  p.state.down_streak = 0;
  if (c_.fallback == "reactive") {
    TypedProposal<ReactiveState> r = reactive_.Evaluate(obs, state.reactive);
    p.target = r.target;
    p.reason = why + "; fallback reactive: " + r.reason;
    p.code = {r.code.reason, Via::kSeedFallback};
    p.state.reactive = r.state;
    if (r.state_if_acted) {
      p.state_if_acted = p.state;
      p.state_if_acted->reactive = *r.state_if_acted;
    }
    return p;
  }
  p.target = obs.group.desired;
  p.reason = why + "; fallback hold";
  p.code = {Reason::kFallbackHold};
  return p;
}

}  // namespace phas
