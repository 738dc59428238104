// The predictive policy's online calibration (decision/calibration.h), and
// the policy learning from its own outcomes.
#include "decision/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <utility>

#include "decision/predictive_policy.h"
#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::kNow;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(CalibrationTest, BiasAndSpreadFollowTheErrors) {
  // Forecast max 10, actual max alternating 11 and 13: bias 2, spread 1.
  WindowCalibration c;
  for (int i = 0; i < 5000; ++i) {
    c = Calibrate(c, i % 2 ? 13 : 11, 10, 12.5);
  }
  EXPECT_NEAR(c.bias, 2, 0.05);
  EXPECT_NEAR(c.spread, 1, 0.05);
  EXPECT_NEAR(c.exceeded, 0.5, 0.05) << "13 > 12.5 half of the time";
  EXPECT_EQ(c.outcomes, 5000);
}

TEST(CalibrationTest, OneBurstMovesTheEstimatesABoundedStep) {
  WindowCalibration c;
  for (int i = 0; i < 1000; ++i) c = Calibrate(c, i % 2 ? 11 : 9, 10, 12);
  WindowCalibration after = Calibrate(c, 1000, 10, 12);  // a 100x burst
  EXPECT_LT(after.bias - c.bias, 6 * c.spread / kCalibrationMemory + 1e-9);
  EXPECT_GT(after.bias, c.bias);
}

TEST(CalibrationTest, MaxOverNeedsHalfTheMinutes) {
  std::vector<MetricSample> h;
  for (int i = 0; i < 10; ++i) {
    if (i == 3 || i == 4 || i == 5 || i == 6) continue;  // a gap
    h.push_back({kNow + minutes(i), static_cast<double>(i), 1});
  }
  struct Case {
    int from, until;
    std::optional<double> want;
  } cases[] = {
      {0, 2, 2},             // all there
      {0, 5, 2},             // 3 of 6
      {2, 8, 8},             // 3 of 7 (2, 7, 8): fewer than half
      {3, 6, std::nullopt},  // none
      {7, 9, 9},
  };
  cases[2].want = std::nullopt;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.from);
    EXPECT_EQ(MaxOver(h, kNow + minutes(c.from), kNow + minutes(c.until)),
              c.want);
  }
}

// Quantile tracking on exponential (skewed) noise: a minute is short when
// the noise exceeds the margin. Returns the share of short minutes and the
// final margin.
std::pair<double, double> TrackExponentialNoise(double slo, int n) {
  double m = MarginControl::kStart;
  int shorts = 0;
  uint64_t x = 12345;
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    double uniform = static_cast<double>(x >> 11) / 9007199254740992.0;
    bool is_short = -std::log(1 - uniform) > m;
    shorts += is_short;
    m = AdaptMargin(m, is_short, slo);
  }
  return {static_cast<double>(shorts) / n, m};
}

TEST(CalibrationTest, TheMarginHoldsTheShareOfShortMinutesAsked) {
  // Whatever the noise's distribution, the share of short minutes comes to
  // the SLO, and the margin to the noise's 1 - slo quantile.
  for (double slo : {0.01, 0.03, 0.10}) {
    SCOPED_TRACE(slo);
    auto [share, m] = TrackExponentialNoise(slo, 200000);
    EXPECT_NEAR(share, slo, 0.1 * slo);
    EXPECT_NEAR(m, -std::log(slo), 0.3);
  }
}

// A strict SLO on noise with a long tail needs a margin of many spreads:
// the margin's ceiling must not hold it below (at 6 spreads it held
// nab_nyc_taxi at 1.36 % short for the 1 % asked).
TEST(CalibrationTest, TheCeilingDoesNotHoldAStrictAskBack) {
  const double slo = 0.001;  // the exponential's 0.999 quantile: 6.9
  auto [share, m] = TrackExponentialNoise(slo, 2000000);
  EXPECT_NEAR(share, slo, 0.1 * slo);
  EXPECT_NEAR(m, -std::log(slo), 0.3);
}

