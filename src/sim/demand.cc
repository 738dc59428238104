#include "sim/demand.h"

#include <algorithm>
#include <limits>

namespace phas {

DemandSeries::DemandSeries(std::vector<Sample> samples, Duration max_gap,
                           Duration step, std::vector<Duration> periods)
    : samples_(std::move(samples)),
      max_gap_(max_gap),
      step_(step),
      periods_(std::move(periods)) {}

double DemandSeries::At(TimePoint t) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (samples_.empty() || t < samples_.front().time) return kNaN;
  // The last sample at or before t.
  auto it =
      std::upper_bound(samples_.begin(), samples_.end(), t,
                       [](TimePoint x, const Sample& s) { return x < s.time; });
  const Sample& s = *(it - 1);
  const size_t i = static_cast<size_t>(it - 1 - samples_.begin());
  const Duration step = periods_.empty() ? step_ : periods_[i];
  const Duration max_gap = periods_.empty() ? max_gap_ : 3 * step;
  bool next_close = it != samples_.end() && it->time - s.time <= max_gap;
  if (!next_close && t >= s.time + step) return kNaN;
  return s.value;
}

double DemandSeries::Mean(TimePoint start, Duration len) const {
  constexpr auto kStep = std::chrono::seconds(10);
  double sum = 0;
  int n = 0;
  for (TimePoint t = start; t < start + len; t += kStep) {
    double v = At(t);
    if (std::isnan(v)) return v;
    sum += v;
    ++n;
  }
  return n ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

double DemandSeries::Peak() const {
  double p = 0;
  for (const Sample& s : samples_) {
    if (!std::isnan(s.value)) p = std::max(p, s.value);
  }
  return p;
}

}  // namespace phas
