// The forecast provider (scaler/forecast_provider.h) and the live choice
// between candidates (forecast/live.h): cold start, when a choice is made
// again, how a forecast is scored against the minutes it forecast.
#include "scaler/forecast_provider.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "forecast/live.h"
#include "forecast/models.h"
#include "forecast/select.h"
#include "forecast_test_util.h"

namespace phas {
namespace {

using forecast::Series;
using std::chrono::minutes;
using testing::Jitter;
using testing::kStart;
using testing::Make;
using testing::Sine;
using testing::Weekly;

TEST(ForecastProviderTest, ColdStartThenForecasts) {
  ForecastProviderOptions o;
  ForecastProvider provider(o);
  auto hist = std::make_shared<std::vector<MetricSample>>();
  Observation obs;
  obs.load_history = hist;
  for (int i = 0; i < 30; ++i)
    hist->push_back({kStart + minutes(i), Sine(i), 1});
  obs.now = kStart + minutes(32);
  provider.Fill("g", &obs);
  EXPECT_TRUE(obs.forecast.empty()) << "under an hour: nothing";
  EXPECT_NE(obs.forecast_error.find("cold start"), std::string::npos);
  // From an hour: the last value, with a band widening as sqrt(k).
  for (int i = 30; i < 100; ++i)
    hist->push_back({kStart + minutes(i), Sine(i), 1});
  obs = Observation();
  obs.load_history = hist;
  obs.now = kStart + minutes(102);
  provider.Fill("g", &obs);
  ASSERT_EQ(obs.forecast.size(), 12u) << obs.forecast_error;
  EXPECT_EQ(obs.forecast[0].mean, Sine(99));
  EXPECT_GT(obs.forecast[11].upper - obs.forecast[11].mean,
            obs.forecast[0].upper - obs.forecast[0].mean);
  for (int i = 100; i < 2 * 1440; ++i)
    hist->push_back({kStart + minutes(i), Sine(i), 1});
  obs = Observation();
  obs.load_history = hist;
  obs.now = kStart + minutes(2 * 1440 + 2);
  provider.Fill("g", &obs);
  ASSERT_EQ(obs.forecast.size(), 12u) << obs.forecast_error;
  EXPECT_EQ(obs.forecast[0].time, kStart + minutes(2 * 1440));
  for (const ForecastPoint& f : obs.forecast) EXPECT_GE(f.upper, f.mean);
  EXPECT_NEAR(obs.forecast[4].mean, Sine(2 * 1440 + 4), 0.5);
}

// A history that lost its newest minutes (left out after the clock went
// back) starts the series again: the forecast follows the history's newest
// minute, not the minutes it no longer has (before, it forecast from them
// until the clock caught up).
TEST(ForecastProviderTest, AHistoryThatLostItsNewestMinutesStartsAgain) {
  ForecastProviderOptions o;
  ForecastProvider provider(o);
  auto hist = std::make_shared<std::vector<MetricSample>>();
  for (int i = 0; i < 200; ++i)
    hist->push_back({kStart + minutes(i), Sine(i), 1});
  Observation obs;
  obs.load_history = hist;
  obs.now = kStart + minutes(202);
  provider.Fill("g", &obs);
  ASSERT_EQ(obs.forecast.size(), 12u) << obs.forecast_error;
  EXPECT_EQ(obs.forecast[0].time, kStart + minutes(200));
  auto cut = std::make_shared<std::vector<MetricSample>>(hist->begin(),
                                                         hist->begin() + 150);
  obs = Observation();
  obs.load_history = cut;
  obs.now = kStart + minutes(151);
  provider.Fill("g", &obs);
  ASSERT_EQ(obs.forecast.size(), 12u) << obs.forecast_error;
  EXPECT_EQ(obs.forecast[0].time, kStart + minutes(150));
  EXPECT_EQ(obs.forecast[0].mean, Sine(149));
}

// Once the series is as long as the provider keeps, the forecaster is still
// chosen once per `reselect`: the series is cut when a choice is made, not
// as it outgrows what is kept (that chose again a minute after every daily
// choice, fitting twice the models for the same data), and it stays
// bounded.
TEST(ForecastProviderTest, ChoosesOncePerReselectWhenTheSeriesIsFull) {
  ForecastProviderOptions o;
  o.forecast.max_history = 1440;
  o.forecast.use_xgboost = false;
  const size_t kept = 1440 + 1440;  // a day more than the forecaster uses
  ForecastProvider provider(o);
  auto hist = std::make_shared<std::vector<MetricSample>>();
  int choices_at_day3 = 0;
  for (int i = 0; i < 7 * 1440; ++i) {
    hist->push_back({kStart + minutes(i), Sine(i) + Jitter(i, 0.5), 1});
    if (hist->size() > 60) hist->erase(hist->begin());
    Observation obs;
    obs.load_history = hist;
    obs.now = kStart + minutes(i) + std::chrono::seconds(30);
    int before = provider.Choices("g");
    provider.Fill("g", &obs);
    if (i >= 1440) {
      ASSERT_FALSE(obs.forecast.empty()) << "minute " << i;
      ASSERT_EQ(obs.forecast_error, "") << "minute " << i;
    }
    size_t size = provider.SeriesMinutes("g");
    ASSERT_LE(size, kept + 1440) << "minute " << i;
    if (provider.Choices("g") > before && i + 1 >= static_cast<int>(kept)) {
      ASSERT_EQ(size, kept)
          << "a choice at minute " << i << " keeps " << kept << " minutes";
    }
    if (i == 3 * 1440) choices_at_day3 = provider.Choices("g");
  }
  // Days 3..7 hold the series at what is kept: one choice a day.
  EXPECT_EQ(provider.Choices("g") - choices_at_day3, 4);
}

// A history that arrives past the bound at once (a restart with days of
// saved load) is cut to what is kept, and chosen from once.
TEST(ForecastProviderTest, AHistoryPastTheBoundIsCutAndChosenOnce) {
  ForecastProviderOptions o;
  o.forecast.max_history = 1440;
  o.forecast.use_xgboost = false;
  ForecastProvider provider(o);
  auto hist = std::make_shared<std::vector<MetricSample>>();
  const int n = 6 * 1440;  // past 2 kept days + 1 day reselect + 1 day
  for (int i = 0; i < n; ++i) {
    hist->push_back({kStart + minutes(i), Sine(i) + Jitter(i, 0.5), 1});
  }
  Observation obs;
  obs.load_history = hist;
  obs.now = kStart + minutes(n) + std::chrono::seconds(30);
  provider.Fill("g", &obs);
  EXPECT_EQ(provider.Choices("g"), 1);
  EXPECT_EQ(provider.SeriesMinutes("g"), 2880u);
  ASSERT_FALSE(obs.forecast.empty()) << obs.forecast_error;
  EXPECT_EQ(obs.forecast[0].time, kStart + minutes(n));
}

// Forecasts a constant, whatever the history.
class ConstantForecaster final : public forecast::Forecaster {
 public:
  explicit ConstantForecaster(double c) : c_(c) {}
  std::string name() const override { return "constant"; }
  Status Fit(const Series&) override { return Status::OK(); }
  std::vector<double> Forecast(const Series&, int horizon) const override {
    return std::vector<double>(horizon, c_);
  }
  std::vector<double> Backtest(const Series& s, size_t from,
                               int h) const override {
    return std::vector<double>(s.size() > from + h ? s.size() - from - h : 0,
                               c_);
  }

