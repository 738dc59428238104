#include "scaler/driver.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace phas {

void StopSignal::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  cv_.notify_all();
}

bool StopSignal::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return stop_; });
}

namespace {

// Waits until `next`, calling on_tick every tick meanwhile; true when
// stopped.
bool WaitForCycle(std::chrono::steady_clock::time_point next,
                  const RealTimeOptions& options, StopSignal* stop) {
  using Steady = std::chrono::steady_clock;
  bool ticks = options.on_tick && options.tick > Duration::zero();
  auto tick = std::chrono::duration_cast<Steady::duration>(options.tick);
  while (true) {
    auto wake = ticks ? std::min(next, Steady::now() + tick) : next;
    if (stop->WaitUntil(wake)) return true;
    if (Steady::now() >= next) return false;
    options.on_tick();
  }
}

}  // namespace

CycleReport RunRealTime(Scaler& scaler, Clock& clock,
                        const RealTimeOptions& options, StopSignal* stop) {
  using Steady = std::chrono::steady_clock;
  const double interval =
      std::chrono::duration<double>(options.interval).count();
  auto next = Steady::now();
  CycleReport last;
  while (true) {
    auto t0 = Steady::now();
    TimePoint now = clock.Now();
    if (options.on_cycle_start) options.on_cycle_start(now);
    last = scaler.RunOnce(now);
    double took = std::chrono::duration<double>(Steady::now() - t0).count();
    if (options.on_cycle) options.on_cycle(last, took);
    if (options.once) break;
    if (took > interval) {
      spdlog::warn("Collection took {:.1f}s, longer than interval {:.0f}s",
                   took, interval);
    }
    next += std::chrono::duration_cast<Steady::duration>(options.interval);
    next = std::max(next, Steady::now());
    if (WaitForCycle(next, options, stop)) break;
  }
  return last;
}

std::vector<SimGroupResult> RunVirtualTime(Scaler& scaler, SimCloud& cloud,
                                           ManualClock& clock,
                                           const SimRunOptions& options) {
  std::vector<SimGroupResult> results(scaler.groups().size());
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].name = scaler.groups()[i].name;
  }
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
    if (options.on_cycle) options.on_cycle(rep);
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

}  // namespace phas
