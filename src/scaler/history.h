// LoadHistory: a group's per-minute load (instance-units), kept for the
// policies that forecast (aws-predictive, predictive). Appended from each
// cycle's metrics (each minute once), bounded to `keep` (default 15 days).
//
// Thread-safety: one thread (the loop's); the shared vector is read by
// policies during that thread's Decide.
#ifndef PHAS_SCALER_HISTORY_H_
#define PHAS_SCALER_HISTORY_H_

#include <memory>
#include <vector>

#include "decision/types.h"

namespace phas {

class LoadHistory {
 public:
  explicit LoadHistory(Duration keep = std::chrono::hours(24 * 15));
  // Appends the points newer than the newest held; returns them.
  std::vector<MetricSample> Add(const std::vector<MetricSample>& points);
  std::shared_ptr<const std::vector<MetricSample>> points() const {
    return points_;
  }
  size_t size() const { return points_->size(); }

 private:
  Duration keep_;
  std::shared_ptr<std::vector<MetricSample>> points_;
};

}  // namespace phas

#endif  // PHAS_SCALER_HISTORY_H_
