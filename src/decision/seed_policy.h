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
// decides: `hold` (nothing) or `reactive` (ReactivePolicy's CPU target rule,
// with its own scale-in count). Either way the scale_down streak resets:
// missing data leans against change. The original stopped scaling
// altogether.
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
  ReactivePolicyConfig reactive;  // used by the reactive fallback
  GuardConfig guard;              // Default: cooldown 300 s, step 1
};

class SeedPolicy final : public Policy {
 public:
  explicit SeedPolicy(SeedPolicyConfig config);
  std::string name() const override { return "seed"; }
  bool needs_model() const override { return true; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return config_.guard; }

 private:
  Proposal FromAction(const std::string& action, const std::string& why,
                      const Observation& obs, const PolicyState& state) const;
  SeedPolicyConfig config_;
};

}  // namespace phas

#endif  // PHAS_DECISION_SEED_POLICY_H_
