// Running the production control loop (scaler/scaler.h) on SimCloud in
// virtual time: the demo and the backtester both go through here, so what
// they score is exactly what `phas scaler` runs.
//
// Thread-safety: single-threaded.
#ifndef PHAS_SIM_SIM_RUN_H_
#define PHAS_SIM_SIM_RUN_H_

#include <functional>
#include <string>
#include <vector>

#include "cloud/sim_cloud.h"
#include "scaler/scaler.h"

namespace phas {

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
};

// Runs scaler.RunOnce every `interval` from the clock's time until `end`,
// advancing `clock`; `scaler` must have been Init-ed.
std::vector<SimGroupResult> RunSimulation(Scaler& scaler, SimCloud& cloud,
                                          ManualClock& clock,
                                          const SimRunOptions& options);

// Short operator summary of a simulated group.
struct SimSummary {
  double instance_hours = 0;
  double over_utilized_minutes = 0;  // utilization above the threshold
  double unserved_instance_hours = 0;
  int scale_ups = 0, scale_downs = 0;
  double minutes = 0;  // minutes with data
};
SimSummary Summarize(const SimGroupResult& r, double over_threshold = 0.9);

}  // namespace phas

#endif  // PHAS_SIM_SIM_RUN_H_
