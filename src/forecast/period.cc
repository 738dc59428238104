#include "forecast/period.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace phas::forecast {
namespace {

constexpr int kBucket = 10;          // steps averaged together
constexpr double kHalfMargin = 0.1;  // acf(P) must beat acf(P/2, P/3) by this
constexpr double kMinAcf = 0.3;
// Buckets needed before any period is tested (6 hours of minutes): on
// shorter series a sub-daily candidate is confirmed by chance too often.
constexpr size_t kMinBuckets = 36;

std::vector<double> Buckets(const std::vector<double>& v) {
  std::vector<double> out;
  for (size_t i = 0; i + kBucket <= v.size(); i += kBucket) {
    double sum = 0;
    int n = 0;
    for (size_t k = i; k < i + kBucket; ++k) {
      if (!std::isnan(v[k])) {
        sum += v[k];
        ++n;
      }
    }
    out.push_back(n > kBucket / 2 ? sum / n : std::nan(""));
  }
  return out;
}

}  // namespace

double Autocorrelation(const std::vector<double>& v, size_t lag) {
  double sum = 0;
  size_t n = 0;
  for (double x : v) {
    if (!std::isnan(x)) {
      sum += x;
      ++n;
    }
  }
  if (n < 2 || lag >= v.size()) return 0;
  double mean = sum / n, num = 0, den = 0;
  for (double x : v) {
    if (!std::isnan(x)) den += (x - mean) * (x - mean);
  }
  for (size_t i = 0; i + lag < v.size(); ++i) {
    if (std::isnan(v[i]) || std::isnan(v[i + lag])) continue;
    num += (v[i] - mean) * (v[i + lag] - mean);
  }
  return den > 0 ? num / den : 0;
}

PeriodResult DetectPeriod(const Series& s, const std::vector<int>& candidates,
                          int shuffles, uint64_t seed) {
  PeriodResult best;
  best.why = "no period: ";
  std::vector<double> b = Buckets(s.values);
  std::vector<int> sorted = candidates;
  std::sort(sorted.rbegin(), sorted.rend());  // prefer the longest confirmed
  for (int p : sorted) {
    size_t lag = static_cast<size_t>(p / kBucket);
    if (lag < 2 || b.size() < std::max(2 * lag, kMinBuckets)) {
      best.why +=
          fmt::format("{} steps needs {} of data, have {}; ", p,
                      std::max<size_t>(2 * p, kMinBuckets * kBucket), s.size());
      continue;
    }
    double acf = Autocorrelation(b, lag);
    // A multiple of a shorter cycle correlates at that cycle too: at half
    // the period (an even multiple) or a third (an odd one).
    double half = Autocorrelation(b, lag / 2);
    const char* shorter = "half";
    if (lag % 3 == 0) {
      double third = Autocorrelation(b, lag / 3);
      if (third > half) {
        half = third;
        shorter = "third";
      }
    }
    // Shuffled baseline, with the gaps left where they are.
    std::vector<size_t> known;
    for (size_t i = 0; i < b.size(); ++i) {
      if (!std::isnan(b[i])) known.push_back(i);
    }
    SeededRandom rng(seed);
    double baseline = 0;
    std::vector<double> shuffled = b;
    for (int k = 0; k < shuffles; ++k) {
      for (size_t i = known.size(); i > 1; --i) {
        size_t j = rng.Next() % i;
        std::swap(shuffled[known[i - 1]], shuffled[known[j]]);
      }
      baseline = std::max(baseline, Autocorrelation(shuffled, lag));
    }
    bool ok = acf > baseline && acf > kMinAcf && acf > half + kHalfMargin;
    if (ok) {
      if (best.period_steps == 0) {
        best.period_steps = p;
        best.acf = acf;
        best.baseline = baseline;
        best.half = half;
        best.why = fmt::format(
            "period {} steps: acf {:.2f} > shuffled {:.2f}, > {}-period "
            "{:.2f}",
            p, acf, baseline, shorter, half);
      }
      best.confirmed.push_back(p);
      continue;
    }
    if (best.period_steps != 0) continue;
    best.why += fmt::format(
        "{} steps: acf {:.2f} (shuffled {:.2f}, {}-period {:.2f}); ", p, acf,
        baseline, shorter, half);
  }
  return best;
}

}  // namespace phas::forecast
