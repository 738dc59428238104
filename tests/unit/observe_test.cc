// Query planning and aggregation (scaler/observe.h).
#include "scaler/observe.h"

#include <gtest/gtest.h>

#include <set>

#include "scaler/history.h"

namespace phas {
namespace {

GroupDescription Described(const std::string& name, int in_service,
                           int pending) {
  GroupDescription d;
  d.name = name;
  d.min_size = 1;
  d.max_size = 10;
  d.desired_capacity = in_service + pending;
  for (int i = 0; i < in_service + pending; ++i) {
    d.instances.push_back(
        {name + "-i" + std::to_string(i),
         i < in_service ? Lifecycle::kInService : Lifecycle::kPending, ""});
  }
  return d;
}

TEST(ObserveTest, OneQueryPerInServiceInstanceAndMetric) {
  // Every metric (instance_metrics: all).
  std::vector<GroupToObserve> groups = {
      {Described("a", 3, 2), {}, {}, {}, true},
      {Described("b", 1, 0), {}, {}, {}, true}};
  groups[1].memory.enabled = false;
  QueryPlan plan = PlanQueries(groups);
  EXPECT_EQ(plan.queries.size(),
            3u * kInstanceMetricCount + 1u * (kInstanceMetricCount - 1));
  std::set<std::string> ids;
  for (const auto& q : plan.queries) {
    EXPECT_TRUE(ids.insert(q.id).second) << "query ids are unique";
    EXPECT_EQ(q.period_seconds, 60);
    EXPECT_EQ(q.dimensions.size(), 1u);
  }
  EXPECT_EQ(plan.queries[0].metric_name, "CPUUtilization");
  EXPECT_EQ(plan.queries[7].ns, "CWAgent");
  EXPECT_EQ(plan.queries[7].metric_name, "mem_used_percent");
  EXPECT_EQ(plan.targets[7].metric, InstanceMetric::kMemory);
}

// A group that reads only the metrics it uses (instance_metrics: used):
// CPU (which instances served a minute) and the signal's own per-instance
// metric, never memory; one that reads all keeps the eight.
TEST(ObserveTest, AGroupReadsOnlyTheMetricsItsSignalUses) {
  struct Case {
    SignalKind signal;
    bool all;
    std::set<InstanceMetric> read;
  };
  const std::set<InstanceMetric> every = {InstanceMetric::kCpu,
                                          InstanceMetric::kNetworkIn,
                                          InstanceMetric::kNetworkOut,
                                          InstanceMetric::kDiskReadBytes,
                                          InstanceMetric::kDiskWriteBytes,
                                          InstanceMetric::kNetworkPacketsIn,
                                          InstanceMetric::kNetworkPacketsOut,
                                          InstanceMetric::kMemory};
  const Case cases[] = {
      {SignalKind::kCpu, false, {InstanceMetric::kCpu}},
      {SignalKind::kNetworkIn,
       false,
       {InstanceMetric::kCpu, InstanceMetric::kNetworkIn}},
      {SignalKind::kNetworkOut,
       false,
       {InstanceMetric::kCpu, InstanceMetric::kNetworkOut}},
      {SignalKind::kCpu, true, every},
      {SignalKind::kNetworkIn, true, every},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(SignalKindName(c.signal)) +
                 (c.all ? " all" : " used"));
    GroupToObserve g{Described("a", 3, 1), {}, {}, {}, c.all};
    g.signal.kind = c.signal;
    QueryPlan plan = PlanQueries({g});
    std::set<InstanceMetric> read;
    for (const QueryPlan::Target& t : plan.targets) read.insert(t.metric);
    EXPECT_EQ(read, c.read);
    EXPECT_EQ(plan.queries.size(), 3u * c.read.size());  // InService only
  }
}

TEST(ObserveTest, AggregatesLatestValuesAcrossInstances) {
  std::vector<GroupToObserve> groups = {{Described("a", 3, 0), {}, {}, {}}};
  groups[0].warming = {"a-i2"};
  QueryPlan plan = PlanQueries(groups);
  std::vector<MetricSeries> results(plan.queries.size());
  TimePoint t1 = FromUnixSeconds(600), t2 = FromUnixSeconds(660);
  double cpu[3][2] = {{10, 20}, {30, 40}, {50, 90}};
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    results[i].id = plan.queries[i].id;
    if (plan.targets[i].metric != InstanceMetric::kCpu) continue;
    int inst = static_cast<int>(plan.targets[i].instance);
    results[i].timestamps = {t1, t2};
    results[i].values = {cpu[inst][0], cpu[inst][1]};
  }
  GroupMetrics m = AggregateGroup(plan, results, 0, groups[0]);
  const MetricAggregate& a = m.aggregate.at("cpu_utilization");
  EXPECT_DOUBLE_EQ(a.value, 50.0);  // mean of the latest values 20, 40, 90
  EXPECT_DOUBLE_EQ(a.max_value, 90.0);
  EXPECT_DOUBLE_EQ(a.min_value, 20.0);
  EXPECT_EQ(a.instance_count, 3);
  EXPECT_FALSE(m.aggregate.count("memory_utilization")) << "no data, no entry";
  // The per-minute signal leaves the warming instance out...
  ASSERT_EQ(m.signal.size(), 2u);
  EXPECT_DOUBLE_EQ(m.signal[0].value, 20.0);
  EXPECT_DOUBLE_EQ(m.signal[1].value, 30.0);
  EXPECT_EQ(m.signal[1].instances, 2);
  // ...the load counts every instance, in instance-units.
  ASSERT_EQ(m.load.size(), 2u);
  EXPECT_DOUBLE_EQ(m.load[1].value, (20 + 40 + 90) / 100.0);
  EXPECT_EQ(m.load[1].instances, 3);
}

