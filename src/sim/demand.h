// DemandSeries: the load a simulated group must serve, in instance-units
// (1.0 = the work one instance does at 100% CPU), as a function of time.
//
// Built from samples at any step. A sample is the load over the interval
// that starts at its timestamp (traces count requests per minute,
// passengers per 30 minutes), so its value holds until the next sample when
// that comes within `max_gap`: short gaps hold the last value. After a longer
// gap, and after the last sample, a sample covers one `step` and the rest is
// "no data" (NaN), as is everything before the first sample.
// docs/backtest.md documents the rule.
//
// Thread-safety: immutable after construction.
#ifndef PHAS_SIM_DEMAND_H_
#define PHAS_SIM_DEMAND_H_

#include <cmath>
#include <vector>

#include "cloud/sim_demand.h"
#include "common/clock.h"

namespace phas {

class DemandSeries final : public SimDemand {
 public:
  struct Sample {
    TimePoint time;
    double value;
  };
  // Samples must be sorted by time. `max_gap`: the longest interval that is
  // still interpolated. Default: twice the median step (set by the caller).
  // `periods`, when given, parallel to `samples`: each sample's own step
  // (and 3x it its own max gap), for series whose step changes.
  DemandSeries(std::vector<Sample> samples, Duration max_gap, Duration step,
               std::vector<Duration> periods = {});

  // Demand at t, or NaN when t falls in a gap or outside the series.
  double At(TimePoint t) const;
  // Mean of At() over [start, start + len), sampled every 10 s; NaN when
  // any part of the interval is no-data.
  double Mean(TimePoint start, Duration len) const override;
  double Peak() const;

  TimePoint start() const {
    return samples_.empty() ? TimePoint() : samples_.front().time;
  }
  TimePoint end() const {
    return samples_.empty() ? TimePoint() : samples_.back().time;
  }
  const std::vector<Sample>& samples() const { return samples_; }
  Duration max_gap() const { return max_gap_; }

 private:
  std::vector<Sample> samples_;
  Duration max_gap_;
  Duration step_;
  std::vector<Duration> periods_;
};

}  // namespace phas

#endif  // PHAS_SIM_DEMAND_H_
