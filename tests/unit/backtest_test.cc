// Scores on hand-computed tiny traces, trace parsing and the demand rules,
// and backtests through the production loop.
#include "sim/backtest.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "decision/target_tracking_policy.h"
#include "sim/backtest_config.h"
#include "sim/report.h"
#include "sim/report_charts.h"
#include "sim/scoring.h"
#include "sim/trace.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ScoringTest, HandComputedTinyTrace) {
  // u = 0.5, so d = ceil(D / 0.5).
  //  minute  D    s   d   under          over           util
  //  1       1.0  2   2   -              -              0.5
  //  2       2.5  2   5   (5-2)/5 = 0.6  -              1.25 (> 0.9)
  //  3       1.5  4   3   -              (4-3)/3        0.375
  //  4       NaN  4   -   no data
  //  5       0.0  1   0   -              1/max(0,1) = 1 0
  std::vector<SimMinute> m = {{FromUnixSeconds(0), 1.0, 2, 0, 2},
                              {FromUnixSeconds(60), 2.5, 2, 0, 2},
                              {FromUnixSeconds(120), 1.5, 4, 0, 4},
                              {FromUnixSeconds(180), kNaN, 4, 0, 4},
                              {FromUnixSeconds(240), 0.0, 1, 0, 1}};
  ScoreOptions o;
  o.target_utilization = 0.5;
  o.price_per_hour = 0.1;
  Scores s = Score(m, 36000, 3, o);
  EXPECT_DOUBLE_EQ(s.minutes, 4);
  EXPECT_DOUBLE_EQ(s.no_data_minutes, 1);
  EXPECT_DOUBLE_EQ(s.theta_u, 100 * 0.6 / 4);
  EXPECT_DOUBLE_EQ(s.theta_o, 100 * (1.0 / 3 + 1.0) / 4);
  EXPECT_DOUBLE_EQ(s.tau_u, 25);
  EXPECT_DOUBLE_EQ(s.tau_o, 50);
  // Pairs (1,2): supply flat, demand up; (2,3): supply up, demand down. The
  // gap breaks the series, so (3,5) is not a pair.
  EXPECT_DOUBLE_EQ(s.instability, 100);
  // 1 supply change, 2 demand changes, over 4 minutes.
  EXPECT_DOUBLE_EQ(s.jitter, (1 - 2) / (4.0 / 60));
  EXPECT_DOUBLE_EQ(s.over_threshold_pct, 25);
  EXPECT_DOUBLE_EQ(s.unserved_instance_hours, 0.5 / 60);
  // 10 h billed; the minute without data had 4 InService: 4/60 h apart.
  EXPECT_DOUBLE_EQ(s.no_data_instance_hours, 4.0 / 60);
  EXPECT_DOUBLE_EQ(s.instance_hours, 10 - 4.0 / 60);
  EXPECT_DOUBLE_EQ(s.cost, (10 - 4.0 / 60) * 0.1);
  EXPECT_EQ(s.actions, 3);
}

TEST(ScoringTest, PerfectSupplyScoresZero) {
  std::vector<SimMinute> m;
  for (int i = 0; i < 10; ++i)
    m.push_back({FromUnixSeconds(60 * i), 0.6 * (i % 3 + 1), i % 3 + 1, 0, 0});
  Scores s = Score(m, 0, 0, {});
  EXPECT_DOUBLE_EQ(s.theta_u + s.theta_o + s.tau_u + s.tau_o + s.instability,
                   0);
}

TEST(TraceTest, ParsesIsoEpochHeadersAndGaps) {
  auto t = ParseTrace(
      "timestamp,value\n1995-07-01T04:00:00Z,42\n1995-07-01T04:01:00Z,61\n"
      "1995-07-01T04:02:00Z,10\n1995-07-01T04:10:00Z,7\n1995-07-01T04:11:00+00:"
      "00,8\n",
      "nasa.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "nasa");
  EXPECT_EQ(t->samples.size(), 5u);
  EXPECT_EQ(t->median_step, minutes(1));
  EXPECT_EQ(t->gaps, 1);  // 04:02 -> 04:10
  auto e = ParseTrace("0,1.5\n300,2\n600,2.5\n", "azure.csv");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->median_step, minutes(5));
  EXPECT_EQ(ToUnixSeconds(e->samples[1].time), 300);
}

