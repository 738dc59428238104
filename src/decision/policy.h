// Policy: a scaling rule. Given the observation of one group and what it
// remembered, it proposes a desired capacity and says why; the loop then
// applies the guard (decision/guard.h: bounds, step limits, cooldown), whose
// settings and state it owns, the same for every policy.
//
// Implementations are pure: no I/O, no clock, no randomness; the same
// observation and state give the same proposal. Each cites the behaviour it
// reproduces.
//
// Writing one: derive from TypedPolicy<Config, State>, where Config holds the
// settings and State what is kept between cycles, both plain structs with a
// Describe (decision/fields.h); implement Evaluate. Then add a row to the
// registry (scaler/policy_registry.cc). Thread-safety: immutable after
// construction.
#ifndef PHAS_DECISION_POLICY_H_
#define PHAS_DECISION_POLICY_H_

#include <optional>
#include <string>
#include <string_view>

#include "decision/load_signal.h"
#include "decision/types.h"

namespace phas {

// What a policy reads besides the metrics, so the loop prepares it.
struct PolicyNeeds {
  bool model = false;    // Observation::model (the loop asks the predictor)
  bool history = false;  // Observation::load_history
  // Observation::forecast, with its upper bound at this quantile.
  std::optional<double> forecast_quantile;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual PolicyNeeds needs() const { return {}; }
  // The state of a group seen for the first time.
  virtual PolicyState NewState() const = 0;
  // `state` is one this policy made (NewState or a Proposal of it).
  virtual Proposal Propose(const Observation& obs,
                           const PolicyState& state) const = 0;
};

// A policy's proposal with its typed state: `state` after this cycle, and
// `state_if_acted` when acting on the target would leave another one (the
// seed policy's streak restarts).
template <typename State>
struct TypedProposal {
  int target = 0;
  ReasonCode code;
  std::string reason;
  State state;
  std::optional<State> state_if_acted;
  std::optional<SloStatus> slo;
};

template <typename Config, typename State>
class TypedPolicy : public Policy {
 public:
  TypedPolicy(Config config, ScalingTarget target)
      : c_(std::move(config)), target_(std::move(target)) {}

  PolicyState NewState() const override { return PolicyState::Of(State{}); }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const final {
    TypedProposal<State> p = Evaluate(obs, state.As<State>());
    Proposal out;
    out.target = p.target;
    out.code = p.code;
    out.reason = std::move(p.reason);
    out.slo = p.slo;
    out.if_held = PolicyState::Of(std::move(p.state));
    out.if_acted = p.state_if_acted
                       ? PolicyState::Of(std::move(*p.state_if_acted))
                       : out.if_held;
    return out;
  }
  // The typed rule; other policies may call it to delegate.
  virtual TypedProposal<State> Evaluate(const Observation& obs,
                                        const State& state) const = 0;

  const Config& config() const { return c_; }
  const ScalingTarget& target() const { return target_; }

 protected:
  Config c_;
  ScalingTarget target_;
};

// For policies that keep nothing between cycles.
struct NoState {
  void Describe(FieldVisitor&) {}
  friend bool operator==(const NoState&, const NoState&) = default;
};

}  // namespace phas

#endif  // PHAS_DECISION_POLICY_H_
