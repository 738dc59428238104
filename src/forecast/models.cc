#include "forecast/models.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "model/xgboost_booster.h"

namespace phas::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr size_t kRowStride = 4;  // XGBoost trains on every k-th origin

// The last known value at or before i, or NaN.
double LastKnown(const std::vector<double>& v, size_t i) {
  for (size_t k = i + 1; k-- > 0;) {
    if (!std::isnan(v[k])) return v[k];
    if (i - k > kMinutesPerDay) break;
  }
  return kNaN;
}

}  // namespace

// --- SeasonalNaive ---------------------------------------------------------

std::string SeasonalNaive::name() const {
  if (period_ == 0) return "naive";
  return periods_back_ > 1 ? fmt::format("seasonal-median-{}", period_)
                           : fmt::format("seasonal-naive-{}", period_);
}

double SeasonalNaive::At(const std::vector<double>& v, size_t i, int k) const {
  if (period_ == 0) return LastKnown(v, i);
  // The same phase, one (or more) periods back, as long as it is in the
  // past: the median of the first `periods_back_` known values; with fewer
  // known, the most recent (a mean of two would halve a burst, not drop it).
  std::array<double, 8> seen{};
  size_t n = 0;
  const size_t want = std::min<size_t>(periods_back_, seen.size());
  for (long long j = static_cast<long long>(i) + k - period_;
       j >= 0 && n < want; j -= period_) {
    if (j <= static_cast<long long>(i) && !std::isnan(v[j])) seen[n++] = v[j];
  }
  if (n == 0) return kNaN;
  if (n < want) return seen[0];
  for (size_t a = 1; a < n; ++a) {  // insertion sort: a handful of values
    for (size_t b = a; b > 0 && seen[b - 1] > seen[b]; --b)
      std::swap(seen[b - 1], seen[b]);
  }
  return n % 2 ? seen[n / 2] : (seen[n / 2 - 1] + seen[n / 2]) / 2;
}

std::vector<double> SeasonalNaive::Forecast(const Series& s,
                                            int horizon) const {
  std::vector<double> out(horizon, kNaN);
  if (s.values.empty()) return out;
  for (int k = 1; k <= horizon; ++k) out[k - 1] = At(s.values, s.size() - 1, k);
  return out;
}

std::vector<double> SeasonalNaive::Backtest(const Series& s, size_t from,
                                            int h) const {
  std::vector<double> out;
  for (size_t i = from; i + h < s.size(); ++i)
    out.push_back(At(s.values, i, h));
  return out;
}

// --- HoltWinters -----------------------------------------------------------

std::string HoltWinters::name() const {
  std::string base =
      period_ == 0 ? "holt" : fmt::format("holt-winters-{}", period_);
  return damped_ ? base + "-damped" : base;
}

void HoltWinters::Init(State& st, const Series& s) const {
  // Level: the mean of the first period (or first hour); seasons: the first
  // period's deviations from it; trend: 0.
  const std::vector<double>& y = s.values;
  size_t P = static_cast<size_t>(period_);
  size_t init = P > 0 ? std::min(P, y.size()) : std::min<size_t>(60, y.size());
  double sum = 0;
  int cnt = 0;
  for (size_t i = 0; i < init; ++i) {
    if (!std::isnan(y[i])) {
      sum += y[i];
      ++cnt;
    }
  }
  st.level = cnt ? sum / cnt : 0;
  st.trend = 0;
  st.season.assign(std::max<size_t>(P, 1), 0.0);
  if (P > 0) {
    for (size_t i = 0; i < init; ++i)
      st.season[i] = std::isnan(y[i]) ? 0.0 : y[i] - st.level;
    st.t = init;
    st.phase = init % P;
  } else {
    st.t = 0;
  }
}

void HoltWinters::Step(State& st, double y, const Params& p) const {
  double s_old = period_ > 0 ? st.season[st.phase] : 0.0;
  if (std::isnan(y))
    y = st.level + p.phi * st.trend + s_old;  // no data: carry the forecast
  double prev = st.level;
  st.level =
      p.alpha * (y - s_old) + (1 - p.alpha) * (st.level + p.phi * st.trend);
  st.trend = p.beta * (st.level - prev) + (1 - p.beta) * p.phi * st.trend;
  if (period_ > 0) {
    st.season[st.phase] = p.gamma * (y - st.level) + (1 - p.gamma) * s_old;
    if (++st.phase == st.season.size()) st.phase = 0;
  }
  ++st.t;
}

