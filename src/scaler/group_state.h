// GroupState: what the loop keeps per group between cycles, and persists
// (scaler/state_store.h) so that a restart keeps the cooldown, the policy's
// counts and the warm-up clock of each instance.
//
// Thread-safety: plain value.
#ifndef PHAS_SCALER_GROUP_STATE_H_
#define PHAS_SCALER_GROUP_STATE_H_

#include <map>
#include <string>

#include "decision/guard.h"
#include "decision/types.h"

namespace phas {

struct GroupState {
  GuardState guard;    // the last action (the guard's)
  PolicyState policy;  // the group's policy's own state
  // The last decision in words, for operators.
  std::string last_decision;
  // When each instance was first seen InService (warm-up tracking).
  std::map<std::string, TimePoint> first_in_service;

  friend bool operator==(const GroupState&, const GroupState&) = default;
};

}  // namespace phas

#endif  // PHAS_SCALER_GROUP_STATE_H_
