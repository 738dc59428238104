// Series: a regularly sampled time series (one value per step, NaN where
// there is no data), the input of every forecaster.
//
// Thread-safety: plain values and stateless functions.
#ifndef PHAS_FORECAST_SERIES_H_
#define PHAS_FORECAST_SERIES_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "common/clock.h"

namespace phas::forecast {

struct Series {
  TimePoint start;  // time of values[0]
  Duration step = std::chrono::minutes(1);
  std::vector<double> values;

  size_t size() const { return values.size(); }
  TimePoint TimeAt(size_t i) const {
    return start + step * static_cast<int64_t>(i);
  }
  // Values that are not NaN.
  size_t Known() const;
};

// Deterministic pseudo-random numbers (splitmix64) for the places a
// forecaster needs them (shuffled baselines): the seed is always explicit.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t s_;
};

}  // namespace phas::forecast

#endif  // PHAS_FORECAST_SERIES_H_
