#include "sim/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string_view>

#include "common/file_util.h"
#include "common/text.h"

namespace phas {
namespace {

// A field without the spaces and tabs around it, and the carriage return
// of a CRLF line.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A field as an error shows it: trimmed (a CRLF line's '\r' sent the
// terminal's cursor back over the message), at most 40 characters, and
// every byte that is not printable ASCII (an escape sequence, a file not
// in UTF-8) as \xNN.
std::string Shown(std::string_view field) {
  constexpr size_t kMost = 40;
  std::string_view s = Trim(field);
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMost; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > kMost) out += "...";
  return out;
}

bool ParseNumber(std::string_view field, double* out) {
  std::string_view s = Trim(field);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() &&
         std::isfinite(*out);
}

// A value a CSV writer puts where a sample is missing: nothing, NaN, null,
// NA, N/A or None (any case).
bool IsMissing(std::string_view field) {
  std::string t = AsciiLower(Trim(field));
  return t.empty() || t == "nan" || t == "null" || t == "na" || t == "n/a" ||
         t == "none";
}

// Epoch seconds a TimePoint holds (nanoseconds in 64 bits: 1678..2262);
// converting a larger number would overflow.
constexpr double kMaxEpochSeconds = 9e9;

// The longest a trace may span, first row to last: 730 days. `phas history`
// writes at most 455 days (what CloudWatch keeps) and public traces run days
// to months; a replay and a forecast walk every minute of the span, so one
// mistyped timestamp (a year 2252 among 2023's) would ask for centuries of
// minutes and exhaust memory. 730 days (NYC taxi's 215 replay in 14 s) is
// about a minute's replay.
constexpr int kMaxSpanDays = 730;

// The largest value a sample may hold: 1e15 is far above any load a trace
// records (requests a minute, bytes, CPU %: Azure's trace peaks near 1e7),
// and far below where the sums of smoothing and scoring overflow to inf.
constexpr double kMaxValue = 1e15;

// A row's period_seconds, from 1 s to a day: `phas history` writes 60, 300
// or 3600; a row of more than a day is not a per-minute replay's, and a huge
// one overflows the conversion to nanoseconds.
constexpr double kMaxPeriodSeconds = 86400;

// A first field that starts like a number (a digit, or a sign or point and
// a digit) is data, however unreadable: a header names its columns, so a
// mistyped first row is refused, not taken for a header and lost.
bool LooksLikeData(std::string_view field) {
  std::string_view s = Trim(field);
  if (!s.empty() && (s[0] == '+' || s[0] == '-' || s[0] == '.')) {
    s.remove_prefix(1);
  }
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
}

bool ParseTime(const std::string& s, TimePoint* out) {
  double secs;
  if (ParseNumber(s, &secs)) {
    if (std::fabs(secs) > kMaxEpochSeconds) return false;
    *out = FromUnixSeconds(secs);
    return true;
  }
  // Without 'Z' or an offset: UTC.
  return ParseIso8601(std::string(Trim(s)), out);
}

}  // namespace