// A memory series CloudWatch did not answer (InternalError) counts nothing,
// its partial data included: its latest value may be minutes old.
TEST(ObserveTest, AMemorySeriesNotAnsweredCountsNothing) {
  std::vector<GroupToObserve> groups = {
      {Described("a", 2, 0), {}, {}, {}, true}};
  QueryPlan plan = PlanQueries(groups);
  std::vector<MetricSeries> results(plan.queries.size());
  const TimePoint t1 = FromUnixSeconds(600), t2 = FromUnixSeconds(660);
  int memory_series = 0;
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    results[i].id = plan.queries[i].id;
    const QueryPlan::Target& t = plan.targets[i];
    if (t.metric == InstanceMetric::kCpu) {
      results[i].timestamps = {t1, t2};
      results[i].values = {30, 30};
    } else if (t.metric == InstanceMetric::kMemory) {
      ++memory_series;
      if (t.instance == 0) {  // its older minute, then not answered
        results[i].timestamps = {t1};
        results[i].values = {95};
        results[i].status = Status::Unavailable("answered InternalError");
      } else {
        results[i].timestamps = {t1, t2};
        results[i].values = {40, 50};
      }
    }
  }
  ASSERT_EQ(memory_series, 2);
  GroupMetrics m = AggregateGroup(plan, results, 0, groups[0]);
  const MetricAggregate& mem = m.aggregate.at("memory_utilization");
  EXPECT_EQ(mem.instance_count, 1);
  EXPECT_DOUBLE_EQ(mem.value, 50.0);
  EXPECT_DOUBLE_EQ(mem.max_value, 50.0);
  EXPECT_EQ(m.aggregate.at("cpu_utilization").instance_count, 2);
  EXPECT_EQ(m.instances_with_data, 2);
}

