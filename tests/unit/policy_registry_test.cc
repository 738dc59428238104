// Adding a policy takes its own file, one registry row and its tests: this
// file is all three for a tiny example policy ("patient": it moves one
// instance towards what the load needs once it has wanted the same way for
// `patience` cycles). Nothing else in phas is edited: the configuration
// reads its settings, the loop runs it, the state store keeps its state,
// all through the row and the two Describe methods below.
#include "scaler/policy_registry.h"

#include <gtest/gtest.h>

#include "cloud/sim_cloud.h"
#include "decision/points.h"
#include "scaler/config.h"
#include "scaler/driver.h"
#include "scaler/scaler.h"
#include "sim/demand.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// --- The policy: what a contributor writes in src/decision/ ---------------

struct PatientConfig {
  int patience = 2;  // Default: 2 cycles
  void Describe(FieldVisitor& v) { v.Integer("patience", &patience, 1, 100); }
  friend bool operator==(const PatientConfig&, const PatientConfig&) = default;
};

struct PatientState {
  int wanting = 0;  // consecutive cycles wanting the same way (+ up, - down)
  void Describe(FieldVisitor& v) { v.Integer("wanting", &wanting); }
  friend bool operator==(const PatientState&, const PatientState&) = default;
};

class PatientPolicy final : public TypedPolicy<PatientConfig, PatientState> {
 public:
  using Config = PatientConfig;
  using State = PatientState;
  using TypedPolicy::TypedPolicy;
  std::string_view name() const override { return "patient"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& s) const override {
    TypedProposal<State> p;
    p.target = obs.group.desired;
    p.state = s;
    if (obs.signal.empty()) {
      p.code = {Reason::kNoMetrics};
      p.reason = "no metric";
      p.state.wanting = 0;
      return p;
    }
    double load =
        obs.signal.back().value * ReadyInstances(obs) / target_.signal.full;
    int need = std::max(1, InstancesFor(load, target_.utilization()));
    int way = need > obs.group.desired ? 1 : need < obs.group.desired ? -1 : 0;
    p.state.wanting = way == 0                       ? 0
                      : (way > 0) == (s.wanting > 0) ? s.wanting + way
                                                     : way;
    if (std::abs(p.state.wanting) >= c_.patience) {
      p.target = obs.group.desired + way;
      p.state_if_acted = PatientState{};
    }
    p.code = {way > 0   ? Reason::kCpuAboveTarget
              : way < 0 ? Reason::kCpuBelowTarget
                        : Reason::kCpuNearTarget};
    p.reason = "needs " + std::to_string(need);
    return p;
  }
};

// --- The registry row ------------------------------------------------------

PolicyRegistry WithPatient() {
  PolicyRegistry r = PolicyRegistry::Default();
  r.Add(RowFor<PatientPolicy>("patient", "patient", {seconds(30), 1, 1}));
  return r;
}

// --- Its tests -------------------------------------------------------------

TEST(PolicyRegistryTest, ANewPolicyIsConfiguredThroughItsRow) {
  PolicyRegistry registry = WithPatient();
  EXPECT_EQ(PolicyRegistry::Default().Find("patient"), nullptr)
      << "the shipped registry is untouched";
  auto c = ParseScalerConfig(
      "groups:\n  - name: web\n    policy: patient\n    target: 50\n"
      "    patient: {patience: 3}\n",
      "t.yaml", registry);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const PolicyConfig& p = c->groups[0].policy;
  EXPECT_EQ(p.name(), "patient");
  EXPECT_EQ(p.guard(), (GuardConfig{seconds(30), 1, 1}));
  ASSERT_NE(p.settings_as<PatientConfig>(), nullptr);
  EXPECT_EQ(p.settings_as<PatientConfig>()->patience, 3);
  EXPECT_EQ(p.target.value, 50);

  auto bad = ParseScalerConfig(
      "groups:\n  - name: web\n    policy: patient\n"
      "    patient: {patience: 0}\n",
      "t.yaml", registry);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("groups[0].patient.patience"),
            std::string::npos)
      << bad.status().message();
}

TEST(PolicyRegistryTest, EveryShippedPolicyHasARowThatMakesIt) {
  const PolicyRegistry& r = PolicyRegistry::Default();
  for (const std::string& name : r.names()) {
    SCOPED_TRACE(name);
    const PolicyRow* row = r.Find(name);
    ASSERT_NE(row, nullptr);
    std::unique_ptr<Policy> p = row->make(row->defaults(), ScalingTarget{});
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name(), name);
    EXPECT_FALSE(p->NewState().empty());
  }
  EXPECT_EQ(r.names().size(), 8u);
}

class PatientLoopTest : public phas::testing::TempDirTest {};

TEST_F(PatientLoopTest, TheLoopRunsItAndTheStoreKeepsItsState) {
  PolicyRegistry registry = WithPatient();
  auto c = ParseScalerConfig(
      "groups:\n  - name: web\n    policy: patient\n    memory_metric: "
      "{enabled: false}\n",
      "t.yaml", registry);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const TimePoint start = FromUnixSeconds(1767225600);
  ManualClock clock(start);
  auto demand = std::make_shared<DemandSeries>(
      std::vector<DemandSeries::Sample>{{start - hours(1), 3.0},
                                        {start + hours(2), 3.0}},
      hours(10), hours(3));
  SimCloud cloud(&clock, {{"web", 1, 10, 2, seconds(60), demand}});
  bool recovered = false;
  auto store = SqliteStateStore::Open((dir_ / "state.db").string(), &recovered);
  ASSERT_TRUE(store.ok());
  {
    Scaler scaler(c->groups, {},
                  {.cloud = &cloud, .clock = &clock, .store = store->get()});
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    SimRunOptions run;
    run.end = start + minutes(20);
    auto r = RunVirtualTime(scaler, cloud, clock, run);
    // 3.0 instance-units at 60 %: 5 instances, one at a time.
    ASSERT_FALSE(r[0].actions.empty());
    EXPECT_EQ(r[0].actions.back().to, 5);
    for (const ActionEvent& a : r[0].actions) EXPECT_EQ(a.to - a.from, 1);
  }
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->count("web"), 1u);
  EXPECT_EQ(all->at("web").policy, "patient");
  auto state = StateStore::ReadPolicyState(all->at("web").policy_json,
                                           PolicyState::Of(PatientState{}));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
}

}  // namespace
}  // namespace phas