Result<Trace> ParseTrace(const std::string& csv, const std::string& source) {
  Trace tr;
  tr.name = std::filesystem::path(source).stem().string();
  // A UTF-8 byte order mark (Excel writes one) is not part of the first row.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  std::istringstream in(
      std::string_view(csv).starts_with(kBom) ? csv.substr(kBom.size()) : csv);
  std::string line;
  int lineno = 0;
  int period_column = -1;  // a `period_seconds` column, when named
  bool first = true;
  std::optional<TimePoint> last;   // the previous row's time
  std::optional<TimePoint> start;  // the first row's time
  int start_line = 0;
  std::vector<Duration> steps;  // between rows, missing values' included
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    std::vector<std::string> fields;
    for (size_t pos = 0;;) {
      size_t comma = line.find(',', pos);
      fields.push_back(line.substr(pos, comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (fields.size() < 2) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: expected 'timestamp,value'", source, lineno));
    }
    const std::string &ts = fields[0], &vs = fields[1];
    TimePoint t;
    double v;
    bool t_ok = ParseTime(ts, &t);
    bool v_ok = ParseNumber(vs, &v);
    // A missing sample is a missing row: its time sets the step, the
    // series has no data there (the gap rules below).
    const bool missing = t_ok && !v_ok && IsMissing(vs);
    if (!missing && (!t_ok || !v_ok)) {
      if (first && !LooksLikeData(ts)) {  // a header line
        first = false;
        for (size_t k = 2; k < fields.size(); ++k) {
          std::string name = fields[k];
          while (!name.empty() && (name.back() == '\r' || name.back() == ' '))
            name.pop_back();
          if (name == "period_seconds") period_column = static_cast<int>(k);
        }
        continue;
      }
      return Status::InvalidArgument(
          fmt::format("{}:{}: {} '{}'", source, lineno,
                      !t_ok ? "unreadable timestamp" : "unreadable value",
                      Shown(!t_ok ? ts : vs)));
    }
    first = false;
    if (!missing && v < 0) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: negative value {}", source, lineno, v));
    }
    if (!missing && v > kMaxValue) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: value {} is over {:g}, the most a trace holds",
                      source, lineno, v, kMaxValue));
    }
    if (last && t <= *last) {
      return Status::InvalidArgument(fmt::format(
          "{}:{}: timestamp not after the previous line's", source, lineno));
    }
    if (!start) {
      start = t;
      start_line = lineno;
    }
    // In seconds as doubles: the nanoseconds between 1678 and 2261 overflow
    // 64 bits.
    const double days = (ToUnixSeconds(t) - ToUnixSeconds(*start)) / 86400;
    if (days > kMaxSpanDays) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: {:.0f} days after the first row (line {}); a "
                      "trace spans at most {} days",
                      source, lineno, days, start_line, kMaxSpanDays));
    }
    if (last) steps.push_back(t - *last);
    last = t;
    if (missing) {
      ++tr.missing;
      continue;
    }
    if (period_column >= 0) {
      double p = 0;
      if (static_cast<size_t>(period_column) >= fields.size() ||
          !ParseNumber(fields[period_column], &p) || p <= 0) {
        return Status::InvalidArgument(fmt::format(
            "{}:{}: period_seconds must be a positive number", source, lineno));
      }
      if (p < 1 || p > kMaxPeriodSeconds) {
        return Status::InvalidArgument(
            fmt::format("{}:{}: period_seconds {} is out of range (1 to {} s)",
                        source, lineno, p, kMaxPeriodSeconds));
      }
      tr.periods.push_back(std::chrono::duration_cast<Duration>(Seconds(p)));
    }
    tr.samples.push_back({t, v});
  }
  if (tr.samples.size() < 2) {
    return Status::InvalidArgument(source + ": fewer than 2 samples");
  }
  std::nth_element(steps.begin(), steps.begin() + steps.size() / 2,
                   steps.end());
  tr.median_step = steps[steps.size() / 2];
  tr.max_gap = tr.median_step * 3;
  for (size_t i = 1; i < tr.samples.size(); ++i) {
    if (tr.samples[i].time - tr.samples[i - 1].time > tr.MaxGapAfter(i - 1))
      ++tr.gaps;
  }
  return tr;
}

Result<Trace> LoadTrace(const std::string& path) {
  PHAS_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseTrace(text, path);
}

std::shared_ptr<DemandSeries> MakeDemand(const Trace& trace,
                                         const DemandMapping& m,
                                         TimePoint start) {
  const auto& in = trace.samples;
  std::vector<double> values(in.size());
  for (size_t i = 0; i < in.size(); ++i) values[i] = in[i].value;
  if (m.smoothing > Duration::zero()) {
    // Centered moving average over samples within +-smoothing/2 that are not
    // across a gap: a window never mixes the two sides of a gap.
    std::vector<int> segment(in.size(), 0);
    for (size_t i = 1; i < in.size(); ++i) {
      segment[i] =
          segment[i - 1] +
          (in[i].time - in[i - 1].time > trace.MaxGapAfter(i - 1) ? 1 : 0);
    }
    std::vector<double> smooth(in.size());
    size_t lo = 0, hi = 0;
    double sum = 0;
    Duration half = m.smoothing / 2;
    for (size_t i = 0; i < in.size(); ++i) {
      while (hi < in.size() && in[hi].time <= in[i].time + half)
        sum += in[hi++].value;
      while (in[lo].time < in[i].time - half) sum -= in[lo++].value;
      // Exclude other segments from the window.
      double s = 0;
      int n = 0;
      if (segment[lo] == segment[i] && segment[hi - 1] == segment[i]) {
        s = sum;
        n = static_cast<int>(hi - lo);
      } else {
        for (size_t k = lo; k < hi; ++k) {
          if (segment[k] == segment[i]) {
            s += in[k].value;
            ++n;
          }
        }
      }
      smooth[i] = s / n;
    }
    values = smooth;
  }
  // Scale on the series the simulator will see (after smoothing).
  double peak = 0;
  for (double v : values) peak = std::max(peak, v);
  double scale = m.capacity_per_instance > 0 ? 1.0 / m.capacity_per_instance
                 : peak > 0 ? m.peak_instances * m.target_utilization / peak
                            : 0.0;
  std::vector<DemandSeries::Sample> out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    Duration offset = std::chrono::duration_cast<Duration>(
        (in[i].time - in[0].time) * m.time_scale);
    out[i] = {start + offset, values[i] * scale};
  }
  Duration gap =
      std::chrono::duration_cast<Duration>(trace.max_gap * m.time_scale);
  Duration step =
      std::chrono::duration_cast<Duration>(trace.median_step * m.time_scale);
  std::vector<Duration> periods(trace.periods.size());
  for (size_t i = 0; i < periods.size(); ++i) {
    periods[i] =
        std::chrono::duration_cast<Duration>(trace.periods[i] * m.time_scale);
  }
  return std::make_shared<DemandSeries>(std::move(out), gap, step,
                                        std::move(periods));
}

}  // namespace phas
