// `phas forecast`: forecast error of every model on a trace (walk-forward).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "cmd/commands.h"
#include "cmd/number_checks.h"
#include "forecast/evaluate.h"
#include "sim/backtest.h"
#include "sim/trace.h"

namespace phas {

void RegisterForecastCommand(CLI::App& app, int* exit_code) {
  struct Flags {
    std::vector<std::string> traces;
    int horizon = 10;
    int days = 14;
    double smoothing = 10;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      app.add_subcommand("forecast",
                         "Forecast error (MAE, MAPE) of each model on traces, "
                         "walk-forward, vs seasonal naive");
  cmd->add_option("traces", f->traces, "Trace CSV files")->required();
  cmd->add_option("--horizon", f->horizon, "Minutes ahead (default 10)")
      ->check(CLI::Range(1, 240));
  cmd->add_option("--days", f->days, "Evaluate the last N days (default 14)")
      ->check(CLI::Range(1, 365));
  cmd->add_option("--smoothing", f->smoothing,
                  "Minutes, as the backtest (default 10)")
      ->check(NumberIn(0.0, double{kMinutesPerDay}));
  cmd->callback([f, exit_code] {
    for (const std::string& path : f->traces) {
      auto trace = LoadTrace(path);
      if (!trace.ok()) {
        *exit_code = ReportError(trace.status());
        return;
      }
      // The demand a backtest replays, per minute, in instance-units.
      BacktestOptions bo;
      bo.mapping.smoothing =
          std::chrono::duration_cast<Duration>(Seconds(f->smoothing * 60));
      TimePoint t0 = trace->samples.front().time;
      auto demand = MakeDemand(*trace, bo.mapping, t0);
      forecast::Series s;
      s.start = t0;
      // Through the last sample's own interval: 3 days of 5-minute samples
      // span 3 days (the series stopped at the last sample's start, 4315
      // minutes, and was refused as shorter than 3 days).
      // (The sample's step: its own period, else the trace's median, as
      // the demand covers it; at most a day.)
      const Duration step = std::min<Duration>(
          trace->periods.empty() ? trace->median_step : trace->periods.back(),
          std::chrono::hours(24));
      const TimePoint until = demand->end() + step;
      for (TimePoint t = t0; t < until; t += std::chrono::minutes(1)) {
        s.values.push_back(demand->Mean(t, std::chrono::minutes(1)));
      }
      forecast::EvalOptions eo;
      eo.horizon = f->horizon;
      eo.max_eval_days = f->days;
      // Walk-forward fits on min_train_days before each evaluated day: a
      // shorter trace evaluates nothing, and its errors (of no forecast)
      // read inf; say so instead of printing them.
      const int min_days = eo.min_train_days + 1;
      if (s.values.size() < static_cast<size_t>(min_days * kMinutesPerDay)) {
        *exit_code = ReportError(Status::InvalidArgument(fmt::format(
            "{}: the trace spans {} minutes; phas forecast needs at least "
            "{} days ({} to fit on, 1 to evaluate)",
            path, s.values.size(), min_days, eo.min_train_days)));
        return;
      }
      forecast::EvalResult r = forecast::EvaluateForecasters(s, eo);
      // Every evaluated minute without data: no error to measure (each
      // would read inf).
      if (r.minutes_with_data == 0) {
        *exit_code = ReportError(Status::InvalidArgument(fmt::format(
            "{}: no minute of the {} day(s) evaluated has data; nothing to "
            "score the forecasts against",
            path, r.days)));
        return;
      }
      // No model scored a minute (every one without a forecast): nothing
      // to show but dashes, exit 0 read as a result.
      if (std::none_of(r.models.begin(), r.models.end(),
                       [](const auto& m) { return std::isfinite(m.mae); })) {
        *exit_code = ReportError(Status::InvalidArgument(fmt::format(
            "{}: no model made a forecast for the {} day(s) evaluated", path,
            r.days)));
        return;
      }
      std::printf("%s: horizon %d min, %d day(s) evaluated, period %s\n",
                  trace->name.c_str(), f->horizon, r.days, r.period.c_str());
      double sn = 0;
      for (const auto& m : r.models) {
        if (m.model == "seasonal-naive-1440") sn = m.mae;
      }
      std::printf("  %-26s %10s %8s %14s\n", "model", "MAE", "MAPE %",
                  "MAE vs SN-day");
      for (const auto& m : r.models) {
        // A model that made no forecast (the week's needs 7 days to fit on)
        // has no error: said, not "inf"; a ratio to a seasonal-naive error
        // of ~0 (an exactly periodic trace) or none is no figure ("0%" read
        // as perfect, 1e15 % as nonsense).
        if (!std::isfinite(m.mae)) {
          std::printf("  %-26s %10s %8s %14s\n", m.model.c_str(), "-", "-",
                      "no forecast");
          continue;
        }
        const bool ratio = std::isfinite(sn) && sn > 1e-9;
        // MAPE skips minutes of no load: over none, it is not finite.
        const bool mape = std::isfinite(m.mape);
        std::printf(
            "  %-26s %10.4f %8s %13s\n", m.model.c_str(), m.mae,
            mape ? fmt::format("{:.2f}", m.mape).c_str() : "-",
            ratio ? fmt::format("{:.0f}%", 100 * m.mae / sn).c_str() : "-");
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace phas
