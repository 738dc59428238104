// The predictive policy (decision/predictive_policy.h).
#include "decision/predictive_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::kNow;
using std::chrono::minutes;

TEST(PredictivePolicyTest, Table) {
  struct Case {
    const char* name;
    // inputs: forecast upper bound at +1..+8 minutes, the latest load
    std::vector<double> upper;
    double load_now;
    std::vector<std::pair<int, int>> recent;  // (seconds ago, recommendation)
    bool forecast_only;
    // world state
    int desired;
    // expected
    int target;
    std::string code;
    // The group's warm pool: instances, measured launch seconds (0: none
    // measured).
    std::optional<std::pair<int, int>> pool = std::nullopt;
  };
  const Case cases[] = {
      {"rise ahead: capacity before it arrives",
       {3, 3, 3, 4.5, 4.5, 5.4, 5.4, 5.4},
       3.0,
       {},
       false,
       5,
       9,
       "pred_forecast_up"},
      {"the peak past the lead window is not bought yet",
       {3, 3, 3, 3, 3, 3, 3, 9},
       3.0,
       {},
       false,
       5,
       5,
       "pred_hold"},
      {"now needs more than the forecast",
       {1, 1, 1, 1, 1, 1, 1, 1},
       4.2,
       {},
       false,
       5,
       7,
       "pred_reactive_up"},
      {"fall ahead: scale in when every recent recommendation agrees",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2},
       1.1,
       {{100, 2}},
       false,
       5,
       2,
       "pred_forecast_down"},
      {"fall ahead, but a recent recommendation was higher",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2},
       1.1,
       {{40, 4}},
       false,
       5,
       4,
       "pred_forecast_down"},
      {"a rise within the way back (metric delay + boot + buffer) holds "
       "the capacity",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 5.4},
       1.1,
       {},
       false,
       9,
       9,
       "pred_hold"},
      {"the rise past the way back does not",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 5.4},
       1.1,
       {},
       false,
       9,
       2,
       "pred_forecast_down"},
      {"forecast-only: says, does not act",
       {3, 3, 3, 4.5, 4.5, 5.4, 5.4, 5.4},
       3.0,
       {},
       true,
       5,
       5,
       "forecast_only"},
      {"warm pool holding the rise: bought when its launch time comes",
       {3, 3, 3, 4.5, 4.5, 5.4, 5.4, 5.4},
       3.0,
       {},
       false,
       5,
       5,
       "pred_hold",
       std::pair{4, 60}},
      {"warm pool too small for the rise: bought at the cold boot time",
       {3, 3, 3, 4.5, 4.5, 5.4, 5.4, 5.4},
       3.0,
       {},
       false,
       5,
       9,
       "pred_forecast_up",
       std::pair{3, 60}},
      {"warm pool whose launches were never measured: the cold boot time",
       {3, 3, 3, 4.5, 4.5, 5.4, 5.4, 5.4},
       3.0,
       {},
       false,
       5,
       9,
       "pred_forecast_up",
       std::pair{10, 0}},
      {"warm pool: the way back is its launch time, the rise beyond it is "
       "not held for",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 5.4},
       1.1,
       {},
       false,
       9,
       2,
       "pred_forecast_down",
       std::pair{7, 60}},
      {"warm pool too small to take the way back: capacity held",
       {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 5.4},
       1.1,
       {},
       false,
       9,
       9,
       "pred_hold",
       std::pair{6, 60}},
      {"no forecast: target tracking decides",
       {},
       3.0,
       {},
       false,
       5,
       5,
       "pred_fallback_tt_ok"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    PredictiveConfig c;
    c.forecast_only = tc.forecast_only;
    PredictivePolicy p(c, {});
    Observation o;
    o.now = kNow;
    o.group.desired = tc.desired;
    o.group.in_service = tc.desired;
    o.group.min_size = 1;
    o.group.max_size = 50;
    o.metrics_ok = true;
    if (tc.pool) {
      o.group.warm_pool = GroupView::WarmPool{tc.pool->first};
      if (tc.pool->second > 0) {
        o.group.warm_pool->launch = std::chrono::seconds(tc.pool->second);
      }
    }
    o.signal = {{kNow - minutes(2), 50, tc.desired}};
    auto hist = std::make_shared<std::vector<MetricSample>>();
    hist->push_back({kNow - minutes(2), tc.load_now, tc.desired});
    o.load_history = hist;
    for (size_t k = 0; k < tc.upper.size(); ++k) {
      // Points at now, now + 1 min, ...: the lead window (boot 300 s + buffer
      // 60 s) ends at now + 6 min.
      o.forecast.push_back({kNow + minutes(static_cast<int>(k)),
                            tc.upper[k] - 0.1, tc.upper[k]});
    }
    if (tc.upper.empty()) o.forecast_error = "cold start";
    PredictiveState s;
    for (auto [ago, r] : tc.recent) {
      s.recommendations.emplace_back(kNow - std::chrono::seconds(ago), r);
    }
    Proposal out = p.Propose(o, PolicyState::Of(s));
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
    EXPECT_FALSE(out.reason.empty());
  }
}

