// The safety rules every scaling decision obeys, whichever policy proposed
// it. One place, so no policy can get them wrong:
//   1. bounds: the target is clamped to [MinSize, MaxSize] as read this
//      cycle (they can change between cycles);
//   2. step: at most max_step_up / max_step_down instances per action;
//      and no scale-in below the instances protected from scale-in, which
//      AWS would not terminate (a desired capacity below them lowers
//      nothing until their protection is lifted, then all at once);
//      and no scale-out while AWS has not delivered the desired capacity
//      for `kNotDeliveredHold` (fewer InService and Pending than desired:
//      launches failing on a broken launch template, no capacity in the
//      zone, a quota): a higher desired capacity launches nothing then,
//      and all of it at once when launches work again;
//   3. cooldown: no action within `cooldown` of the last one (the loop
//      persists the last action's time, so this holds across restarts);
//      after a start without the group's saved state, no scale-in within
//      `cooldown` of the start, while scale-out may act at once (a previous
//      run may have acted moments ago; a second scale-in could cut capacity
//      the group needs, a group at 100 % must not wait because phas just
//      started);
//   4. a target equal to the current desired capacity is a hold.
// The decision says which rule held it (Decision::held_by) or moved it
// (Decision::clamped_by), and its reason says so in words after the
// policy's: "wanted 2 -> 4, step limit +1: 2 -> 3", "wanted 9 -> 12, max
// size 10: 9 -> 10", "wanted 2 -> 4, cooldown 60 s (35 s left): hold at 2".
// The loop owns the guard's settings (per group, defaults per policy) and
// its state (GuardState); policies never see either.
//
// Pure: proposal, group, state and `now` in; decision out.
#ifndef PHAS_DECISION_GUARD_H_
#define PHAS_DECISION_GUARD_H_

#include <optional>
#include <string>

#include "decision/policy.h"
#include "decision/types.h"

namespace phas {

struct GuardConfig {
  // Minimum time between two actions. The default depends on the policy
  // (scaler/policy_registry.h).
  Duration cooldown = std::chrono::seconds(300);
  // Largest change per action; 0 means unlimited.
  int max_step_up = 0;
  int max_step_down = 0;

  friend bool operator==(const GuardConfig&, const GuardConfig&) = default;
};

struct GuardState {
  // When the last action was taken, or may have taken effect: the loop
  // stamps it when a SetDesiredCapacity returns, whatever it returned unless
  // it was surely refused. No action either way within the cooldown.
  std::optional<TimePoint> last_action;
  // How far after its call began `last_action` was stamped: the record saved
  // before a call is stamped as late as the call could take effect (the
  // saving phas's Cloud::MaxActionLatency, and the save's allowance). None
  // once the call has returned (the stamp is then when it returned).
  std::optional<Duration> stamped_ahead;
  // When the loop started without the group's saved state (none, or
  // unreadable), so without knowing its last action: no scale-in within the
  // cooldown from then; scale-out is not held.
  std::optional<TimePoint> started_without_state;
  // Since when the group has had fewer instances InService and Pending than
  // its desired capacity, as the loop read it each cycle (none while it
  // has them). Not saved: after a start it is measured again.
  std::optional<TimePoint> not_delivered_since;

  friend bool operator==(const GuardState&, const GuardState&) = default;
};

// How long AWS may not deliver the desired capacity before scale-out is
// held (the PhasGroupCapacityNotDelivered alert's `for`).
inline constexpr Duration kNotDeliveredHold = std::chrono::minutes(15);

Decision ApplyGuard(const Proposal& proposal, const GroupView& group,
                    const GuardState& state, TimePoint now,
                    const GuardConfig& config);

// The decision for one group: the policy's proposal through the guard.
Decision Decide(const Policy& policy, const GuardConfig& guard,
                const Observation& obs, const PolicyState& policy_state,
                const GuardState& guard_state);

// True when `now` is inside the cooldown that followed state.last_action.
bool InCooldown(const GuardState& state, TimePoint now, Duration cooldown);

// Brings `state`'s times back to what a clock reading `now` can have
// stamped: at most `now` plus the longer of `latest` (this phas's
// Cloud::MaxActionLatency) and the record's own `stamped_ahead` (the phas
// that saved it may allow more: more retries). The call behind a last
// action began before now, so it took effect by then in real time. A time
// further ahead comes from a clock that went back since (or a record of a
// clock ahead of this one): it counts from that bound, so two actions stay
// a whole cooldown apart in real time, and the group is not held until the
// clock catches up (an hour stepped back, a record saying 2191). Returns
// what it changed, in words for the log; "" when nothing was ahead.
std::string BoundToNow(GuardState* state, TimePoint now, Duration latest);

// Which cooldown `state` holds at `now`, in words for the log when the loop
// starts: "last action 20 s ago: no action either way for 40 s (cooldown
// 60 s)", "started without saved state: no scale-in for 300 s (cooldown
// 300 s); scale-out at once", "no cooldown running".
std::string DescribeGuardState(const GuardState& state, TimePoint now,
                               const GuardConfig& config);

}  // namespace phas

#endif  // PHAS_DECISION_GUARD_H_
