// The load history's holes, through the control loop on SimCloud and
// virtual time: the minutes an outage or a restart left out fetched when
// the reads come back, with no hole left; each group's failed queries its
// own (the fetches themselves: load_history_fetch_test.cc).
#include <gtest/gtest.h>

#include <set>
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

}  // namespace
}  // namespace phas
