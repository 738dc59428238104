#include "forecast/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "forecast/live.h"

namespace phas::forecast {

EvalResult EvaluateForecasters(const Series& s, const EvalOptions& o) {
  EvalResult out;
  const size_t day = kMinutesPerDay;
  PeriodResult period = DetectPeriod(s, ForecastOptions{}.periods);
  out.period =
      period.period_steps ? fmt::format("{} min", period.period_steps) : "none";
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> fc;
  std::vector<double> actual;
  size_t first = day * o.min_train_days;
  size_t total_days = s.size() / day;
  if (total_days > static_cast<size_t>(o.min_train_days + o.max_eval_days)) {
    first = (total_days - o.max_eval_days) * day;
  }
  for (size_t begin = first; begin + day <= s.size(); begin += day) {
    size_t train_from =
        begin > day * o.train_days ? begin - day * o.train_days : 0;
    Series train;
    train.step = s.step;
    train.start = s.TimeAt(train_from);
    train.values.assign(
        s.values.begin() + static_cast<std::ptrdiff_t>(train_from),
        s.values.begin() + static_cast<std::ptrdiff_t>(begin));
    Series upto = train;  // train plus the evaluated day, for rolling origins
    upto.values.insert(
        upto.values.end(),
        s.values.begin() + static_cast<std::ptrdiff_t>(begin),
        s.values.begin() + static_cast<std::ptrdiff_t>(begin + day));
    size_t origin = train.size() - 1;
    for (size_t i = origin; i + o.horizon < upto.size(); ++i)
      actual.push_back(upto.values[i + o.horizon]);
    size_t n = upto.size() - o.horizon - origin;
    std::vector<std::shared_ptr<Forecaster>> models = {
        std::make_shared<SeasonalNaive>(0),
        std::make_shared<SeasonalNaive>(kMinutesPerDay),
        std::make_shared<SeasonalNaive>(10080),
        std::make_shared<HoltWinters>(0, true),
        std::make_shared<HoltWinters>(kMinutesPerDay, false),
        std::make_shared<HoltWinters>(kMinutesPerDay, true),
        std::make_shared<XgbForecaster>(kMinutesPerDay, o.horizon)};
    for (auto& m : models) {
      std::vector<double>& f = fc[m->name()];
      if (std::find(names.begin(), names.end(), m->name()) == names.end())
        names.push_back(m->name());
      std::vector<double> got(n, std::nan(""));
      if (m->Fit(train).ok()) got = m->Backtest(upto, origin, o.horizon);
      got.resize(n, std::nan(""));
      f.insert(f.end(), got.begin(), got.end());
    }
    // What the scaler would use: the selected candidates, the one with the
    // lowest recent error forecasting (live.h), as the day's values arrive.
    ForecastOptions so;
    so.horizon = o.horizon;
    std::vector<double> chosen(n, std::nan(""));
    auto fit = SelectForecaster(train, so);
    if (fit.ok()) {
      Series grown = train;
      LiveChoice live(*fit, grown, {.horizon = o.horizon});
      for (size_t j = 0; j < n; ++j) {
        if (j > 0) {
          grown.values.push_back(upto.values[origin + j]);
          live.Append(grown.values.back());
        }
        chosen[j] = live.Forecast(o.horizon)[o.horizon - 1];
      }
    }
    auto& a = fc["auto"];
    a.insert(a.end(), chosen.begin(), chosen.end());
    ++out.days;
  }
  out.minutes_with_data = static_cast<size_t>(std::count_if(
      actual.begin(), actual.end(), [](double v) { return std::isfinite(v); }));
  names.push_back("auto");
  for (const std::string& name : names)
    out.models.push_back(Score(name, fc[name], actual));
  return out;
}

}  // namespace phas::forecast
