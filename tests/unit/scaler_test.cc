// The control loop end to end on SimCloud and virtual time.
#include "scaler/scaler.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "decision/predictive_policy.h"
#include "decision/seed_policy.h"
#include "loop_test_util.h"
#include "scaler/cycle_log.h"
#include "scaler/driver.h"
#include "scaler/scaler_metrics.h"
#include "sim/demand.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Flat;
using testing::kStart;
using testing::LoopTest;
using testing::ScriptedPredictor;
using testing::Until;

// Records what the store held when the loop called SetDesiredCapacity.
class SpyCloud final : public ForwardingCloud {
 public:
  SpyCloud(Cloud* inner, StateStore* store, Clock* clock)
      : ForwardingCloud(inner), store_(store), clock_(clock) {}
  Status SetDesiredCapacity(const std::string& g, int d) override {
    auto saved = store_->LoadAll();
    // Stamped as late as the call could take effect: the simulator's
    // calls take effect at once, after a save of at most its allowance.
    persisted_before_act.push_back(
        saved.ok() && saved->count(g) &&
        saved->at(g).state.guard.last_action ==
            clock_->Now() + Actuator::kSaveAllowance &&
        saved->at(g).state.guard.stamped_ahead == Actuator::kSaveAllowance);
    return ForwardingCloud::SetDesiredCapacity(g, d);
  }
  std::vector<bool> persisted_before_act;

 private:
  StateStore* store_;
  Clock* clock_;
};

TEST_F(LoopTest, ScalesUpOnClassZeroUntilMaxWithCooldowns) {
  auto cloud = Cloud1(1, 4, 2, 1.0);
  Scaler scaler({Group()}, {},
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, true));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(30)));
  ASSERT_EQ(r[0].actions.size(), 2u);
  EXPECT_EQ(r[0].actions[0].to, 3);
  EXPECT_EQ(r[0].actions[1].to, 4);
  ExpectCooldownRespected(r[0].actions);
  for (const SimMinute& m : r[0].minutes) EXPECT_LE(m.desired, 4);
  std::string log = Log();
  EXPECT_NE(log.find("- INFO - [web] - SCALING UP: 2 -> 3 instances"),
            std::string::npos);
  EXPECT_NE(log.find("Scale up needed but in cooldown period"),
            std::string::npos);
  EXPECT_NE(log.find("Already at maximum capacity of (4 instances)"),
            std::string::npos);
  EXPECT_NE(log.find("PREDICTION: 0 (L) - Confidence: 0.9"), std::string::npos);
  EXPECT_NE(log.find("ASG METRICS (2 instances): {\"cpu_usage\": 50.0"),
            std::string::npos)
      << log.substr(0, 2000);
}

// A group that reads only the metrics its policy uses (instance_metrics:
// used, a policy without a model) logs what it read, not a warning that it
// read nothing, and its records have no features.
TEST_F(LoopTest, AGroupReadingOnlyItsSignalLogsItsMetrics) {
  auto cloud = Cloud1(1, 4, 2, 1.0);
  Scaler scaler({Group("reactive")}, {},
                Env(cloud.get(), &clock_, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(5)));
  std::string log = Log();
  EXPECT_NE(log.find("ASG METRICS (2 instances): {\"cpu_utilization\":50.0}"),
            std::string::npos)
      << log.substr(0, 2000);
  // Before the first minute is visible there is nothing to read: the
  // warning is for then only, not for every cycle.
  size_t warnings = 0;
  for (size_t at = log.find("No metrics collected"); at != std::string::npos;
       at = log.find("No metrics collected", at + 1)) {
    ++warnings;
  }
  EXPECT_LE(warnings, 12u) << log.substr(0, 2000);
  EXPECT_GT(warnings, 0u);
}

TEST_F(LoopTest, ScalesDownOnlyAfterThirtyConsecutiveAnswers) {
  predictor_.action = ModelAction::kScaleDown;
  auto cloud = Cloud1(1, 6, 4, 0.5);
  Scaler scaler({Group()}, {},
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(20)));
  ASSERT_GE(r[0].actions.size(), 2u);
  // The first answer comes once the first minute's metrics are visible (at
  // 2 minutes); the 30th, 290 s later.
  EXPECT_EQ(r[0].actions[0].time, kStart + seconds(120 + 290));
  EXPECT_EQ(r[0].actions[0].to, 3);
  // Then a new streak of 30 (300 s) is needed again.
  EXPECT_EQ(r[0].actions[1].time - r[0].actions[0].time, seconds(300));
  ExpectCooldownRespected(r[0].actions);
}

