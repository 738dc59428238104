// The load history's fetches, through the control loop on SimCloud and
// virtual time: failed, tried again at the next reads; shared by the
// groups that lack the same minutes, in requests CloudWatch takes; an
// expression's input not answered.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "loop_test_util.h"
#include "scaler/scaler.h"
#include "sim/backtest.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Flat;
using testing::kStart;
using testing::LoopTest;
using testing::Until;

// A custom signal: the group's App/Jobs metric (SimLoadMetric{"App",
// "Jobs", {}, 1}), through the expression "jobs"; one unit an instance.
void UseJobsSignal(GroupConfig* g) {
  g->signal.kind = SignalKind::kCustom;
  MetricQuery jobs;
  jobs.id = "jobs";
  jobs.ns = "App";
  jobs.metric_name = "Jobs";
  jobs.stat = "Sum";
  g->signal.metrics = {jobs};
  g->signal.expression = "jobs";
  g->signal = SimulatedSignal(g->signal);  // full: 1 a unit
  g->policy = ForSignal(g->policy, g->signal, false);
}

// A load computed by a metric-math expression from the group's own metrics
// (a custom signal): a fetch of the history fails when one of the
// expression's inputs is not answered, whose load would be short of that
// input, not only when the expression is. Answered again, the first read
// fetches the minutes.
TEST_F(LoopTest, AFetchFailsWhenAnInputOfItsExpressionIsNotAnswered) {
  // Fails the history fetch's input query (the expression is evaluated
  // before, from the whole input, as it would be from its answered part).
  class InputFails final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
      auto r = ForwardingCloud::GetMetricData(q, s, e);
      if (!r.ok() || !fail) return r;
      for (size_t i = 0; i < q.size(); ++i) {
        if (q[i].id != "h0_jobs") continue;  // the first group's fetch
        MetricSeries& m = (*r)[i];
        m.timestamps.clear();
        m.values.clear();
        m.status = Status::Unavailable(
                       "GetMetricData query h0_jobs (App Jobs "
                       "Sum) answered InternalError")
                       .WithDetail("InternalError");
      }
      return r;
    }
    bool fail = true;
  };
  SimGroupSpec spec{"web", 3, 3, 3, seconds(300), Flat(1.5)};
  spec.load_metrics.push_back({"App", "Jobs", {}, 1, false});
  SimCloud sim(&clock_, {spec});
  InputFails cloud(&sim);
  GroupConfig g = Group("aws-predictive");
  UseJobsSignal(&g);
  clock_.Advance(minutes(30));
  sim.Sync();
  Scaler scaler({g}, {}, Env(&cloud, &clock_, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  scaler.RestoreHistory(clock_.Now());
  EXPECT_EQ(scaler.history("web")->size(), 0u);
  EXPECT_NE(Log().find("cannot fetch load history from CloudWatch: "
                       "GetMetricData query h0_jobs"),
            std::string::npos)
      << Log();
  cloud.fail = false;
  RunVirtualTime(scaler, sim, clock_, Until(clock_.Now() + minutes(5)));
  const auto& h = *scaler.history("web")->points();
  ASSERT_GE(h.size(), 30u);
  for (size_t k = 0; k < h.size(); ++k) {
    EXPECT_NEAR(h[k].value, 1.5, 1e-9) << FormatIso8601(h[k].time);
    if (k > 0) {
      EXPECT_EQ(h[k].time - h[k - 1].time, minutes(1));
    }
  }
}

// Reads the group sums (the history's fetches) fail, on demand: every read
// for a while, or the next N fetches, or one group's query in them; it
// counts the fetches and when they and the reads came.
class FetchFailingCloud final : public ForwardingCloud {
 public:
  FetchFailingCloud(Cloud* inner, Clock* clock)
      : ForwardingCloud(inner), clock_(clock) {}
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
    const bool sum = !q.empty() && q[0].stat == "Sum";
    (sum ? sums : reads).push_back(clock_->Now());
    if (sum) sum_queries.push_back(q.size());
    if (fail_reads) return Status::Unavailable("throttled");
    if (sum && sums_to_fail > 0) {
      --sums_to_fail;
      return Status::Unavailable("throttled");
    }
    auto r = ForwardingCloud::GetMetricData(q, s, e);
    if (r.ok() && sum && std::exchange(drop_series, false)) r->pop_back();
    if (!r.ok() || !sum || fail_query.empty()) return r;
    for (size_t i = 0; i < q.size(); ++i) {
      if (q[i].id != fail_query) continue;
      (*r)[i] = MetricSeries{};
      (*r)[i].id = q[i].id;
      (*r)[i].status =
          Status::Unavailable("query " + q[i].id + " answered InternalError")
              .WithDetail("InternalError");
    }
    fail_query.clear();  // once
    return r;
  }
  bool fail_reads = false;
  int sums_to_fail = 0;
  std::string fail_query;
  bool drop_series = false;  // the next fetch answers a series short, once
  std::vector<TimePoint> sums, reads;
  std::vector<size_t> sum_queries;  // each fetch's

 private:
  Clock* clock_;
};

