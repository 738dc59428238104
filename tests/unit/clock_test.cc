// Times as text (common/clock.h).
#include "common/clock.h"

#include <gtest/gtest.h>

#include <ctime>
#include <initializer_list>
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

// The forms a trace or an API writes its times in, each to the same instant
// (2024-03-05T06:07:08Z, or that minute / day), and texts that are not one.
TEST(ClockTest, ParseIso8601ReadsTheCommonFormsAndRefusesTheRest) {
  const double kSecond = 1709618828;  // 2024-03-05T06:07:08Z
  const double kMinute = kSecond - 8, kDay = kSecond - 6 * 3600 - 7 * 60 - 8;
  struct Case {
    const char* text;
    double unix_seconds;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"2024-03-05T06:07:08Z", kSecond},
           {"2024-03-05T06:07:08.250Z", kSecond + 0.25},
           {"2024-03-05 06:07:08Z", kSecond},
           {"2024-03-05T06:07:08", kSecond},
           {"2024-03-05T06:07:08+00:00", kSecond},
           {"2024-03-05T07:07:08+01:00", kSecond},
           {"2024-03-05T07:07:08+0100", kSecond},
           {"2024-03-05T07:07:08+01", kSecond},
           {"2024-03-05T01:37:08-04:30", kSecond},
           {"2024-03-05T06:07Z", kMinute},
           {"2024-03-05 06:07", kMinute},
           {"2024-3-5 6:07:08", kSecond},
           {"2024-03-05", kDay},
           {"2024-03-05Z", kDay},
           // The fraction on the slow path ('t', an offset) as on the fast.
           {"2024-03-05t06:07:08.125Z", kSecond + 0.125},
           {"2024-03-05T06:07:08.125+00:00", kSecond + 0.125},
           {"2024-03-05T06:07:60Z", kSecond + 52},  // a leap second
           {"1678-01-01T00:00:00Z", -9214560000},
           {"2261-12-31T23:59:59Z", 9214646399},
           // Leap days: every 4th year, and a 400th though a century.
           {"2024-02-29T00:00:00Z", 1709164800},
           {"2000-02-29", 951782400},
       }) {
    TimePoint t;
    ASSERT_TRUE(ParseIso8601(c.text, &t)) << c.text;
    EXPECT_EQ(t, FromUnixSeconds(c.unix_seconds)) << c.text;
  }
  // The last four: days past the month's end (they ran on into the next
  // month), in and out of leap years.
  for (const char* bad : {"",
                          "2024",
                          "2024-03",
                          "2024-13-05T00:00:00Z",
                          "2024-03-05T24:00Z",
                          "2024-03-05T06:60Z",
                          "2024-03-05T06:07:08ZZ",
                          "2024-03-05T06:07:08+1",
                          "2024-03-05T06:07:08+01:0",
                          "2024-03-05T06:07:08+25:00",
                          "2024-03-05T06:07:08.Z",
                          "2024-03-05T06",
                          "2024-03-05T06:07:08 x",
                          "24-03-05T06:07:08Z",
                          "2024/03/05 06:07:08",
                          "yesterday",
                          "2024-03-05T06:07:61Z",
                          "2024-03-05+01",
                          "2024-03-05-01",
                          "1677-12-31T23:59:59Z",
                          "2262-01-01T00:00:00Z",
                          "9999-01-01",
                          "2024-02-30T00:00:00Z",
                          "2023-02-29",
                          "1900-02-29",
                          "2024-04-31T12:00Z"}) {
    TimePoint t;
    EXPECT_FALSE(ParseIso8601(bad, &t)) << bad;
  }
  // What follows a NUL is not ignored.
  TimePoint t;
  EXPECT_FALSE(ParseIso8601(std::string("2024-03-05T06:07:08Z\0x", 22), &t));
  EXPECT_FALSE(ParseIso8601(std::string("2024-03-05\0x", 12), &t));
}

}  // namespace
}  // namespace phas