std::vector<double> HoltWinters::ForecastFrom(const State& st, int h,
                                              const Params& p) const {
  std::vector<double> fc(h);
  double damp = 0, f = 1;
  // The value consumed last has index t - 1; step k ahead is t - 1 + k,
  // whose season slot follows the next value's (st.phase) k - 1 slots on.
  size_t slot = st.phase;
  for (int k = 1; k <= h; ++k) {
    f *= p.phi;
    damp += f;
    fc[k - 1] =
        st.level + damp * st.trend + (period_ > 0 ? st.season[slot] : 0.0);
    if (++slot == st.season.size()) slot = 0;
  }
  return fc;
}

namespace {

// Forecasts from the whole history each time.
class RecomputingCursor final : public ForecastCursor {
 public:
  RecomputingCursor(const Forecaster* model, const Series* history)
      : model_(model), history_(history) {}
  void Append(double) override {}  // the history itself grows
  std::vector<double> Forecast(int horizon) const override {
    return model_->Forecast(*history_, horizon);
  }

 private:
  const Forecaster* model_;
  const Series* history_;
};

// Advances the smoothing state by one value.
class HoltWintersCursor final : public ForecastCursor {
 public:
  HoltWintersCursor(const HoltWinters* model, HoltWinters::State st)
      : model_(model), st_(std::move(st)) {}
  void Append(double y) override { model_->Step(st_, y); }
  std::vector<double> Forecast(int horizon) const override {
    return model_->ForecastFrom(st_, horizon);
  }

 private:
  const HoltWinters* model_;
  HoltWinters::State st_;
};

}  // namespace

std::unique_ptr<ForecastCursor> Forecaster::Follow(
    const Series& history) const {
  return std::make_unique<RecomputingCursor>(this, &history);
}

std::unique_ptr<ForecastCursor> HoltWinters::Follow(
    const Series& history) const {
  return std::make_unique<HoltWintersCursor>(this, Start(history));
}

HoltWinters::State HoltWinters::Start(const Series& s) const {
  State st;
  Init(st, s);
  for (size_t t = st.t; t < s.size(); ++t) Step(st, s.values[t]);
  return st;
}

template <typename Fn>
void HoltWinters::Run(const Series& s, const Params& p, size_t from, int h,
                      Fn at) const {
  if (s.values.empty()) return;
  State st;
  Init(st, s);
  for (size_t t = st.t; t < s.size(); ++t) {
    Step(st, s.values[t], p);
    if (t >= from) at(t, ForecastFrom(st, h, p));
  }
}

namespace {

constexpr int kLanes = 4;  // constant sets run side by side in a grid search

// The mean absolute h-step error, over the origins >= from, of up to kLanes
// sets of constants, all run from `init` in one pass over y: each set's
// recursion is a chain of dependent operations, and interleaving independent
// chains keeps the CPU busy (3x faster than one set per pass). The same
// arithmetic as HoltWinters::Step and ForecastFrom.
void BatchMae(const std::vector<double>& y, const HoltWinters::State& init,
              bool seasonal, const HoltWinters::Params* p, int lanes,
              size_t from, int h, double* mae) {
  HoltWinters::Params q[kLanes];
  double level[kLanes], trend[kLanes], damp[kLanes], err[kLanes];
  const size_t P = init.season.size();
  std::vector<double> season(P * kLanes);
  for (int l = 0; l < kLanes; ++l) {
    q[l] = p[l < lanes ? l : 0];  // spare lanes repeat the first set
    level[l] = init.level;
    trend[l] = init.trend;
    err[l] = 0;
    damp[l] = 0;
    double f = 1;
    for (int k = 1; k <= h; ++k) {
      f *= q[l].phi;
      damp[l] += f;
    }
    for (size_t i = 0; i < P; ++i) season[i * kLanes + l] = init.season[i];
  }
  size_t slot = init.phase, ahead = (init.t + h) % P, n = 0;
  for (size_t t = init.t; t < y.size(); ++t) {
    const double yt = y[t];
    const bool scored = t >= from && t + h < y.size() && !std::isnan(y[t + h]);
    double* s = &season[slot * kLanes];
    const double* s_ahead = &season[ahead * kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const HoltWinters::Params& c = q[l];
      double s_old = seasonal ? s[l] : 0.0;
      double v = std::isnan(yt) ? level[l] + c.phi * trend[l] + s_old : yt;
      double prev = level[l];
      level[l] =
          c.alpha * (v - s_old) + (1 - c.alpha) * (prev + c.phi * trend[l]);
      trend[l] = c.beta * (level[l] - prev) + (1 - c.beta) * c.phi * trend[l];
      if (seasonal) s[l] = c.gamma * (v - level[l]) + (1 - c.gamma) * s_old;
      if (scored) {
        double fc =
            level[l] + damp[l] * trend[l] + (seasonal ? s_ahead[l] : 0.0);
        err[l] += std::fabs(fc - y[t + h]);
      }
    }
    n += scored ? 1 : 0;
    if (++slot == P) slot = 0;
    if (++ahead == P) ahead = 0;
  }
  for (int l = 0; l < lanes; ++l)
    mae[l] = n ? err[l] / n : std::numeric_limits<double>::infinity();
}

}  // namespace