// The policy in a closed loop with an ideal group (capacity = the desired
// of the cycle before): it measures its own shortfalls and outcomes.
TEST(CalibrationTest, ThePolicyLearnsFromItsOwnMinutes) {
  PredictiveConfig c;
  c.slo.max_underprovisioned_pct = 5;
  PredictivePolicy policy(c, {});
  PredictiveState s;
  auto hist = std::make_shared<std::vector<MetricSample>>();
  int capacity = 5;
  // The load alternates 2.5 and 3.3 instance-units; the forecast says 2.5.
  // Load minutes start on the minute; the loop runs 10 s into each.
  const TimePoint t0 = std::chrono::floor<minutes>(kNow) + minutes(10);
  for (int minute = 0; minute < 200; ++minute) {
    TimePoint now = t0 + minutes(minute) + seconds(10);
    if (minute > 0) {
      hist->push_back(
          {t0 + minutes(minute - 1), minute % 2 ? 2.5 : 3.3, capacity});
    }
    Observation o;
    o.now = now;
    o.group = {"g", 1, 50, capacity, capacity, 0, 0};
    o.metrics_ok = true;
    o.load_history = hist;
    for (int k = 1; k <= 12; ++k) {
      o.forecast.push_back({now + minutes(k - 1), 2.5, 2.6});
    }
    auto out = policy.Propose(o, PolicyState::Of(s));
    s = out.if_held.As<PredictiveState>();
    capacity = std::max(1, out.target);
  }
  EXPECT_GT(s.out.outcomes, 150);
  EXPECT_GT(s.in.outcomes, 150);
  EXPECT_NEAR(s.out.bias, 0.8, 0.05) << "the window's max is 3.3, not 2.5";
  EXPECT_GT(s.minutes, 190);
  EXPECT_LT(s.short_minutes / s.minutes, 0.05);
  EXPECT_EQ(capacity, 6) << "3.3 at 60 % needs 6";
}

// The minutes [from, to).
std::function<bool(int)> Between(int from, int to) {
  return [=](int m) { return m >= from && m < to; };
}

// 300 minutes of a flat load (2.5 instance-units) through the policy, one
// cycle 10 s into each minute that `cycles` says; each minute's load
// arrives `late` minutes after it, at the first cycle the metrics are
// `published`; the forecast (2.5, upper 2.6) covers `forecast_minutes`.
struct FlatLoad {
  int late = 1;
  int forecast_minutes = 12;
  std::function<int(int)> in_service = [](int) { return 20; };
  std::function<int(int)> desired;  // unset: InService
  std::function<int(int)> pending = [](int) { return 0; };
  std::function<bool(int)> phas_sets = [](int) { return true; };
  std::function<bool(int)> published = [](int) { return true; };
  std::function<bool(int)> cycles = [](int) { return true; };
};

PredictiveState RunFlatLoad(const PredictiveConfig& c, const FlatLoad& f) {
  PredictivePolicy policy(c, {});
  PredictiveState s;
  auto hist = std::make_shared<std::vector<MetricSample>>();
  const TimePoint t0 = std::chrono::floor<minutes>(kNow) + minutes(10);
  int next = 0;  // the next minute to publish
  for (int minute = 0; minute < 300; ++minute) {
    if (!f.cycles(minute)) continue;
    TimePoint now = t0 + minutes(minute) + seconds(10);
    for (; f.published(minute) && next <= minute - f.late; ++next) {
      hist->push_back({t0 + minutes(next), 2.5, 1});
    }
    Observation o;
    o.now = now;
    const int n = f.in_service(minute);
    o.group = {
        "g", 1, 50, f.desired ? f.desired(minute) : n, n, f.pending(minute), 0};
    o.metrics_ok = true;
    o.load_history = hist;
    o.phas_sets_capacity = f.phas_sets(minute);
    for (int k = 1; k <= f.forecast_minutes; ++k) {
      o.forecast.push_back({now + minutes(k - 1), 2.5, 2.6});
    }
    s = policy.Propose(o, PolicyState::Of(s)).if_held.As<PredictiveState>();
  }
  return s;
}

// While another scaler sizes the group (phas held off it, a dry run, or the
// policy's own forecast_only), the group's shortfall is not the margin's:
// a week of a comfortable group would otherwise leave the margin at its
// floor for the day phas acts. The forecast's errors are still measured.
TEST(CalibrationTest, TheMarginLearnsOnlyWhilePhasSetsTheCapacity) {
  for (int mode = 0; mode < 3; ++mode) {
    SCOPED_TRACE(mode);
    PredictiveConfig c;
    c.forecast_only = mode == 2;
    FlatLoad f;  // never short
    f.phas_sets = [&](int) { return mode != 1; };
    PredictiveState s = RunFlatLoad(c, f);
    EXPECT_GT(s.out.outcomes, 250);
    if (mode == 0) {
      EXPECT_GT(s.minutes, 290);
      EXPECT_LT(s.margin, MarginControl::kStart);
    } else {
      EXPECT_EQ(s.minutes, 0);
      EXPECT_EQ(s.margin, MarginControl::kStart);
    }
  }
}

