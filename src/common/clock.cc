#include "common/clock.h"

#include <chrono>
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

// "YYYY-MM-DDTHH:MM:SS" with an optional ".fff" and "Z": the common shape,
// parsed without sscanf (traces have hundreds of thousands of them).
bool ParseIsoFast(const std::string& t, TimePoint* out) {
  auto digits = [&](size_t pos, size_t n, int* v) {
    if (pos + n > t.size()) return false;
    int x = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      x = x * 10 + (t[i] - '0');
    }
    *v = x;
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':' ||
      !digits(0, 4, &y) || !digits(5, 2, &mo) || !digits(8, 2, &d) ||
      !digits(11, 2, &h) || !digits(14, 2, &mi) || !digits(17, 2, &sec)) {
    return false;
  }
  size_t pos = 19;
  double frac = 0;
  if (t[pos] == '.') {
    double scale = 0.1;
    if (pos + 1 >= t.size() || t[pos + 1] < '0' || t[pos + 1] > '9')
      return false;
    for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9';
         ++pos, scale /= 10) {
      frac += (t[pos] - '0') * scale;
    }
  }
  if (pos + 1 != t.size() || (t[pos] != 'Z' && t[pos] != 'z')) return false;
  if (y < kFirstYear || y > kLastYear || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || sec > 60)
    return false;
  // Days from civil (Howard Hinnant's algorithm).
  int yy = y - (mo <= 2);
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long long days = static_cast<long long>(era) * 146097 + doe - 719468;
  *out = FromUnixSeconds(
      static_cast<double>(days * 86400 + h * 3600 + mi * 60 + sec) + frac);
  return true;
}

}  // namespace

bool ParseIso8601(const std::string& text, TimePoint* out) {
  if (ParseIsoFast(text, out)) return true;
  const char* p = text.c_str();
  // lo to hi digits at p, advancing it.
  auto digits = [&p](int lo, int hi, int* v) {
    int x = 0, n = 0;
    for (; n < hi && *p >= '0' && *p <= '9'; ++n, ++p) x = x * 10 + (*p - '0');
    *v = x;
    return n >= lo;
  };
  auto skip = [&p](char c) { return *p == c ? (++p, true) : false; };
  int y, mo, d, h = 0, mi = 0;
  double sec = 0;
  if (!digits(4, 4, &y) || !skip('-') || !digits(1, 2, &mo) || !skip('-') ||
      !digits(1, 2, &d)) {
    return false;
  }
  const bool has_time = *p == 'T' || *p == 't' || *p == ' ';
  if (has_time) {
    ++p;
    if (!digits(1, 2, &h) || !skip(':') || !digits(1, 2, &mi)) return false;
    if (skip(':')) {  // seconds, with an optional fraction
      int whole;
      if (!digits(1, 2, &whole)) return false;
      sec = whole;
      if (skip('.')) {
        double scale = 0.1;
        if (*p < '0' || *p > '9') return false;
        for (; *p >= '0' && *p <= '9'; ++p, scale /= 10)
          sec += (*p - '0') * scale;
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
  if (y < kFirstYear || y > kLastYear || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || sec >= 61) {
    return false;
  }
  struct tm tm {};
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
  struct tm tm {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return false;
  *out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

}  // namespace phas