Status HoltWinters::Fit(const Series& s) {
  if (s.Known() < 60)
    return Status::FailedPrecondition("Holt-Winters needs an hour of data");
  // Grid search on the mean absolute error at the working horizon over the
  // second half of the history, kLanes points per pass.
  const int h = fit_horizon_;
  size_t from = std::max<size_t>(period_ > 0 ? period_ : 60, s.size() / 2);
  const double alphas[] = {0.05, 0.2, 0.5, 0.9};
  const double betas[] = {0.0, 0.01, 0.05};
  const std::vector<double> gammas = period_ > 0
                                         ? std::vector<double>{0.05, 0.2, 0.5}
                                         : std::vector<double>{0.0};
  const std::vector<double> phis =
      damped_ ? std::vector<double>{0.9, 0.98} : std::vector<double>{1.0};
  std::vector<Params> grid;
  for (double a : alphas) {
    for (double b : betas) {
      for (double g : gammas) {
        for (double phi : phis) grid.push_back({a, b, g, phi});
      }
    }
  }
  State init;
  Init(init, s);
  std::vector<double> mae(grid.size());
  for (size_t i = 0; i < grid.size(); i += kLanes) {
    int lanes = static_cast<int>(std::min<size_t>(kLanes, grid.size() - i));
    BatchMae(s.values, init, period_ > 0, &grid[i], lanes, from, h, &mae[i]);
  }
  // The first of the lowest, as the one-set-per-pass search chose.
  size_t best = 0;
  for (size_t i = 1; i < grid.size(); ++i) {
    if (mae[i] < mae[best]) best = i;
  }
  p_ = grid[best];
  return Status::OK();
}

std::vector<double> HoltWinters::Forecast(const Series& s, int horizon) const {
  std::vector<double> out(horizon, kNaN);
  if (s.values.empty()) return out;
  Run(s, p_, s.size() - 1, horizon,
      [&](size_t, const std::vector<double>& fc) { out = fc; });
  return out;
}

std::vector<double> HoltWinters::Backtest(const Series& s, size_t from,
                                          int h) const {
  std::vector<double> out;
  Run(s, p_, from, h, [&](size_t t, const std::vector<double>& fc) {
    if (t + h < s.size()) out.push_back(fc[h - 1]);
  });
  // Origins before the seasonal initialization cannot be forecast.
  size_t expected = s.size() > from + h ? s.size() - from - h : 0;
  if (out.size() < expected)
    out.insert(out.begin(), expected - out.size(), kNaN);
  return out;
}

// --- XgbForecaster ---------------------------------------------------------

std::string XgbForecaster::name() const {
  return period_ == 0 ? "xgboost" : fmt::format("xgboost-{}", period_);
}

