#include "forecast/series.h"

#include <algorithm>
#include <limits>

namespace phas::forecast {

size_t Series::Known() const {
  size_t n = 0;
  for (double v : values) n += std::isnan(v) ? 0 : 1;
  return n;
}

Series FromSamples(const std::vector<MetricSample>& samples, Duration step) {
  Series s;
  s.step = step;
  if (samples.empty()) return s;
  TimePoint first = samples.front().time, last = samples.front().time;
  for (const MetricSample& m : samples) {
    first = std::min(first, m.time);
    last = std::max(last, m.time);
  }
  s.start = first;
  size_t n = static_cast<size_t>((last - first) / step) + 1;
  s.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  for (const MetricSample& m : samples) {
    size_t i = static_cast<size_t>((m.time - first + step / 2) / step);
    if (i < n) s.values[i] = m.value;
  }
  return s;
}

}  // namespace phas::forecast
