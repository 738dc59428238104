// The load history's holes, through the control loop on SimCloud and
// virtual time: the minutes an outage or a restart left out fetched when
// the reads come back (one request for the groups that lack the same),
// tried again at the next reads when the fetch fails; each group's failed
// queries its own.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
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

// A hole's fetch is tried at 3 reads, each hole's anew; not again on the
// same read (an instance's warm-up ending between two reads aggregates the
// same read again).
TEST_F(LoopTest, TheMissingMinutesAreTriedAtThreeReadsPerHole) {
  struct Case {
    const char* name;
    std::vector<int> failing;  // per outage (reads failing 10 minutes)
    size_t sums;               // fetches after the first 10 minutes
    int holes;
    bool warm_up = false;  // the daemon's timing; an instance added
  };
  const Case cases[] = {
      {"2 failing, then 2 at the next outage", {2, 2}, 6, 0},
      {"3 failing (the read kept with its hole), then 1", {3, 1}, 5, 1},
      {"1 failing, then 2", {1, 2}, 5, 0},
      {"3 failing, a warm-up ending between two of their reads",
       {3},
       3,
       1,
       true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ManualClock clock(kStart);
    SimCloud sim(&clock, {{"web", 3, 4, 3, seconds(300), Flat(1.5)}});
    FetchFailingCloud cloud(&sim, &clock);
    ScalerOptions o;
    o.dry_run = true;
    GroupConfig g = Group("aws-predictive");
    if (tc.warm_up) {
      o.observe.metrics_refresh = seconds(60);
      g.warmup = seconds(120);
    }
    Scaler scaler({g}, o, Env(&cloud, &clock, nullptr, nullptr, true, false));
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    auto run_until = [&](TimePoint end) {
      RunVirtualTime(scaler, sim, clock, Until(end));
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
  };
  const Case cases[] = {
      {"every query answered", "", {2}},
      // The other group's minutes stand: the next fetch is the first's.
      {"the second group's query not answered", "h1_history", {2, 1}},
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
