// Actuator: the loop's last step. Carries out a decision and keeps the
// group's state true to what may have happened:
//   hold      the policy's state if held; nothing is called
//   dry run   as if it had acted (cooldown and streaks behave as they would);
//             nothing is called
//   act       persist, then act: the state recording the action is saved
//             BEFORE SetDesiredCapacity (HonorCooldown=false), stamped as
//             late as the call could take effect (Cloud::MaxActionLatency
//             after the call starts), so a crash during the call cannot lead
//             to a second action inside the cooldown; not saved -> not done.
//             Then, by the call's outcome:
//               OK                   acted: the cooldown runs from the moment
//                                    the call returned
//               unknown (timeout,    may have acted: the same, so the next
//               reset, garbled)      cycles read the truth and no second
//                                    action comes inside the cooldown
//               refused              the previous last action and the
//                                    policy's state if held
//             and saved again.
// The cooldown is stamped from the clock when the call returns, not from
// the cycle's start: a call that took 20 s of retries starts its cooldown
// 20 s later.
// Before the record is saved, the group is described again (first: a
// slow description must not use up the lease renewed next): a desired
// capacity another actor changed since the cycle read it (a person, an AWS
// policy, a scheduled action), or bounds the target is no longer inside,
// is a refusal (nothing called, the state as if held; the next cycle
// decides on what it reads); before, phas set its absolute target over the
// change, undoing it. With replicas (scaler/lease.h), the group's lease is
// renewed there too (a cycle may take longer than the lease's margin: it
// never acted then), and a new term is a refusal (another replica may have
// acted since the state was read); the lease is checked before the save and
// again right before SetDesiredCapacity: a lease not valid with its margin
// is a refusal.
//
// Thread-safety: the loop's thread only.
#ifndef PHAS_SCALER_ACTUATOR_H_
#define PHAS_SCALER_ACTUATOR_H_

#include <chrono>
#include <string>

#include "cloud/cloud.h"
#include "common/clock.h"
#include "scaler/group_state.h"
#include "scaler/lease.h"
#include "scaler/outcome.h"
#include "scaler/state_store.h"

namespace phas {

class Actuator {
 public:
  // The collaborators must outlive the actuator. `clock` stamps actions.
  // `leases` null: a single replica, always allowed to act.
  Actuator(Cloud* cloud, StateStore* store, Clock* clock, bool dry_run,
           Leadership* leases = nullptr)
      : cloud_(cloud),
        store_(store),
        clock_(clock),
        dry_run_(dry_run),
        leases_(leases) {}

  // Acts on out->decision for out->group at cycle time `now`: updates
  // `state` (and saves it), and out->acted / may_have_acted / act_status /
  // errors.
  void Act(TimePoint now, GroupState* state, GroupOutcome* out);

  // The longest the save of an action's record may take before its call:
  // the record is stamped this much later than the call's latency alone, and
  // a save that took longer (a DynamoDB save retried, a lock held on the
  // state file) does not call, so a call never takes effect after its
  // record's stamp.
  static constexpr Duration kSaveAllowance = std::chrono::seconds(10);

 private:
  // OK when this replica may act on `group` (always without leases).
  Status MayAct(const std::string& group) const;
  // The lease renewed and the group described again, right before an
  // action: OK when `d` still holds.
  Status Recheck(const std::string& group, const Decision& d);
  Cloud* cloud_;
  StateStore* store_;
  Clock* clock_;
  bool dry_run_;
  Leadership* leases_;
};

}  // namespace phas

#endif  // PHAS_SCALER_ACTUATOR_H_
