#include "common/clock.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

namespace phas {

void SystemClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

double ToUnixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(double s) {
  return TimePoint(std::chrono::duration_cast<Duration>(Seconds(s)));
}

namespace {

std::string Format(TimePoint t, const char* fmt) {
  time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::floor<std::chrono::seconds>(t));
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), fmt, &tm);
  return buf;
}

}  // namespace

std::string FormatIso8601(TimePoint t) { return Format(t, "%Y-%m-%dT%H:%M:%SZ"); }
std::string FormatAmzDate(TimePoint t) { return Format(t, "%Y%m%dT%H%M%SZ"); }

bool ParseIso8601(const std::string& text, TimePoint* out) {
  int y, mo, d, h, mi, n = 0;
  double sec;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%lf%n", &y, &mo, &d, &h,
                  &mi, &sec, &n) != 6) {
    return false;
  }
  const char* rest = text.c_str() + n;
  int offset_seconds = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int oh = 0, om = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset_seconds = (oh * 3600 + om * 60) * (*rest == '-' ? -1 : 1);
    rest += 6;
  } else if (*rest != '\0') {
    return false;
  }
  if (*rest != '\0') return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 ||
      sec >= 61) {
    return false;
  }
  struct tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  time_t base = timegm(&tm);
  *out = FromUnixSeconds(static_cast<double>(base) + sec - offset_seconds);
  return true;
}

bool ParseHttpDate(const std::string& text, TimePoint* out) {
  struct tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return false;
  *out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

}  // namespace phas
