// The safety rules every scaling decision obeys, whichever policy proposed
// it. One place, so no policy can get them wrong:
//   1. bounds: the target is clamped to [MinSize, MaxSize] as read this
//      cycle (they can change between cycles);
//   2. step: at most max_step_up / max_step_down instances per action;
//   3. cooldown: no action within `cooldown` of the last one (the last
//      action time is persisted, so this holds across restarts);
//   4. a target equal to the current desired capacity is a hold.
//
// Pure: proposal, group, state and `now` in; decision out.
#ifndef PHAS_DECISION_GUARD_H_
#define PHAS_DECISION_GUARD_H_

#include "decision/types.h"

namespace phas {

struct GuardConfig {
  // Minimum time between two actions. Default: 300 s (the original's).
  Duration cooldown = std::chrono::seconds(300);
  // Largest change per action; 0 means unlimited. Default: unlimited.
  int max_step_up = 0;
  int max_step_down = 0;
};

Decision ApplyGuard(const Proposal& proposal, const GroupView& group,
                    const PolicyState& state, TimePoint now,
                    const GuardConfig& config);

// True when `now` is inside the cooldown that followed state.last_action.
bool InCooldown(const PolicyState& state, TimePoint now, Duration cooldown);

}  // namespace phas

#endif  // PHAS_DECISION_GUARD_H_
