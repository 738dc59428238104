// The oracle: perfect foresight. Desired capacity is what the demand needs,
// at the target utilization, over the next boot time, from the simulator
// (Observation::oracle_capacity). No cooldown, no step limit (its guard
// defaults, scaler/policy_registry.cc): the physical limit every other
// policy is measured against. Outside the simulator it holds.
#ifndef PHAS_DECISION_ORACLE_POLICY_H_
#define PHAS_DECISION_ORACLE_POLICY_H_

#include "decision/policy.h"

namespace phas {

struct OracleConfig {
  void Describe(FieldVisitor&) {}
  friend bool operator==(const OracleConfig&, const OracleConfig&) = default;
};

class OraclePolicy final : public TypedPolicy<OracleConfig, NoState> {
 public:
  using Config = OracleConfig;
  using State = NoState;
  using TypedPolicy::TypedPolicy;
  std::string_view name() const override { return "oracle"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;
};

}  // namespace phas

#endif  // PHAS_DECISION_ORACLE_POLICY_H_
