// Synthetic series with known shapes, shared by the forecasting tests
// (forecast_test.cc, forecast_provider_test.cc).
#ifndef PHAS_TESTS_UNIT_FORECAST_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_FORECAST_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <functional>

#include "forecast/series.h"
#include "test_util.h"

namespace phas::testing {

inline constexpr double kPi = 3.14159265358979323846;

// n minutes of f(minute), from kStart.
inline forecast::Series Make(int n, const std::function<double(int)>& f) {
  forecast::Series s;
  s.start = kStart;
  for (int i = 0; i < n; ++i) s.values.push_back(f(i));
  return s;
}

// A daily sine: 10 + 5 sin(2 pi t / 1 day).
inline double Sine(int i) { return 10 + 5 * std::sin(2 * kPi * i / 1440.0); }

// A weekly pattern: weekdays follow a daily shape, weekends are flat and low.
inline double Weekly(int i) {
  int day = (i / 1440) % 7;
  double daily = 8 + 6 * std::sin(2 * kPi * (i % 1440) / 1440.0);
  return day >= 5 ? 2.0 : daily;
}

// A deterministic jitter in [-a, a].
inline double Jitter(int i, double a) {
  uint64_t z = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
  z ^= z >> 31;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 29;
  return a * (static_cast<double>(z % 2001) / 1000.0 - 1.0);
}

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_FORECAST_TEST_UTIL_H_
