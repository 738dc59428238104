// Period detection: does the series repeat, and at which of the candidate
// periods (hourly to weekly: forecast/select.h)?
//
// As Crane's DSP predictor does (gocrane/crane, pkg/prediction/dsp), a
// candidate period is confirmed against a shuffled baseline: the series'
// autocorrelation at the period lag must exceed every autocorrelation the
// same values reach once shuffled (fixed seed: the same answer every time).
// Two guards against what fools a plain autocorrelation test: the series is
// first averaged to 10-minute buckets (minute noise), and the correlation at
// the period must also beat the correlation at half the period, and at a
// third when it divides, by a margin (a trend or a level shift correlates at
// every lag, a cycle does not; a multiple of a shorter cycle correlates at
// that cycle). At least two whole periods and six hours of data are
// needed.
//
// Thread-safety: stateless.
#ifndef PHAS_FORECAST_PERIOD_H_
#define PHAS_FORECAST_PERIOD_H_

#include <string>
#include <vector>

#include "forecast/series.h"

namespace phas::forecast {

struct PeriodResult {
  int period_steps = 0;        // the longest confirmed period; 0: none
  std::vector<int> confirmed;  // every confirmed candidate, longest first
  double acf = 0;              // autocorrelation at the period
  double baseline = 0;         // the highest shuffled autocorrelation
  double half = 0;  // autocorrelation at half the period (or a third: higher)
  std::string why;
};

// Autocorrelation of `v` at `lag`, over the pairs with both values known.
double Autocorrelation(const std::vector<double>& v, size_t lag);

// Tests each candidate (in steps of the series); period_steps is the longest
// confirmed one, `confirmed` lists them all.
PeriodResult DetectPeriod(const Series& s, const std::vector<int>& candidates,
                          int shuffles = 20, uint64_t seed = 1);

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_PERIOD_H_
