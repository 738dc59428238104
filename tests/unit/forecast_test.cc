// Forecasters on synthetic series with known answers, period detection and
// model selection (the provider and the live choice:
// forecast_provider_test.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "forecast/models.h"
#include "forecast/period.h"
#include "forecast/select.h"
#include "forecast_test_util.h"

namespace phas {
namespace {

using forecast::Series;
using testing::Jitter;
using testing::Make;
using testing::Sine;
using testing::Weekly;

TEST(PeriodTest, FindsDailyAndWeeklyAndRejectsNoiseAndTrend) {
  struct Case {
    const char* name;
    std::function<double(int)> f;
    int days;
    // expected
    int period;
  };
  const Case cases[] = {
      {"daily sine", [](int i) { return Sine(i) + Jitter(i, 1); }, 4, 1440},
      {"weekly pattern", [](int i) { return Weekly(i) + Jitter(i, 0.5); }, 15,
       10080},
      {"white noise", [](int i) { return 10 + Jitter(i, 3); }, 4, 0},
      {"a trend only", [](int i) { return 1 + i / 1000.0 + Jitter(i, 0.2); }, 4,
       0},
      {"one day only: too short to tell", [](int i) { return Sine(i); }, 1, 0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    forecast::PeriodResult r =
        forecast::DetectPeriod(Make(tc.days * 1440, tc.f), {1440, 10080});
    EXPECT_EQ(r.period_steps, tc.period) << r.why;
  }
}

// A cron-like hourly job: 20 minutes of extra load at the top of every
// hour over a jittered base.
double Hourly(int i) { return 6 + (i % 60 < 20 ? 4.0 : 0.0) + Jitter(i, 0.5); }

// The default candidates (hourly to weekly): a cycle is confirmed at its own
// period and not at its multiples (their half-period correlates as well),
// and a smooth daily load is not taken for a sub-daily cycle.
TEST(PeriodTest, DefaultCandidatesFindTheCycleAndNotItsMultiples) {
  const std::vector<int> candidates = forecast::ForecastOptions{}.periods;
  struct Case {
    const char* name;
    std::function<double(int)> f;
    int hours;
    std::vector<int> confirmed;  // longest first
  };
  const Case cases[] = {
      {"hourly job", Hourly, 3 * 24, {60}},
      {"hourly job, six hours: enough", Hourly, 6, {60}},
      {"hourly job, five hours: too short to tell", Hourly, 5, {}},
      {"four-hourly job: not taken for a twelve-hour cycle (a third)",
       [](int i) { return 6 + (i % 240 < 60 ? 4.0 : 0.0) + Jitter(i, 0.5); },
       3 * 24,
       {240}},
      {"three-hourly job",
       [](int i) { return 6 + (i % 180 < 40 ? 4.0 : 0.0) + Jitter(i, 0.5); },
       3 * 24,
       {180}},
      {"hourly job on a daily cycle",
       [](int i) { return Sine(i) + Hourly(i); },
       4 * 24,
       {1440, 60}},
      {"daily sine",
       [](int i) { return Sine(i) + Jitter(i, 1); },
       4 * 24,
       {1440}},
      {"white noise", [](int i) { return 10 + Jitter(i, 3); }, 4 * 24, {}},
      {"white noise, six hours",
       [](int i) { return 10 + Jitter(i, 3); },
       6,
       {}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    forecast::PeriodResult r =
        forecast::DetectPeriod(Make(tc.hours * 60, tc.f), candidates);
    EXPECT_EQ(r.confirmed, tc.confirmed) << r.why;
  }
}

// The why names the shorter cycle that held a candidate back: a twelve-hour
// candidate on a four-hourly job correlates as well at a third of it.
TEST(PeriodTest, TheWhyNamesTheShorterCycle) {
  auto four_hourly = [](int i) {
    return 6 + (i % 240 < 60 ? 4.0 : 0.0) + Jitter(i, 0.5);
  };
  forecast::PeriodResult r =
      forecast::DetectPeriod(Make(3 * 24 * 60, four_hourly), {720});
  EXPECT_EQ(r.period_steps, 0);
  EXPECT_NE(r.why.find("720 steps: acf"), std::string::npos) << r.why;
  EXPECT_NE(r.why.find("third-period"), std::string::npos) << r.why;
  forecast::PeriodResult h =
      forecast::DetectPeriod(Make(3 * 24 * 60, Hourly), {120});
  EXPECT_NE(h.why.find("half-period"), std::string::npos) << h.why;
}

TEST(ForecasterTest, KnownAnswers) {
  // Pure daily sine: seasonal naive is exact; Holt-Winters close.
  Series sine = Make(3 * 1440, Sine);
  forecast::SeasonalNaive sn(1440);
  std::vector<double> f = sn.Forecast(sine, 10);
  for (int k = 1; k <= 10; ++k)
    EXPECT_NEAR(f[k - 1], Sine(3 * 1440 - 1 + k), 1e-9);
  forecast::HoltWinters hw(1440, false);
  ASSERT_TRUE(hw.Fit(sine).ok());
  f = hw.Forecast(sine, 10);
  for (int k = 1; k <= 10; ++k)
    EXPECT_NEAR(f[k - 1], Sine(3 * 1440 - 1 + k), 0.05);

  // Weekly pattern: a week-long seasonal naive is exact, a daily one is not
  // on the first weekday after a weekend.
  Series week = Make(2 * 10080 + 1440 * 2, Weekly);  // ends on Saturday
  forecast::SeasonalNaive sn_week(10080), sn_day(1440);
  double actual = Weekly(static_cast<int>(week.size()) - 1 + 5);
  EXPECT_NEAR(sn_week.Forecast(week, 5)[4], actual, 1e-9);

  // A step: the naive model jumps with it at once; Holt's damped trend
  // settles on the new level.
  Series step = Make(600, [](int i) { return i < 500 ? 3.0 : 9.0; });
  EXPECT_DOUBLE_EQ(forecast::SeasonalNaive(0).Forecast(step, 3)[2], 9.0);
  forecast::HoltWinters holt(0, true);
  ASSERT_TRUE(holt.Fit(step).ok());
  EXPECT_NEAR(holt.Forecast(step, 5)[4], 9.0, 0.5);
}

// One burst in an hourly cycle: seasonal naive repeats it an hour later in
// full; the seasonal median (of three hours) keeps the cycle and lets the
// burst go, and follows a lasting change after two periods.
TEST(ForecasterTest, SeasonalMedianDoesNotEchoABurst) {
  auto cycle = [](int i) { return i % 60 < 20 ? 2.0 : 1.0; };
  // Five hours; a burst of 20 at minutes 250-259 (the last hour's 10-19).
  Series s =
      Make(300, [&](int i) { return i >= 250 && i < 260 ? 20.0 : cycle(i); });
  forecast::SeasonalNaive naive(60), median(60, 3);
  EXPECT_EQ(median.name(), "seasonal-median-60");
  std::vector<double> fn = naive.Forecast(s, 60), fm = median.Forecast(s, 60);
  for (int k = 1; k <= 60; ++k) {
    int t = 299 + k;  // minutes 300-359: the next hour
    bool echo = t - 60 >= 250 && t - 60 < 260;
    EXPECT_DOUBLE_EQ(fn[k - 1], echo ? 20.0 : cycle(t)) << t;
    EXPECT_DOUBLE_EQ(fm[k - 1], cycle(t)) << t;
  }
  // With fewer than three periods known: the most recent (a mean would
  // halve a burst, not drop it).
  Series two = Make(90, [](int i) { return i < 60 ? 1.0 : 3.0; });
  EXPECT_DOUBLE_EQ(median.Forecast(two, 1)[0], 1.0);    // minute 90: 30
  EXPECT_DOUBLE_EQ(median.Forecast(two, 40)[39], 3.0);  // 129: 69 (and 9)
  // A gap: the periods before it count instead.
  Series gap = s;
  for (int i = 240; i < 300; ++i) gap.values[i] = std::nan("");
  EXPECT_DOUBLE_EQ(median.Forecast(gap, 1)[0], cycle(300));
  // A lasting change: after two periods the median is the new level.
  Series level = Make(300, [](int i) { return i < 180 ? 1.0 : 5.0; });
  EXPECT_DOUBLE_EQ(median.Forecast(level, 1)[0], 5.0);
  // The backtest makes the same forecasts as Forecast from each origin.
  std::vector<double> bt = median.Backtest(s, 240, 5);
  Series upto = s;
  upto.values.resize(271);
  EXPECT_DOUBLE_EQ(bt[30], median.Forecast(upto, 5)[4]);
}

TEST(ForecasterTest, HoltWintersCursorMatchesAForecastFromTheWholeHistory) {
  // The cursor's season slot advances with each value and wraps at the
  // period: after it crosses the wrap, it still forecasts what a pass over
  // the grown history does.
  struct Case {
    const char* name;
    int period;
    bool damped;
  };
  const Case cases[] = {{"holt damped", 0, true},
                        {"daily", 1440, false},
                        {"daily damped", 1440, true}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto f = [](int i) { return Sine(i) + Jitter(i, 0.5) + i / 2000.0; };
    Series s = Make(2 * 1440 + 1400, f);
    forecast::HoltWinters hw(tc.period, tc.damped);
    ASSERT_TRUE(hw.Fit(s).ok());
    auto cursor = hw.Follow(s);
    for (int i = 0; i < 100; ++i) {  // crosses a day boundary
      double y = i == 50 ? std::nan("") : f(static_cast<int>(s.size()));
      s.values.push_back(y);
      cursor->Append(y);
    }
    std::vector<double> got = cursor->Forecast(60), want = hw.Forecast(s, 60);
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-9);
  }
}

TEST(ForecasterTest, HoltWintersFitChoosesTheGridsBestConstants) {
  // Fit scores the grid several constant sets per pass; its choice must be
  // the grid point whose own backtest has the lowest h-step error.
  struct Case {
    const char* name;
    std::function<double(int)> f;
    int period;
    bool damped;
  };
  const Case cases[] = {
      {"noisy daily sine", [](int i) { return Sine(i) + Jitter(i, 1); }, 1440,
       true},
      {"daily sine with a trend",
       [](int i) { return Sine(i) + i / 500.0 + Jitter(i, 0.3); }, 1440, false},
      {"random-walk level, no period",
       [](int i) {
         double x = 0;
         for (int k = 0; k <= i; k += 37) x += Jitter(k, 1);
         return 20 + x + Jitter(i, 0.2);
       },
       0, true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Series s = Make(4 * 1440, tc.f);
    auto mae = [&](const forecast::HoltWinters& m) {
      std::vector<double> fc = m.Backtest(s, s.size() / 2, 10);
      double err = 0;
      for (size_t j = 0; j < fc.size(); ++j)
        err += std::fabs(fc[j] - s.values[s.size() / 2 + j + 10]);
      return err / fc.size();
    };
    forecast::HoltWinters hw(tc.period, tc.damped);
    ASSERT_TRUE(hw.Fit(s).ok());
    double best = std::numeric_limits<double>::infinity();
    forecast::HoltWinters probe(tc.period, tc.damped);
    for (double a : {0.05, 0.2, 0.5, 0.9}) {
      for (double b : {0.0, 0.01, 0.05}) {
        for (double g : {0.05, 0.2, 0.5}) {
          for (double phi : {0.9, 0.98, 1.0}) {
            if (tc.damped == (phi == 1.0)) continue;
            probe.set_params({a, b, tc.period ? g : 0.0, phi});
            best = std::min(best, mae(probe));
          }
        }
      }
    }
    EXPECT_LE(mae(hw), best + 1e-12)
        << "alpha " << hw.params().alpha << " beta " << hw.params().beta
        << " gamma " << hw.params().gamma << " phi " << hw.params().phi;
  }
}

TEST(ForecasterTest, XgboostLearnsADailyShapeDeterministically) {
  Series s = Make(6 * 1440, [](int i) { return Sine(i) + Jitter(i, 0.3); });
  forecast::XgbForecaster a(1440, 10), b(1440, 10);
  ASSERT_TRUE(a.Fit(s).ok());
  ASSERT_TRUE(b.Fit(s).ok());
  std::vector<double> fa = a.Backtest(s, 5 * 1440, 10),
                      fb = b.Backtest(s, 5 * 1440, 10);
  EXPECT_EQ(fa, fb) << "fixed seed, one thread: the same trees";
  double err = 0;
  for (size_t i = 0; i < fa.size(); ++i)
    err += std::fabs(fa[i] - s.values[5 * 1440 + i + 10]);
  EXPECT_LT(err / fa.size(), 0.6);  // the jitter alone is 0.3 on average
}

TEST(SelectTest, ColdStartSaysSoAndSelectionBeatsSeasonalMedian) {
  auto cold = forecast::SelectForecaster(Make(90, Sine), {});
  ASSERT_FALSE(cold.ok());
  EXPECT_NE(cold.status().message().find(
                "cold start: 90 minutes of history, 180 needed"),
            std::string::npos);
  Series s = Make(5 * 1440, [](int i) { return Sine(i) + Jitter(i, 0.5); });
  auto fit = forecast::SelectForecaster(s, {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->period.period_steps, 1440);
  double sn_mae = 0;
  for (const auto& c : fit->candidates) {
    if (c.model == "seasonal-median-1440") sn_mae = c.mae;
  }
  ASSERT_GT(sn_mae, 0) << "the seasonal median competed";
  EXPECT_LE(fit->holdout_mae(), sn_mae);
  EXPECT_GT(fit->upper_margin(), 0);
  EXPECT_LT(fit->upper_margin(), 2.0);
}

TEST(SelectTest, XgboostSeesTheDayBeforeEvenWithoutAConfirmedPeriod) {
  // A wandering level (a random walk) with a short burst at 09:00 every day:
  // the level correlates at every lag, so the detector confirms no period,
  // but the day before tells when the next burst comes, which no
  // short-horizon model can know.
  std::vector<double> level(5 * 1440);
  double x = 20;
  for (size_t i = 0; i < level.size(); ++i)
    level[i] = (x += Jitter(static_cast<int>(i), 0.3));
  auto burst = [&](int i) {
    int m = i % 1440;
    return level[i] + (m >= 540 && m < 560 ? 6.0 : 0.0);
  };
  // Ends at 10:00 on the fifth day: the held-out 4 hours hold a burst.
  auto fit = forecast::SelectForecaster(Make(4 * 1440 + 600, burst), {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->period.period_steps, 0) << fit->period.why;
  double naive = 0, xgb = 0;
  for (const auto& c : fit->candidates) {
    if (c.model == "naive") naive = c.mae;
    if (c.model == "xgboost-1440") xgb = c.mae;
  }
  ASSERT_GT(xgb, 0) << "XGBoost has the one-day lag";
  EXPECT_LT(xgb, 0.85 * naive);
  EXPECT_EQ(fit->model()->name(), "xgboost-1440") << fit->why;
}

TEST(SelectTest, AnHourlyCycleIsForecastFromItsPeriod) {
  // A wandering level with the hourly job on top: only a model that knows
  // the hour tells when the next 20 minutes of load come.
  std::vector<double> level(2 * 1440);
  double x = 20;
  for (size_t i = 0; i < level.size(); ++i)
    level[i] = (x += Jitter(static_cast<int>(i) + 7, 0.1));
  auto f = [&](int i) { return level[i] + Hourly(i) - 6; };
  auto fit = forecast::SelectForecaster(Make(2 * 1440, f), {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  ASSERT_FALSE(fit->period.confirmed.empty()) << fit->period.why;
  EXPECT_EQ(fit->period.confirmed.back(), 60) << fit->period.why;
  double naive = 0;
  for (const auto& c : fit->candidates) {
    if (c.model == "naive") naive = c.mae;
  }
  ASSERT_GT(naive, 0);
  EXPECT_LT(fit->holdout_mae(), 0.5 * naive) << fit->why;
  const std::string chosen = fit->model()->name();
  EXPECT_TRUE(chosen == "seasonal-median-60" || chosen == "holt-winters-60" ||
              chosen == "holt-winters-60-damped")
      << fit->why;
}

TEST(SelectTest, ResidualsPerHorizon) {
  // Naive (the last value) on a ramp of slope 1: the forecast of i + k from
  // i misses by exactly k.
  Series ramp = Make(50, [](int i) { return double(i); });
  forecast::SeasonalNaive naive(0);
  forecast::HorizonResiduals r =
      forecast::BacktestResiduals(naive, ramp, 40, 3);
  EXPECT_EQ(r.from, 40u);
  ASSERT_EQ(r.by_horizon.size(), 3u);
  for (int k = 1; k <= 3; ++k) {
    SCOPED_TRACE(k);
    const std::vector<double>& row = r.by_horizon[k - 1];
    ASSERT_EQ(row.size(), 9u);  // origins 40..48
    for (size_t j = 0; j < row.size(); ++j) {
      if (40 + j + k < 50) {
        EXPECT_DOUBLE_EQ(row[j], k);
      } else {
        EXPECT_TRUE(std::isnan(row[j])) << "origin " << 40 + j << " + " << k;
      }
    }
  }

  // SelectForecaster returns the chosen model's held-out residuals; at the
  // working horizon their quantile is the upper margin.
  Series s = Make(4 * 1440, [](int i) { return Sine(i) + Jitter(i, 0.5); });
  forecast::ForecastOptions o;
  o.residual_horizon = 12;
  auto fit = forecast::SelectForecaster(s, o);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  ASSERT_EQ(fit->holdout_residuals.by_horizon.size(), 12u);
  EXPECT_EQ(fit->holdout_residuals.by_horizon[0].size(),
            s.size() - 1 - fit->holdout_residuals.from);
  EXPECT_NEAR(forecast::Quantile(
                  fit->holdout_residuals.by_horizon[o.horizon - 1], o.quantile),
              fit->upper_margin(), 1e-9);
  EXPECT_TRUE(
      forecast::SelectForecaster(s, {})->holdout_residuals.by_horizon.empty());
}

}  // namespace
}  // namespace phas
