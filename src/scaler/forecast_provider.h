// ForecastProvider: gives each cycle's observation a load forecast, for the
// policies that read one (predictive). Used as the loop's observation hook,
// in production and in backtests alike.
//
// Per group it keeps the per-minute load series (from LoadHistory), chooses
// a forecaster (forecast/select.h) at start and every `reselect` (default
// 24 h: a day's new data; the fitted model follows every minute between) of
// history, and recomputes the forecast only when a new minute
// arrives (the models' cursors advanced one value at a time; between two
// choices the candidate with the lowest recent error forecasts: forecast/
// live.h). Forecast points
// cover the `horizon` minutes after the newest known minute, with the mean and
// the upper bound (mean + the held-out residual quantile). Cold start and
// failures leave the forecast empty and say why (obs->forecast_error), or,
// with an hour of history, give the last value with a random walk's band.
//
// Thread-safety: one thread (the loop's).
#ifndef PHAS_SCALER_FORECAST_PROVIDER_H_
#define PHAS_SCALER_FORECAST_PROVIDER_H_

#include <map>
#include <optional>
#include <string>

#include "decision/types.h"
#include "forecast/live.h"
#include "forecast/select.h"

namespace phas {

struct ForecastProviderOptions {
  forecast::ForecastOptions forecast;
  // Minutes forecast ahead (covers boot time + buffer + metric delay).
  // Default: 12.
  int horizon = 12;
  // How often the forecaster is chosen again. Default: 24 hours.
  Duration reselect = std::chrono::hours(24);
  // After a cold start or failure, try again after. Default: 30 minutes.
  Duration retry = std::chrono::minutes(30);
  // With this much history and no forecaster yet: the last value, with a
  // band from the recent changes. Default: 60 minutes.
  int cold_start_minutes = 60;
};

class ForecastProvider {
 public:
  explicit ForecastProvider(ForecastProviderOptions options)
      : o_(std::move(options)) {}
  // Fills obs->forecast or obs->forecast_error from obs->load_history.
  void Fill(const std::string& group, Observation* obs);
  // The upper-bound quantile for one group (default: the options').
  void SetQuantile(const std::string& group, double q) { quantile_[group] = q; }
  // The current forecaster's description for a group ("" when none), and
  // the name of the model forecasting ("" when none).
  std::string Describe(const std::string& group) const;
  std::string ModelName(const std::string& group) const;
  // How many times a forecaster was chosen (fitted) for a group, and the
  // minutes of load series it keeps.
  int Choices(const std::string& group) const;
  size_t SeriesMinutes(const std::string& group) const;

 private:
  struct Group {
    forecast::Series series;
    std::optional<TimePoint> last_time;  // newest minute appended
    std::optional<forecast::FittedForecast> fit;
    // Every fitted candidate follows the series; the one with the lowest
    // recent error forecasts (forecast/live.h).
    std::optional<forecast::LiveChoice> live;
    TimePoint next_select{};
    int choices = 0;
    size_t forecast_at = 0;  // series size when the forecast was computed
    std::vector<ForecastPoint> forecast;
    std::string error;
  };
  void Append(Group& g, const std::vector<MetricSample>& history);
  // The minutes of series kept after a choice, and the cut to them (which
  // ends the live choice: its cursors follow the series).
  size_t Kept() const;
  void Trim(Group& g) const;
  void Select(const std::string& name, Group& g, TimePoint now);
  void ColdStart(const Group& g, Observation* obs) const;

  ForecastProviderOptions o_;
  std::map<std::string, Group> groups_;
  std::map<std::string, double> quantile_;
};

}  // namespace phas

#endif  // PHAS_SCALER_FORECAST_PROVIDER_H_
