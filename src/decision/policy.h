// Policy: a scaling rule. Given the observation of one group and what it
// remembered, it proposes a desired capacity and says why; ApplyGuard
// (decision/guard.h) then enforces bounds and cooldown for every policy.
//
// Implementations are pure: no I/O, no clock, no randomness; the same
// observation and state give the same proposal. Each cites the behaviour it
// reproduces. Thread-safety: immutable after construction.
#ifndef PHAS_DECISION_POLICY_H_
#define PHAS_DECISION_POLICY_H_

#include <memory>
#include <string>

#include "decision/guard.h"
#include "decision/types.h"

namespace phas {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  // True when the policy reads Observation::model (the loop then predicts).
  virtual bool needs_model() const { return false; }
  // True when the policy reads Observation::forecast.
  virtual bool needs_forecast() const { return false; }
  // True when the policy reads Observation::load_history.
  virtual bool needs_history() const { return needs_forecast(); }
  virtual Proposal Propose(const Observation& obs,
                           const PolicyState& state) const = 0;
  // The rules every decision of this policy passes through.
  virtual const GuardConfig& guard() const = 0;

  // Propose, then ApplyGuard.
  Decision Decide(const Observation& obs, const PolicyState& state) const;
};

}  // namespace phas

#endif  // PHAS_DECISION_POLICY_H_