TEST_F(LoopTest, DryRunDecidesButNeverActs) {
  auto cloud = Cloud1(1, 6, 2, 1.5);
  ScalerOptions opts;
  opts.dry_run = true;
  Scaler scaler({Group()}, opts,
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  SimRunOptions until = Until(kStart + minutes(20));
  int told_it_sets = 0;  // cycles whose observation said phas sets capacity
  until.on_cycle = [&](const CycleReport& c) {
    told_it_sets += c.groups[0].observation.phas_sets_capacity;
  };
  auto r = RunVirtualTime(scaler, *cloud, clock_, until);
  EXPECT_EQ(told_it_sets, 0);
  EXPECT_TRUE(r[0].actions.empty());
  EXPECT_EQ(cloud->calls().set_desired, 0);
  for (const SimMinute& m : r[0].minutes) EXPECT_EQ(m.desired, 2);
  EXPECT_NE(Log().find("DRY RUN: SCALING UP: 2 -> 3 instances"),
            std::string::npos);
}

TEST_F(LoopTest, StateIsPersistedBeforeActingAndRespectedAfterRestart) {
  auto sim = Cloud1(1, 10, 2, 1.0);
  auto store = OpenStore();
  SpyCloud spy(sim.get(), store.get(), &clock_);
  TimePoint acted;
  {
    Scaler first({Group()}, {},
                 Env(&spy, &clock_, &predictor_, store.get(), true, false));
    ASSERT_TRUE(first.Init(clock_.Now()).ok());
    // No saved state: the scale-out acts at the first answer (once the
    // first minute's metrics are visible, at 2 minutes).
    auto r = RunVirtualTime(first, *sim, clock_, Until(kStart + minutes(3)));
    ASSERT_EQ(r[0].actions.size(), 1u);
    acted = r[0].actions[0].time;
    EXPECT_EQ(acted, kStart + minutes(2));
  }
  EXPECT_EQ(spy.persisted_before_act, std::vector<bool>{true});
  // "Restart" a minute after the action: a new loop on the same store does
  // not act again until the cooldown has run out.
  Scaler second({Group()}, {},
                Env(&spy, &clock_, &predictor_, store.get(), true, false));
  ASSERT_TRUE(second.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(second, *sim, clock_, Until(acted + seconds(290)));
  EXPECT_TRUE(r[0].actions.empty());
  r = RunVirtualTime(second, *sim, clock_, Until(acted + seconds(320)));
  ASSERT_EQ(r[0].actions.size(), 1u);
  EXPECT_EQ(r[0].actions[0].time, acted + seconds(300));
  EXPECT_NE(Log().find("saved state: last action 60 s ago: no action either "
                       "way for 240 s more (cooldown 300 s)"),
            std::string::npos)
      << Log();
}

// Writes a group's record as it is, readable or not.
void StoreRaw(const fs::path& db_path, const std::string& group,
              const std::string& text) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  std::string sql = fmt::format(
      "INSERT OR REPLACE INTO group_state VALUES ('{}', '{}', 0)", group, text);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// A first start without saved state may scale out at once (a group at
// 100 % must not wait because phas just started) and holds scale-in for a
// cooldown; a restart with saved state keeps its last action's cooldown both
// ways. Cooldown 10 minutes; the seed policy's first answer comes at 2
// minutes, its 30th scale-down answer at 410 s.
TEST_F(LoopTest, FirstStartScalesOutAtOnceAndHoldsScaleInForACooldown) {
  struct Case {
    const char* name;
    // inputs
    ModelAction answer;
    int desired;
    std::optional<GuardState> saved;  // a restart: the guard's saved state
    // expected
    Duration first_action;  // after kStart
    int to;
    std::string log;  // a line of the log
    // world: a group's record as stored ("" = none), e.g. unreadable
    std::pair<std::string, std::string> raw = {};
  };
  GuardState acted_10s_before;
  acted_10s_before.last_action = kStart - seconds(10);
  GuardState started_10s_before;  // a first start that had not acted yet
  started_10s_before.started_without_state = kStart - seconds(10);
  // Saved by a clock a day ahead of this one (it went back since): before,
  // the group was held for a day.
  GuardState ahead_1d, started_ahead_1d;
  ahead_1d.last_action = kStart + hours(24);
  started_ahead_1d.started_without_state = kStart + hours(24);
  const Case cases[] = {
      {"first start: scale-out at once",
       ModelAction::kScaleUp,
       2,
       {},
       minutes(2),
       3,
       "no saved state for this group: no scale-in for one cooldown (600 s), "
       "scale-out at once"},
      {"first start: scale-in after a cooldown",
       ModelAction::kScaleDown,
       4,
       {},
       minutes(10),
       3,
       "wanted 4 -> 3, scale-in held 600 s after a start without saved state "
       "(190 s left): hold at 4"},
      {"restart: scale-out waits for the saved cooldown", ModelAction::kScaleUp,
       2, acted_10s_before, seconds(590), 3,
       "wanted 2 -> 3, cooldown 600 s (470 s left): hold at 2"},
      {"restart: scale-in waits for the saved cooldown",
       ModelAction::kScaleDown, 4, acted_10s_before, seconds(590), 3,
       "Scale down needed but in cooldown period"},
      {"restart inside a first start's hold: scale-in still waits",
       ModelAction::kScaleDown, 4, started_10s_before, seconds(590), 3,
       "saved state: started without saved state: no scale-in for 590 s "
       "more (cooldown 600 s); scale-out at once"},
      {"restart inside a first start's hold: scale-out at once",
       ModelAction::kScaleUp, 2, started_10s_before, minutes(2), 3,
       "DECISION: scale_up 2 -> 3"},
      {"restart, another group's record unreadable: the cooldown is kept",
       ModelAction::kScaleUp,
       2,
       acted_10s_before,
       seconds(590),
       3,
       "wanted 2 -> 3, cooldown 600 s (470 s left): hold at 2",
       {"api", "{not json"}},
      {"restart, its own record unreadable: scale-in after a cooldown",
       ModelAction::kScaleDown,
       4,
       {},
       minutes(10),
       3,
       "the group's record is unreadable: state: last_action: must be a "
       "number",
       {"web", R"({"last_action": "soon"})"}},
      {"restart, a last action beyond what a time holds: scale-in waits",
       ModelAction::kScaleDown,
       4,
       {},
       minutes(10),
       3,
       "the group's record is unreadable: state: last_action: not a time",
       {"web", R"({"last_action": 1e300})"}},
      {"restart, a last action a day ahead (the clock went back): its "
       "cooldown counts from now",
       ModelAction::kScaleUp, 2, ahead_1d, seconds(600), 3,
       "saved state: last action 0 s ago: no action either way for 600 s "
       "more (cooldown 600 s)"},
      {"restart, a start without state a day ahead: scale-in waits a "
       "cooldown from now",
       ModelAction::kScaleDown, 4, started_ahead_1d, minutes(10), 3,
       "saved state: started without saved state: no scale-in for 600 s "
       "more"},
      {"restart, its own record from a newer phas: the cooldown is kept",
       ModelAction::kScaleUp,
       2,
       {},
       seconds(590),
       3,
       "saved state was kept by a newer phas (record format 3; copied to "
       "unreadable_state)",
       {"web", fmt::format(R"({{"version": 3, "policy": "seed", "state": {{}},
                        "last_action": {}}})",
                           ToUnixSeconds(kStart - seconds(10)))}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    clock_.Set(kStart);
    Afresh();
    auto store = OpenStore();
    if (tc.saved) {
      GroupState saved;
      saved.guard = *tc.saved;
      ASSERT_TRUE(store->Save("web", "seed", saved).ok());
    }
    if (!tc.raw.first.empty())
      StoreRaw(dir_ / "state.db", tc.raw.first, tc.raw.second);
    predictor_.action = tc.answer;
    auto sim = Cloud1(1, 10, tc.desired, 0.1 * tc.desired);
    GroupConfig g = Group();
    g.policy.cooldown = minutes(10);
    Scaler scaler(
        {g}, {},
        Env(sim.get(), &clock_, &predictor_, store.get(), true, false));
    ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
    auto r = RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(11)));
    rec_->Flush();
    ASSERT_FALSE(r[0].actions.empty());
    EXPECT_EQ(r[0].actions[0].time, kStart + tc.first_action);
    EXPECT_EQ(r[0].actions[0].to, tc.to);
    EXPECT_NE(Log().find(tc.log), std::string::npos) << Log();
  }
}