 private:
  double c_;
};

// Forecasts the step it is asked about plus `offset` (a series whose value
// at step j is j is then forecast with an error of exactly |offset|), or
// NaN with `nan`.
class IndexForecaster final : public forecast::Forecaster {
 public:
  explicit IndexForecaster(double offset, bool nan = false)
      : offset_(offset), nan_(nan) {}
  std::string name() const override {
    return nan_ ? "nothing" : fmt::format("index{:+g}", offset_);
  }
  Status Fit(const Series&) override { return Status::OK(); }
  std::vector<double> Forecast(const Series& s, int horizon) const override {
    std::vector<double> out;
    for (int k = 1; k <= horizon; ++k) {
      out.push_back(nan_ ? std::numeric_limits<double>::quiet_NaN()
                         : static_cast<double>(s.size() - 1 + k) + offset_);
    }
    return out;
  }
  std::vector<double> Backtest(const Series&, size_t, int) const override {
    return {};
  }

 private:
  double offset_;
  bool nan_;
};

// Each candidate's forecast of step j is scored against the value of step j,
// made from step j - horizon: a forecaster that is exact scores 0, one a
// step ahead scores 1, and the scores decay from their start exactly as
// often as a forecast came true (values appended between two forecasts are
// not forecast from). A candidate that gives no forecast never forecasts; a
// score that is not finite starts from the first error.
TEST(LiveChoiceTest, EachForecastIsScoredAgainstTheStepItForecast) {
  const double kInf = std::numeric_limits<double>::infinity();
  const int H = 10;
  const double alpha = 1 - std::pow(0.5, 1.0 / 360);
  struct Case {
    const char* name;
    int start;                 // values before the choice
    std::vector<int> batches;  // values appended before each forecast
    int forecast_horizon;      // asked of Forecast
  };
  const Case cases[] = {
      {"one value a step", 20, std::vector<int>(40, 1), 12},
      {"an empty start", 0, std::vector<int>(40, 1), 12},
      {"values caught up three at a time", 7, std::vector<int>(15, 3), 12},
      {"a forecast shorter than the scoring horizon", 20,
       std::vector<int>(40, 1), 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Series s = Make(c.start, [](int i) { return static_cast<double>(i); });
    forecast::FittedForecast fit;
    fit.fitted = {
        {std::make_shared<IndexForecaster>(1), 2.0, 0},      // chosen
        {std::make_shared<IndexForecaster>(0), 1.5, 0},      // exact
        {std::make_shared<IndexForecaster>(0, true), 0, 0},  // nothing
        {std::make_shared<IndexForecaster>(-3), kInf, 0},
    };
    forecast::LiveChoice live(fit, s, {.horizon = H, .half_life = 360});
    std::vector<int> origins;  // the newest step at each forecast
    if (c.start > 0) origins.push_back(c.start - 1);
    live.Forecast(c.forecast_horizon);
    for (int n : c.batches) {
      for (int k = 0; k < n; ++k) {
        s.values.push_back(static_cast<double>(s.size()));
        live.Append(s.values.back());
      }
      origins.push_back(static_cast<int>(s.size()) - 1);
      const std::vector<double>& f = live.Forecast(c.forecast_horizon);
      ASSERT_EQ(f.size(), static_cast<size_t>(c.forecast_horizon));
      EXPECT_NE(live.name(), "nothing");
      EXPECT_FALSE(std::isnan(f[0]));
    }
    int scored = 0;  // forecasts whose step has arrived
    for (int o : origins) scored += o + H < static_cast<int>(s.size());
    ASSERT_GT(scored, 0);
    double decay = std::pow(1 - alpha, scored);
    EXPECT_NEAR(live.recent_mae(0), 1 + (2.0 - 1) * decay, 1e-9);
    EXPECT_NEAR(live.recent_mae(1), 1.5 * decay, 1e-9);
    EXPECT_EQ(live.recent_mae(2), 0) << "nothing forecast, nothing scored";
    EXPECT_NEAR(live.recent_mae(3), 3.0, 1e-9)
        << "from inf: the first error, then the average";
    EXPECT_EQ(live.name(), "index+0");
    EXPECT_EQ(live.Forecast(c.forecast_horizon)[0],
              static_cast<double>(s.size()));
  }
}

// Two candidates: "constant" (10, chosen: held-out MAE 1, band 0.5) and
// naive (held-out MAE 2, band 0.7).
forecast::FittedForecast TwoCandidates() {
  forecast::FittedForecast fit;
  fit.fitted = {{std::make_shared<ConstantForecaster>(10), 1.0, 0.5},
                {std::make_shared<forecast::SeasonalNaive>(0), 2.0, 0.7}};
  fit.chosen = 0;
  return fit;
}

// Between two choices the candidate with the lowest recent error forecasts:
// the choice stands while it forecasts well, another takes over within the
// half-life once it does not, and a missing value scores nothing.
TEST(LiveChoiceTest, TheCandidateWithTheLowestRecentErrorForecasts) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* name;
    std::function<double(int)> value;  // step i after the choice
    int steps;
    size_t active;   // at the end
    int switch_min;  // the first step the other may forecast (-1: never)
    int switch_max;
  };
  const Case cases[] = {
      {"the load stays at the chosen one's constant", [](int) { return 10.0; },
       720, 0, -1, -1},
      {"the level shifts to 20 at step 60: naive within the half-life",
       [](int i) { return i < 60 ? 10.0 : 20.0; }, 720, 1, 60 + 10, 60 + 360},
      {"no value arrives", [&](int) { return kNaN; }, 720, 0, -1, -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Series s = Make(600, [](int i) { return 10 + Jitter(i, 0.5); });
    forecast::FittedForecast fit = TwoCandidates();
    forecast::LiveChoice live(fit, s, {.horizon = 10, .half_life = 360});
    EXPECT_EQ(live.Forecast(12), std::vector<double>(12, 10.0));
    EXPECT_EQ(live.Describe(), "constant");
    int switched = -1;
    for (int i = 0; i < c.steps; ++i) {
      s.values.push_back(c.value(i));
      live.Append(s.values.back());
      live.Forecast(12);
      if (switched < 0 && live.active() != 0) switched = i;
    }
    EXPECT_EQ(live.active(), c.active);
    if (c.switch_min < 0) {
      EXPECT_EQ(switched, -1);
    } else {
      EXPECT_GE(switched, c.switch_min);
      EXPECT_LE(switched, c.switch_max);
    }
    if (std::isnan(c.value(0))) {
      EXPECT_EQ(live.recent_mae(0), 1.0) << "nothing scored";
      EXPECT_EQ(live.recent_mae(1), 2.0);
    }
    if (c.active == 1) {
      EXPECT_EQ(live.Forecast(12), std::vector<double>(12, 20.0));
      EXPECT_EQ(live.upper_margin(), 0.7);
      EXPECT_EQ(live.name(), "naive");
      EXPECT_NE(live.Describe().find("naive forecasts, for "),
                std::string::npos)
          << live.Describe();
    } else {
      EXPECT_EQ(live.upper_margin(), 0.5);
    }
  }
}

// The provider forecasts with the live choice: chosen on five days of a
// weekday shape, the day after (flat and low) is forecast from what it is
// within hours, not from the weekdays until the next choice: its forecasts
// 10 minutes ahead are nearer the load than the chosen model's own.
TEST(ForecastProviderTest, ADayUnlikeTheChoicesIsFollowedWithinHours) {
  ForecastProviderOptions o;
  o.forecast.use_xgboost = false;
  ForecastProvider provider(o);
  auto hist = std::make_shared<std::vector<MetricSample>>();
  auto load = [](int i) { return Weekly(i) + Jitter(i, 0.2); };
  const int day5 = 5 * 1440;  // Weekly(): days 5 and 6 are flat at 2
  for (int i = 0; i < day5; ++i)
    hist->push_back({kStart + minutes(i), load(i), 1});
  Observation obs;
  obs.load_history = hist;
  obs.now = kStart + minutes(day5) + std::chrono::seconds(30);
  provider.Fill("g", &obs);
  ASSERT_EQ(provider.Choices("g"), 1);
  const std::string chosen = provider.Describe("g");
  // The chosen model alone, as the provider held it before the live choice.
  Series s = Make(day5, load);
  forecast::ForecastOptions fo = o.forecast;
  fo.horizon = 10;
  auto fit = forecast::SelectForecaster(s, fo);
  ASSERT_TRUE(fit.ok());
  auto held = fit->model()->Follow(s);
  double live_error = 0, held_error = 0;
  for (int i = day5; i < day5 + 360; ++i) {  // to 06:00, Weekly's peak
    hist->push_back({kStart + minutes(i), load(i), 1});
    obs = Observation();
    obs.load_history = hist;
    obs.now = kStart + minutes(i) + std::chrono::seconds(30);
    provider.Fill("g", &obs);
    s.values.push_back(load(i));
    held->Append(load(i));
    ASSERT_EQ(obs.forecast.size(), 12u) << obs.forecast_error;
    live_error += std::fabs(obs.forecast[9].mean - load(i + 10));
    held_error +=
        std::fabs(std::max(0.0, held->Forecast(10)[9]) - load(i + 10));
  }
  EXPECT_EQ(provider.Choices("g"), 1) << "no new choice";
  EXPECT_LT(live_error, 0.5 * held_error)
      << provider.Describe("g") << "; held: " << fit->model()->name();
  EXPECT_NE(provider.Describe("g").find("chosen: " + chosen), std::string::npos)
      << provider.Describe("g");
  // The name alone (a metric label) is the model forecasting now.
  EXPECT_NE(provider.ModelName("g"), fit->model()->name());
  EXPECT_EQ(
      provider.Describe("g").rfind(provider.ModelName("g") + " forecasts", 0),
      0u)
      << provider.Describe("g");
}

}  // namespace
}  // namespace phas
