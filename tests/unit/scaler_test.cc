// The control loop end to end on SimCloud and virtual time.
#include "scaler/scaler.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "decision/predictive_policy.h"
#include "decision/seed_policy.h"
#include "scaler/cycle_log.h"
#include "scaler/driver.h"
#include "scaler/scaler_metrics.h"
#include "sim/demand.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

// Answers a fixed action, or fails.
class ScriptedPredictor final : public Predictor {
 public:
  ModelAction action = ModelAction::kScaleUp;
  bool fail = false;
  int calls = 0;
  Result<ModelAnswer> Predict(const Features& f) override {
    ++calls;
    last_temporal = f.temporal;
    if (fail) return Status::Unavailable("predictor down");
    int cls = action == ModelAction::kScaleUp     ? 0
              : action == ModelAction::kScaleDown ? 1
                                                  : 2;
    return ModelAnswer{cls, "L", action, 0.9};
  }
  std::string Describe() const override { return "scripted"; }
  bool wants_history() const override { return temporal_model; }
  bool temporal_model = false;
  std::map<std::string, double> last_temporal;
};

std::shared_ptr<DemandSeries> Flat(double units) {
  return std::make_shared<DemandSeries>(
      std::vector<DemandSeries::Sample>{
          {kStart - std::chrono::hours(1), units},
          {kStart + std::chrono::hours(48), units}},
      std::chrono::hours(100), std::chrono::hours(49));
}

// Records what the store held when the loop called SetDesiredCapacity.
class SpyCloud final : public ForwardingCloud {
 public:
  SpyCloud(Cloud* inner, StateStore* store, Clock* clock)
      : ForwardingCloud(inner), store_(store), clock_(clock) {}
  Status SetDesiredCapacity(const std::string& g, int d) override {
    auto saved = store_->LoadAll();
    persisted_before_act.push_back(saved.ok() && saved->count(g) &&
                                   saved->at(g).state.guard.last_action ==
                                       clock_->Now());
    return ForwardingCloud::SetDesiredCapacity(g, d);
  }
  std::vector<bool> persisted_before_act;

 private:
  StateStore* store_;
  Clock* clock_;
};

SimRunOptions Until(TimePoint end) {
  SimRunOptions o;
  o.end = end;
  return o;
}

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_loop_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    rec_ = MakeRecorder();
    log_ = LogReporter(rec_.get());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SimCloud> Cloud1(int min, int max, int desired,
                                   double demand) {
    SimGroupSpec spec{"web", min, max, desired, seconds(300), Flat(demand)};
    return std::make_unique<SimCloud>(&clock_, std::vector<SimGroupSpec>{spec});
  }
  GroupConfig Group(const std::string& policy = "seed") {
    GroupConfig g;
    g.name = "web";
    EXPECT_TRUE(g.policy.Select(policy).ok());
    g.memory.enabled = false;
    return g;
  }
  // The loop's collaborators; `log` and `metrics` choose the reporters.
  ScalerEnv Env(Cloud* cloud, Clock* clock, Predictor* predictor,
                StateStore* store, bool log, bool metrics) {
    std::vector<Reporter*> chosen;
    if (log) chosen.push_back(&log_);
    if (metrics) chosen.push_back(&metrics_reporter_);
    reporters_.push_back(std::make_unique<ReporterList>(chosen));
    return {.cloud = cloud,
            .clock = clock,
            .predictor = predictor,
            .store = store,
            .reporter = reporters_.back().get()};
  }
  std::unique_ptr<SqliteStateStore> OpenStore() {
    bool recovered = false;
    auto store =
        SqliteStateStore::Open((dir_ / "state.db").string(), &recovered);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }
  std::unique_ptr<Recorder> MakeRecorder() {
    RecorderOptions o;
    o.output_dir = (dir_ / "out").string();
    auto r = std::make_unique<Recorder>(o);
    EXPECT_TRUE(r->Open().ok());
    return r;
  }
  std::string Log() {
    std::ifstream in(dir_ / "out" / "ec2_monitor.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void ExpectCooldownRespected(const std::vector<ActionEvent>& actions) {
    for (size_t i = 1; i < actions.size(); ++i) {
      EXPECT_GE(actions[i].time - actions[i - 1].time, seconds(300))
          << "actions " << i - 1 << " and " << i;
    }
  }

  fs::path dir_;
  std::unique_ptr<Recorder> rec_ = nullptr;
  ManualClock clock_{kStart};
  ScriptedPredictor predictor_;
  MetricsRegistry metrics_;
  LogReporter log_{rec_.get()};
  MetricsReporter metrics_reporter_{&metrics_};
  std::vector<std::unique_ptr<ReporterList>> reporters_;
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
  };
  GuardState acted_10s_before;
  acted_10s_before.last_action = kStart - seconds(10);
  GuardState started_10s_before;  // a first start that had not acted yet
  started_10s_before.started_without_state = kStart - seconds(10);
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
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    clock_.Set(kStart);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    rec_ = MakeRecorder();
    log_ = LogReporter(rec_.get());
    auto store = OpenStore();
    if (tc.saved) {
      GroupState saved;
      saved.guard = *tc.saved;
      ASSERT_TRUE(store->Save("web", "seed", saved).ok());
    }
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