TEST(TraceTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* name;
    std::string csv;
    // expected in the message
    std::string want;
  };
  const Case cases[] = {
      {"no comma", "2020-01-01T00:00:00Z 5\n", "x.csv:1"},
      {"bad value", "0,1\n60,abc\n", "x.csv:2: unreadable value"},
      {"bad time", "0,1\nyesterday,2\n", "x.csv:2: unreadable timestamp"},
      {"negative", "0,1\n60,-2\n", "x.csv:2: negative value"},
      {"out of order", "0,1\n60,2\n30,3\n", "x.csv:3: timestamp not after"},
      {"repeated", "0,1\n0,2\n", "x.csv:2"},
      {"too short", "0,1\n", "fewer than 2 samples"},
      // Beyond what a TimePoint holds (1678..2262): converting overflowed.
      {"epoch seconds too large", "0,1\n1e300,2\n",
       "x.csv:2: unreadable timestamp '1e300'"},
      {"epoch seconds too small", "0,1\n60,1\n-1e12,2\n",
       "x.csv:3: unreadable timestamp '-1e12'"},
      // The field as it was: a CRLF line's '\r' took the cursor back over
      // the message, an escape sequence coloured the terminal, and a
      // field of any length was echoed whole.
      {"CRLF", "0,1\r\n60,abc\r\n", "x.csv:2: unreadable value 'abc'"},
      {"control and non-UTF-8 bytes", "0,1\n60,\x1b[31m\xff\n",
       "x.csv:2: unreadable value '\\x1b[31m\\xff'"},
      {"long", "0,1\n60," + std::string(100, 'x') + "\n",
       "x.csv:2: unreadable value '" + std::string(40, 'x') + "...'"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Result<Trace> t = Status::Internal("not run");
    EXPECT_NO_THROW(t = ParseTrace(tc.csv, "x.csv"));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find(tc.want), std::string::npos)
        << t.status().message();
  }
}

TEST(TraceTest, DemandHoldsShortGapsAndDropsLongOnes) {
  auto t = ParseTrace("0,10\n60,20\n120,30\n600,40\n660,50\n", "g.csv");
  ASSERT_TRUE(t.ok());
  DemandMapping m;
  m.capacity_per_instance = 10;  // 1 instance-unit per 10 trace units
  auto d = MakeDemand(*t, m, FromUnixSeconds(0));
  EXPECT_DOUBLE_EQ(d->At(FromUnixSeconds(30)), 1.0);  // holds the 0 s sample
  EXPECT_DOUBLE_EQ(d->At(FromUnixSeconds(60)), 2.0);
  EXPECT_DOUBLE_EQ(d->At(FromUnixSeconds(150)),
                   3.0);  // within one step of the last before a gap
  EXPECT_TRUE(std::isnan(
      d->At(FromUnixSeconds(300))));  // inside the 480 s gap: no data
  EXPECT_DOUBLE_EQ(d->At(FromUnixSeconds(700)), 5.0);
  EXPECT_TRUE(std::isnan(d->At(FromUnixSeconds(800))));  // past the end
  EXPECT_TRUE(std::isnan(d->At(FromUnixSeconds(-1))));
}

TEST(TraceTest, PeakMappingAndSmoothing) {
  std::string csv;
  for (int i = 0; i < 60; ++i)
    csv += std::to_string(i * 60) + "," + (i == 30 ? "100" : "10") + "\n";
  auto t = ParseTrace(csv, "s.csv");
  ASSERT_TRUE(t.ok());
  DemandMapping m;
  m.peak_instances = 10;
  m.target_utilization = 0.5;
  auto raw = MakeDemand(*t, m, FromUnixSeconds(0));
  EXPECT_DOUBLE_EQ(raw->Peak(), 5.0);  // the peak needs 10 instances at 50%
  m.smoothing = minutes(10);
  auto smooth = MakeDemand(*t, m, FromUnixSeconds(0));
  EXPECT_DOUBLE_EQ(smooth->Peak(), 5.0);  // rescaled after smoothing
  // The spike is spread over the window: its neighbours rose, the base fell.
  EXPECT_GT(smooth->At(FromUnixSeconds(29 * 60)),
            raw->At(FromUnixSeconds(29 * 60)));
}

