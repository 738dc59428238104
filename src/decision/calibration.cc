#include "decision/calibration.h"

#include <algorithm>
#include <cmath>

namespace phas {

WindowCalibration Calibrate(WindowCalibration c, double actual_max,
                            double forecast_max, double bound) {
  double r = actual_max - forecast_max;
  // The first outcomes are averaged plainly, then the memory is fixed.
  double w = std::max(1.0 / (c.outcomes + 1), 1.0 / kCalibrationMemory);
  // Robust: a burst far outside the usual error moves the estimates by a
  // bounded step (six spreads), not by its whole size.
  if (c.outcomes > 0 && c.spread > 0) {
    r = std::clamp(r, c.bias - 6 * c.spread, c.bias + 6 * c.spread);
  }
  c.bias += w * (r - c.bias);
  c.spread += w * (std::fabs(r - c.bias) - c.spread);
  c.exceeded += w * ((actual_max > bound ? 1.0 : 0.0) - c.exceeded);
  ++c.outcomes;
  return c;
}

std::optional<double> MaxOver(const std::vector<MetricSample>& history,
                              TimePoint from, TimePoint until) {
  auto it = std::lower_bound(
      history.begin(), history.end(), from,
      [](const MetricSample& s, TimePoint t) { return s.time < t; });
  double best = 0;
  long seen = 0;
  for (; it != history.end() && it->time <= until; ++it) {
    if (std::isnan(it->value)) continue;
    best = seen ? std::max(best, it->value) : it->value;
    ++seen;
  }
  long minutes = (until - from) / std::chrono::minutes(1) + 1;
  if (seen == 0 || 2 * seen < minutes) return std::nullopt;
  return best;
}

double AdaptMargin(double margin, bool short_minute, double slo) {
  double m = margin + MarginControl::kStep * ((short_minute ? 1.0 : 0.0) - slo);
  return std::clamp(m, MarginControl::kLow, MarginControl::kHigh);
}

}  // namespace phas