// The cold scale-out window is a floor of the scale-in too: with nothing to
// add, an empty warm pool must not lower it (only the way back may). The
// calibration here makes the scale-in bound lower than the scale-out one.
TEST(PredictivePolicyTest, AnEmptyWarmPoolDoesNotLowerTheScaleInFloor) {
  PredictivePolicy p(PredictiveConfig{}, {});
  Observation o;
  o.now = kNow;
  o.group.desired = o.group.in_service = 9;
  o.group.min_size = 1;
  o.group.max_size = 50;
  o.metrics_ok = true;
  o.signal = {{kNow - minutes(2), 50, 9}};
  auto hist = std::make_shared<std::vector<MetricSample>>();
  hist->push_back({kNow - minutes(2), 1.0, 9});
  o.load_history = hist;
  // Low for the first two minutes, then 2.9 (mean) to the end.
  std::vector<double> upper = {1, 1, 1, 3, 3, 3, 3, 3, 3};
  for (size_t k = 0; k < upper.size(); ++k) {
    o.forecast.push_back(
        {kNow + minutes(static_cast<int>(k)), upper[k] - 0.1, upper[k]});
  }
  PredictiveState s;
  s.out = {.bias = 2, .spread = 0.1, .exceeded = 0, .outcomes = 100};
  s.in = {.bias = 0, .spread = 0.1, .exceeded = 0, .outcomes = 100};
  // Scale-out window: 2.9 + 2 + 1.5 x 0.1 needs 9; the way back: 2.9 + 0.15
  // needs 6; the pool's window (2 min): 0.9 + 2.15 needs 6.
  Proposal none = p.Propose(o, PolicyState::Of(s));
  EXPECT_EQ(none.target, 9) << none.reason;
  o.group.warm_pool = GroupView::WarmPool{0, std::chrono::seconds(60)};
  Proposal empty = p.Propose(o, PolicyState::Of(s));
  EXPECT_EQ(empty.target, 9) << empty.reason;
  EXPECT_EQ(empty.reason.find("warm pool"), std::string::npos)
      << "the pool was not used: " << empty.reason;
}

// A minute at full on a signal that cannot show more (CPU at 100 %): the
// load above it is unknown, and the step is taken twice; below full, on a
// signal counted where the load arrives (an ALB's requests), or with the
// minute's instances unknown, the step is the target's; a target at full
// has no step.
TEST(PredictivePolicyTest, AMinuteAtFullTakesTheStepTwice) {
  struct Case {
    const char* name;
    bool censored_at_full;
    double load;    // instance-units, the latest minute
    int instances;  // that reported it (0: unknown)
    int target;
    std::string code;
    double target_value = 60;  // CPU %
  };
  const Case cases[] = {
      {"one instance at full: 2, taken twice", true, 1.0, 1, 3,
       "pred_reactive_up"},
      {"four at full: 7, taken twice", true, 4.0, 4, 10, "pred_reactive_up"},
      {"practically full (95 %)", true, 3.8, 4, 10, "pred_reactive_up"},
      {"below full (94 %): the target's step", true, 3.76, 4, 7,
       "pred_reactive_up"},
      {"a signal that shows the load above full", false, 4.0, 4, 7,
       "pred_reactive_up"},
      {"the minute's instances unknown", true, 4.0, 0, 7, "pred_reactive_up"},
      {"a target at full: no step to take twice", true, 4.0, 4, 4, "pred_hold",
       100},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ScalingTarget target;
    target.signal.censored_at_full = tc.censored_at_full;
    target.value = tc.target_value;
    PredictivePolicy p(PredictiveConfig{}, target);
    Observation o;
    o.now = kNow;
    const int n = tc.instances > 0 ? tc.instances : 4;
    o.group.desired = o.group.in_service = n;
    o.group.min_size = 1;
    o.group.max_size = 50;
    o.metrics_ok = true;
    o.signal = {{kNow - minutes(2), 100 * tc.load / n, n}};
    auto hist = std::make_shared<std::vector<MetricSample>>();
    hist->push_back({kNow - minutes(2), tc.load, tc.instances});
    o.load_history = hist;
    for (int k = 0; k < 10; ++k) {  // low: the forecast asks for 1
      o.forecast.push_back({kNow + minutes(k), 0.4, 0.5});
    }
    Proposal out = p.Propose(o, PolicyState::Of(PredictiveState{}));
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
    EXPECT_EQ(out.reason.find("at full") != std::string::npos,
              tc.target == 10 || tc.target == 3)
        << out.reason;
  }
}

}  // namespace
}  // namespace phas
