// Cost of the forecasting the predictive policy does, one thread, on the
// load a backtest replays (trace -> instance-units per minute, 10-minute
// smoothing, as `phas forecast` builds it):
//   - SelectForecaster (period detection, every candidate fitted and scored,
//     the best refitted) on 3 hours, 2 days and 14 days of history;
//   - its parts on 14 days: DetectPeriod, each model's Fit;
//   - the per-new-minute work: the fitted model's cursor Append + Forecast.
// Traces: NASA (1-minute), nab_asg_cluster_cpu (5-minute, no period) and
// azure_vm_cpu (5-minute, weekly).
// Run: build/phas_bench --benchmark_filter=Forecast
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "forecast/models.h"
#include "forecast/period.h"
#include "forecast/select.h"
#include "sim/backtest.h"
#include "sim/trace.h"

namespace phas {
namespace {

const char* const kTraces[] = {"nasa_http_1995_1min",
                               "nab_asg_cluster_cpu_5min",
                               "azure_vm_cpu_2019_5min"};
constexpr int kDay = kMinutesPerDay;

// The whole trace as the backtest's per-minute demand (cached per trace).
const forecast::Series& TraceSeries(int trace) {
  static std::map<int, forecast::Series> cache;
  auto it = cache.find(trace);
  if (it != cache.end()) return it->second;
  forecast::Series s;
  auto t = LoadTrace(std::string(PHAS_SOURCE_DIR) + "/data/traces/" +
                     kTraces[trace] + ".csv");
  if (t.ok()) {
    BacktestOptions bo;
    bo.mapping.smoothing = std::chrono::minutes(10);
    s.start = t->samples.front().time;
    auto demand = MakeDemand(*t, bo.mapping, s.start);
    for (TimePoint m = s.start; m < demand->end(); m += std::chrono::minutes(1))
      s.values.push_back(demand->Mean(m, std::chrono::minutes(1)));
  }
  return cache.emplace(trace, std::move(s)).first->second;
}

// `minutes` of history ending 15 days into the trace (so 14 days exist).
forecast::Series Window(int trace, int minutes) {
  const forecast::Series& full = TraceSeries(trace);
  forecast::Series head = full;
  head.values.resize(std::min<size_t>(full.size(), 15 * kDay));
  return forecast::Tail(head, static_cast<size_t>(minutes));
}

bool Usable(benchmark::State& state, const forecast::Series& s, int minutes) {
  if (s.size() < static_cast<size_t>(minutes)) {
    state.SkipWithError("trace too short or missing");
    return false;
  }
  state.SetLabel(kTraces[state.range(0)]);
  return true;
}

forecast::ForecastOptions Options() {
  forecast::ForecastOptions o;
  o.horizon = 10;
  return o;
}

void BM_ForecastSelect(benchmark::State& state) {
  int minutes = static_cast<int>(state.range(1));
  forecast::Series s = Window(static_cast<int>(state.range(0)), minutes);
  if (!Usable(state, s, minutes)) return;
  for (auto _ : state) {
    auto fit = forecast::SelectForecaster(s, Options());
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_ForecastSelect)
    ->ArgsProduct({{0, 1, 2}, {180, 2 * kDay, 14 * kDay}})
    ->Unit(benchmark::kMillisecond);

void BM_ForecastDetectPeriod(benchmark::State& state) {
  forecast::Series s = Window(static_cast<int>(state.range(0)), 14 * kDay);
  if (!Usable(state, s, 14 * kDay)) return;
  for (auto _ : state) {
    auto r = forecast::DetectPeriod(s, {kMinutesPerDay, kMinutesPerWeek});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ForecastDetectPeriod)
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMillisecond);

// Model kinds, by the second argument.
std::unique_ptr<forecast::Forecaster> MakeModel(int kind) {
  switch (kind) {
    case 0:
      return std::make_unique<forecast::HoltWinters>(0, true);
    case 1:
      return std::make_unique<forecast::HoltWinters>(kDay, false);
    case 2:
      return std::make_unique<forecast::HoltWinters>(kDay, true);
    case 3:
      return std::make_unique<forecast::HoltWinters>(kMinutesPerWeek, true);
    default:
      return std::make_unique<forecast::XgbForecaster>(kDay, 10);
  }
}

void BM_ForecastFit(benchmark::State& state) {
  forecast::Series s = Window(static_cast<int>(state.range(0)), 14 * kDay);
  if (!Usable(state, s, 14 * kDay)) return;
  std::unique_ptr<forecast::Forecaster> m =
      MakeModel(static_cast<int>(state.range(1)));
  state.SetLabel(std::string(kTraces[state.range(0)]) + " " + m->name());
  for (auto _ : state) {
    Status st = m->Fit(s);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_ForecastFit)
    ->ArgsProduct({{0}, {0, 1, 2, 3, 4}})
    ->Unit(benchmark::kMillisecond);

// One new minute: the series grows by one value, the cursor takes it and
// forecasts the next 12 minutes. Arguments: trace, then the model kind (as
// BM_ForecastFit; 5: whatever SelectForecaster chose).
void BM_ForecastCursorStep(benchmark::State& state) {
  const forecast::Series& full = TraceSeries(static_cast<int>(state.range(0)));
  forecast::Series s = Window(static_cast<int>(state.range(0)), 14 * kDay);
  if (!Usable(state, s, 14 * kDay)) return;
  std::shared_ptr<forecast::Forecaster> m;
  if (state.range(1) == 5) {
    auto fit = forecast::SelectForecaster(s, Options());
    if (!fit.ok()) {
      state.SkipWithError(fit.status().ToString().c_str());
      return;
    }
    m = fit->model();
  } else {
    m = MakeModel(static_cast<int>(state.range(1)));
    if (!m->Fit(s).ok()) {
      state.SkipWithError("fit failed");
      return;
    }
  }
  state.SetLabel(std::string(kTraces[state.range(0)]) + " " + m->name());
  std::unique_ptr<forecast::ForecastCursor> cursor = m->Follow(s);
  size_t next = 15 * kDay;  // the minutes after the window, then round again
  for (auto _ : state) {
    double y = full.values[next];
    next = next + 1 < full.size() ? next + 1 : 15 * kDay;
    s.values.push_back(y);
    cursor->Append(y);
    std::vector<double> f = cursor->Forecast(12);
    benchmark::DoNotOptimize(f.data());
  }
}
BENCHMARK(BM_ForecastCursorStep)
    ->ArgsProduct({{0}, {0, 2, 4, 5}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace phas