// A minute's load arrives a metric delay after it is lived; whether it
// counts is judged by the cycles that lived it, and a boot time before: right
// after a hold (minutes 100-199) ends, the held minutes read by the acting
// cycles are not counted (the other scaler's shortfall), nor those within a
// boot time after it (what serves them was launched before); right after
// one starts, phas's own minutes read by the held cycles are.
TEST(CalibrationTest, AMinuteCountsByTheCyclesThatLivedIt) {
  struct Case {
    const char* name;
    std::function<bool(int)> is_short;
    Duration boot = std::chrono::seconds(300);
    std::function<bool(int)> published = [](int) { return true; };
    std::function<bool(int)> cycles = [](int) { return true; };
    double want_minutes = 192;  // 0-99 and 205-296
    double want_short = 0;
  };
  const Case cases[] = {
      {.name = "short while held", .is_short = Between(100, 200)},
      {.name = "short in the last acting minutes, read while held",
       .is_short = Between(97, 100),
       .want_short = 3},
      {.name = "short in the boot time after the hold",
       .is_short = Between(200, 205)},
      {.name = "short after the boot time after the hold",
       .is_short = Between(205, 207),
       .want_short = 2},
      // Minute 205 is served by what was launched at 199:30, in the hold.
      {.name = "a boot time of 330 s",
       .is_short = Between(205, 206),
       .boot = std::chrono::seconds(330),
       .want_minutes = 191},
      // The hold's last minutes and the boot time after it are read at
      // once, 16 minutes late.
      {.name = "the load after the hold arrives late",
       .is_short = Between(200, 205),
       .published = [](int m) { return m < 195 || m > 215; }},
      // The held decision of 195 stands until 200: minute 200's capacity
      // (boot 120 s) was launched in 198, under it.
      {.name = "a loop every 5 minutes",
       .is_short = Between(200, 201),
       .boot = std::chrono::seconds(120),
       .cycles = [](int m) { return m % 5 == 0; },
       .want_minutes = 38},  // the cycles' minutes 0-95 and 205-290
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    PredictiveConfig c;
    c.boot_time = tc.boot;
    FlatLoad f;
    f.late = 3;  // the minute lived at minute - 3
    f.in_service = [&](int m) { return tc.is_short(m) ? 1 : 20; };
    f.phas_sets = [](int m) { return m < 100 || m >= 200; };
    f.published = tc.published;
    f.cycles = tc.cycles;
    PredictiveState s = RunFlatLoad(c, f);
    EXPECT_EQ(s.minutes, tc.want_minutes);
    EXPECT_EQ(s.short_minutes, tc.want_short);
  }
}

// A group below its desired capacity for two boot times and a minute
// (launches failing: a broken launch template, no capacity in the zone, a
// quota) is not short by phas's forecast: hours of it would raise the
// margin to its ceiling, and keep the group above its need for days once
// AWS delivers again. Those minutes are counted apart. A shorter stretch
// (an instance replaced, a launch slower than the boot time) is the
// margin's, and so is a group that phas asked too little of.
TEST(CalibrationTest, MinutesAwsDidNotDeliverAreNotTheMargins) {
  auto one_or_20 = [](std::function<bool(int)> below) {
    return [=](int m) { return below(m) ? 1 : 20; };
  };
  auto always = [](int n) { return [=](int) { return n; }; };
  struct Case {
    const char* name;
    std::function<int(int)> in_service, desired;
    double want_short, want_undelivered;
    std::optional<bool> margin_rises;  // above where it started
    std::function<int(int)> pending = [](int) { return 0; };
    std::function<bool(int)> cycles = [](int) { return true; };
  };
  const Case cases[] = {
      // 1 instance serves 0.6 of the 2.5 instance-units: short.
      {"asked 1, had 1", one_or_20(Between(100, 200)),
       one_or_20(Between(100, 200)), 100, 0, true},
      // Minutes 100-110 count: the launches were asked less than two boot
      // times and a minute before.
      {"asked 20, had 1 for 100 minutes", one_or_20(Between(100, 200)),
       always(20), 11, 89, std::nullopt},
      {"asked 20 from minute 100, had 1", one_or_20(Between(100, 200)),
       [](int m) { return m < 100 ? 1 : 20; }, 11, 89, std::nullopt},
      {"an instance replaced in 5 minutes", one_or_20(Between(100, 105)),
       always(20), 5, 0, std::nullopt},
      // The record does not reach two boot times back before minute 11.
      {"asked 20, had 1 from the start", one_or_20(Between(0, 200)), always(20),
       11, 189, std::nullopt},
      // One more instance asked each minute from 100 to 130, each InService
      // a boot time later: below the desired capacity for 35 minutes, and
      // every launch delivered.
      {"a climb", [](int m) { return 20 + std::clamp(m - 105, 0, 30); },
       [](int m) { return 20 + std::clamp(m - 100, 0, 30); }, 0, 0,
       std::nullopt},
      // Instances replaced back to back (spot interruptions, an instance
      // refresh): one always Pending.
      {"replaced back to back for 100 minutes",
       [](int m) { return m >= 100 && m < 200 ? 4 : 5; }, always(5), 100, 0,
       std::nullopt, [](int m) { return m >= 100 && m < 200 ? 1 : 0; }},
      // No cycle in minutes 80-99 (a restart, a lease taken over): they do
      // not say whether the group was short of its desired capacity.
      {"an instance replaced in 5 minutes after a gap",
       one_or_20(Between(100, 105)), always(20), 5, 0, std::nullopt,
       [](int) { return 0; }, [](int m) { return m < 80 || m >= 100; }},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FlatLoad f;
    f.in_service = tc.in_service;
    f.desired = tc.desired;
    f.pending = tc.pending;
    f.cycles = tc.cycles;
    PredictiveState s = RunFlatLoad(PredictiveConfig{}, f);
    EXPECT_EQ(s.short_minutes, tc.want_short);
    EXPECT_EQ(s.undelivered_minutes, tc.want_undelivered);
    if (tc.margin_rises) {
      EXPECT_EQ(s.margin > MarginControl::kStart, *tc.margin_rises) << s.margin;
    }
  }
  // 200 minutes of it move the margin by the first 11 (+0.5 spread);
  // asked too little, it climbs 0.05 spread a minute short.
  FlatLoad f;
  f.in_service = [](int m) { return m >= 100 ? 1 : 20; };
  f.desired = [](int) { return 20; };
  EXPECT_LT(RunFlatLoad(PredictiveConfig{}, f).margin,
            MarginControl::kStart + 1);
  f.desired = f.in_service;
  EXPECT_GT(RunFlatLoad(PredictiveConfig{}, f).margin,
            MarginControl::kStart + 5);
}

