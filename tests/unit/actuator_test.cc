// The actuator (scaler/actuator.h): persist, then act; the cooldown stamped
// when the call returns; an unknown outcome counted as an action; a refusal
// leaves the last action as it was; with replicas, a lease not valid before
// the save or before the call is a refusal.
#include "scaler/actuator.h"

#include <gtest/gtest.h>

#include "decision/reactive_policy.h"
#include "fake_leadership.h"

namespace phas {
namespace {

using std::chrono::seconds;

const TimePoint kNow = FromUnixSeconds(1000);

// SetDesiredCapacity takes `takes` of the clock's time and answers `answer`.
class ScriptedCloud final : public Cloud {
 public:
  explicit ScriptedCloud(ManualClock* clock) : clock_(clock) {}
  // `group`, as the decision saw it unless a test changes it.
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>&) override {
    ++describes;
    if (!describe_answer.ok()) return describe_answer;
    return std::vector<GroupDescription>{group};
  }
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>&, TimePoint, TimePoint) override {
    return std::vector<MetricSeries>{};
  }
  Status SetDesiredCapacity(const std::string&, int desired) override {
    ++calls;
    called_at = clock_->Now();
    clock_->Advance(takes);
    last_desired = desired;
    return answer;
  }
  Duration MaxActionLatency() const override { return latency; }

  Status answer;
  GroupDescription group{
      .name = "web", .min_size = 1, .max_size = 10, .desired_capacity = 3};
  Status describe_answer;
  int describes = 0;
  Duration takes = Duration::zero();
  Duration latency = Duration::zero();
  int calls = 0;
  int last_desired = 0;
  TimePoint called_at;

 private:
  ManualClock* clock_;
};

// Keeps every save; fails them on demand.
class RecordingStore final : public StateStore {
 public:
  bool durable() const override { return true; }
  std::string Describe() const override { return "recording"; }
  Result<std::map<std::string, StoredGroup>> LoadAll() override {
    return std::map<std::string, StoredGroup>{};
  }
  Status Save(const std::string&, const std::string&,
              const GroupState& s) override {
    if (fail) return Status::IoError("disk full");
    saves.push_back(s);
    if (clock != nullptr && saves.size() == 1) clock->Advance(first_takes);
    return Status::OK();
  }
  Status AppendSeries(const std::string&,
                      const std::vector<MetricSample>&) override {
    return Status::OK();
  }
  Result<std::vector<MetricSample>> LoadSeries(const std::string&,
                                               TimePoint) override {
    return std::vector<MetricSample>{};
  }
  bool fail = false;
  std::vector<GroupState> saves;
  ManualClock* clock = nullptr;  // advanced by the first save's time
  Duration first_takes = Duration::zero();
};

// The reactive policy's decision to go from 3 to 4 instances in "web".
GroupOutcome ScaleUp3To4(const PolicyState& held, const PolicyState& acted) {
  GroupOutcome out;
  out.group = "web";
  out.policy = "reactive";
  out.decision.kind = Decision::Kind::kScaleUp;
  out.decision.current = 3;
  out.decision.target = 4;
  out.decision.state_if_held = held;
  out.decision.state_if_acted = acted;
  return out;
}

