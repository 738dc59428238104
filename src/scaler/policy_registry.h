// The policy registry: one row per policy, and the only place that lists
// them. A row says what the policy is called, where its settings live in a
// group entry, its guard defaults, and how to make it:
//
//   name              section           cooldown  steps
//   seed              seed              300 s     -
//   reactive          reactive          300 s     -
//   target-tracking   target_tracking    60 s     -
//   step              step               60 s     -
//   hpa               hpa                 0       -
//   aws-predictive    aws_predictive     60 s     -
//   predictive        predictive         60 s     +10 / -3
//   oracle            (none)              0       -   (simulator only)
//
// Adding a policy: its own file in src/decision (a TypedPolicy with a
// described Config and State), one row in policy_registry.cc, its tests.
// Settings are read through the Config's Describe (scaler/yaml_fields.h),
// state is persisted through the State's Describe (scaler/state_store.h):
// neither needs editing.
//
// Thread-safety: the default registry is immutable after first use; a
// registry of your own is not synchronized.
#ifndef PHAS_SCALER_POLICY_REGISTRY_H_
#define PHAS_SCALER_POLICY_REGISTRY_H_

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decision/guard.h"
#include "decision/load_signal.h"
#include "decision/policy.h"

namespace phas {

struct PolicyRow {
  std::string_view name;  // "target-tracking"
  // The key of its settings in a group entry ("target_tracking"); empty
  // when it has none.
  std::string_view section;
  GuardConfig guard;  // this policy's guard defaults
  bool simulator_only = false;
  // Settings in the load signal's unit whose defaults are CPU %: with
  // another signal they must be configured.
  std::vector<std::string_view> signal_unit_keys;
  AnyStruct (*defaults)() = nullptr;  // default settings
  std::unique_ptr<Policy> (*make)(const AnyStruct& settings,
                                  const ScalingTarget& target) = nullptr;
};

// The row of policy class P (P::Config its settings type, constructible
// from (P::Config, ScalingTarget)).
template <typename P>
PolicyRow RowFor(std::string_view name, std::string_view section,
                 GuardConfig guard, bool simulator_only = false) {
  PolicyRow r;
  r.name = name;
  r.section = section;
  r.guard = guard;
  r.simulator_only = simulator_only;
  r.defaults = [] { return AnyStruct::Of(typename P::Config{}); };
  r.make = [](const AnyStruct& s,
              const ScalingTarget& t) -> std::unique_ptr<Policy> {
    return std::make_unique<P>(s.As<typename P::Config>(), t);
  };
  return r;
}

class PolicyRegistry {
 public:
  // The shipped policies.
  static const PolicyRegistry& Default();

  // Adds a row, replacing one of the same name. Rows never move: pointers
  // from Find stay valid while the registry lives.
  void Add(PolicyRow row);
  // Null when there is no such policy.
  const PolicyRow* Find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::deque<PolicyRow> rows_;
};

}  // namespace phas

#endif  // PHAS_SCALER_POLICY_REGISTRY_H_