// The holes in `h` (minutes missing between two kept).
int Holes(const std::vector<MetricSample>& h) {
  int holes = 0;
  for (size_t k = 1; k < h.size(); ++k) {
    holes += h[k].time - h[k - 1].time != minutes(1);
  }
  return holes;
}

// A hole's fetch is tried at 3 reads, 50 s apart at least (the reads
// between wait, and ask nothing), each hole's anew; not again on the same
// read (an instance's warm-up ending between two reads aggregates the same
// read again).
TEST_F(LoopTest, TheMissingMinutesAreTriedAtThreeReadsSpacedPerHole) {
  struct Case {
    const char* name;
    std::vector<int> failing;  // per outage (reads failing 10 minutes)
    size_t sums;               // fetches after the first 10 minutes
    int holes;
    Duration refresh = Duration::zero();  // zero: a read each cycle
    bool warm_up = false;  // an instance added during the first outage
    Duration interval = seconds(10);  // the cycles'
  };
  const Case cases[] = {
      {"2 failing, then 2 at the next outage", {2, 2}, 6, 0},
      {"3 failing (the read kept with its hole), then 1", {3, 1}, 5, 1},
      {"3 failing at reads a minute apart, then 1", {3, 1}, 5, 1, seconds(60)},
      // Cycles of a minute, each a millisecond early: 3 tries in 2 minutes
      // less 2 ms.
      {"3 failing at reads a minute apart less 1 ms, then 1",
       {3, 1},
       5,
       1,
       Duration::zero(),
       false,
       seconds(60) - std::chrono::milliseconds(1)},
      {"1 failing, then 2", {1, 2}, 5, 0},
      {"3 failing, a warm-up ending between two of their reads",
       {3},
       3,
       1,
       seconds(60),
       true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    SimCloud sim(&clock, {{"web", 3, 4, 3, seconds(300), Flat(1.5)}});
    FetchFailingCloud cloud(&sim, &clock);
    ScalerOptions o;
    o.dry_run = true;
    o.observe.metrics_refresh = tc.refresh;
    GroupConfig g = Group("aws-predictive");
    if (tc.warm_up) g.warmup = seconds(120);
    Scaler scaler({g}, o, Env(&cloud, &clock, nullptr, nullptr, true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    auto run_until = [&](TimePoint end) {
      SimRunOptions r = Until(end);
      r.interval = tc.interval;
      RunVirtualTime(scaler, sim, clock, r);
    };
    run_until(kStart + minutes(10));
    cloud.sums.clear();
    cloud.reads.clear();
    for (int failing : tc.failing) {
      cloud.fail_reads = true;
      if (tc.warm_up) {
        run_until(clock.Now() + minutes(3) + seconds(30));
        // InService 5 minutes later; warm 2 minutes after, between reads.
        ASSERT_TRUE(sim.SetDesiredCapacity("web", 4).ok());
      }
      run_until(clock.Now() + minutes(10) -
                (tc.warm_up ? minutes(3) + seconds(30) : Duration::zero()));
      cloud.fail_reads = false;
      cloud.sums_to_fail = failing;
      run_until(clock.Now() + minutes(10));
    }
    EXPECT_EQ(cloud.sums.size(), tc.sums);
    for (size_t k = 1; k < cloud.sums.size(); ++k) {
      EXPECT_GE(cloud.sums[k] - cloud.sums[k - 1], seconds(50))
          << "tries spaced: " << FormatIso8601(cloud.sums[k]);
    }
    for (TimePoint t : cloud.sums) {
      EXPECT_NE(std::find(cloud.reads.begin(), cloud.reads.end(), t),
                cloud.reads.end())
          << "a fetch with no read at " << FormatIso8601(t);
    }
    EXPECT_EQ(Holes(*scaler.history("web")->points()), tc.holes);
  }
}

// After an outage, or at a restart, the groups one Cloud serves lack the
// same minutes: one request fetches them all. Each group's answer stands
// alone: one whose query was not answered tries again at its next read.
TEST_F(LoopTest, TheGroupsMissingTheSameMinutesShareOneFetch) {
  struct Case {
    const char* name;
    std::string fail_query;    // in the first fetch after the outage
    std::vector<size_t> sums;  // the fetches after the outage, their queries
    bool drop_series = false;  // the first fetch answers a series short
  };
  const Case cases[] = {
      {"every query answered", "", {2}},
      // The other group's minutes stand: the next fetch is the first's.
      {"the second group's query not answered", "h1_history", {2, 1}},
      // Which series answers which query is unknown: both groups again.
      // (Without the count check, the second group's series is read past
      // the answer's end: this row fails by chance there.)
      {"one series fewer than the queries", "", {2, 2}, true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    SimCloud sim(&clock, {{"web", 3, 3, 3, seconds(300), Flat(1.5)},
                          {"api", 2, 2, 2, seconds(300), Flat(1.0)}});
    FetchFailingCloud cloud(&sim, &clock);
    GroupConfig web = Group("aws-predictive"), api = web;
    api.name = "api";
    fs::remove(dir_ / "state.db");  // each row's own
    auto store = OpenStore();
    {
      Scaler scaler({web, api}, {},
                    Env(&cloud, &clock, nullptr, store.get(), true, false));
      ASSERT_TRUE(scaler.Init(clock.Now()).ok());
      RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(10)));
      cloud.fail_reads = true;
      RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(20)));
      cloud.fail_reads = false;
      cloud.sum_queries.clear();
      cloud.fail_query = tc.fail_query;
      cloud.drop_series = tc.drop_series;
      RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(30)));
      EXPECT_EQ(cloud.sum_queries, tc.sums);
      for (const char* name : {"web", "api"}) {
        EXPECT_EQ(Holes(*scaler.history(name)->points()), 0) << name;
      }
    }
    // Down for 20 minutes: the restart fetches both groups' in one request.
    clock.Advance(minutes(20));
    sim.Sync();
    Scaler second({web, api}, {},
                  Env(&cloud, &clock, nullptr, store.get(), true, false));
    ASSERT_TRUE(second.Init(clock.Now()).ok());
    cloud.sums.clear();
    second.RestoreHistory(clock.Now());
    EXPECT_EQ(cloud.sums.size(), 1u);
    RunVirtualTime(second, sim, clock, Until(clock.Now() + minutes(5)));
    for (const char* name : {"web", "api"}) {
      const auto& h = *second.history(name)->points();
      EXPECT_EQ(Holes(h), 0) << name;
      EXPECT_GE(h.size(), 50u) << name;  // 55 minutes, the newest 2 not yet
      for (const MetricSample& m : h) {
        EXPECT_NEAR(m.value, std::string(name) == "web" ? 1.5 : 1.0, 1e-9)
            << name << " " << FormatIso8601(m.time);
      }
    }
  }
}

