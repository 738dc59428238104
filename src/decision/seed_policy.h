// The original system's classifier policy ("seed"), with its known bug fixed.
//
// Each cycle the model answers a class; the bundle maps it to an action:
//   scale_up   -> +1 at once
//   scale_down -> -1, only after `scale_down_streak` CONSECUTIVE scale_down
//                 answers (30 at the 10 s interval = 5 minutes); any other
//                 answer resets the streak. The original appended to a
//                 30-slot buffer it only cleared after scaling, so 30
//                 scale_down answers spread over any length of time, with
//                 scale_up answers between them, triggered a scale-in.
//   hold       -> nothing
// then the guard: 300 s cooldown after any action, never outside
// [MinSize, MaxSize] (read every cycle; the original read them once).
//
// When the model gives no answer (predictor down, bad answer) the fallback
// decides: `hold` (nothing) or `reactive` (ReactivePolicy's target rule on
// the load signal, with its own scale-in count). Either way the scale_down
// streak resets: missing data leans against change. The original stopped
// scaling altogether.
#ifndef PHAS_DECISION_SEED_POLICY_H_
#define PHAS_DECISION_SEED_POLICY_H_

#include "decision/policy.h"
#include "decision/reactive_policy.h"

namespace phas {

struct SeedPolicyConfig {
  // Consecutive scale_down answers needed for a scale-in. Default: 30.
  int scale_down_streak = 30;
  // When the model cannot answer: "hold" or "reactive". Default: hold.
  std::string fallback = "hold";
  ReactivePolicyConfig reactive;  // the reactive fallback's settings

  void Describe(FieldVisitor& v) {
    v.Integer("scale_down_streak", &scale_down_streak, 1, 100000);
    v.Choice("fallback", &fallback, {"hold", "reactive"});
    v.Section("reactive", &reactive);
  }
  friend bool operator==(const SeedPolicyConfig&,
                         const SeedPolicyConfig&) = default;
};

struct SeedState {
  int down_streak = 0;     // consecutive scale_down answers
  ReactiveState reactive;  // the fallback's count

  void Describe(FieldVisitor& v) {
    v.Integer("down_streak", &down_streak);
    v.Section("reactive", &reactive);
  }
  friend bool operator==(const SeedState&, const SeedState&) = default;
};

class SeedPolicy final : public TypedPolicy<SeedPolicyConfig, SeedState> {
 public:
  using Config = SeedPolicyConfig;
  using State = SeedState;
  SeedPolicy(Config config, ScalingTarget target)
      : TypedPolicy(config, target), reactive_(config.reactive, target) {}
  std::string_view name() const override { return "seed"; }
  PolicyNeeds needs() const override { return {.model = true}; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

 private:
  TypedProposal<State> FromAnswer(const ModelAnswer& answer,
                                  const Observation& obs,
                                  const State& state) const;
  ReactivePolicy reactive_;
};

}  // namespace phas

#endif  // PHAS_DECISION_SEED_POLICY_H_