// A start without saved state reads AWS's record of the group: a desired
// capacity set by request inside the cooldown (a previous run's action,
// its state file lost) holds the group as a saved record would, both ways;
// one set long ago, or a record that does not read, leaves the start as
// before (scale-out at once). Before, a lost state file let a second
// scale-out follow the first inside the cooldown.
TEST_F(LoopTest, AStartWithoutStateReadsTheLastSetCapacityFromAws) {
  class Activities final : public ForwardingCloud {
   public:
    Activities(Cloud* inner, Result<std::optional<TimePoint>> set)
        : ForwardingCloud(inner), set_(std::move(set)) {}
    Result<std::optional<TimePoint>> LastDesiredCapacitySet(
        const std::string&) override {
      return set_;
    }

   private:
    Result<std::optional<TimePoint>> set_;
  };
  struct Case {
    const char* name;
    Result<std::optional<TimePoint>> set;
    Duration first_action;  // after kStart
    std::string log;
  };
  const Case cases[] = {
      {"set 10 s before: held the rest of the cooldown",
       std::optional<TimePoint>(kStart - seconds(10)), seconds(590),
       "no saved state for this group; its desired capacity was set by "
       "request at " +
           FormatIso8601(kStart - seconds(10)) +
           " (AWS's scaling activities), inside the cooldown (600 s): no "
           "scale-out until that cooldown ends, no scale-in for one cooldown "
           "from now"},
      // AWS's clock ahead of this one (or a launch seconds after the
      // request): counted from now at the latest, not dropped.
      {"set 5 s after the start: held a cooldown from now",
       std::optional<TimePoint>(kStart + seconds(5)), seconds(600),
       "inside the cooldown (600 s): no scale-out until that cooldown ends"},
      {"set 20 min before: scale-out at once",
       std::optional<TimePoint>(kStart - minutes(20)), minutes(2),
       "no saved state for this group: no scale-in for one cooldown (600 s), "
       "scale-out at once"},
      {"never set: scale-out at once", std::optional<TimePoint>(), minutes(2),
       "scale-out at once"},
      {"not read: scale-out at once, and said",
       Status::Unavailable("throttled"), minutes(2),
       "scale-out at once (its scaling activities did not read: throttled)"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    clock_.Set(kStart);
    Afresh();
    auto store = OpenStore();
    predictor_.action = ModelAction::kScaleUp;
    auto sim = Cloud1(1, 10, 2, 0.2);
    Activities cloud(sim.get(), tc.set);
    GroupConfig g = Group();
    g.policy.cooldown = minutes(10);
    Scaler scaler({g}, {},
                  Env(&cloud, &clock_, &predictor_, store.get(), true, false));
    ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
    auto r = RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(11)));
    rec_->Flush();
    ASSERT_FALSE(r[0].actions.empty());
    EXPECT_EQ(r[0].actions[0].time, kStart + tc.first_action);
    EXPECT_NE(Log().find(tc.log), std::string::npos) << Log();
  }
}

