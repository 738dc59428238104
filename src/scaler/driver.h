// Drivers: what calls Scaler::RunOnce, in each of the two worlds.
//   RunRealTime     `phas scaler`: the system clock, one cycle every
//                   interval until stopped (a signal) or after one cycle
//                   (--once)
//   RunVirtualTime  the demo, backtests and training: SimCloud and a
//                   ManualClock advanced by the interval, until a time
// Both run exactly the same loop; only time differs.
//
// Thread-safety: a driver runs on the calling thread; StopSignal::Stop may
// be called from any thread.
#ifndef PHAS_SCALER_DRIVER_H_
#define PHAS_SCALER_DRIVER_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "cloud/sim_cloud.h"
#include "scaler/scaler.h"

namespace phas {

// Asks a real-time driver to stop after the cycle in progress.
class StopSignal {
 public:
  void Stop();
  // Waits until `deadline` or a stop; true when stopped.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

struct RealTimeOptions {
  Duration interval = std::chrono::seconds(10);
  bool once = false;  // one cycle, then return
  // Called after every cycle with the report and its wall time in seconds.
  std::function<void(const CycleReport&, double seconds)> on_cycle;
  // Called as every cycle starts, with the time it runs at (liveness:
  // scaler/status_board.h).
  std::function<void(TimePoint)> on_cycle_start;
  // Called every `tick` while waiting for the next cycle (the replicas'
  // lease renewals); zero or no callback: never.
  Duration tick = Duration::zero();
  std::function<void()> on_tick;
};

// Runs scaler.RunOnce(clock.Now()) every interval (a cycle that overruns
// is logged, and the next starts at once) until `stop` or, with `once`,
// after one cycle. Returns the last cycle's report.
CycleReport RunRealTime(Scaler& scaler, Clock& clock,
                        const RealTimeOptions& options, StopSignal* stop);

struct ActionEvent {
  TimePoint time;
  int from = 0;
  int to = 0;
};

struct SimGroupResult {
  std::string name;
  std::vector<SimMinute> minutes;  // ground truth, one per simulated minute
  std::vector<ActionEvent> actions;
  double instance_seconds = 0;
  int scale_ups = 0;
  int scale_downs = 0;
  SimCallCounts cloud_calls;  // what the loop asked the simulated cloud
};

struct SimRunOptions {
  TimePoint end;  // run until the clock reaches this
  Duration interval = std::chrono::seconds(10);  // the loop's interval
  // Called now and then with the fraction done (progress on stderr).
  std::function<void(double)> progress;
  // Called after every cycle.
  std::function<void(const CycleReport&)> on_cycle;
};

// Runs scaler.RunOnce every `interval` from the clock's time until `end`,
// advancing `clock`; `scaler` must have been Init-ed.
std::vector<SimGroupResult> RunVirtualTime(Scaler& scaler, SimCloud& cloud,
                                           ManualClock& clock,
                                           const SimRunOptions& options);

}  // namespace phas

#endif  // PHAS_SCALER_DRIVER_H_