// A trace whose every rise is announced at least a boot time ahead (it starts
// flat for longer than a boot): the oracle is never under-provisioned.
TEST(BacktestTest, OracleIsNeverUnderProvisionedWhenStepsAllowIt) {
  std::string csv;
  for (int i = 0; i < 8 * 60; ++i) {
    double v = 100 + 80 * std::sin(i / 40.0) + (i > 200 && i < 260 ? 150 : 0);
    csv +=
        std::to_string(i * 60) + "," + std::to_string(std::max(v, 0.0)) + "\n";
  }
  auto t = ParseTrace(csv, "ramps.csv");
  ASSERT_TRUE(t.ok());
  BacktestOptions o;
  o.mapping.smoothing = Duration::zero();  // the oracle sees the trace as it is
  o.max_size = 50;
  auto r = RunBacktest(*t, {"oracle", "target-tracking"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Scores& oracle = r->runs[0].scores;
  EXPECT_EQ(oracle.tau_u, 0);
  EXPECT_EQ(oracle.theta_u, 0);
  EXPECT_GT(oracle.minutes, 8 * 60 - 5);
  EXPECT_GT(r->runs[1].scores.tau_u, 0) << "a reactive policy cannot do that";
}

// The metrics are read as the daemon reads them by default: every 60 s at a
// 10 s interval (scaler/config.h MetricsRefresh), every cycle when set to 0.
TEST(BacktestTest, DrivesTheProductionLoopEveryInterval) {
  auto t = ParseTrace("0,10\n3600,10\n7200,10\n", "flat.csv");
  ASSERT_TRUE(t.ok());
  struct Case {
    const char* name;
    std::optional<Duration> metrics_refresh;
    int reads;  // GetMetricData in an hour
  };
  const Case cases[] = {
      {"default: the daemon's", std::nullopt, 60},
      {"every cycle", Duration::zero(), 360},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    BacktestOptions o;
    o.hours = 1;
    o.metrics_refresh = tc.metrics_refresh;
    auto r = RunBacktest(*t, {"reactive"}, o);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->runs[0].result.actions.empty()) << "flat: no new instances";
    // One DescribeAutoScalingGroups per RunOnce: 360 cycles of 10 s (and
    // one more right before each action: none here).
    EXPECT_EQ(r->runs[0].result.cloud_calls.describe, 360);
    EXPECT_EQ(r->runs[0].result.cloud_calls.get_metric_data, tc.reads);
  }
}

// A jump from 1 to 5 instances' worth of load on a one-instance group,
// through the production loop. On CPU the instance shows 100 %, not how far
// above it the load is: predictive takes the target's step twice (1 -> 3),
// target tracking takes it once (1 -> 2). An ALB's requests show the whole
// load, and predictive goes to what it needs (5; 9 if it took that twice).
TEST(BacktestTest, AGroupAtFullClimbsTwoStepsARoundOnCpu) {
  std::string csv;
  for (int i = 0; i < 4 * 60; ++i) {
    csv += fmt::format("{},{}\n", i * 60, i < 3 * 60 ? 10 : 400);
  }
  auto t = ParseTrace(csv, "jump.csv");
  ASSERT_TRUE(t.ok());
  struct Case {
    const char* name;
    const char* policy;
    bool alb;
    int first_to;  // the first scale-out after the jump
  };
  const Case cases[] = {
      {"predictive on CPU: the step twice", "predictive", false, 3},
      {"target tracking on CPU: the step", "target-tracking", false, 2},
      {"predictive on an ALB's requests: the load seen", "predictive", true, 5},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    BacktestOptions o;
    o.mapping.smoothing = Duration::zero();
    o.mapping.peak_instances = 5;
    o.max_size = 40;
    if (tc.alb) {
      o.signal.kind = SignalKind::kAlbRequests;
      o.signal.resource_label =
          "app/web/0123456789abcdef/targetgroup/web/0123456789abcdef";
    }
    auto r = RunBacktest(*t, {tc.policy}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const auto& actions = r->runs[0].result.actions;
    auto first = std::find_if(actions.begin(), actions.end(),
                              [](const ActionEvent& a) { return a.to > 1; });
    ASSERT_NE(first, actions.end());
    EXPECT_EQ(first->from, 1);
    EXPECT_EQ(first->to, tc.first_to);
  }
}

TEST(BacktestTest, DeterministicAndReported) {
  auto t = LoadTrace(std::string(PHAS_SOURCE_DIR) +
                     "/data/traces/nab_asg_cluster_cpu_5min.csv");
  ASSERT_TRUE(t.ok());
  BacktestOptions o;
  o.hours = 24;
  auto a =
      RunBacktest(*t, {"target-tracking", "hpa", "step", "aws-predictive"}, o);
  auto b =
      RunBacktest(*t, {"target-tracking", "hpa", "step", "aws-predictive"}, o);
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < a->runs.size(); ++i) {
    EXPECT_EQ(a->runs[i].scores.instance_hours,
              b->runs[i].scores.instance_hours);
    EXPECT_EQ(a->runs[i].result.actions.size(),
              b->runs[i].result.actions.size());
  }
  std::string table = ScoreTable(*a);
  EXPECT_NE(table.find("smoothing 10 min"), std::string::npos) << table;
  nlohmann::json j = BacktestJson(*a);
  EXPECT_EQ(j["runs"].size(), 4u);
  EXPECT_EQ(j["smoothing"], "10 min");
  // The report's parts are tested in report_test.cc: one chart of the
  // four runs over time here.
  std::string html = BacktestHtml({*a});
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(html.find("data-src='tc-0-all'"),
            html.rfind("data-src='tc-0-all'"));
  nlohmann::json chart = TimeChartData(*a, a->scored_from, a->end);
  EXPECT_EQ(chart["runs"].size(), 4u);
}

// The table's first line and the JSON say what the trace lacked: its gaps
// and its rows without a value (both left out of the scores).
TEST(BacktestTest, TheTraceHolesAreReported) {
  std::string csv;
  for (int i = 0; i < 240; ++i) {
    // A gap (55 minutes between two rows), and two rows without a value (15
    // minutes between the rows around them: no gap).
    if (i >= 100 && i < 110) continue;
    bool missing = i == 150 || i == 151;
    csv += fmt::format("{},{}\n", 300 * i, missing ? "NaN" : "10");
  }
  auto t = ParseTrace(csv, "holes.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = RunBacktest(*t, {"reactive"}, BacktestOptions{});
  ASSERT_TRUE(r.ok());
  std::string table = ScoreTable(*r);
  EXPECT_NE(table.find("; the trace has 1 gap, 2 rows without a value)"),
            std::string::npos)
      << table;
  nlohmann::json j = BacktestJson(*r);
  EXPECT_EQ(j["trace_gaps"], 1);
  EXPECT_EQ(j["trace_rows_without_value"], 2);
  // A whole trace names neither.
  auto whole = ParseTrace("0,10\n3600,10\n7200,10\n", "flat.csv");
  ASSERT_TRUE(whole.ok());
  auto w = RunBacktest(*whole, {"reactive"}, BacktestOptions{});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(ScoreTable(*w).find("without a value"), std::string::npos);
  EXPECT_EQ(ScoreTable(*w).find("gap"), std::string::npos);
}

// A trace near the last time a TimePoint holds (2262): --skip-hours past
// its end overflowed to 1680 and the replay walked six centuries of
// minutes (it never ended); --hours 1e6 said "the range is empty".
TEST(BacktestTest, ARangePastTheEndOfATraceIn2255StaysInIt) {
  auto t =
      ParseTrace("8999990000,10\n8999993600,10\n8999997200,10\n", "late.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  BacktestOptions whole;
  whole.hours = 1e6;
  auto r = RunBacktest(*t, {"reactive"}, whole);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->end - r->start, minutes(121));
  for (double skip : {2.1, 1e5, 1e6}) {
    SCOPED_TRACE(skip);
    BacktestOptions past;
    past.skip_hours = skip;
    auto e = RunBacktest(*t, {"reactive"}, past);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().message(), "nothing to replay: the range is empty");
  }
}

// A capacity per instance far below the trace's units needed more
// instances than an int holds: every score overflowed (theta_O
// -214748364700 %, 0 instance-hours), exit 0.
TEST(BacktestTest, AMappingNeedingTooManyInstancesIsRefused) {
  auto t = ParseTrace("0,5\n60,7\n120,6\n", "small.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  struct Case {
    double capacity_per_instance;
    bool ok;
  };
  // Peak 6 (smoothed over 10 minutes) at 60 %: 5e-9 needs 2e9 instances,
  // 5e-7 2e7 and 1e-5 a million (the group's 40 are short), which an int
  // holds: run.
  const Case cases[] = {
      {1e-9, false}, {5e-9, false}, {5e-7, true}, {1e-5, true}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.capacity_per_instance);
    BacktestOptions o;
    o.mapping.capacity_per_instance = tc.capacity_per_instance;
    auto r = RunBacktest(*t, {"reactive"}, o);
    ASSERT_EQ(r.ok(), tc.ok) << r.status().ToString();
    if (tc.ok) {
      EXPECT_GE(r->runs[0].scores.theta_o, 0);
      continue;
    }
    EXPECT_NE(r.status().message().find(
                  "instances at 60% (capacity per instance " +
                  fmt::format("{:.6g}", tc.capacity_per_instance) +
                  " trace units): more than 1e+09; the capacity per "
                  "instance (--capacity-per-instance"),
              std::string::npos)
        << r.status().message();
  }
}

