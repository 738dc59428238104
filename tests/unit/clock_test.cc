// Times as text (common/clock.h).
#include "common/clock.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace phas {
namespace {

std::string Strftime(long long secs) {
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The arithmetic calendar agrees with gmtime_r + strftime: the epoch, leap
// days, centuries, the last second of a year, times before 1970, a spread
// of instants over three centuries, and fractions of a second dropped.
TEST(ClockTest, FormatIso8601IsTheCalendar) {
  EXPECT_EQ(FormatIso8601(FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(FromUnixSeconds(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatIso8601(FromUnixSeconds(1767225599.999)),
            "2025-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601(FromUnixSeconds(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601(FromUnixSeconds(-1.5)), "1969-12-31T23:59:58Z");
  for (long long s = -2'208'988'800;  // 1900
       s < 7'258'118'400;             // 2200
       s += 86'400 * 37 + 3'671) {
    ASSERT_EQ(FormatIso8601(TimePoint(std::chrono::seconds(s))), Strftime(s))
        << s;
  }
  // The ends of what a TimePoint holds (1677 and 2262).
  for (long long s : {-9'223'372'036LL, 9'223'372'035LL}) {
    EXPECT_EQ(FormatIso8601(TimePoint(std::chrono::seconds(s))), Strftime(s));
  }
}

}  // namespace
}  // namespace phas
