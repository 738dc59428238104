// LoadHistory: a group's per-minute load (instance-units), kept for the
// policies that forecast (aws-predictive, predictive). Appended from each
// metrics read (each minute once, whole where the reads allow), bounded to
// `keep` (default 15 days).
//
// Thread-safety: one thread (the loop's); the shared vector is read by
// policies during that thread's Decide.
#ifndef PHAS_SCALER_HISTORY_H_
#define PHAS_SCALER_HISTORY_H_

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "decision/types.h"

namespace phas {

class LoadHistory {
 public:
  explicit LoadHistory(Duration keep = std::chrono::hours(24 * 15));
  // Appends the points newer than the newest kept; returns them.
  std::vector<MetricSample> Add(const std::vector<MetricSample>& points);
  // As Add, for a read of the group's latest minutes (GroupMetrics::load):
  // a newest minute SettledLoad holds back waits for the next read, which
  // keeps it as read again, or, when that read's window no longer has it,
  // as read now, once a newer minute has come.
  std::vector<MetricSample> AddRead(
      std::vector<MetricSample> read,
      const std::vector<TimePoint>& in_service_since);
  // The minutes a read starting at `read_from` leaves out after the newest
  // kept (after reads that failed for longer than their window, say):
  // [first, read_from), from the newest kept's next minute (a minute held
  // back there is fetched whole with them); nullopt when only the held
  // minute, or nothing, is missing, or nothing is kept.
  std::optional<std::pair<TimePoint, TimePoint>> Missing(
      TimePoint read_from) const;
  // Drops the minutes after `now` (and a held minute after it): kept by a
  // clock that has gone back since, they would stay the newest, and every
  // minute read until the clock caught up would be refused as older.
  // Returns how many were dropped.
  size_t DropAfter(TimePoint now);
  std::shared_ptr<const std::vector<MetricSample>> points() const {
    return points_;
  }
  size_t size() const { return points_->size(); }

 private:
  Duration keep_;
  std::shared_ptr<std::vector<MetricSample>> points_;
  std::optional<MetricSample> held_;  // held back by the last AddRead
};

// The minutes of `load` (GroupMetrics::load) the load history may keep for
// good: all but a newest minute that fewer instances reported than were
// InService through it (`in_service_since`: when the loop first saw each of
// the group's InService instances so). Each instance publishes its minute
// on its own; a minute read before all have would be kept short of the load
// they served. Held back, it is read again next time, and kept once
// complete or once a newer minute has come.
std::vector<MetricSample> SettledLoad(
    const std::vector<MetricSample>& load,
    const std::vector<TimePoint>& in_service_since);

}  // namespace phas

#endif  // PHAS_SCALER_HISTORY_H_