// Load history survives a restart: saved as it accumulates, reloaded from
// the state store, and the minutes missed while down fetched from the cloud.
TEST_F(LoopTest, LoadHistoryIsRestoredFromTheStoreAndTheCloud) {
  auto sim = Cloud1(1, 10, 3, 1.5);
  auto store = OpenStore();
  GroupConfig g = Group("aws-predictive");
  {
    Scaler first({g}, {},
                 Env(sim.get(), &clock_, nullptr, store.get(), true, false));
    ASSERT_TRUE(first.Init(clock_.Now()).ok());
    RunVirtualTime(first, *sim, clock_, Until(kStart + minutes(60)));
    EXPECT_GE(first.history("web")->size(), 55u);
  }
  // Down for 20 minutes; the simulated group keeps running.
  clock_.Advance(minutes(20));
  sim->Sync();
  Scaler second({g}, {},
                Env(sim.get(), &clock_, nullptr, store.get(), true, false));
  ASSERT_TRUE(second.Init(clock_.Now()).ok());
  second.RestoreHistory(clock_.Now());
  const auto& h = *second.history("web")->points();
  EXPECT_GE(h.size(), 55u + 15u)
      << "saved minutes plus the ones fetched for the downtime";
  EXPECT_LT(h.front().time, kStart + minutes(5));
  EXPECT_GT(h.back().time, kStart + minutes(75));
  EXPECT_NE(Log().find("fetched from CloudWatch"), std::string::npos);
}

// The restart's fetch from CloudWatch sums the group's instances, so a
// minute some instance has not published yet would be kept short of its
// load. The fetch stops where the loop's first read begins: the newest
// minutes are read per instance (held back until whole) and carry the
// instances that served them (the at-full rule needs them).
TEST_F(LoopTest, ARestartLeavesTheNewestMinutesToTheLoopsReads) {
  // The group's sum of its newest published minute lacks one instance of
  // three.
  class NewestSumShort final : public ForwardingCloud {
   public:
    NewestSumShort(Cloud* target, Clock* clock)
        : ForwardingCloud(target), clock_(clock) {}
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& queries, TimePoint start,
        TimePoint end) override {
      auto r = ForwardingCloud::GetMetricData(queries, start, end);
      if (!r.ok()) return r;
      for (size_t i = 0; i < queries.size(); ++i) {
        if (queries[i].stat != "Sum") continue;
        MetricSeries& s = (*r)[i];
        for (size_t k = 0; k < s.values.size(); ++k) {
          if (clock_->Now() - s.timestamps[k] <= minutes(2)) {
            s.values[k] *= 2.0 / 3;
          }
        }
      }
      return r;
    }

   private:
    Clock* clock_;
  };
  auto sim = Cloud1(3, 3, 3, 1.5);  // 3 at 50 %
  NewestSumShort cloud(sim.get(), &clock_);
  auto store = OpenStore();
  clock_.Advance(minutes(30));
  sim->Sync();
  const TimePoint restart = clock_.Now();
  Scaler scaler({Group("aws-predictive")}, {},
                Env(&cloud, &clock_, nullptr, store.get(), true, false));
  ASSERT_TRUE(scaler.Init(restart).ok());
  scaler.RestoreHistory(restart);
  const size_t fetched = scaler.history("web")->size();
  EXPECT_GE(fetched, 25u);
  RunVirtualTime(scaler, *sim, clock_, Until(restart + minutes(5)));
  const auto& h = *scaler.history("web")->points();
  ASSERT_GT(h.size(), fetched);
  for (size_t k = 0; k < h.size(); ++k) {
    SCOPED_TRACE(FormatIso8601(h[k].time));
    EXPECT_NEAR(h[k].value, 1.5, 1e-9) << "kept whole";
    if (k > 0) {
      EXPECT_EQ(h[k].time - h[k - 1].time, minutes(1));
    }
    EXPECT_EQ(h[k].instances, k < fetched ? 0 : 3);
  }
}

