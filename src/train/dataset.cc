#include "train/dataset.h"

#include <cmath>

#include "cloud/sim_cloud.h"
#include "scaler/driver.h"
#include "scaler/scaler.h"

namespace phas::train {

int Label(const DemandSeries& demand, TimePoint t, int n, double u,
          Duration boot, Duration down_window) {
  double ahead = demand.Mean(t + boot, std::chrono::minutes(1));
  if (!std::isnan(ahead) && ahead > n * u) return 0;
  if (n > 1) {
    double peak = 0;
    bool known = true;
    for (TimePoint s = t; s <= t + down_window; s += std::chrono::minutes(1)) {
      double d = demand.Mean(s, std::chrono::minutes(1));
      if (std::isnan(d)) {
        known = false;
        break;
      }
      peak = std::max(peak, d);
    }
    if (known && peak < (n - 1) * u) return 1;
  }
  return 2;
}

Result<std::vector<Example>> BuildExamples(const Trace& trace, int trace_index,
                                           const DatasetOptions& o) {
  std::vector<Example> out_examples;
  const BacktestOptions& w = o.world;
  TimePoint t0 = FloorMinute(trace.samples.front().time);
  auto demand = MakeDemand(trace, w.mapping, t0);
  TimePoint end = demand->end();
  if (w.hours > 0)
    end = std::min(end, t0 + std::chrono::duration_cast<Duration>(
                                 Seconds(w.hours * 3600)));
  double u = w.mapping.target_utilization;
  for (const std::string& driver : o.drivers) {
    ManualClock clock(t0);
    int initial = std::clamp(OracleCapacity(*demand, t0, w.boot_time, u),
                             w.min_size, w.max_size);
    std::unique_ptr<SimCloud> world =
        MakeSimGroup(&clock, w, demand, initial, "train");
    SimCloud& cloud = *world;
    GroupConfig g;
    g.name = "train";
    PHAS_RETURN_IF_ERROR(g.policy.Select(driver));
    g.memory.enabled = false;
    g.all_metrics = true;  // the examples are the original's features
    ScalerOptions so;
    so.keep_history = true;  // the temporal inputs
    Scaler scaler({g}, so, {.cloud = &cloud, .clock = &clock});
    PHAS_RETURN_IF_ERROR(scaler.Init(clock.Now()));
    std::optional<TimePoint> last_minute;
    long made = 0;
    SimRunOptions run;
    run.end = end;
    run.interval = w.interval;
    run.on_cycle = [&](const CycleReport& report) {
      // One example per new minute of data.
      const GroupOutcome& out = report.groups[0];
      const Observation& obs = out.observation;
      if (!out.features || obs.signal.empty()) return;
      if (last_minute && obs.signal.back().time <= *last_minute) return;
      last_minute = obs.signal.back().time;
      Example e;
      e.features = *out.features;
      // One example in four without its history: clients that send only
      // the original 9 features (and a fresh start) get a model that has
      // learned what to do when the temporal inputs are missing.
      if (++made % 4 == 0) e.features.temporal.clear();
      e.trace = trace_index;
      e.label = Label(*demand, obs.now, obs.group.desired, u, w.boot_time,
                      o.scale_down_window);
      out_examples.push_back(e);
    };
    RunVirtualTime(scaler, cloud, clock, run);
  }
  return out_examples;
}

}  // namespace phas::train
