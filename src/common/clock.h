// Clock: where phas gets the time and waits, so that the same code runs on
// real time (SystemClock) and on virtual time (ManualClock: tests and the
// simulator).
//
// Thread-safety: SystemClock is stateless. ManualClock is safe to use from
// several threads (its time is atomic); SleepFor on it advances the time
// instead of blocking.
#ifndef PHAS_COMMON_CLOCK_H_
#define PHAS_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace phas {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;
using Seconds = std::chrono::duration<double>;

// Per-minute series (CloudWatch's finest period) index days and weeks by
// these.
inline constexpr int kMinutesPerDay = 24 * 60;
inline constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Blocks (real clock) or advances (virtual clock) by `d`.
  virtual void SleepFor(Duration d) = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  void SleepFor(Duration d) override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start)
      : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  void SleepFor(Duration d) override { Advance(d); }
  void Advance(Duration d) { now_.fetch_add(d.count()); }
  void Set(TimePoint t) { now_.store(t.time_since_epoch().count()); }

 private:
  std::atomic<Duration::rep> now_;
};

// t rounded down to a whole unit since the epoch (minute, hour, ...).
template <typename Unit>
TimePoint FloorTo(TimePoint t) {
  return TimePoint(std::chrono::duration_cast<Duration>(
      std::chrono::floor<Unit>(t.time_since_epoch())));
}
inline TimePoint FloorMinute(TimePoint t) {
  return FloorTo<std::chrono::minutes>(t);
}
// Minutes since the Unix epoch of the minute `t` falls in, and back: a
// compact key for per-minute maps.
inline int64_t UnixMinute(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::minutes>(
             FloorMinute(t).time_since_epoch())
      .count();
}
inline TimePoint FromUnixMinute(int64_t m) {
  return TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::minutes(m)));
}

// Seconds since the Unix epoch, as a double.
double ToUnixSeconds(TimePoint t);
TimePoint FromUnixSeconds(double s);

// "2026-11-28T04:12:14Z" (seconds precision, UTC).
std::string FormatIso8601(TimePoint t);
// "20261128T041214Z", the SigV4 X-Amz-Date form.
std::string FormatAmzDate(TimePoint t);
// Parses ISO-8601 timestamps: "2026-11-28T04:12:14Z", with optional
// fractional seconds, a space instead of 'T', the seconds or the whole time
// left out ("2026-11-28T04:12Z", "2026-11-28Z": 00), and an offset instead
// of 'Z' ("+01:00", "+0100", "+01", after a time of day). Years 1678 to
// 2261 (what a TimePoint holds). Returns false when the text is not one.
bool ParseIso8601(const std::string& text, TimePoint* out);
// Parses an HTTP Date header ("Sat, 28 Nov 2026 04:12:14 GMT").
bool ParseHttpDate(const std::string& text, TimePoint* out);

}  // namespace phas

#endif  // PHAS_COMMON_CLOCK_H_
