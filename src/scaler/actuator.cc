#include "scaler/actuator.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "common/format.h"

namespace phas {
namespace {

std::string Describe(const Decision& d) {
  if (!d.acts()) return "hold: " + d.reason;
  return Format(FMT_COMPILE("{} {} -> {}: {}"), DecisionKindName(d.kind),
                d.current, d.target, d.reason);
}

}  // namespace

Status Actuator::MayAct(const std::string& group) const {
  return leases_ ? leases_->MayAct(group) : Status::OK();
}

Status Actuator::Recheck(const std::string& group, const Decision& d) {
  // The description first: a slow one (retried under throttling) must not
  // use up the lease renewed for the action.
  auto described = cloud_->DescribeGroups({group});
  if (!described.ok()) {
    return described.status().WithContext("the group described again");
  }
  auto g =
      std::find_if(described->begin(), described->end(),
                   [&](const GroupDescription& x) { return x.name == group; });
  if (g == described->end()) {
    return Status::NotFound("the group was not found when described again");
  }
  if (!g->unreadable.ok()) {
    return g->unreadable.WithContext("the group described again");
  }
  if (g->desired_capacity != d.current) {
    return Status::FailedPrecondition(
               Format(FMT_COMPILE("desired capacity changed from {} to {} "
                                  "during the cycle (by another actor): "
                                  "decided again next cycle"),
                      d.current, g->desired_capacity))
        .WithDetail(kActChangedMeanwhile);
  }
  if (d.target < g->min_size || d.target > g->max_size) {
    return Status::FailedPrecondition(
               Format(FMT_COMPILE("bounds changed during the cycle to [{}, "
                                  "{}]: decided again next cycle"),
                      g->min_size, g->max_size))
        .WithDetail(kActChangedMeanwhile);
  }
  if (leases_) {
    const uint64_t term = leases_->View(group).term;
    leases_->RenewGroup(group, clock_->Now());
    if (leases_->View(group).term != term) {
      return Status::FailedPrecondition(
          "the group's lease was lost and taken again during the cycle "
          "(another replica may have acted meanwhile): its state is read "
          "again next cycle");
    }
  }
  return Status::OK();
}

void Actuator::Act(TimePoint now, GroupState* state, GroupOutcome* out) {
  const Decision& d = out->decision;
  const std::string& group = out->group;
  const std::string& policy = out->policy;
  state->last_decision = Describe(d);
  if (!d.acts()) {
    state->policy = d.state_if_held;
  } else if (dry_run_) {
    state->policy = d.state_if_acted;
    state->guard.last_action = now;
    state->guard.stamped_ahead.reset();
  } else {
    // Persist first: the action is on record before it can happen, as late
    // as it could take effect: the call's longest latency, after a save that
    // takes at most kSaveAllowance (else the call is not made).
    GroupState before = *state;
    // Right before acting (a cycle may take longer than the lease's margin,
    // and another actor may have changed the group since it was read).
    Status lease = Recheck(group, d);
    if (lease.ok()) lease = MayAct(group);
    GroupState record = *state;
    record.policy = d.state_if_acted;
    const TimePoint stamped = clock_->Now();
    record.guard.stamped_ahead = cloud_->MaxActionLatency() + kSaveAllowance;
    record.guard.last_action = stamped + *record.guard.stamped_ahead;
    Status saved = lease.ok() ? store_->Save(group, policy, record) : lease;
    if (saved.ok() && clock_->Now() > stamped + kSaveAllowance) {
      // The call would begin later than the record allows for.
      saved = Status::Unavailable(Format(
          FMT_COMPILE("the save took {:.1f} s, more than the {} s its record "
                      "allows for"),
          std::chrono::duration<double>(clock_->Now() - stamped).count(),
          std::chrono::duration_cast<std::chrono::seconds>(kSaveAllowance)
              .count()));
    }
    if (!saved.ok()) {
      out->act_status = lease.ok()
                            ? saved.WithContext("state not saved; not acting")
                            : lease.WithContext("not acting");
      state->policy = d.state_if_held;
    } else if (lease = MayAct(group); !lease.ok()) {
      // Lost while saving: refused, nothing called.
      out->act_status = lease.WithContext("not acting");
      state->policy = d.state_if_held;
      state->guard = before.guard;
    } else {
      out->act_status = cloud_->SetDesiredCapacity(group, d.target);
      TimePoint returned = clock_->Now();
      out->acted = out->act_status.ok();
      out->may_have_acted = !out->acted && out->act_status.outcome_unknown();
      if (out->acted || out->may_have_acted) {
        state->policy = d.state_if_acted;
        state->guard.last_action = returned;
        state->guard.stamped_ahead.reset();
      } else {
        state->policy = d.state_if_held;
        state->guard = before.guard;
      }
    }
  }
  Status st = store_->Save(group, policy, *state);
  if (!st.ok()) out->errors.push_back("cannot save state: " + st.message());
}

}  // namespace phas
