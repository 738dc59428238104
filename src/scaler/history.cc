#include "scaler/history.h"

#include <algorithm>

namespace phas {

LoadHistory::LoadHistory(Duration keep)
    : keep_(keep), points_(std::make_shared<std::vector<MetricSample>>()) {}

std::vector<MetricSample> LoadHistory::Add(
    const std::vector<MetricSample>& points) {
  std::vector<MetricSample> added;
  for (const MetricSample& p : points) {
    if (!points_->empty() && p.time <= points_->back().time) continue;
    points_->push_back(p);
    added.push_back(p);
  }
  // Trim a day at a time, so appends stay amortized O(1).
  if (!points_->empty() && points_->back().time - points_->front().time >
                               keep_ + std::chrono::hours(24)) {
    TimePoint cut = points_->back().time - keep_;
    auto it = std::lower_bound(
        points_->begin(), points_->end(), cut,
        [](const MetricSample& s, TimePoint t) { return s.time < t; });
    points_->erase(points_->begin(), it);
  }
  return added;
}

}  // namespace phas