// The clock going back while the loop runs: the last action, now after
// "now", counts from now (the simulator's calls take effect at once), so
// the group waits one cooldown, not the hour the clock went back as well.
TEST_F(LoopTest, AClockThatWentBackCountsTheLastActionFromNow) {
  predictor_.action = ModelAction::kScaleUp;
  auto cloud = Cloud1(1, 10, 2, 0.2);
  Scaler scaler({Group()}, {},
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(4)));
  ASSERT_FALSE(r[0].actions.empty());
  std::optional<TimePoint> last = scaler.state("web").guard.last_action;
  ASSERT_TRUE(last);
  const TimePoint back = *last - hours(1);
  CycleReport rep = scaler.RunOnce(back);
  EXPECT_EQ(scaler.state("web").guard.last_action, back);
  ASSERT_EQ(rep.groups.size(), 1u);
  bool told = false;
  for (const std::string& w : rep.groups[0].warnings) {
    told |= w.find(
                "the last action on record is 3600 s after now (the clock "
                "went back?)") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

TEST_F(LoopTest, BoundsAreReadEveryCycle) {
  auto cloud = Cloud1(1, 10, 2, 3.0);
  Scaler scaler({Group()}, {},
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(8)));
  ASSERT_EQ(r[0].actions.size(), 2u);               // 2 -> 3 -> 4
  ASSERT_TRUE(cloud->SetBounds("web", 1, 3).ok());  // an operator lowers max
  r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(30)));
  EXPECT_TRUE(r[0].actions.empty());
  for (const SimMinute& m : r[0].minutes) {
    if (m.start >= kStart + minutes(9)) {
      EXPECT_LE(m.desired, 3);
    }
  }
}