// A loop's cycles on a flat load, one a minute, the clock as each says:
// the minutes up to the true minute before are published.
struct ClockedCycles {
  PredictivePolicy policy{PredictiveConfig{}, {}};
  PredictiveState s;
  std::shared_ptr<std::vector<MetricSample>> hist =
      std::make_shared<std::vector<MetricSample>>();
  TimePoint t0 = std::chrono::floor<minutes>(kNow) + minutes(10);

  // A cycle in true minute `m`, on a clock `ahead` of the true time.
  void Cycle(int m, Duration ahead = Duration::zero()) {
    while (hist->empty() || hist->back().time < t0 + minutes(m - 1)) {
      hist->push_back(
          {hist->empty() ? t0 : hist->back().time + minutes(1), 2.5, 1});
    }
    Observation o;
    o.now = t0 + minutes(m) + ahead + seconds(10);
    o.group = {"g", 1, 50, 20, 20, 0, 0};
    o.metrics_ok = true;
    o.load_history = hist;
    o.phas_sets_capacity = true;
    for (int k = 1; k <= 12; ++k) {
      o.forecast.push_back({o.now + minutes(k - 1), 2.5, 2.6});
    }
    s = policy.Propose(o, PolicyState::Of(s)).if_held.As<PredictiveState>();
  }
};

// The clock going back 58 minutes (the history's minutes after the new now
// left out, as the observer does): the minutes from then on are counted,
// not held until the clock catches up with the last one counted.
TEST(CalibrationTest, AClockThatWentBackCountsTheMinutesAfterIt) {
  ClockedCycles c;
  for (int m = 0; m < 100; ++m) c.Cycle(m);
  const double before = c.s.minutes;
  ASSERT_GT(before, 90);
  const TimePoint back = c.t0 + minutes(42);
  std::erase_if(*c.hist, [&](const MetricSample& p) { return p.time > back; });
  for (int m = 42; m < 72; ++m) c.Cycle(m);
  EXPECT_GE(c.s.minutes, before + 28) << "the 30 minutes after the step";
  for (const auto& [t, n] : c.s.capacity) EXPECT_LE(t, c.t0 + minutes(71));
}

// A clock an hour ahead of CloudWatch's, then set right: the history was
// never ahead (CloudWatch's minutes), but the capacities kept under the old
// clock were; they are dropped, not matched to the minutes an hour later.
TEST(CalibrationTest, AClockSetRightDropsTheCapacitiesKeptAhead) {
  ClockedCycles c;
  for (int m = 0; m < 60; ++m) c.Cycle(m, std::chrono::hours(1));
  ASSERT_GT(c.s.capacity.back().first, c.t0 + minutes(100));
  c.Cycle(60);
  for (const auto& [t, n] : c.s.capacity) EXPECT_LE(t, c.t0 + minutes(60));
}

// A metric delay longer than a quarter of an hour: the minutes are still
// counted when their load arrives.
TEST(CalibrationTest, ALongMetricDelayStillCounts) {
  PredictiveConfig c;
  c.metric_delay = minutes(20);
  FlatLoad f;
  f.late = 22;
  f.forecast_minutes = 40;
  EXPECT_EQ(RunFlatLoad(c, f).minutes, 278);
}

}  // namespace
}  // namespace phas
