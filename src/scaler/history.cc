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

size_t LoadHistory::DropAfter(TimePoint now) {
  if (held_ && held_->time > now) held_.reset();
  auto it = std::upper_bound(
      points_->begin(), points_->end(), now,
      [](TimePoint t, const MetricSample& s) { return t < s.time; });
  const size_t n = static_cast<size_t>(points_->end() - it);
  if (n > 0) {
    // A new vector: the policies may hold the old one (points()).
    points_ = std::make_shared<std::vector<MetricSample>>(points_->begin(), it);
  }
  return n;
}

std::vector<MetricSample> LoadHistory::AddRead(
    std::vector<MetricSample> read,
    const std::vector<TimePoint>& in_service_since) {
  // The minute held back last time, out of this read's window: as last
  // read, before this read's minutes (the newest of them, if newer).
  if (held_ &&
      std::none_of(read.begin(), read.end(), [&](const MetricSample& p) {
        return p.time == held_->time;
      })) {
    read.insert(std::upper_bound(read.begin(), read.end(), held_->time,
                                 [](TimePoint t, const MetricSample& p) {
                                   return t < p.time;
                                 }),
                *held_);
  }
  std::vector<MetricSample> settled = SettledLoad(read, in_service_since);
  held_.reset();
  if (settled.size() < read.size()) held_ = read.back();
  return Add(settled);
}

std::optional<std::pair<TimePoint, TimePoint>> LoadHistory::Missing(
    TimePoint read_from) const {
  if (points_->empty()) return std::nullopt;
  const TimePoint next = points_->back().time + std::chrono::minutes(1);
  const bool held_next = held_ && held_->time == next;
  if (read_from <= next + (held_next ? std::chrono::minutes(1) : Duration{})) {
    return std::nullopt;
  }
  return std::pair{next, read_from};
}

std::vector<MetricSample> SettledLoad(
    const std::vector<MetricSample>& load,
    const std::vector<TimePoint>& in_service_since) {
  std::vector<MetricSample> out = load;
  if (out.empty()) return out;
  const TimePoint newest = out.back().time;
  const auto expected =
      std::count_if(in_service_since.begin(), in_service_since.end(),
                    [&](TimePoint since) { return since <= newest; });
  if (out.back().instances < expected) out.pop_back();
  return out;
}

}  // namespace phas