// Groups that lack different minutes are fetched each over its own range:
// a group added to the configuration at a restart has no saved history
// (its 14 days), the other the minutes it was down.
TEST_F(LoopTest, GroupsLackingDifferentMinutesGetTheirOwnRange) {
  ManualClock clock(kStart);
  SimCloud sim(&clock, {{"web", 3, 3, 3, seconds(300), Flat(1.5)},
                        {"api", 2, 2, 2, seconds(300), Flat(1.0)}});
  FetchFailingCloud cloud(&sim, &clock);
  GroupConfig web = Group("aws-predictive"), api = web;
  api.name = "api";
  auto store = OpenStore();
  {
    Scaler scaler({web}, {},
                  Env(&cloud, &clock, nullptr, store.get(), true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    RunVirtualTime(scaler, sim, clock, Until(kStart + minutes(30)));
  }
  clock.Advance(minutes(20));
  sim.Sync();
  Scaler second({web, api}, {},
                Env(&cloud, &clock, nullptr, store.get(), true, false));
  ASSERT_TRUE(second.Init(clock.Now()).ok());
  cloud.sums.clear();
  second.RestoreHistory(clock.Now());
  EXPECT_EQ(cloud.sums.size(), 2u);  // two ranges
  const auto& w = *second.history("web")->points();
  const auto& a = *second.history("api")->points();
  ASSERT_FALSE(w.empty());
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.front().time, w.front().time);
  EXPECT_EQ(a.back().time, w.back().time);
  EXPECT_EQ(Holes(a), 0);
  EXPECT_EQ(Holes(w), 0);
}

// A fetch's request holds at most 500 queries, a group's all in one (a
// metric-math expression names queries of its own request only: CloudWatch
// refuses it otherwise, emulated here), and at most a page of datapoints
// (100,800: a 14-day fetch asks 5 groups a request).
TEST_F(LoopTest, AFetchsRequestsHoldWholeGroupsAndAPageOfDatapoints) {
  // Splits each request as CloudWatchApi does (500 queries each), and
  // refuses an expression whose input is in another part.
  class Splits final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<MetricSeries>> GetMetricData(
        const std::vector<MetricQuery>& q, TimePoint s, TimePoint e) override {
      if (!q.empty() && q[0].stat == "Sum") sum_queries.push_back(q.size());
      for (size_t i = 0; i < q.size(); ++i) {
        if (q[i].expression.empty()) continue;
        bool found = false;
        for (size_t j = i / 500 * 500;
             j < std::min(q.size(), i / 500 * 500 + 500); ++j) {
          found |= j != i && q[i].expression == q[j].id;
        }
        if (!found) {
          return Status::InvalidArgument(
              "ValidationError: Error in "
              "expression " +
              q[i].id);
        }
      }
      return ForwardingCloud::GetMetricData(q, s, e);
    }
    std::vector<size_t> sum_queries;
  };
  struct Case {
    const char* name;
    int cpu_groups;
    bool first_start;              // else: down 30 minutes
    std::vector<size_t> requests;  // their queries
  };
  const Case cases[] = {
      {"499 CPU groups and a custom one, 30 minutes down",
       499,
       false,
       {499, 2}},
      {"6 groups' 14 days (a first start)", 5, true, {5, 2}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    std::vector<SimGroupSpec> specs;
    std::vector<GroupConfig> groups;
    for (int k = 0; k < tc.cpu_groups; ++k) {
      specs.push_back(
          {fmt::format("g{}", k), 1, 1, 1, seconds(300), Flat(0.5)});
      GroupConfig g = Group("aws-predictive");
      g.name = specs.back().name;
      groups.push_back(g);
    }
    SimGroupSpec jobs_spec{"jobs", 1, 1, 1, seconds(300), Flat(1.5)};
    jobs_spec.load_metrics.push_back({"App", "Jobs", {}, 1, false});
    specs.push_back(jobs_spec);
    GroupConfig j = Group("aws-predictive");
    j.name = "jobs";
    UseJobsSignal(&j);
    groups.push_back(j);
    SimCloud sim(&clock, specs);
    Splits cloud(&sim);
    clock.Advance(minutes(30));
    sim.Sync();
    fs::remove(dir_ / "state.db");
    auto store = OpenStore();
    if (!tc.first_start) {
      // 30 minutes kept, then down 30.
      Scaler first(groups, {},
                   Env(&cloud, &clock, nullptr, store.get(), false, false));
      ASSERT_TRUE(first.Init(clock.Now()).ok());
      first.RestoreHistory(clock.Now());
      clock.Advance(minutes(30));
      sim.Sync();
    }
    cloud.sum_queries.clear();
    Scaler scaler(groups, {},
                  Env(&cloud, &clock, nullptr, store.get(), true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    scaler.RestoreHistory(clock.Now());
    EXPECT_EQ(cloud.sum_queries, tc.requests);
    for (const GroupConfig& g : groups) {
      EXPECT_GE(scaler.history(g.name)->size(), 25u) << g.name;
    }
  }
}

// A group whose queries alone are over a page of datapoints (a custom
// signal of 5 metrics and its expression: 6 queries of 14 days) gets a
// request of its own: it is fetched, not left out.
TEST_F(LoopTest, AGroupOverAPageAloneGetsItsOwnRequest) {
  ManualClock clock(kStart);
  SimGroupSpec web{"web", 1, 1, 1, seconds(300), Flat(0.5)};
  SimGroupSpec jobs_spec{"jobs", 1, 1, 1, seconds(300), Flat(1.5)};
  jobs_spec.load_metrics.push_back({"App", "Jobs", {}, 1, false});
  GroupConfig w = Group("aws-predictive");
  GroupConfig j = Group("aws-predictive");
  j.name = "jobs";
  UseJobsSignal(&j);
  for (int k = 2; k <= 5; ++k) {
    MetricQuery more = j.signal.metrics.front();
    more.id = fmt::format("j{}", k);
    j.signal.metrics.push_back(more);
  }
  SimCloud sim(&clock, {web, jobs_spec});
  FetchFailingCloud cloud(&sim, &clock);  // counting, failing nothing
  clock.Advance(minutes(30));
  sim.Sync();
  Scaler scaler({w, j}, {}, Env(&cloud, &clock, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock.Now()).ok());
  scaler.RestoreHistory(clock.Now());
  EXPECT_EQ(cloud.sum_queries, (std::vector<size_t>{1, 6}));
  EXPECT_GE(scaler.history("jobs")->size(), 25u);
  EXPECT_GE(scaler.history("web")->size(), 25u);
}

}  // namespace
}  // namespace phas