TEST(ActuatorTest, Table) {
  const PolicyState held = PolicyState::Of(ReactiveState{3, {}});
  const PolicyState acted = PolicyState::Of(ReactiveState{0, {}});
  const TimePoint before = kNow - seconds(3600);
  struct Case {
    const char* name;
    // inputs
    Decision::Kind kind;
    bool dry_run;
    Status answer;
    bool store_fails;
    // expected
    int calls;
    bool acted;
    bool may_have_acted;
    std::optional<TimePoint> last_action;
    bool policy_acted;  // the policy's state if acted (else if held)
  };
  const Status timeout = Status::DeadlineExceeded(
                             "autoscaling "
                             "SetDesiredCapacity: timed "
                             "out")
                             .WithDetail("timeout")
                             .WithOutcomeUnknown();
  const Status refused = Status::InvalidArgument("ValidationError: above max")
                             .WithDetail("ValidationError");
  // Every call takes 20 s of retries: the cooldown runs from its return.
  const TimePoint returned = kNow + seconds(20);
  const Case cases[] = {
      {"carried out", Decision::Kind::kScaleUp, false, Status::OK(), false, 1,
       true, false, returned, true},
      {"unknown outcome: may have acted", Decision::Kind::kScaleUp, false,
       timeout, false, 1, false, true, returned, true},
      {"refused: nothing happened", Decision::Kind::kScaleDown, false, refused,
       false, 1, false, false, before, false},
      {"not saved: not done", Decision::Kind::kScaleUp, false, Status::OK(),
       true, 0, false, false, before, false},
      {"dry run: as if, never called", Decision::Kind::kScaleUp, true,
       Status::OK(), false, 0, false, false, kNow, true},
      {"hold", Decision::Kind::kHold, false, Status::OK(), false, 0, false,
       false, before, false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kNow);
    ScriptedCloud cloud(&clock);
    cloud.answer = tc.answer;
    cloud.takes = seconds(20);
    cloud.latency = seconds(45);
    RecordingStore store;
    store.fail = tc.store_fails;
    Actuator actuator(&cloud, &store, &clock, tc.dry_run);
    GroupState state;
    state.guard.last_action = before;
    state.policy = held;
    GroupOutcome out;
    out.group = "web";
    out.policy = "reactive";
    out.decision.kind = tc.kind;
    out.decision.current = 3;
    out.decision.target = tc.kind == Decision::Kind::kHold      ? 3
                          : tc.kind == Decision::Kind::kScaleUp ? 4
                                                                : 2;
    out.decision.state_if_held = held;
    out.decision.state_if_acted = acted;
    actuator.Act(kNow, &state, &out);
    EXPECT_EQ(cloud.calls, tc.calls);
    EXPECT_EQ(out.acted, tc.acted);
    EXPECT_EQ(out.may_have_acted, tc.may_have_acted);
    EXPECT_EQ(state.guard.last_action, tc.last_action);
    EXPECT_EQ(state.policy, tc.policy_acted ? acted : held);
    EXPECT_FALSE(state.last_decision.empty());
    if (tc.calls > 0) {
      // Persist, then act: the record that says "acted" was saved first,
      // stamped as late as the call could take effect.
      ASSERT_GE(store.saves.size(), 2u);
      EXPECT_EQ(store.saves[0].guard.last_action,
                cloud.called_at + cloud.latency + Actuator::kSaveAllowance);
      EXPECT_EQ(store.saves[0].guard.stamped_ahead,
                cloud.latency + Actuator::kSaveAllowance);
      EXPECT_EQ(store.saves[0].policy, acted);
      EXPECT_EQ(store.saves.back(), state) << "and the outcome saved after";
      EXPECT_EQ(state.guard.stamped_ahead, std::nullopt)
          << "stamped when the call returned";
    }
  }
}

// The record saved before a call allows for a save of kSaveAllowance: a
// save that took longer (a DynamoDB save retried, a lock on the state file)
// does not call, as the call could take effect after the record's stamp.
TEST(ActuatorTest, ASaveLongerThanItsAllowanceDoesNotCall) {
  const PolicyState held = PolicyState::Of(ReactiveState{3, {}});
  const PolicyState acted = PolicyState::Of(ReactiveState{0, {}});
  const TimePoint before = kNow - seconds(3600);
  for (Duration save :
       {Actuator::kSaveAllowance, Actuator::kSaveAllowance + seconds(1)}) {
    const bool in_time = save <= Actuator::kSaveAllowance;
    SCOPED_TRACE(in_time ? "within the allowance" : "past it");
    ManualClock clock(kNow);
    ScriptedCloud cloud(&clock);
    cloud.latency = seconds(45);
    RecordingStore store;
    store.clock = &clock;
    store.first_takes = save;
    Actuator actuator(&cloud, &store, &clock, false);
    GroupState state;
    state.guard.last_action = before;
    state.policy = held;
    GroupOutcome out = ScaleUp3To4(held, acted);
    actuator.Act(kNow, &state, &out);
    EXPECT_EQ(cloud.calls, in_time ? 1 : 0);
    EXPECT_EQ(out.acted, in_time);
    EXPECT_EQ(state.guard.last_action, in_time ? kNow + save : before);
    EXPECT_EQ(state.policy, in_time ? acted : held);
    if (!in_time) {
      EXPECT_NE(out.act_status.message().find(
                    "the save took 11.0 s, more than the 10 s its record "
                    "allows for"),
                std::string::npos)
          << out.act_status.ToString();
    }
  }
}