TEST(BacktestTest, ConfigErrorsNameTheKey) {
  struct Case {
    const char* yaml;
    const char* key;
  };
  const Case cases[] = {
      {"world: {boot: 3}\n", "world.boot"},
      {"demand: {target_utilization: 2}\n", "demand.target_utilization"},
      // Was the peak mapping, silently (the flag's 0 is refused).
      {"demand: {capacity_per_instance: 0}\n",
       "demand.capacity_per_instance: must be a number in (0, 1000000000000], "
       "got '0'"},
      // Said "[0, 1e+12]", though 0 is refused too.
      {"demand: {capacity_per_instance: -1}\n",
       "demand.capacity_per_instance: must be a number in (0, 1000000000000], "
       "got "
       "'-1'"},
      {"policies: {magic: {}}\n", "policies.magic"},
      {"policies: {hpa: {hpa: {tolerance: 5}}}\n",
       "policies.hpa.hpa.tolerance"},
      {"world: {min_size: 9, max_size: 3}\n", "world.min_size"},
      {"policies: {hpa: {step: {low_threshold: 5}}}\n", "policies.hpa.step"},
      {"policies: {hpa: {policy: seed}}\n", "policies.hpa.policy"},
      {"policies: {predictive: {predictive: {target_cpu: 50}}}\n",
       "policies.predictive.predictive.target_cpu"},
      // Both scale the trace: peak_instances was silently ignored.
      {"demand: {capacity_per_instance: 5, peak_instances: 3}\n",
       "demand.capacity_per_instance: give it or demand.peak_instances, not "
       "both"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.yaml);
    BacktestOptions o;
    Status st = ParseBacktestConfig(tc.yaml, "bt.yaml", &o);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find(tc.key), std::string::npos) << st.message();
  }
  BacktestOptions o;
  ASSERT_TRUE(ParseBacktestConfig("policies: {target-tracking: {target: 50, "
                                  "target_tracking: {scale_in_points: 7}}}\n",
                                  "bt.yaml", &o)
                  .ok());
  const PolicyConfig& tt = o.policies.at("target-tracking");
  EXPECT_EQ(tt.target.value, 50);
  ASSERT_NE(tt.settings_as<TargetTrackingConfig>(), nullptr);
  EXPECT_EQ(tt.settings_as<TargetTrackingConfig>()->scale_in_points, 7);
}

}  // namespace
}  // namespace phas