// A group-level signal (ALB requests) adds one query per group, first in the
// request; its sum per minute over the InService instances is the signal,
// warm or not, and the load counts it in instance-units of `full`, over
// the instances that served the minute. Its
// instances' CPU tells which served a minute: read even when the group reads
// only what it uses, in the same request as a neighbour that reads all.
TEST(ObserveTest, GroupLevelSignalIsOneQueryPerGroupDividedByInService) {
  std::vector<GroupToObserve> groups = {
      {Described("a", 2, 1), {}, {}, {}, true},
      {Described("b", 4, 0), {}, {}, {}, false}};
  groups[1].signal.kind = SignalKind::kAlbRequests;
  groups[1].signal.resource_label = "app/lb/1/targetgroup/b/2";
  groups[1].signal.full = 500;
  groups[1].warming = {"b-i3"};
  QueryPlan plan = PlanQueries(groups);
  ASSERT_EQ(plan.queries.size(), 2u + 2u * kInstanceMetricCount + 4u);
  EXPECT_EQ(plan.queries[0].metric_name, "RequestCount");
  EXPECT_EQ(plan.targets[0].group, 1u);
  EXPECT_EQ(plan.targets[0].instance, QueryPlan::kGroupLevel);
  EXPECT_TRUE(plan.targets[0].load);
  EXPECT_EQ(plan.queries[1].metric_name, "RequestCountPerTarget");
  EXPECT_TRUE(plan.targets[1].per_instance);
  std::vector<MetricSeries> results(plan.queries.size());
  TimePoint t1 = FromUnixSeconds(600), t2 = FromUnixSeconds(660);
  results[0].timestamps = {t1, t2};
  results[0].values = {2000, 3000};
  // ALB's own per-target count: 3 targets served the first minute.
  results[1].timestamps = {t1, t2};
  results[1].values = {2000.0 / 3, 750};
  for (size_t i = 2; i < plan.targets.size(); ++i) {
    if (plan.targets[i].metric != InstanceMetric::kCpu) continue;
    int inst = static_cast<int>(plan.targets[i].instance);
    results[i].timestamps =
        inst < 3 ? std::vector<TimePoint>{t1, t2} : std::vector<TimePoint>{t2};
    results[i].values.assign(results[i].timestamps.size(), 5);  // flat CPU
  }
  GroupMetrics b = AggregateGroup(plan, results, 1, groups[1]);
  ASSERT_EQ(b.signal.size(), 2u);
  EXPECT_DOUBLE_EQ(b.signal[0].value, 2000.0 / 3);
  EXPECT_EQ(b.signal[0].instances, 3);  // with a CPU datapoint that minute
  EXPECT_DOUBLE_EQ(b.signal[1].value, 750);
  EXPECT_EQ(b.signal[1].instances, 4);
  // Without the per-target series, the load over the instances that served.
  results[1] = {};
  b = AggregateGroup(plan, results, 1, groups[1]);
  ASSERT_EQ(b.signal.size(), 2u);
  EXPECT_DOUBLE_EQ(b.signal[0].value, 2000.0 / 3);
  EXPECT_DOUBLE_EQ(b.signal[1].value, 750);
  ASSERT_EQ(b.load.size(), 2u);
  EXPECT_DOUBLE_EQ(b.load[1].value, 3000.0 / 500);
  // The whole group's load, over the instances that served each minute
  // (not one per series).
  EXPECT_EQ(b.load[0].instances, 3);
  EXPECT_EQ(b.load[1].instances, 4);
  EXPECT_DOUBLE_EQ(b.aggregate.at("cpu_utilization").value, 5);
  // The CPU group is untouched by its neighbour's signal.
  GroupMetrics a = AggregateGroup(plan, results, 0, groups[0]);
  ASSERT_EQ(a.signal.size(), 2u);
  EXPECT_DOUBLE_EQ(a.signal[1].value, 5);
  EXPECT_EQ(a.signal[1].instances, 2);
}

// Network signals are per-instance metrics: read beside CPU.
TEST(ObserveTest, NetworkSignalIsThePerInstanceMean) {
  std::vector<GroupToObserve> groups = {{Described("a", 2, 0), {}, {}, {}}};
  groups[0].signal.kind = SignalKind::kNetworkOut;
  groups[0].signal.full = 1000;
  QueryPlan plan = PlanQueries(groups);
  EXPECT_EQ(plan.queries.size(), 2u * 2u);
  std::vector<MetricSeries> results(plan.queries.size());
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    if (plan.targets[i].metric != InstanceMetric::kNetworkOut) continue;
    results[i].timestamps = {FromUnixSeconds(600)};
    results[i].values = {plan.targets[i].instance == 0 ? 100.0 : 300.0};
  }
  GroupMetrics m = AggregateGroup(plan, results, 0, groups[0]);
  ASSERT_EQ(m.signal.size(), 1u);
  EXPECT_DOUBLE_EQ(m.signal[0].value, 200);
  EXPECT_DOUBLE_EQ(m.load[0].value, 0.4);
}