// Each instance publishes its minute on its own: here one of the group's
// publishes a minute later than the others. A minute first read without it
// is held back and kept when complete, not kept short of its load, also
// with the daemon's refresh (a read a minute, 30 s past the minute: the
// read's start rounded down to the minute, as CloudWatch does, keeps the
// held minute in the next read); no minute is lost.
TEST_F(LoopTest, AMinuteNotEveryInstanceHasPublishedIsNotKeptShort) {
  class OneInstanceLate final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& queries, TimePoint start,
        TimePoint end) override {
      auto r = ForwardingCloud::GetMetricData(queries, start, end);
      if (!r.ok()) return r;
      TimePoint newest{};
      for (const MetricSeries& s : *r) {
        if (!s.timestamps.empty())
          newest = std::max(newest, s.timestamps.back());
      }
      for (size_t i = 0; i < queries.size(); ++i) {
        if (queries[i].metric_name != "CPUUtilization") continue;
        MetricSeries& s = (*r)[i];
        if (!s.timestamps.empty() && s.timestamps.back() == newest) {
          s.timestamps.pop_back();
          s.values.pop_back();
        }
        break;  // the first instance's CPU only
      }
      return r;
    }
  };
  struct Case {
    const char* name;
    Duration start;    // after kStart
    Duration refresh;  // metrics read every
    // Every kept minute after these is on all three instances (the first
    // read's are not checked: the instances' first sight is then).
    size_t unchecked;
    const char* policy = "aws-predictive";  // keeps a load history
  };
  const Case cases[] = {
      {"read every cycle", Duration::zero(), Duration::zero(), 0},
      {"read every minute, 30 s past it", seconds(30), seconds(60), 1},
      // No history: the read's newest whole minute is shown.
      {"no history, read every cycle", Duration::zero(), Duration::zero(), 0,
       "target-tracking"},
      {"no history, read every minute, 30 s past it", seconds(30), seconds(60),
       0, "target-tracking"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    SimGroupSpec spec{"web", 3, 3, 3, seconds(300), Flat(1.5)};  // 3 at 50 %
    SimCloud sim(&clock, {spec});
    OneInstanceLate late(&sim);
    clock.Advance(tc.start);
    ScalerOptions o;
    o.observe.metrics_refresh = tc.refresh;
    MetricsRegistry registry;
    MetricsReporter reporter(&registry);
    Scaler scaler({Group(tc.policy)}, o,
                  {.cloud = &late, .clock = &clock, .reporter = &reporter});
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(30)));
    const double gauge =
        registry.GetGauge("phas_scaler_group_load", "", {{"group", "web"}})
            .Value();
    if (!scaler.history("web")) {
      EXPECT_NEAR(gauge, 1.5, 1e-9) << "the group's load, as exported";
      continue;
    }
    const auto& h = *scaler.history("web")->points();
    ASSERT_GE(h.size(), 2u);
    EXPECT_GT(h.back().time, kStart + minutes(25)) << "the history goes on";
    for (size_t k = 1; k < h.size(); ++k) {
      EXPECT_EQ(h[k].time - h[k - 1].time, minutes(1))
          << "no minute lost: " << FormatIso8601(h[k].time);
    }
    // The group's load, as exported: the newest kept minute, not the dip
    // of one not yet whole.
    EXPECT_NEAR(gauge, 1.5, 1e-9);
    for (size_t k = tc.unchecked; k < h.size(); ++k) {
      EXPECT_NEAR(h[k].value, 1.5, 1e-9) << FormatIso8601(h[k].time);
      EXPECT_EQ(h[k].instances, 3);
    }
  }
}

