// Query planning and aggregation (scaler/observe.h).
#include "scaler/observe.h"

#include <gtest/gtest.h>

#include <set>

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
  std::vector<GroupToObserve> groups = {{Described("a", 3, 2), {}, {}, {}},
                                        {Described("b", 1, 0), {}, {}, {}}};
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
}

}  // namespace
}  // namespace phas
