#include "scaler/forecast_provider.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace phas {

void ForecastProvider::Append(Group& g,
                              const std::vector<MetricSample>& history) {
  // The history lost its newest minutes (left out after the clock went
  // back): the series starts again from it, and the choice with it.
  if (g.last_time && (history.empty() || history.back().time < *g.last_time)) {
    g = Group{};
  }
  // The history is per minute and time-ordered: append what is new, with NaN
  // for skipped minutes.
  auto it = history.begin();
  if (g.last_time) {
    it = std::upper_bound(
        history.begin(), history.end(), *g.last_time,
        [](TimePoint t, const MetricSample& s) { return t < s.time; });
  }
  for (; it != history.end(); ++it) {
    if (!g.last_time) {
      g.series.start = it->time;
      g.series.step = std::chrono::minutes(1);
    } else {
      auto gap = (it->time - *g.last_time) / std::chrono::minutes(1);
      for (long k = 1; k < gap && k < 24 * 60; ++k) {
        g.series.values.push_back(std::numeric_limits<double>::quiet_NaN());
      }
    }
    g.series.values.push_back(it->value);
    g.last_time = it->time;
  }
  // Select cuts the series back to Kept() before each choice, so between
  // two choices it grows by `reselect` of minutes. Past that and a day
  // (a choice that did not come), it is cut here, and chosen again at
  // once: the cursor followed the old series.
  size_t bound = Kept() +
                 static_cast<size_t>(std::max<std::int64_t>(
                     0, o_.reselect / std::chrono::minutes(1))) +
                 kMinutesPerDay;
  if (g.series.size() > bound) {
    Trim(g);
    g.next_select = TimePoint();
  }
}

size_t ForecastProvider::Kept() const {
  // A day more than the forecaster uses.
  return static_cast<size_t>(o_.forecast.max_history) + kMinutesPerDay;
}

void ForecastProvider::Trim(Group& g) const {
  g.live.reset();  // its cursors read the series: not past a cut
  if (g.series.size() <= Kept()) return;
  size_t cut = g.series.size() - Kept();
  g.series.start = g.series.TimeAt(cut);
  g.series.values.erase(
      g.series.values.begin(),
      g.series.values.begin() + static_cast<std::ptrdiff_t>(cut));
}

void ForecastProvider::Select(const std::string& name, Group& g,
                              TimePoint now) {
  // Cut here, where the cursor is made again anyway. Cutting in Append once
  // the series passed Kept() and a day chose again a minute or two after
  // each daily choice: twice the fitting, for the same data.
  Trim(g);
  forecast::ForecastOptions fo = o_.forecast;
  if (auto q = quantile_.find(name); q != quantile_.end())
    fo.quantile = q->second;
  fo.horizon = std::min(fo.horizon, o_.horizon);
  auto fit = forecast::SelectForecaster(g.series, fo);
  ++g.choices;
  if (!fit.ok()) {
    g.fit.reset();
    g.error = fit.status().message();
    g.next_select = now + o_.retry;
    return;
  }
  g.fit = std::move(fit).value();
  g.error.clear();
  g.next_select = now + o_.reselect;
  g.live.emplace(*g.fit, g.series,
                 forecast::LiveChoiceOptions{.horizon = fo.horizon});
  g.forecast_at = 0;
}

void ForecastProvider::Fill(const std::string& name, Observation* obs) {
  if (!obs->load_history) {
    obs->forecast_error = "no load history";
    return;
  }
  Group& g = groups_[name];
  size_t before = g.series.size();
  Append(g, *obs->load_history);
  if (!g.last_time) {
    obs->forecast_error = "no load history yet";
    return;
  }
  if (obs->now >= g.next_select) {
    Select(name, g, obs->now);
  } else if (g.live && g.series.size() > before) {
    for (size_t i = before; i < g.series.size(); ++i) {
      g.live->Append(g.series.values[i]);
    }
  }
  if (!g.fit || !g.live) {
    obs->forecast_error = g.error;
    ColdStart(g, obs);
    return;
  }
  if (g.forecast_at != g.series.size()) {
    const std::vector<double>& mean = g.live->Forecast(o_.horizon);
    g.forecast.clear();
    double margin = g.live->upper_margin();
    for (int k = 0; k < o_.horizon; ++k) {
      double m = mean[k];
      if (std::isnan(m)) continue;
      m = std::max(0.0, m);
      // The margin was measured at the working horizon; nearer steps are
      // surer: errors grow roughly with the square root of the horizon.
      double scale = std::sqrt(std::min(1.0, (k + 1.0) / o_.forecast.horizon));
      g.forecast.push_back(
          {*g.last_time + std::chrono::minutes(k + 1), m, m + margin * scale});
    }
    g.forecast_at = g.series.size();
  }
  obs->forecast = g.forecast;
  if (g.forecast.empty())
    obs->forecast_error = g.live->name() + " gave no forecast";
}

void ForecastProvider::ColdStart(const Group& g, Observation* obs) const {
  // Before a forecaster can be chosen: the last value, with the spread of
  // the recent minute-to-minute changes growing as sqrt(k) for a band (a
  // random walk's), once an hour of history is known.
  const std::vector<double>& v = g.series.values;
  if (v.size() < static_cast<size_t>(o_.cold_start_minutes) ||
      std::isnan(v.back())) {
    return;
  }
  std::vector<double> changes;
  for (size_t i = v.size() - o_.cold_start_minutes + 1; i < v.size(); ++i) {
    if (!std::isnan(v[i]) && !std::isnan(v[i - 1])) {
      changes.push_back(std::fabs(v[i] - v[i - 1]));
    }
  }
  if (changes.size() < static_cast<size_t>(o_.cold_start_minutes) / 2) return;
  double step = forecast::Quantile(changes, o_.forecast.quantile);
  for (int k = 0; k < o_.horizon; ++k) {
    obs->forecast.push_back({*g.last_time + std::chrono::minutes(k + 1),
                             v.back(), v.back() + step * std::sqrt(k + 1.0)});
  }
  obs->forecast_error.clear();
}

std::string ForecastProvider::Describe(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end()) return "";
  const Group& g = it->second;
  if (!g.fit) return g.error;
  if (!g.live || g.live->active() == g.fit->chosen) return g.fit->why;
  return fmt::format("{}; chosen: {}", g.live->Describe(), g.fit->why);
}

std::string ForecastProvider::ModelName(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end() || !it->second.live) return "";
  return it->second.live->name();
}

int ForecastProvider::Choices(const std::string& name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? 0 : it->second.choices;
}

size_t ForecastProvider::SeriesMinutes(const std::string& name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? 0 : it->second.series.size();
}

}  // namespace phas