TEST_F(LoopTest, PredictorFailureUsesTheFallbackAndIsCounted) {
  predictor_.fail = true;
  auto cloud = Cloud1(1, 10, 2, 1.9);  // 95% CPU
  GroupConfig g = Group();
  g.policy.Edit<SeedPolicyConfig>(
      [](SeedPolicyConfig& c) { c.fallback = "reactive"; });
  Scaler scaler({g}, {},
                Env(cloud.get(), &clock_, &predictor_, nullptr, true, true));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *cloud, clock_, Until(kStart + minutes(4)));
  ASSERT_FALSE(r[0].actions.empty());
  EXPECT_EQ(r[0].actions[0].to, 3);
  std::string text = metrics_.Render();
  EXPECT_NE(text.find("phas_scaler_predictor_failures_total{group=\"web\"}"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "phas_scaler_fallbacks_total{group=\"web\",fallback=\"reactive\"}"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("code=\"fallback_cpu_above_target\""), std::string::npos);
}

TEST_F(LoopTest, RequestsPerCycleDoNotGrowWithInstances) {
  for (int n : {1, 5, 50}) {
    SCOPED_TRACE(n);
    ManualClock clock(kStart);
    SimGroupSpec spec{"web", 1, 100, n, seconds(300), Flat(n * 0.5)};
    SimCloud cloud(&clock, {spec});
    ScriptedPredictor p;
    p.action = ModelAction::kHold;
    GroupConfig g = Group();
    g.memory.enabled = true;  // 8 queries per instance: 400 for 50 instances
    Scaler scaler({g}, {}, Env(&cloud, &clock, &p, nullptr, false, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    clock.Advance(minutes(3));
    scaler.RunOnce(clock.Now());
    const SimCallCounts& c = cloud.calls();
    EXPECT_EQ(c.describe, 1);
    EXPECT_EQ(c.get_metric_data, 1);
    EXPECT_EQ(c.set_desired, 0);
    EXPECT_EQ(p.calls, 1);
  }
}

// The predictive policy through the loop: cold start first (target tracking
// decides, and says why), then forecasts; in forecast-only mode it logs what
// it would do, exports the forecast, and never acts.
TEST_F(LoopTest, PredictiveForecastOnlyLogsAndExportsButNeverActs) {
  std::vector<DemandSeries::Sample> samples;
  for (int m = -60; m < 12 * 60; ++m) {
    samples.push_back({kStart + minutes(m), 3 + 2 * std::sin(m / 60.0)});
  }
  auto demand = std::make_shared<DemandSeries>(samples, minutes(3), minutes(1));
  SimGroupSpec spec{"web", 1, 20, 6, seconds(300), demand};
  SimCloud cloud(&clock_, {spec});
  GroupConfig g = Group("predictive");
  g.policy.Edit<PredictiveConfig>(
      [](PredictiveConfig& c) { c.forecast_only = true; });
  Scaler scaler({g}, {}, Env(&cloud, &clock_, nullptr, nullptr, true, true));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, cloud, clock_,
                          Until(kStart + std::chrono::hours(5)));
  EXPECT_TRUE(r[0].actions.empty());
  std::string log = Log();
  EXPECT_NE(log.find("[forecast_only]: no forecast (cold start"),
            std::string::npos);
  EXPECT_NE(log.find("[forecast_only]: forecast-only: would set"),
            std::string::npos);
  std::ifstream in(dir_ / "out" / "ec2_metrics_data.jsonl");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  EXPECT_NE(last.find("\"forecast\":{\"model\""), std::string::npos)
      << last.substr(0, 300);
  std::string text = metrics_.Render();
  EXPECT_NE(
      text.find("phas_scaler_forecast_load{group=\"web\",bound=\"upper\"}"),
      std::string::npos);
  // Forecast-only: phas does not set the capacity, so the group's shortfall
  // is not counted against the SLO.
  EXPECT_EQ(text.find("phas_scaler_slo_"), std::string::npos);

  // Acting, the same policy exports its SLO (the default, 3 %) and counts
  // every minute its state counts after the first report.
  ManualClock clock(kStart);
  SimCloud acting_cloud(&clock, {spec});
  MetricsRegistry registry;
  MetricsReporter reporter(&registry);
  g.policy.Edit<PredictiveConfig>(
      [](PredictiveConfig& c) { c.forecast_only = false; });
  Scaler acting(
      {g}, {},
      {.cloud = &acting_cloud, .clock = &clock, .reporter = &reporter});
  ASSERT_TRUE(acting.Init(clock.Now()).ok());
  std::optional<SloStatus> first, latest;
  SimRunOptions opt = Until(kStart + std::chrono::hours(5));
  opt.on_cycle = [&](const CycleReport& c) {
    EXPECT_TRUE(c.groups[0].observation.phas_sets_capacity);
    if (!c.groups[0].decision.slo) return;
    if (!first) first = c.groups[0].decision.slo;
    latest = c.groups[0].decision.slo;
  };
  RunVirtualTime(acting, acting_cloud, clock, opt);
  ASSERT_TRUE(first && latest);
  EXPECT_GT(latest->minutes - first->minutes, 60);
  EXPECT_EQ(registry
                .GetCounter("phas_scaler_slo_counted_seconds_total", "",
                            {{"group", "web"}})
                .Value(),
            60 * (latest->minutes - first->minutes));
  EXPECT_EQ(registry
                .GetCounter("phas_scaler_slo_short_seconds_total", "",
                            {{"group", "web"}})
                .Value(),
            60 * (latest->short_minutes - first->short_minutes));
  EXPECT_NE(
      registry.Render().find(
          "phas_scaler_slo_max_underprovisioned_ratio{group=\"web\"} 0.03"),
      std::string::npos);
}
// Counts metric reads, and fails them on demand.
class CountingCloud final : public ForwardingCloud {
 public:
  using ForwardingCloud::ForwardingCloud;
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
    ++reads;
    if (fail) return Status::Unavailable("throttled");
    return ForwardingCloud::GetMetricData(q, s, e);
  }
  int reads = 0;
  bool fail = false;
};

