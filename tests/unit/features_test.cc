// The original's 9 feature formulas. Expected values were computed by the
// original's Python code (its calculate_derived_metrics and classify_*
// functions) with the random memory noise set to 0: see the table's rows.
#include "model/features.h"

#include <gtest/gtest.h>

namespace phas {
namespace {

TEST(FeaturesTest, MatchTheOriginalFormulas) {
  struct Expected {
    double cpu, mem, net, power, instr, exec, ee;
    const char* type;
    const char* priority;
  };
  struct Case {
    const char* name;
    // inputs: aggregated metrics, then the group
    double cpu_raw, net_in, net_out, mem_raw;
    int n, min, max;
    // expected
    Expected want;
  };
  const Case cases[] = {
      {"typical",
       45.5,
       5000000.0,
       4000000.0,
       0,
       2,
       1,
       5,
       {45.5, 54.6, 17.2, 50.9, 5460000000, 0.81, 1.9666, "io", "medium"}},
      {"hot single instance at min",
       92.34,
       1000000.0,
       1000000.0,
       0,
       1,
       1,
       5,
       {92.3, 95, 1.9, 31.1, 5538000000, 1.68, 3.0113, "io", "high"}},
      {"idle at max",
       3.21,
       200000.0,
       100000.0,
       0,
       5,
       1,
       5,
       {3.2, 3.9, 1.4, 101.9, 960000000, 0.11, 0.1742, "io", "low"}},
      {"network heavy",
       20.0,
       80000000.0,
       70000000.0,
       0,
       3,
       1,
       10,
       {20.0, 24.0, 429.2, 67.2, 3600000000, 0.39, 0.9821, "network", "high"}},
      {"memory measured, io bound",
       15.0,
       1000000.0,
       1000000.0,
       71.26,
       4,
       2,
       8,
       {15.0, 71.3, 7.6, 87.2, 3600000000, 0.38, 1.9794, "io", "medium"}},
      {"estimate capped at 95",
       88.0,
       1000000.0,
       1000000.0,
       0,
       6,
       2,
       12,
       {88.0, 95, 11.4, 183.4, 31680000000, 0.39, 2.9935, "io", "high"}},
      {"half-even rounding",
       12.25,
       0,
       0,
       33.35,
       2,
       1,
       4,
       {12.2, 33.4, 0.0, 42.9, 1464000000, 0.38, 1.0629, "io", "low"}},
      {"zero",
       0.0,
       0,
       0,
       0,
       1,
       1,
       3,
       {0.0, 0.0, 0.0, 20.0, 0, 0.3, 0.0, "compute", "low"}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    AggregatedMetrics m;
    m["cpu_utilization"].value = tc.cpu_raw;
    m["network_in"].value = tc.net_in;
    m["network_out"].value = tc.net_out;
    if (tc.mem_raw != 0) m["memory_utilization"].value = tc.mem_raw;
    Features f = DeriveFeatures(m, tc.n, tc.min, tc.max);
    EXPECT_EQ(f.cpu_usage, tc.want.cpu);
    EXPECT_EQ(f.memory_usage, tc.want.mem);
    EXPECT_EQ(f.network_traffic, tc.want.net);
    EXPECT_EQ(f.power_consumption, tc.want.power);
    EXPECT_EQ(f.num_executed_instructions, tc.want.instr);
    EXPECT_EQ(f.execution_time, tc.want.exec);
    EXPECT_EQ(f.energy_efficiency, tc.want.ee);
    EXPECT_EQ(f.task_type, tc.want.type);
    EXPECT_EQ(f.task_priority, tc.want.priority);
    EXPECT_EQ(f.memory_estimated, tc.mem_raw == 0);
  }
}

TEST(FeaturesTest, EstimatedMemoryIsNeverNegativeNorNoisy) {
  AggregatedMetrics m;
  m["cpu_utilization"].value = 0.0;
  Features a = DeriveFeatures(m, 2, 1, 5);
  Features b = DeriveFeatures(m, 2, 1, 5);
  EXPECT_GE(a.memory_usage, 0.0);
  EXPECT_EQ(a.memory_usage, b.memory_usage);
  EXPECT_TRUE(a.memory_estimated);
}

TEST(FeaturesTest, LogJsonLooksLikeTheOriginals) {
  AggregatedMetrics m;
  m["cpu_utilization"].value = 45.0;
  m["network_in"].value = 5e6;
  Features f = DeriveFeatures(m, 2, 1, 5);
  EXPECT_EQ(
      FeaturesJson(f, 2),
      "{\"cpu_usage\": 45.0, \"memory_usage\": 54.0, \"network_traffic\": 9.5, "
      "\"power_consumption\": 50.8, \"num_executed_instructions\": 5400000000, "
      "\"execution_time\": 0.81, \"energy_efficiency\": 1.9488, \"task_type\": "
      "\"io\", "
      "\"task_priority\": \"medium\", \"instance_count\": 2, "
      "\"memory_estimated\": true}");
}

TEST(FeaturesTest, RoundLikePython) {
  EXPECT_EQ(RoundHalfEven(2.675, 2), 2.67);  // 2.675 is 2.67499999... in binary
  EXPECT_EQ(RoundHalfEven(0.125, 2), 0.12);  // exact tie: to even
  EXPECT_EQ(RoundHalfEven(0.375, 2), 0.38);
  EXPECT_EQ(RoundHalfEven(-1.25, 1), -1.2);
}

TEST(FeaturesTest, TemporalInputsFromTheLoadHistory) {
  const TimePoint t0 = FromUnixSeconds(1767225600);
  // Per-minute load: minute i has load i / 100 instance-units, for `minutes`
  // minutes, optionally with one minute missing.
  auto history = [&](int minutes, int gap = -1) {
    std::vector<MetricSample> h;
    for (int i = 0; i < minutes; ++i) {
      if (i == gap) continue;
      h.push_back({t0 + std::chrono::minutes(i), i / 100.0, 0});
    }
    return h;
  };
  struct Case {
    const char* name;
    std::vector<MetricSample> load;
    int n;
    std::map<std::string, double> want;
  };
  const Case cases[] = {
      {"empty", {}, 4, {}},
      {"four minutes: nothing to compare", history(4), 4, {}},
      // last = minute 19 (0.19); 5 min ago 0.14; 15 min ago 0.04; n = 2:
      // 0.05 / 2 = 2.5 %, 0.15 / 2 = 7.5 %.
      {"twenty minutes",
       history(20),
       2,
       {{"load_change_5m", 2.5}, {"load_change_15m", 7.5}}},
      {"a gap 5 minutes back", history(20, 14), 2, {{"load_change_15m", 7.5}}},
      // an hour: highest of minutes 40..99 is 0.99 -> 99 % of one instance.
      {"100 minutes",
       history(100),
       1,
       {{"load_change_5m", 5}, {"load_change_15m", 15}, {"load_max_1h", 99}}},
      // a day and a half: one day before minute 2159 is 719; the 10 minutes
      // after it reach 7.29 -> 729 %.
      {"36 hours",
       history(2160),
       1,
       {{"load_change_5m", 5},
        {"load_change_15m", 15},
        {"load_max_1h", 2159},
        {"load_day_ago_next_10m", 729}}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = TemporalInputs(tc.load, tc.n);
    ASSERT_EQ(got.size(), tc.want.size());
    for (const auto& [k, v] : tc.want) {
      ASSERT_TRUE(got.count(k)) << k;
      EXPECT_NEAR(got.at(k), v, 1e-9) << k;
    }
  }
  EXPECT_TRUE(TemporalInputs(history(30), 0).empty())
      << "no instances: no percentages";
}

}  // namespace
}  // namespace phas
