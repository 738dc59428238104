#include "forecast/select.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace phas::forecast {

Series Tail(const Series& s, size_t max_steps) {
  if (s.size() <= max_steps) return s;
  Series t;
  t.step = s.step;
  size_t cut = s.size() - max_steps;
  t.start = s.TimeAt(cut);
  t.values.assign(s.values.begin() + static_cast<std::ptrdiff_t>(cut),
                  s.values.end());
  return t;
}

double Quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(),
                         [](double x) { return std::isnan(x); }),
          v.end());
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = q * (v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

CandidateScore Score(const std::string& name,
                     const std::vector<double>& forecast,
                     const std::vector<double>& actual) {
  CandidateScore c;
  c.model = name;
  double abs = 0, pct = 0;
  size_t n = 0, m = 0;
  for (size_t i = 0; i < forecast.size() && i < actual.size(); ++i) {
    if (std::isnan(forecast[i]) || std::isnan(actual[i])) continue;
    abs += std::fabs(forecast[i] - actual[i]);
    ++n;
    if (actual[i] > 0) {
      pct += std::fabs(forecast[i] - actual[i]) / actual[i];
      ++m;
    }
  }
  c.mae = n ? abs / n : std::numeric_limits<double>::infinity();
  c.mape = m ? 100 * pct / m : std::numeric_limits<double>::infinity();
  return c;
}

HorizonResiduals BacktestResiduals(const Forecaster& model, const Series& s,
                                   size_t from, int horizon) {
  HorizonResiduals out;
  out.from = from;
  size_t origins = s.size() > from + 1 ? s.size() - 1 - from : 0;
  for (int k = 1; k <= horizon; ++k) {
    std::vector<double> r(origins, std::numeric_limits<double>::quiet_NaN());
    // Backtest covers the origins [from, size - k).
    std::vector<double> fc = model.Backtest(s, from, k);
    for (size_t j = 0; j < fc.size() && j < origins; ++j)
      r[j] = s.values[from + j + k] - fc[j];  // NaN stays NaN
    out.by_horizon.push_back(std::move(r));
  }
  return out;
}

Result<FittedForecast> SelectForecaster(const Series& full,
                                        const ForecastOptions& o) {
  Series history = Tail(full, static_cast<size_t>(o.max_history));
  size_t known = history.Known();
  if (known < static_cast<size_t>(o.min_history)) {
    return Status::FailedPrecondition(fmt::format(
        "cold start: {} minutes of history, {} needed", known, o.min_history));
  }
  FittedForecast out;
  out.period = DetectPeriod(history, o.periods);
  int P = out.period.period_steps;
  // Short-horizon models always compete; each confirmed period adds its own.
  std::vector<std::shared_ptr<Forecaster>> candidates = {
      std::make_shared<SeasonalNaive>(0),
      std::make_shared<HoltWinters>(0, true)};
  for (int p : out.period.confirmed) {
    candidates.push_back(std::make_shared<SeasonalNaive>(p, 3));
    candidates.push_back(std::make_shared<HoltWinters>(p, false));
    candidates.push_back(std::make_shared<HoltWinters>(p, true));
  }
  // The trees weigh their features themselves: a daily lag the detector did
  // not confirm (a cycle that drifts, or breaks on weekends) can still help
  // them, and is ignored when it does not. A confirmed sub-daily period's
  // lag is theirs instead of the day's: on nab_asg_cluster (hourly) the
  // hour's lag gave a 10-minute MAE of 0.4347, the day's 0.4551.
  int xgb_period =
      P > 0 ? P : (history.size() >= 2 * kMinutesPerDay ? kMinutesPerDay : 0);
  if (o.use_xgboost)
    candidates.push_back(
        std::make_shared<XgbForecaster>(xgb_period, o.horizon));

  // Hold out the most recent cycle (the shortest confirmed period), at
  // least short_holdout steps.
  int cycle = out.period.confirmed.empty() ? 0 : out.period.confirmed.back();
  size_t holdout = static_cast<size_t>(std::max(cycle, o.short_holdout));
  holdout = std::min(holdout, history.size() / 3);
  size_t split = history.size() - holdout;
  Series train = history;
  train.values.resize(split);
  std::vector<double> actual;
  for (size_t i = split - 1; i + o.horizon < history.size(); ++i) {
    actual.push_back(history.values[i + o.horizon]);
  }
  double best = std::numeric_limits<double>::infinity();
  for (auto& c : candidates) {
    if (!c->Fit(train).ok()) continue;
    std::vector<double> fc = c->Backtest(history, split - 1, o.horizon);
    CandidateScore score = Score(c->name(), fc, actual);
    out.candidates.push_back(score);
    // Every candidate is kept with its band: live.h may let it forecast.
    std::vector<double> r;
    for (size_t i = 0; i < fc.size() && i < actual.size(); ++i) {
      if (!std::isnan(fc[i]) && !std::isnan(actual[i]))
        r.push_back(actual[i] - fc[i]);
    }
    out.fitted.push_back(
        {c, score.mae, std::max(0.0, Quantile(std::move(r), o.quantile))});
    if (score.mae < best) {
      best = score.mae;
      out.chosen = out.fitted.size() - 1;
    }
  }
  if (std::isinf(best))
    return Status::FailedPrecondition("no forecaster could be fitted");
  const Forecaster& chosen = *out.model();
  if (o.residual_horizon > 0) {
    out.holdout_residuals =
        BacktestResiduals(chosen, history, split - 1, o.residual_horizon);
  }
  // Kept as fitted on `train`: its parameters (Holt-Winters' constants, the
  // trees) were judged on the held-out cycle, and its cursor follows the
  // whole history. A second fit with that cycle in cost as much as the
  // first for little: the next selection is at most `reselect` away.
  out.why =
      fmt::format("{} (held-out MAE {:.3f}, p{:.0f} margin {:.3f}; {})",
                  chosen.name(), best, o.quantile * 100, out.upper_margin(),
                  P > 0 ? out.period.why : "no period: short-horizon models");
  return out;
}

}  // namespace phas::forecast
