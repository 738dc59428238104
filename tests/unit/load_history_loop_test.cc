// The load history the forecasting policies keep, through the control loop
// on SimCloud and virtual time: restored at a restart from the state
// database and CloudWatch, kept whole minute by minute (its holes:
// load_history_holes_test.cc).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "loop_test_util.h"
#include "scaler/scaler.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Flat;
using testing::kStart;
using testing::LoopTest;
using testing::Until;

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

// A saved minute after the restart's time (a clock that was ahead, an
// edited file) is not kept: it would come last, and every minute the loop
// reads would be refused as older than it.
TEST_F(LoopTest, ASavedMinuteAfterNowIsNotKept) {
  auto sim = Cloud1(1, 10, 3, 1.5);
  auto store = OpenStore();
  GroupConfig g = Group("aws-predictive");
  {
    Scaler first({g}, {},
                 Env(sim.get(), &clock_, nullptr, store.get(), true, false));
    ASSERT_TRUE(first.Init(clock_.Now()).ok());
    RunVirtualTime(first, *sim, clock_, Until(kStart + minutes(30)));
  }
  ASSERT_TRUE(store
                  ->AppendSeries("load:web",
                                 {{clock_.Now() + std::chrono::hours(24), 7}})
                  .ok());
  Scaler second({g}, {},
                Env(sim.get(), &clock_, nullptr, store.get(), true, false));
  ASSERT_TRUE(second.Init(clock_.Now()).ok());
  second.RestoreHistory(clock_.Now());
  RunVirtualTime(second, *sim, clock_, Until(kStart + minutes(40)));
  const auto& h = *second.history("web")->points();
  ASSERT_FALSE(h.empty());
  EXPECT_LE(h.back().time, clock_.Now());
  EXPECT_GE(std::count_if(h.begin(), h.end(),
                          [&](const MetricSample& p) {
                            return p.time > kStart + minutes(30) &&
                                   p.time <= clock_.Now();
                          }),
            5)
      << "the minutes read after the restart are kept";
  EXPECT_NE(Log().find("saved load history: 1 minute(s) after now"),
            std::string::npos)
      << Log();
}

// The clock going back while the loop runs: the history's minutes after the
// new now are left out (with a warning), so the minutes read from then on
// are kept, not refused as older than the newest until the clock catches
// up (a restart does the same with the saved minutes).
TEST_F(LoopTest, AClockThatWentBackLeavesOutTheMinutesAfterNow) {
  auto sim = Cloud1(1, 10, 3, 1.5);
  GroupConfig g = Group("aws-predictive");
  Scaler scaler({g}, {},
                Env(sim.get(), &clock_, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(60)));
  ASSERT_GT(scaler.history("web")->points()->back().time, kStart + minutes(50));
  const TimePoint back = kStart + minutes(30);
  CycleReport rep = scaler.RunOnce(back);
  const auto& h = *scaler.history("web")->points();
  ASSERT_FALSE(h.empty());
  EXPECT_LE(h.back().time, back);
  bool told = false;
  for (const std::string& w : rep.groups[0].warnings) {
    told |= w.find("minute(s) after now") != std::string::npos &&
            w.find("(the clock went back?): left out") != std::string::npos;
  }
  EXPECT_TRUE(told);
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
      const TimePoint newest = testing::NewestTimestamp(*r);
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
    Duration start;                         // after kStart
    Duration refresh;                       // metrics read every
    const char* policy = "aws-predictive";  // keeps a load history
  };
  // Every kept minute is on all three instances, the first read's too (the
  // instances' first sight: InService over its window).
  const Case cases[] = {
      {"read every cycle", Duration::zero(), Duration::zero()},
      {"read every minute, 30 s past it", seconds(30), seconds(60)},
      // No history: the read's newest whole minute is shown.
      {"no history, read every cycle", Duration::zero(), Duration::zero(),
       "target-tracking"},
      {"no history, read every minute, 30 s past it", seconds(30), seconds(60),
       "target-tracking"},
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
    for (size_t k = 0; k < h.size(); ++k) {
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

}  // namespace
}  // namespace phas
