#include "sim/demand.h"

#include <algorithm>
#include <limits>

namespace phas {

DemandSeries::DemandSeries(std::vector<Sample> samples, Duration max_gap)
    : samples_(std::move(samples)), max_gap_(max_gap) {}

double DemandSeries::At(TimePoint t) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (samples_.empty() || t < samples_.front().time || t > samples_.back().time) return kNaN;
  auto it = std::upper_bound(samples_.begin(), samples_.end(), t,
                             [](TimePoint x, const Sample& s) { return x < s.time; });
  if (it == samples_.end()) return samples_.back().value;  // t == last sample
  const Sample& hi = *it;
  const Sample& lo = *(it - 1);
  if (hi.time - lo.time > max_gap_) return kNaN;
  if (std::isnan(lo.value) || std::isnan(hi.value)) return kNaN;
  double f = std::chrono::duration<double>(t - lo.time).count() /
             std::chrono::duration<double>(hi.time - lo.time).count();
  return lo.value + f * (hi.value - lo.value);
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
