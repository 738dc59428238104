// LiveChoice: between two choices of a forecaster (select.h), every
// candidate fitted at the choice follows the series, and each is scored as
// its forecasts come true: its absolute error at the working horizon,
// averaged with a half-life (default 6 hours) and started from its held-out
// score. The forecast is the candidate's with the lowest, among those that
// give one (a score that is not finite starts from the first error). The
// held-out scores start the race, and the chosen one's is the lowest of
// several noisy scores: the incumbent is favoured at first. A choice made on
// the last day's errors holds for the next day; a load that changes its
// kind within that day (a weekend after a week of office hours, a level
// that shifts) is followed within hours instead of at the next choice.
//
//   LiveChoice live(fit, series, {});
//   series.values.push_back(y); live.Append(y);   // each new value
//   const std::vector<double>& f = live.Forecast(12);
//
// Pure: values in, forecast out; no clock. The series must outlive it and
// grow only by the values given to Append (the candidates' cursors read it).
//
// Thread-safety: one thread.
#ifndef PHAS_FORECAST_LIVE_H_
#define PHAS_FORECAST_LIVE_H_

#include <memory>
#include <string>
#include <vector>

#include "forecast/select.h"

namespace phas::forecast {

struct LiveChoiceOptions {
  // Steps ahead each candidate is scored at: the working horizon the
  // choice scored them at. Default: 10.
  int horizon = 10;
  // Half-life of the errors' average, in steps. Long against the noise of
  // one error (360 of them), short against the day between two choices.
  // Default: 360 (6 hours of minutes).
  int half_life = 360;
};

class LiveChoice {
 public:
  LiveChoice(const FittedForecast& fit, const Series& series,
             LiveChoiceOptions options);

  // The series' next value (NaN for a missing one), already appended to the
  // series: each candidate's forecast of it is scored, and its cursor moves.
  void Append(double y);
  // The forecast of the `horizon` values after the newest, by the candidate
  // with the lowest recent error; computed once per new value (each
  // candidate forecasts then, and what it says `options.horizon` steps ahead
  // is kept to be scored; values appended between two calls are not
  // forecast from, so not scored).
  const std::vector<double>& Forecast(int horizon);

  // The candidate forecasting, its recent error, and its held-out quantile
  // (the band before any outcome calibrates one).
  size_t active() const { return active_; }
  double recent_mae(size_t candidate) const;
  double upper_margin() const;
  const std::string& name() const;
  // "xgboost-1440" while the choice stands; once another candidate
  // forecasts, "naive forecasts, for 42 steps (recent error 0.070 against
  // xgboost-1440's 0.251; band 0.111)".
  std::string Describe() const;

 private:
  struct Candidate {
    std::shared_ptr<Forecaster> model;
    std::string name;
    double upper_margin = 0;
    std::unique_ptr<ForecastCursor> cursor;
    double recent_mae = 0;
    std::vector<double> pending;   // its forecasts, by target step % horizon
    std::vector<double> forecast;  // its latest (the active's: whole)
    double ahead = 0;              // ... options.horizon steps ahead
  };
  LiveChoiceOptions o_;
  double alpha_;  // the average's weight of a new error
  std::vector<Candidate> c_;
  size_t chosen_ = 0;
  size_t active_ = 0;
  size_t steps_ = 0;        // the series' length
  size_t forecast_at_ = 0;  // the length the forecasts were made at + 1
  size_t since_ = 0;        // the length when active_ began forecasting
  std::vector<double> out_;
};

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_LIVE_H_
