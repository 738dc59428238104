// Walk-forward evaluation of forecasters on a series: day by day, each model
// is fitted on the days before (up to 14) and forecasts that day at the
// working horizon from every minute; errors are pooled over all days. The
// same protocol for every model, seasonal naive included, so the numbers
// compare (docs/benchmarks.md, "Forecast error").
//
// Thread-safety: stateless.
#ifndef PHAS_FORECAST_EVALUATE_H_
#define PHAS_FORECAST_EVALUATE_H_

#include <string>
#include <vector>

#include "forecast/select.h"

namespace phas::forecast {

struct EvalOptions {
  int horizon = 10;        // steps ahead
  int train_days = 14;     // at most, before each evaluated day
  int min_train_days = 2;  // days before the first evaluated day
  int max_eval_days = 14;  // the last days of the series at most
};

struct EvalResult {
  std::vector<CandidateScore>
      models;  // includes "auto" (SelectForecaster's, then live.h's choice)
  int days = 0;
  // The evaluated minutes with data (a forecast is scored against each).
  size_t minutes_with_data = 0;
  std::string period;  // what was detected on the full series
};

EvalResult EvaluateForecasters(const Series& s, const EvalOptions& options);

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_EVALUATE_H_
