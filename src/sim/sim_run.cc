#include "sim/sim_run.h"

#include <cmath>

namespace phas {

std::vector<SimGroupResult> RunSimulation(Scaler& scaler, SimCloud& cloud,
                                          ManualClock& clock,
                                          const SimRunOptions& options) {
  std::vector<SimGroupResult> results(scaler.groups().size());
  for (size_t i = 0; i < results.size(); ++i)
    results[i].name = scaler.groups()[i].name;
  TimePoint start = clock.Now();
  double total = std::chrono::duration<double>(options.end - start).count();
  double next_report = 0.0;
  while (clock.Now() < options.end) {
    CycleReport rep = scaler.RunOnce(clock.Now());
    for (size_t i = 0; i < rep.groups.size(); ++i) {
      const GroupOutcome& g = rep.groups[i];
      if (!g.acted) continue;
      results[i].actions.push_back(
          {rep.now, g.decision.current, g.decision.target});
      if (g.decision.kind == Decision::Kind::kScaleUp) {
        ++results[i].scale_ups;
      } else {
        ++results[i].scale_downs;
      }
    }
    clock.Advance(options.interval);
    if (options.progress && total > 0) {
      double done =
          std::chrono::duration<double>(clock.Now() - start).count() / total;
      if (done >= next_report) {
        options.progress(std::min(done, 1.0));
        next_report = done + 0.05;
      }
    }
  }
  cloud.Sync();
  for (SimGroupResult& r : results) {
    r.minutes = cloud.minutes(r.name);
    r.instance_seconds = cloud.instance_seconds(r.name);
    r.cloud_calls = cloud.calls();
  }
  return results;
}

SimSummary Summarize(const SimGroupResult& r, double over_threshold) {
  SimSummary s;
  s.instance_hours = r.instance_seconds / 3600.0;
  s.scale_ups = r.scale_ups;
  s.scale_downs = r.scale_downs;
  for (const SimMinute& m : r.minutes) {
    if (std::isnan(m.demand)) continue;
    s.minutes += 1;
    double util = m.in_service > 0 ? m.demand / m.in_service
                                   : (m.demand > 0 ? INFINITY : 0);
    if (util > over_threshold) s.over_utilized_minutes += 1;
    s.unserved_instance_hours += std::max(0.0, m.demand - m.in_service) / 60.0;
  }
  return s;
}

}  // namespace phas
