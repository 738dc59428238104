// Choosing and running a forecaster for a load series.
//
// SelectForecaster:
//   1. cold start: fewer than `min_history` known values -> FailedPrecondition
//      saying how much there is and how much is needed;
//   2. periods: hourly to weekly, confirmed from the data (period.h);
//   3. candidates: with a period, seasonal median (of three periods: a burst
//      is not echoed a period later), Holt-Winters (additive,
//      and damped trend) and XGBoost with seasonal lags; without one, only
//      short-horizon models: naive (last value), Holt's damped trend, XGBoost
//      on recent lags (plus a one-day lag feature once two days are known:
//      the trees ignore it when it does not help);
//   4. each candidate is fitted on all but the most recent cycle (one period,
//      at least `short_holdout` steps) and scored on that held-out
//      cycle by its mean absolute error at the working horizon; the best one
//      is kept as fitted (its state follows the whole series: ForecastCursor),
//      and every candidate that could be fitted is returned beside it with
//      its score and band (`fitted`): between two choices, live.h lets the
//      one with the lowest recent error forecast (each as fitted here:
//      none is fitted again on the held-out cycle);
//   5. its held-out residuals (actual - forecast) give the upper quantile:
//      upper = forecast + q(residuals), so a policy can ask for the load it is
//      `quantile` sure not to exceed.
//
// Thread-safety: stateless; the returned model is used read-only.
#ifndef PHAS_FORECAST_SELECT_H_
#define PHAS_FORECAST_SELECT_H_

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "forecast/models.h"
#include "forecast/period.h"

namespace phas::forecast {

struct ForecastOptions {
  // Steps ahead the forecast is judged at. Default: 10 (minutes).
  int horizon = 10;
  // Upper bound quantile. Default: 0.9.
  double quantile = 0.9;
  // Known values needed before any forecast. Default: 180 (3 hours).
  int min_history = 180;
  // Held-out stretch when no period is found, and the least one when the
  // shortest confirmed period is shorter. Default: 240 steps.
  int short_holdout = 240;
  // At most this much history is used. Default: 14 days of minutes.
  int max_history = 14 * kMinutesPerDay;
  // Candidate periods, in steps: 1, 2, 3, 4, 6, 8 and 12 hours (batch jobs,
  // cron, reports run on the clock), a day, a week. Each one's half and
  // third are tested beside it (period.h), so a multiple of a shorter cycle
  // is not confirmed as a cycle of its own.
  std::vector<int> periods = {
      60, 120, 180, 240, 360, 480, 720, kMinutesPerDay, kMinutesPerWeek};
  bool use_xgboost = true;
  // Horizons 1..residual_horizon of the chosen model's held-out residuals
  // to return in FittedForecast::holdout_residuals. Default: 0 (none).
  int residual_horizon = 0;
};

struct CandidateScore {
  std::string model;
  double mae = 0;
  double mape = 0;  // %, over held-out values > 0
};

// Residuals of a model's forecasts at several horizons from the same origins.
struct HorizonResiduals {
  size_t from = 0;  // the first origin (index into the series)
  // by_horizon[k - 1][j]: values[i + k] - (forecast of it made from
  // values[0..i]), for origin i = from + j, over the origins [from, size - 1);
  // NaN where either is missing or i + k is past the end.
  std::vector<std::vector<double>> by_horizon;
};

// A candidate as fitted on all but the held-out cycle, with its score there.
struct FittedCandidate {
  std::shared_ptr<Forecaster> model;
  double holdout_mae = 0;
  double upper_margin = 0;  // its residuals' quantile on the held-out cycle
};

struct FittedForecast {
  PeriodResult period;
  std::vector<CandidateScore> candidates;
  // Every candidate that could be fitted (never empty in a returned fit),
  // the chosen one at `chosen`.
  std::vector<FittedCandidate> fitted;
  size_t chosen = 0;
  // The chosen candidate: its model, held-out MAE, and the margin added to
  // its forecast for the upper bound.
  const std::shared_ptr<Forecaster>& model() const {
    return fitted[chosen].model;
  }
  double holdout_mae() const { return fitted[chosen].holdout_mae; }
  double upper_margin() const { return fitted[chosen].upper_margin; }
  std::string why;  // one line for logs
  // The chosen model's residuals on the held-out cycle (fitted without it),
  // for horizons 1..options.residual_horizon; empty when that is 0.
  HorizonResiduals holdout_residuals;
};

Result<FittedForecast> SelectForecaster(const Series& history,
                                        const ForecastOptions& options);

// The residuals of `model` (fitted) on `s` from origin `from`, for horizons
// 1..horizon (one Backtest per horizon).
HorizonResiduals BacktestResiduals(const Forecaster& model, const Series& s,
                                   size_t from, int horizon);

// The last `max_steps` of a series.
Series Tail(const Series& s, size_t max_steps);

// Quantile (0..1) of the known values, by linear interpolation.
double Quantile(std::vector<double> v, double q);

// MAE and MAPE of forecasts against actual values (pairs with a NaN or, for
// MAPE, an actual of 0 are left out).
CandidateScore Score(const std::string& name,
                     const std::vector<double>& forecast,
                     const std::vector<double>& actual);

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_SELECT_H_
