// Helpers for the tables of the pure decision logic: a group view, an
// observation, and a harness that runs a policy through the guard the way
// the loop does (keeping its state between cycles).
#ifndef PHAS_TESTS_UNIT_DECISION_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_DECISION_TEST_UTIL_H_

#include <string>
#include <vector>

#include "decision/guard.h"
#include "decision/policy.h"

namespace phas::testing {

// Fixed, as cluster-autoscaler's tests do.
inline const TimePoint kNow = FromUnixSeconds(10);

inline GroupView Group(int min, int max, int desired) {
  GroupView g;
  g.name = "g";
  g.min_size = min;
  g.max_size = max;
  g.desired = desired;
  g.in_service = desired;
  return g;
}

// A group of `desired` (MinSize 1, MaxSize 100), `pending` of them not yet
// InService and `warming` InService but warming up.
inline GroupView Sized(int desired, int pending = 0, int warming = 0) {
  GroupView g = Group(1, 100, desired);
  g.in_service = desired - pending;
  g.pending = pending;
  g.warming = warming;
  return g;
}

// One signal point per value, a minute apart, the last one two minutes
// before `now`, each averaging `instances`.
inline Observation Signal(std::vector<double> values, GroupView g,
                          int instances = 0, TimePoint now = kNow) {
  Observation o;
  o.now = now;
  o.group = g;
  o.metrics_ok = true;
  TimePoint t = now - std::chrono::minutes(2 + values.size());
  for (double v : values) {
    t += std::chrono::minutes(1);
    o.signal.push_back({t, v, instances ? instances : g.in_service});
  }
  return o;
}

inline ModelAnswer Answer(ModelAction a) {
  int cls = a == ModelAction::kScaleUp     ? 0
            : a == ModelAction::kScaleDown ? 1
                                           : 2;
  return ModelAnswer{cls, "L", a, 0.9};
}

// Runs a policy through the guard as the loop does: the state it keeps is
// the one the loop would keep if every action succeeded.
class Harness {
 public:
  Harness(const Policy& policy, GuardConfig guard)
      : policy_(policy), guard_(guard), state_(policy.NewState()) {}
  Decision Step(const Observation& o) {
    Decision d = Decide(policy_, guard_, o, state_, last_);
    if (d.acts()) {
      state_ = d.state_if_acted;
      last_.last_action = o.now;
    } else {
      state_ = d.state_if_held;
    }
    return d;
  }
  template <typename S>
  const S& state() const {
    return state_.As<S>();
  }
  void set_state(PolicyState s) { state_ = std::move(s); }
  GuardState& guard_state() { return last_; }

 private:
  const Policy& policy_;
  GuardConfig guard_;
  PolicyState state_;
  GuardState last_;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_DECISION_TEST_UTIL_H_
