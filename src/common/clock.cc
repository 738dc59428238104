#include "common/clock.h"

#include <chrono>
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

std::string FormatIso8601(TimePoint t) {
  // The calendar by arithmetic (every decision's reason and log line has a
  // time: gmtime_r and strftime cost ~1,500 instructions). A TimePoint
  // (nanoseconds in 64 bits) spans the years 1677-2262: four digits.
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const long long s = duration_cast<seconds>(floor<seconds>(t) - day).count();
  char buf[21] = "0000-00-00T00:00:00Z";
  auto put = [&](int at, int v, int width) {
    for (int i = at + width - 1; i >= at; --i, v /= 10) buf[i] = '0' + v % 10;
  };
  put(0, y, 4);
  put(5, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  put(8, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  put(11, static_cast<int>(s / 3600), 2);
  put(14, static_cast<int>(s / 60 % 60), 2);
  put(17, static_cast<int>(s % 60), 2);
  return std::string(buf, 20);
}
std::string FormatAmzDate(TimePoint t) { return Format(t, "%Y%m%dT%H%M%SZ"); }

namespace {

// The years a TimePoint (nanoseconds since 1970 in 64 bits) holds whole:
// converting a time outside them would overflow.
constexpr int kFirstYear = 1678, kLastYear = 2261;

// Days from 1970-01-01 to the civil date y-mo-d (Howard Hinnant's
// algorithm; linear in d, so a day past the month's end would run on into
// the next month: the caller checks d against DaysInMonth).
long long DaysFromCivil(int y, int mo, int d) {
  int yy = y - (mo <= 2);
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + doe - 719468;
}

// The days of month mo (1..12) of year y, in the Gregorian calendar.
int DaysInMonth(int y, int mo) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return mo == 2 && leap ? 29 : kDays[mo - 1];
}

}  // namespace

// One pass by hand, without sscanf or timegm: traces have hundreds of
// thousands of timestamps.
bool ParseIso8601(const std::string& text, TimePoint* out) {
  const char* p = text.c_str();
  // lo to hi digits at p, advancing it.
  auto digits = [&p](int lo, int hi, int* v) {
    int x = 0, n = 0;
    for (; n < hi && *p >= '0' && *p <= '9'; ++n, ++p) x = x * 10 + (*p - '0');
    *v = x;
    return n >= lo;
  };
  auto skip = [&p](char c) { return *p == c ? (++p, true) : false; };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  double frac = 0;
  if (!digits(4, 4, &y) || !skip('-') || !digits(1, 2, &mo) || !skip('-') ||
      !digits(1, 2, &d)) {
    return false;
  }
  const bool has_time = *p == 'T' || *p == 't' || *p == ' ';
  if (has_time) {
    ++p;
    if (!digits(1, 2, &h) || !skip(':') || !digits(1, 2, &mi)) return false;
    if (skip(':')) {  // seconds, with an optional fraction
      if (!digits(1, 2, &sec)) return false;
      if (skip('.')) {
        double scale = 0.1;
        if (*p < '0' || *p > '9') return false;
        for (; *p >= '0' && *p <= '9'; ++p, scale /= 10)
          frac += (*p - '0') * scale;
      }
    }
  }
  int offset_seconds = 0;
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (has_time && (*p == '+' || *p == '-')) {
    int sign = *p++ == '-' ? -1 : 1;
    int oh, om = 0;  // +HH, +HHMM or +HH:MM
    if (!digits(2, 2, &oh)) return false;
    if (*p != '\0') {
      skip(':');
      if (!digits(2, 2, &om)) return false;
    }
    if (oh > 23 || om > 59) return false;
    offset_seconds = sign * (oh * 3600 + om * 60);
  }
  if (p != text.data() + text.size()) return false;  // more, or a NUL in it
  if (y < kFirstYear || y > kLastYear || mo < 1 || mo > 12 || d < 1 ||
      d > DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 60) {
    return false;
  }
  long long whole = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                    offset_seconds;
  *out = FromUnixSeconds(static_cast<double>(whole) + frac);
  return true;
}

bool ParseHttpDate(const std::string& text, TimePoint* out) {
  struct tm tm {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return false;
  *out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

}  // namespace phas