// A state database that cannot keep the history (here: its table is gone)
// costs the restart nothing but a logged error: the history comes from the
// cloud and the loop runs on.
TEST_F(LoopTest, AFailedHistorySaveAtRestartIsLoggedAndTheLoopGoesOn) {
  auto sim = Cloud1(1, 10, 3, 1.5);
  bool recovered = false;
  std::string path = (dir_ / "state.db").string();
  auto store = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE series", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  clock_.Advance(minutes(30));
  sim->Sync();
  Scaler scaler({Group("aws-predictive")}, {},
                Env(sim.get(), &clock_, nullptr, store->get(), true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  scaler.RestoreHistory(clock_.Now());
  EXPECT_GE(scaler.history("web")->size(), 25u);
  std::string log = Log();
  EXPECT_NE(log.find("cannot read saved load history"), std::string::npos)
      << log;
  EXPECT_NE(log.find("cannot save load history"), std::string::npos) << log;
  RunVirtualTime(scaler, *sim, clock_, Until(clock_.Now() + minutes(5)));
  EXPECT_GE(scaler.history("web")->size(), 29u);
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

// A read that begins after the minutes the last one reached (reads failing
// or the group not described for longer than the read's 3 minutes, the
// first read after a restart) may leave minutes no later read has: they
// are fetched from CloudWatch as at a restart (the group's sum), and the
// load history has no hole. A load that published nothing for a while (a
// quiet load balancer) is not fetched again: its hole is in CloudWatch too.
TEST_F(LoopTest, TheLoadHistoryHasNoHoleAfterAnOutageOrARestart) {
  // Fails describes, reads or the group sums (the history's fetches), or
  // answers reads with no datapoints, on demand; counts the sums asked.
  class FlakyCloud final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<GroupDescription>> DescribeGroups(
        const std::vector<std::string>& names) override {
      if (fail_describe) return Status::Unavailable("network down");
      return ForwardingCloud::DescribeGroups(names);
    }
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
      const bool sum = !q.empty() && q[0].stat == "Sum";
      sums += sum ? 1 : 0;
      if (fail_reads || (sum && fail_sums)) {
        return Status::Unavailable("throttled");
      }
      if (sum && sums_to_fail > 0) {
        --sums_to_fail;
        return Status::Unavailable("throttled");
      }
      auto r = ForwardingCloud::GetMetricData(q, s, e);
      if (r.ok() && silent) {
        for (MetricSeries& m : *r) m.timestamps.clear(), m.values.clear();
      }
      return r;
    }
    bool fail_describe = false, fail_reads = false, fail_sums = false;
    bool silent = false;
    int sums = 0;
    int sums_to_fail = 0;  // the next ones
  };
  enum Outage {
    kReadsFail,
    kDescribeFails,
    kSilent,
    kSilentAndAReadFails,  // the whole read, for 30 s
    kRestart,
    kFirstStart
  };
  struct Case {
    const char* name;
    Outage outage;
    Duration first_cycle;  // after the restart (kRestart, kFirstStart)
    bool restore_fails;
    int sums;  // the group sums asked after the first 10 minutes
    int holes;
    // The daemon's timing: a read a minute, cycles each 3 ms late (else a
    // read every 10-second cycle, on time).
    bool daemon = false;
    // The group sums failing after the outage (the reads' missing minutes
    // not fetched: the reads wait, 3 in all).
    int sums_failing = 0;
  };
  const Case cases[] = {
      {"reads failing 10 minutes", kReadsFail, {}, false, 1, 0},
      {"describes failing 10 minutes", kDescribeFails, {}, false, 1, 0},
      {"no datapoint for 10 minutes", kSilent, {}, false, 0, 1},
      {"no datapoint for 10 minutes, a read failing in them",
       kSilentAndAReadFails,
       {},
       false,
       0,
       1},
      {"a restart whose first cycle is 3 minutes late", kRestart, minutes(3),
       false, 2, 0},
      {"a restart whose fetch fails", kRestart, {}, true, 2, 0},
      {"a first start (nothing saved) whose fetch fails",
       kFirstStart,
       {},
       true,
       2,
       0},
      {"reads failing 10 minutes, the daemon's timing",
       kReadsFail,
       {},
       false,
       1,
       0,
       true},
      {"no datapoint for 10 minutes, the daemon's timing",
       kSilent,
       {},
       false,
       0,
       1,
       true},
      {"reads failing 10 minutes, the first fetch of their minutes too",
       kReadsFail,
       {},
       false,
       2,
       0,
       false,
       1},
      {"reads failing 10 minutes, the first two fetches of their minutes "
       "too, the daemon's timing",
       kReadsFail,
       {},
       false,
       3,
       0,
       true,
       2},
      {"reads failing 10 minutes, every fetch of their minutes too",
       kReadsFail,
       {},
       false,
       3,
       1,
       false,
       100},
      {"a restart whose fetch fails, and its first read's too",
       kRestart,
       {},
       true,
       3,
       0,
       false,
       1},
      {"a first start whose fetch fails, and its first read's too",
       kFirstStart,
       {},
       true,
       3,
       0,
       false,
       1},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    SimGroupSpec spec{"web", 3, 3, 3, seconds(300), Flat(1.5)};  // 3 at 50 %
    SimCloud sim(&clock, {spec});
    FlakyCloud cloud(&sim);
    ScalerOptions o;
    if (tc.daemon) o.observe.metrics_refresh = seconds(60);
    Scaler scaler({Group("aws-predictive")}, o,
                  Env(&cloud, &clock, nullptr, nullptr, true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    auto run_until = [&](TimePoint end) {
      SimRunOptions r = Until(end);
      if (tc.daemon) r.interval = seconds(10) + std::chrono::milliseconds(3);
      RunVirtualTime(scaler, sim, clock, r);
    };
    if (tc.outage != kFirstStart) run_until(kStart + minutes(10));
    cloud.sums = 0;
    if (tc.outage == kRestart || tc.outage == kFirstStart) {
      clock.Advance(minutes(20));  // down (the scaler keeps its memory)
      sim.Sync();
      cloud.fail_sums = tc.restore_fails;
      scaler.RestoreHistory(clock.Now());
      cloud.fail_sums = false;
      clock.Advance(tc.first_cycle);
      sim.Sync();
    } else {
      (tc.outage == kReadsFail       ? cloud.fail_reads
       : tc.outage == kDescribeFails ? cloud.fail_describe
                                     : cloud.silent) = true;
      if (tc.outage == kSilentAndAReadFails) {
        run_until(kStart + minutes(15));
        cloud.fail_reads = true;
        run_until(kStart + minutes(15) + seconds(30));
        cloud.fail_reads = false;
      }
      run_until(kStart + minutes(20));
      cloud.fail_reads = cloud.fail_describe = cloud.silent = false;
    }
    cloud.sums_to_fail = tc.sums_failing;
    run_until(clock.Now() + minutes(10));
    EXPECT_EQ(cloud.sums, tc.sums);
    const auto& h = *scaler.history("web")->points();
    ASSERT_GE(h.size(), 15u);
    EXPECT_GT(h.back().time, clock.Now() - minutes(4));
    int holes = 0;
    for (size_t k = 0; k < h.size(); ++k) {
      EXPECT_NEAR(h[k].value, 1.5, 1e-9) << FormatIso8601(h[k].time);
      if (k > 0 && h[k].time - h[k - 1].time != minutes(1)) ++holes;
    }
    EXPECT_EQ(holes, tc.holes);
  }
}

// A query CloudWatch does not answer (InternalError, Forbidden) fails its
// group's read alone: the other groups of the request read on, the
// partition is not read again every cycle (each read is billed), the
// failing group keeps no minute short of the instance, and once answered
// again its missing minutes are fetched. The memory metric is optional:
// not answered, the group reads on, and the log says so once (a whole read
// failing meanwhile is no answer, nor a read the group could not use).
TEST_F(LoopTest, AQueryNotAnsweredFailsItsGroupsReadAlone) {
  // Answers one instance's queries of one metric with an error, on demand.
  class OneInstanceFails final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
      const bool sum = !q.empty() && q[0].stat == "Sum";
      (sum ? sums : reads) += 1;
      if (throttled && !sum) return Status::Unavailable("throttled");
      auto r = ForwardingCloud::GetMetricData(q, s, e);
      if (!r.ok() || sum || instance.empty()) return r;
      for (size_t i = 0; i < q.size(); ++i) {
        if (!metrics.count(q[i].metric_name)) continue;
        for (const MetricDimension& d : q[i].dimensions) {
          if (d.name != "InstanceId" || d.value != instance) continue;
          MetricSeries& m = (*r)[i];
          m.timestamps.clear();
          m.values.clear();
          m.status =
              Status::Unavailable("GetMetricData query " + m.id + " (" +
                                  q[i].metric_name + ") answered InternalError")
                  .WithDetail("InternalError");
        }
      }
      return r;
    }
    std::string instance;
    std::set<std::string> metrics;
    bool throttled = false;  // every read fails
    int reads = 0, sums = 0;
  };
  struct Case {
    const char* metric;
    bool fails_the_group;
    int sums;  // after: the group's missing minutes
  };
  for (const Case& tc :
       {Case{"CPUUtilization", true, 1}, Case{"mem_used_percent", false, 0}}) {
    SCOPED_TRACE(tc.metric);
    ManualClock clock(kStart);
    SimCloud sim(&clock, {{"web", 3, 3, 3, seconds(300), Flat(1.5)},
                          {"api", 2, 2, 2, seconds(300), Flat(1.0)}});
    OneInstanceFails cloud(&sim);
    ScalerOptions o;
    o.observe.metrics_refresh = seconds(60);
    GroupConfig web = Group("aws-predictive"), api = Group("aws-predictive");
    web.memory.enabled = true;  // read with all metrics
    web.all_metrics = true;
    api.name = "api";
    Scaler scaler({web, api}, o,
                  Env(&cloud, &clock, nullptr, nullptr, true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(10)));
    auto described = sim.DescribeGroups({"web"});
    ASSERT_TRUE(described.ok());
    cloud.instance = (*described)[0].instances[0].id;
    cloud.metrics = {tc.metric};
    // Memory's first 40 s: the instance's CPU as well (the group's read
    // fails: memory is told once the group reads on).
    if (!tc.fails_the_group) cloud.metrics.insert("CPUUtilization");
    cloud.reads = cloud.sums = 0;
    int cycles = 0, told = 0;
    SimRunOptions failing = Until(kStart + minutes(20));
    failing.on_cycle = [&](const CycleReport& rep) {
      // A minute in, the whole read fails for a minute (throttled).
      const bool throttled = cloud.throttled;
      cloud.throttled = ++cycles >= 30 && cycles < 36;
      if (cycles == 4) cloud.metrics = {tc.metric};
      ASSERT_EQ(rep.groups.size(), 2u);
      const GroupOutcome& w = rep.groups[0];
      for (const std::string& warning : w.warnings) {
        told += warning.find(tc.metric) != std::string::npos ? 1 : 0;
      }
      // (The cycles up to the next read decide on the read CPU failed.)
      if (throttled || (!tc.fails_the_group && cycles <= 10)) return;
      EXPECT_EQ(w.metrics_status.ok(), !tc.fails_the_group);
      EXPECT_EQ(w.observation.metrics_ok, !tc.fails_the_group);
      if (tc.fails_the_group) {
        EXPECT_NE(w.metrics_status.message().find("answered InternalError"),
                  std::string::npos)
            << w.metrics_status.ToString();
      }
      EXPECT_TRUE(rep.groups[1].metrics_status.ok())
          << rep.groups[1].metrics_status.ToString();
      EXPECT_TRUE(rep.groups[1].observation.metrics_ok);
    };
    RunVirtualTime(scaler, sim, clock, failing);
    EXPECT_GE(cycles, 50);
    // A read a minute, and each cycle while throttled (60 if each cycle).
    EXPECT_LE(cloud.reads, 17);
    EXPECT_EQ(told, tc.fails_the_group ? 0 : 1);
    cloud.instance.clear();
    RunVirtualTime(scaler, sim, clock, Until(clock.Now() + minutes(10)));
    EXPECT_EQ(cloud.sums, tc.sums);
    for (const char* g : {"web", "api"}) {
      SCOPED_TRACE(g);
      const auto& h = *scaler.history(g)->points();
      ASSERT_GE(h.size(), 25u);
      for (size_t k = 0; k < h.size(); ++k) {
        EXPECT_NEAR(h[k].value, std::string(g) == "web" ? 1.5 : 1.0, 1e-9)
            << FormatIso8601(h[k].time);
        if (k > 0) {
          EXPECT_EQ(h[k].time - h[k - 1].time, minutes(1));
        }
      }
    }
  }
}

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

// Carried-out SetDesiredCapacity calls, timed when they returned. The call
// takes `takes[i]` of the clock for the i-th call (cycling), and answers
// `answer` (after carrying the change out).
class SlowCloud final : public ForwardingCloud {
 public:
  SlowCloud(Cloud* inner, ManualClock* clock)
      : ForwardingCloud(inner), clock_(clock) {}
  Status SetDesiredCapacity(const std::string& g, int d) override {
    Status st = ForwardingCloud::SetDesiredCapacity(g, d);
    clock_->Advance(takes[calls++ % takes.size()]);
    if (st.ok()) carried_out.push_back(clock_->Now());
    return st.ok() ? answer : st;
  }
  std::vector<Duration> takes = {Duration::zero()};
  Status answer;
  int calls = 0;
  std::vector<TimePoint> carried_out;

 private:
  ManualClock* clock_;
};

void ExpectApart(const std::vector<TimePoint>& times, Duration cooldown) {
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], cooldown)
        << "carried-out actions " << i - 1 << " and " << i;
  }
}