void XgbForecaster::Features(const Series& s, size_t i, int h,
                             float* out) const {
  const std::vector<double>& y = s.values;
  auto at = [&](long long k) -> float {
    return k >= 0 && k < static_cast<long long>(y.size()) && !std::isnan(y[k])
               ? static_cast<float>(y[k])
               : std::numeric_limits<float>::quiet_NaN();
  };
  long long t = static_cast<long long>(i);
  for (int k = 0; k < 10; ++k) out[k] = at(t - k);
  double sum = 0;
  int n = 0;
  for (long long k = t - 59; k <= t; ++k) {
    float v = at(k);
    if (!std::isnan(v)) {
      sum += v;
      ++n;
    }
  }
  out[10] =
      n ? static_cast<float>(sum / n) : std::numeric_limits<float>::quiet_NaN();
  out[11] = (std::isnan(out[0]) || std::isnan(out[9]))
                ? std::numeric_limits<float>::quiet_NaN()
                : (out[0] - out[9]) / 9.0f;
  long long target = t + h;
  out[12] = period_ > 0 ? at(target - period_)
                        : std::numeric_limits<float>::quiet_NaN();
  out[13] =
      period_ > 0 ? at(t - period_) : std::numeric_limits<float>::quiet_NaN();
  // Calendar of the target time (UTC).
  double secs = ToUnixSeconds(s.TimeAt(static_cast<size_t>(target)));
  double minute_of_day = std::fmod(secs / 60.0, double{kMinutesPerDay});
  double day_of_week = std::fmod(std::floor(secs / 86400.0) + 4,
                                 7);  // 1970-01-01 was a Thursday
  out[14] =
      static_cast<float>(std::sin(2 * kPi * minute_of_day / kMinutesPerDay));
  out[15] =
      static_cast<float>(std::cos(2 * kPi * minute_of_day / kMinutesPerDay));
  out[16] = static_cast<float>(std::sin(2 * kPi * day_of_week / 7));
  out[17] = static_cast<float>(std::cos(2 * kPi * day_of_week / 7));
}

Status XgbForecaster::Fit(const Series& s) {
  std::vector<float> x;
  std::vector<float> y;
  float row[kFeatures];
  // The target is the change from the last value: trees cannot extrapolate
  // a level they have not seen, but changes recur. Every kRowStride-th
  // origin (neighbouring minutes' rows are nearly the same) and 32 bins per
  // feature: training costs ~5x less than with every origin and 256 bins, for
  // a small loss on two traces (docs/benchmarks.md, "Forecast speed").
  for (size_t i = 10; i + horizon_ < s.size(); i += kRowStride) {
    double target = s.values[i + horizon_];
    if (std::isnan(target) || std::isnan(s.values[i])) continue;
    Features(s, i, horizon_, row);
    x.insert(x.end(), row, row + kFeatures);
    y.push_back(static_cast<float>(target - s.values[i]));
  }
  if (y.size() < 200 / kRowStride)
    return Status::FailedPrecondition("xgboost forecaster needs more history");
  PHAS_ASSIGN_OR_RETURN(XgbMatrix m,
                        XgbMatrix::FromDense(x, y.size(), kFeatures));
  PHAS_RETURN_IF_ERROR(m.SetLabels(y));
  PHAS_ASSIGN_OR_RETURN(XgbBooster b,
                        XgbBooster::Train(m,
                                          {{"objective", "reg:squarederror"},
                                           {"max_depth", "5"},
                                           {"eta", "0.15"},
                                           {"subsample", "1.0"},
                                           {"min_child_weight", "5"},
                                           {"seed", "0"},
                                           {"nthread", "1"},
                                           {"tree_method", "hist"},
                                           {"max_bin", "32"}},
                                          60));
  PHAS_ASSIGN_OR_RETURN(std::string ubjson, b.SaveUbjson());
  PHAS_ASSIGN_OR_RETURN(TreeEnsemble e,
                        TreeEnsemble::FromXgboostUbjson(ubjson));
  trees_ = std::move(e);
  return Status::OK();
}

double XgbForecaster::Change(const Series& s, size_t i) const {
  float row[kFeatures];
  Features(s, i, horizon_, row);
  float delta;
  trees_->Predict(row, &delta);
  return delta;
}

// Steps before the model's horizon go from the last value towards its
// forecast; after it, the forecast holds.
std::vector<double> XgbForecaster::Forecast(const Series& s,
                                            int horizon) const {
  std::vector<double> out(horizon, kNaN);
  if (!trees_ || s.values.empty()) return out;
  size_t i = s.size() - 1;
  double last = LastKnown(s.values, i);
  if (std::isnan(last)) return out;
  double pred = last + Change(s, i);
  for (int k = 1; k <= horizon; ++k) {
    out[k - 1] =
        last + std::min(1.0, static_cast<double>(k) / horizon_) * (pred - last);
  }
  return out;
}

std::vector<double> XgbForecaster::Backtest(const Series& s, size_t from,
                                            int h) const {
  std::vector<double> out;
  double f = std::min(1.0, static_cast<double>(h) / horizon_);
  for (size_t i = from; i + h < s.size(); ++i) {
    double last = trees_ ? LastKnown(s.values, i) : kNaN;
    out.push_back(std::isnan(last) ? kNaN : last + f * Change(s, i));
  }
  return out;
}

}  // namespace phas::forecast