// The load history keeps a minute for good: a newest minute fewer instances
// reported than were InService through it is held back (one of them had not
// published it yet).
TEST(ObserveTest, ANewestMinuteSomeInstancesHaveNotPublishedIsHeldBack) {
  const TimePoint t1 = FromUnixSeconds(600), t2 = FromUnixSeconds(660);
  const TimePoint before = t1 - std::chrono::minutes(5);
  struct Case {
    const char* name;
    std::vector<MetricSample> load;
    std::vector<TimePoint> since;  // the InService instances' first sight
    size_t kept;
  };
  const Case cases[] = {
      {"complete", {{t1, 2.0, 3}, {t2, 2.1, 3}}, {before, before, before}, 2},
      {"one instance not yet published",
       {{t1, 2.0, 3}, {t2, 1.5, 2}},
       {before, before, before},
       1},
      {"the only minute read, short",
       {{t2, 1.5, 2}},
       {before, before, before},
       0},
      {"an instance in service only after the minute began",
       {{t1, 2.0, 2}, {t2, 2.0, 2}},
       {before, before, t2 + std::chrono::seconds(10)},
       2},
      {"an instance first seen as the minute began: expected",
       {{t1, 2.0, 3}, {t2, 1.5, 2}},
       {before, before, t2},
       1},
      {"an older short minute stays (a newer one has come)",
       {{t1, 1.5, 2}, {t2, 2.0, 3}},
       {before, before, before},
       2},
      {"the instances' first sight is now (a restart)",
       {{t1, 2.0, 2}, {t2, 1.5, 2}},
       {t2 + std::chrono::minutes(2), t2 + std::chrono::minutes(2),
        t2 + std::chrono::minutes(2)},
       2},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::vector<MetricSample> kept = SettledLoad(tc.load, tc.since);
    ASSERT_EQ(kept.size(), tc.kept);
    for (size_t i = 0; i < kept.size(); ++i) {
      EXPECT_EQ(kept[i].time, tc.load[i].time);
      EXPECT_EQ(kept[i].value, tc.load[i].value);
    }
  }
}

// The minutes a read leaves out after the newest kept (reads that failed
// for longer than their window), for the observer to fetch: from the
// newest kept's next minute, a held-back minute there included; none when
// only the held minute is missing.
TEST(ObserveTest, TheHistoryNamesTheMinutesAReadLeavesOut) {
  using std::chrono::minutes;
  const TimePoint t = FromUnixSeconds(600);
  const std::vector<TimePoint> since = {t - minutes(10), t - minutes(10)};
  using Gap = std::optional<std::pair<TimePoint, TimePoint>>;
  struct Case {
    const char* name;
    std::vector<MetricSample> first;  // an earlier read, kept
    TimePoint read_from;              // the next read's oldest minute
    Gap missing;
  };
  const Case cases[] = {
      {"nothing kept yet", {}, t + minutes(5), std::nullopt},
      {"the next minute", {{t, 1, 2}}, t + minutes(1), std::nullopt},
      {"the same minutes again", {{t, 1, 2}}, t, std::nullopt},
      {"two minutes left out",
       {{t, 1, 2}},
       t + minutes(3),
       Gap{{t + minutes(1), t + minutes(3)}}},
      {"only the held minute left out",
       {{t, 1, 2}, {t + minutes(1), 0.5, 1}},
       t + minutes(2),
       std::nullopt},
      {"the held minute and one more: fetched whole with it",
       {{t, 1, 2}, {t + minutes(1), 0.5, 1}},
       t + minutes(3),
       Gap{{t + minutes(1), t + minutes(3)}}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    LoadHistory h;
    h.AddRead(tc.first, since);
    EXPECT_EQ(h.Missing(tc.read_from), tc.missing);
  }
}

}  // namespace
}  // namespace phas