// A call that took 25 s of retries starts its cooldown when it returned, not
// when the cycle began: the next (fast) call comes a whole cooldown later.
TEST_F(LoopTest, TheCooldownRunsFromWhenTheActionReturned) {
  auto sim = Cloud1(1, 40, 2, 1.0);
  SlowCloud cloud(sim.get(), &clock_);
  cloud.takes = {seconds(25), seconds(0)};
  GroupConfig g = Group();
  g.policy.cooldown = seconds(60);
  Scaler scaler({g}, {},
                Env(&cloud, &clock_, &predictor_, nullptr, false, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  while (clock_.Now() < kStart + minutes(20)) {
    scaler.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  ASSERT_GE(cloud.carried_out.size(), 8u);
  ExpectApart(cloud.carried_out, seconds(60));
}

// A call that timed out after AWS carried it out may have acted: the
// cooldown starts all the same, and the outcome is reported as unknown.
TEST_F(LoopTest, AnUnknownOutcomeStartsTheCooldown) {
  auto sim = Cloud1(1, 40, 2, 1.0);
  SlowCloud cloud(sim.get(), &clock_);
  cloud.takes = {seconds(12)};
  cloud.answer = Status::DeadlineExceeded(
                     "autoscaling SetDesiredCapacity: "
                     "operation timed out")
                     .WithDetail("timeout")
                     .WithOutcomeUnknown();
  GroupConfig g = Group();
  g.policy.cooldown = seconds(60);
  Scaler scaler({g}, {},
                Env(&cloud, &clock_, &predictor_, nullptr, true, true));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  while (clock_.Now() < kStart + minutes(10)) {
    scaler.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  ASSERT_GE(cloud.carried_out.size(), 3u);
  ExpectApart(cloud.carried_out, seconds(60));
  EXPECT_NE(Log().find("SetDesiredCapacity failed (it may have been carried "
                       "out: the cooldown starts all the same)"),
            std::string::npos);
  EXPECT_NE(metrics_.Render().find("result=\"unknown\""), std::string::npos);
}

// A blocked scale-up of the step policy says "up" (the loop once guessed the
// direction from the reason code's words: "step_out" read as a scale-down).
TEST_F(LoopTest, TheCooldownLineNamesTheWayThePolicyWanted) {
  auto sim = Cloud1(1, 10, 2, 2.5);  // 100 % CPU: 30 points over, step +3
  auto store = OpenStore();
  GroupState saved;  // a restart just after an action
  saved.guard.last_action = kStart;
  ASSERT_TRUE(store->Save("web", "step", saved).ok());
  GroupConfig g = Group("step");
  g.policy.cooldown = minutes(10);
  Scaler scaler({g}, {},
                Env(sim.get(), &clock_, nullptr, store.get(), true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(5)));
  std::string log = Log();
  EXPECT_NE(log.find("Scale up needed but in cooldown period"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("Scale down needed"), std::string::npos);
  EXPECT_NE(log.find("; wanted 2 -> 5, cooldown 600 s ("), std::string::npos);
}

// A guard rule that moves the policy's target is named in the DECISION line
// and the JSON record; the original's line stays as it was.
TEST_F(LoopTest, AStepLimitIsNamedInTheDecisionAndTheRecord) {
  auto sim = Cloud1(1, 10, 2, 2.5);  // 100 % CPU: 30 points over, step +3
  GroupConfig g = Group("step");
  g.policy.max_step_up = 1;
  Scaler scaler({g}, {},
                Env(sim.get(), &clock_, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(5)));
  ASSERT_FALSE(r[0].actions.empty());
  EXPECT_EQ(r[0].actions[0].to, 3);
  std::string log = Log();
  EXPECT_NE(log.find("- INFO - [web] - SCALING UP: 2 -> 3 instances\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("; wanted 2 -> 5, step limit +1: 2 -> 3\n"),
            std::string::npos)
      << log;
  std::ifstream in(dir_ / "out" / "ec2_metrics_data.jsonl");
  std::string line, acted;
  while (std::getline(in, line) && acted.empty()) {
    if (line.find("\"kind\":\"scale_up\"") != std::string::npos) acted = line;
  }
  EXPECT_NE(acted.find("\"clamped_by\":[\"step_up\"]"), std::string::npos)
      << acted;
  EXPECT_NE(acted.find("\"proposed\":5"), std::string::npos) << acted;
  EXPECT_NE(acted.find("wanted 2 -> 5, step limit +1: 2 -> 3\""),
            std::string::npos)
      << acted;
}

// A group that does not exist is named with the region it was looked for in.
TEST_F(LoopTest, AMissingGroupIsNamedWithItsRegion) {
  auto sim = Cloud1(1, 10, 2, 1.0);
  LogReporter log(rec_.get(), "eu-west-1");
  GroupConfig g = Group("reactive");
  g.name = "asg-bar";
  Scaler scaler({g}, {},
                {.cloud = sim.get(), .clock = &clock_, .reporter = &log});
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  CycleReport r = scaler.RunOnce(clock_.Now());
  rec_->Flush();
  EXPECT_FALSE(r.groups[0].found);
  EXPECT_NE(Log().find("ASG asg-bar not found in region eu-west-1"),
            std::string::npos);
}

}  // namespace
}  // namespace phas