// With replicas the lease is asked twice: before the record is saved and
// right before SetDesiredCapacity (the save may have taken the rest of the
// lease). Either refusal: nothing called, the last action as it was.
TEST(ActuatorTest, ALeaseNotValidBeforeTheSaveOrTheCallIsARefusal) {
  const PolicyState held = PolicyState::Of(ReactiveState{3, {}});
  const PolicyState acted = PolicyState::Of(ReactiveState{0, {}});
  const TimePoint before = kNow - seconds(3600);
  const Status lapsed = Status::FailedPrecondition("lease not renewed");
  struct Case {
    const char* name;
    // inputs: the answers of the two checks
    std::vector<Status> checks;
    // expected
    int calls;
    size_t saves;  // the record before the call, and the outcome
  };
  const Case cases[] = {
      {"valid both times: acts", {Status::OK(), Status::OK()}, 1, 2},
      {"not valid before the save: nothing saved first", {lapsed}, 0, 1},
      {"lapsed while saving: not called", {Status::OK(), lapsed}, 0, 2},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kNow);
    ScriptedCloud cloud(&clock);
    RecordingStore store;
    phas::testing::FakeLeadership leases;
    leases.Hold(1);
    leases.script.assign(tc.checks.begin(), tc.checks.end());
    Actuator actuator(&cloud, &store, &clock, false, &leases);
    GroupState state;
    state.guard.last_action = before;
    state.policy = held;
    GroupOutcome out = ScaleUp3To4(held, acted);
    actuator.Act(kNow, &state, &out);
    EXPECT_EQ(leases.may_act_calls, static_cast<int>(tc.checks.size()));
    EXPECT_EQ(cloud.calls, tc.calls);
    EXPECT_EQ(store.saves.size(), tc.saves);
    EXPECT_EQ(out.acted, tc.calls == 1);
    if (tc.calls == 0) {
      EXPECT_EQ(out.act_status.code(), Status::Code::kFailedPrecondition);
      EXPECT_EQ(state.guard.last_action, before);
      EXPECT_EQ(state.policy, held);
      EXPECT_EQ(store.saves.back(), state) << "the outcome is what is kept";
    }
  }
}

// Right before an action the group is described again, and with replicas
// its lease renewed: a desired capacity another actor changed during the
// cycle, bounds the target left, a description that fails, or a lease
// taken again (a new term: another replica may have acted) is a refusal:
// nothing saved as acted, nothing called. Before, phas set its absolute
// target over an operator's change (1 -> 4 by hand, then phas's "up" to 2:
// a scale-in of two), and a cycle longer than the lease's margin never
// acted.
TEST(ActuatorTest, TheGroupAndTheLeaseAreReadAgainBeforeActing) {
  const PolicyState held = PolicyState::Of(ReactiveState{3, {}});
  const PolicyState acted = PolicyState::Of(ReactiveState{0, {}});
  const TimePoint before = kNow - seconds(3600);
  struct Case {
    const char* name;
    // inputs
    int desired, min, max;
    Status describe;
    bool new_term;  // the renew before acting acquires the lease again
    // expected
    bool acts;
    const char* says;
  };
  const Case cases[] = {
      {"unchanged: acts", 3, 1, 10, Status::OK(), false, true, ""},
      {"desired changed by another actor", 5, 1, 10, Status::OK(), false, false,
       "desired capacity changed from 3 to 5 during the cycle"},
      {"max lowered under the target", 3, 1, 3, Status::OK(), false, false,
       "bounds changed during the cycle to [1, 3]"},
      {"description failed", 3, 1, 10, Status::Unavailable("throttled"), false,
       false, "the group described again: throttled"},
      {"lease taken again", 3, 1, 10, Status::OK(), true, false,
       "the group's lease was lost and taken again during the cycle"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kNow);
    ScriptedCloud cloud(&clock);
    cloud.group.desired_capacity = tc.desired;
    cloud.group.min_size = tc.min;
    cloud.group.max_size = tc.max;
    cloud.describe_answer = tc.describe;
    RecordingStore store;
    phas::testing::FakeLeadership leases;
    leases.Hold(1);
    if (tc.new_term) leases.on_group_renew = [&] { leases.Hold(2); };
    Actuator actuator(&cloud, &store, &clock, false, &leases);
    GroupState state;
    state.guard.last_action = before;
    state.policy = held;
    GroupOutcome out = ScaleUp3To4(held, acted);
    actuator.Act(kNow, &state, &out);
    // The description first: a slow one must not use up the lease renewed
    // for the action.
    EXPECT_EQ(cloud.describes, 1);
    EXPECT_EQ(leases.group_renews,
              tc.describe.ok() && tc.desired == 3 && tc.max >= 4 ? 1 : 0);
    EXPECT_EQ(cloud.calls, tc.acts ? 1 : 0);
    EXPECT_EQ(out.acted, tc.acts);
    if (!tc.acts) {
      EXPECT_NE(out.act_status.message().find(tc.says), std::string::npos)
          << out.act_status.ToString();
      // A change by another actor is no failed call (logged as a warning).
      EXPECT_EQ(out.act_status.detail() == kActChangedMeanwhile,
                tc.describe.ok() && !tc.new_term);
      EXPECT_EQ(state.guard.last_action, before);
      EXPECT_EQ(state.policy, held);
      ASSERT_EQ(store.saves.size(), 1u) << "the outcome alone, not a record";
    }
  }
}

}  // namespace
}  // namespace phas
