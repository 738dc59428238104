// Forecasters: history in, forecast out. Deterministic (XGBoost trains with
// a fixed seed on one thread).
//
//   SeasonalNaive(P)        y(t+k) = y(t+k-P) (the last known value of the
//                           same phase); P = 0: the last known value
//   SeasonalNaive(P, n)     the median of the same phase over the last n
//                           periods (a burst is not echoed a period later);
//                           with fewer than n known, the last of them
//   HoltWinters(P, damped)  additive level + trend + season of P steps;
//                           damped: the trend fades by phi per step; P = 0:
//                           Holt's linear trend. Smoothing constants chosen
//                           by grid search on the h-step error.
//   XgbForecaster(P, h)     gradient-boosted trees predicting y(t+h) from
//                           the last 10 values, their mean and trend over the
//                           last hour, the values one period (a day or a week)
//                           before t+h, and the calendar of t+h (minute of the
//                           day, day of the week); steps before h interpolate
//                           from the last value.
//
// Thread-safety: Fit mutates; Forecast and Backtest are const and safe to
// call concurrently after Fit.
#ifndef PHAS_FORECAST_MODELS_H_
#define PHAS_FORECAST_MODELS_H_

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "forecast/series.h"
#include "model/tree_ensemble.h"

namespace phas::forecast {

// Follows a growing series one value at a time, so that a caller that
// receives a value a minute need not rerun the history for each forecast.
class ForecastCursor {
 public:
  virtual ~ForecastCursor() = default;
  // Takes the series' next value (NaN for a missing one).
  virtual void Append(double y) = 0;
  // The `horizon` values after the last one taken.
  virtual std::vector<double> Forecast(int horizon) const = 0;
};

class Forecaster {
 public:
  virtual ~Forecaster() = default;
  virtual std::string name() const = 0;
  // Learns parameters from `history`.
  virtual Status Fit(const Series& history) = 0;
  // The `horizon` values after the end of `history`.
  virtual std::vector<double> Forecast(const Series& history,
                                       int horizon) const = 0;
  // For each origin i in [from, size - h): the forecast of values[i + h]
  // made from values[0..i] (NaN where none can be made). Used to score a
  // model on a held-out stretch without refitting at every origin.
  virtual std::vector<double> Backtest(const Series& s, size_t from,
                                       int h) const = 0;
  // A cursor at the end of `history`, after Fit. `history` must outlive it
  // and grow only by the values given to Append. The default forecasts from
  // the whole history each time; models with a recursive state (Holt-
  // Winters) advance it instead.
  virtual std::unique_ptr<ForecastCursor> Follow(const Series& history) const;
};

class SeasonalNaive final : public Forecaster {
 public:
  // `periods_back` > 1 (at most 8): the median of the same phase over that
  // many periods back (those known and in the past; with fewer known, the
  // most recent), so that one burst is not repeated a period later as if it
  // were the cycle ("seasonal-median-P").
  explicit SeasonalNaive(int period, int periods_back = 1)
      : period_(period), periods_back_(std::max(1, periods_back)) {}
  std::string name() const override;
  Status Fit(const Series&) override { return Status::OK(); }
  std::vector<double> Forecast(const Series& history,
                               int horizon) const override;
  std::vector<double> Backtest(const Series& s, size_t from,
                               int h) const override;

 private:
  // The forecast from origin i (the newest value used) for i + k.
  double At(const std::vector<double>& v, size_t i, int k) const;

  int period_;
  int periods_back_;
};

class HoltWinters final : public Forecaster {
 public:
  HoltWinters(int period, bool damped) : period_(period), damped_(damped) {}
  std::string name() const override;
  Status Fit(const Series& history) override;
  std::vector<double> Forecast(const Series& history,
                               int horizon) const override;
  std::vector<double> Backtest(const Series& s, size_t from,
                               int h) const override;
  std::unique_ptr<ForecastCursor> Follow(const Series& history) const override;

  struct Params {
    double alpha = 0.2, beta = 0.01, gamma = 0.1, phi = 1.0;
  };
  const Params& params() const { return p_; }
  void set_params(const Params& p) { p_ = p; }
  int period() const { return period_; }

  // The smoothing state after some values: advanced one value at a time,
  // so a caller that receives a value a minute need not rerun the history.
  struct State {
    double level = 0, trend = 0;
    std::vector<double> season;
    size_t t = 0;      // values consumed
    size_t phase = 0;  // season slot of the next value (t mod period)
  };
  State Start(const Series& s) const;
  void Step(State& st, double y) const { Step(st, y, p_); }
  std::vector<double> ForecastFrom(const State& st, int h) const {
    return ForecastFrom(st, h, p_);
  }

 private:
  void Init(State& st, const Series& s) const;
  void Step(State& st, double y, const Params& p) const;
  std::vector<double> ForecastFrom(const State& st, int h,
                                   const Params& p) const;
  // Runs the recursions over s; calls at(i, forecast(i+1..i+h)) after each
  // origin i >= from.
  template <typename Fn>
  void Run(const Series& s, const Params& p, size_t from, int h, Fn at) const;
  int period_;
  bool damped_;
  Params p_;
  int fit_horizon_ = 10;
};

class XgbForecaster final : public Forecaster {
 public:
  XgbForecaster(int period, int horizon) : period_(period), horizon_(horizon) {}
  std::string name() const override;
  Status Fit(const Series& history) override;
  std::vector<double> Forecast(const Series& history,
                               int horizon) const override;
  std::vector<double> Backtest(const Series& s, size_t from,
                               int h) const override;

  static constexpr int kFeatures = 18;
  // The feature row for origin i predicting i + h.
  void Features(const Series& s, size_t i, int h, float* out) const;

 private:
  // The trees' change from origin i to i + horizon_ (needs a fitted model).
  double Change(const Series& s, size_t i) const;

  int period_;
  int horizon_;
  std::optional<TreeEnsemble> trees_;
};

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_MODELS_H_