TEST_F(LoopTest, MetricsRefreshReadsOncePerPeriodAndAtOnceWhenInstancesChange) {
  auto sim = Cloud1(1, 6, 2, 1.0);
  CountingCloud cloud(sim.get());
  ScalerOptions o;
  o.dry_run = true;
  o.observe.metrics_refresh = seconds(60);
  GroupConfig g = Group("reactive");
  g.all_metrics = true;  // features every cycle, from the last read
  Scaler scaler({g}, o, Env(&cloud, &clock_, nullptr, nullptr, false, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  clock_.Advance(minutes(3));
  auto cycle = [&] {
    CycleReport rep = scaler.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
    return rep;
  };
  // 0, 10, ..., 120 s: reads at 0, 60 and 120; the cycles between decide on
  // the last read.
  for (int i = 0; i <= 12; ++i) {
    CycleReport rep = cycle();
    ASSERT_EQ(rep.groups.size(), 1u);
    EXPECT_TRUE(rep.groups[0].observation.metrics_ok) << "cycle " << i;
    EXPECT_TRUE(rep.groups[0].features.has_value()) << "cycle " << i;
  }
  EXPECT_EQ(cloud.reads, 3);

  // A failed read is not cached: the next cycle reads again.
  for (int i = 0; i < 4; ++i) cycle();  // 130..160 s: nothing due
  EXPECT_EQ(cloud.reads, 3);
  cloud.fail = true;
  CycleReport failed = cycle();  // 170 s: not yet due
  EXPECT_EQ(cloud.reads, 3);
  EXPECT_TRUE(failed.groups[0].observation.metrics_ok);
  failed = cycle();  // 180 s: due, and fails
  EXPECT_EQ(cloud.reads, 4);
  EXPECT_FALSE(failed.groups[0].observation.metrics_ok);
  cloud.fail = false;
  cycle();  // 190 s
  EXPECT_EQ(cloud.reads, 5);

  // Other instances: read at once.
  cycle();  // 200 s: cached
  EXPECT_EQ(cloud.reads, 5);
  ASSERT_TRUE(
      sim->SetDesiredCapacity("web", 3).ok());  // a Pending instance appears
  cycle();                                      // 210 s
  EXPECT_EQ(cloud.reads, 6);

  // Refresh 0 (the default): every cycle.
  CountingCloud every(sim.get());
  ScalerOptions every_cycle;
  every_cycle.dry_run = true;
  Scaler each({Group("reactive")}, every_cycle,
              Env(&every, &clock_, nullptr, nullptr, false, false));
  ASSERT_TRUE(each.Init(clock_.Now()).ok());
  for (int i = 0; i < 5; ++i) {
    each.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  EXPECT_EQ(every.reads, 5);
}

TEST_F(LoopTest, AModelWithTemporalInputsGetsThemFromTheLoadHistory) {
  for (bool temporal : {false, true}) {
    SCOPED_TRACE(temporal ? "temporal model" : "the original's 9 features");
    ScriptedPredictor predictor;
    predictor.action = ModelAction::kHold;
    predictor.temporal_model = temporal;
    ManualClock clock(kStart);
    SimGroupSpec spec{"web", 1, 4, 2, seconds(300), Flat(1.0)};
    SimCloud cloud(&clock, {spec});
    Scaler scaler({Group()}, {},
                  Env(&cloud, &clock, &predictor, nullptr, false, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    RunVirtualTime(scaler, cloud, clock, Until(kStart + minutes(30)));
    ASSERT_GT(predictor.calls, 0);
    if (temporal) {
      ASSERT_TRUE(predictor.last_temporal.count("load_change_5m"));
      ASSERT_TRUE(predictor.last_temporal.count("load_change_15m"));
      EXPECT_NEAR(predictor.last_temporal.at("load_change_5m"), 0, 1e-9)
          << "flat demand";
      EXPECT_FALSE(predictor.last_temporal.count("load_max_1h"))
          << "not an hour of history yet";
    } else {
      EXPECT_TRUE(predictor.last_temporal.empty()) << "no history kept for it";
    }
  }
}

// The figures docs/scaler.md gives: 100 groups of 5 instances cost 2
// DescribeAutoScalingGroups (50 names each) and, per 500 metric queries, one
// GetMetricData. instance_metrics: all asks 8 per instance (4,000 queries,
// 8 requests: 10 a cycle) and derives the original's features; the default
// (used) asks CPU only for a CPU signal (500 queries, 1 request: 3 a cycle),
// and there are no features.
TEST_F(LoopTest, HundredGroupsCostTenRequestsPerCycle) {
  struct Case {
    bool all_metrics;
    int get_metric_data;
    bool features;
  };
  for (const Case& c : {Case{true, 8, true}, Case{false, 1, false}}) {
    SCOPED_TRACE(c.all_metrics ? "all" : "used");
    ManualClock clock(clock_.Now());
    std::vector<SimGroupSpec> specs;
    std::vector<GroupConfig> groups;
    for (int i = 0; i < 100; ++i) {
      std::string name = "g" + std::to_string(i);
      specs.push_back({name, 1, 20, 5, seconds(300), Flat(2.5)});
      GroupConfig g = Group("reactive");
      g.name = name;
      g.memory.enabled = true;
      g.all_metrics = c.all_metrics;
      groups.push_back(g);
    }
    SimCloud cloud(&clock, specs);
    Scaler scaler(groups, {},
                  Env(&cloud, &clock, nullptr, nullptr, false, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    clock.Advance(minutes(3));
    CycleReport rep = scaler.RunOnce(clock.Now());
    EXPECT_EQ(cloud.calls().describe, 2);
    EXPECT_EQ(cloud.calls().get_metric_data, c.get_metric_data);
    for (const GroupOutcome& g : rep.groups) {
      ASSERT_EQ(g.features.has_value(), c.features);
      ASSERT_TRUE(g.observation.metrics_ok);
      ASSERT_TRUE(g.metrics);
      // CPU is read either way; network only with all.
      EXPECT_EQ(g.metrics->aggregate.count("cpu_utilization"), 1u);
      EXPECT_EQ(g.metrics->aggregate.count("network_in"),
                c.all_metrics ? 1u : 0u);
    }
  }
}

}  // namespace
}  // namespace phas
