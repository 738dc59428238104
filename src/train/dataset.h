// Building a labelled dataset for the scaling classifier by replaying traces
// through the production loop on SimCloud.
//
// Each trace is replayed with driver policies (target tracking and the HPA),
// so the group visits the capacities a sensible policy would. Every minute
// of new data, the loop's own observation gives the features (the original
// 9, derived exactly as `phas scaler` derives them), and the true demand
// gives the label, with n the desired capacity and u the target utilization:
//   0 scale up    the demand one boot time ahead exceeds n * u
//   1 scale down  the demand over the coming scale-down window stays below
//                 (n - 1) * u
//   2 hold        otherwise
//
// Thread-safety: stateless; deterministic.
#ifndef PHAS_TRAIN_DATASET_H_
#define PHAS_TRAIN_DATASET_H_

#include <string>
#include <vector>

#include "model/features.h"
#include "sim/backtest.h"
#include "sim/trace.h"

namespace phas::train {

struct Example {
  Features features;
  int label = 2;
  int trace = 0;  // index of the trace it came from
};

struct DatasetOptions {
  BacktestOptions world;  // mapping, boot time, bounds (the backtest defaults)
  // Scale-down window: the seed policy's 30 answers at 10 s. Default: 300 s.
  Duration scale_down_window = std::chrono::seconds(300);
  std::vector<std::string> drivers = {"target-tracking", "hpa"};
};

// Examples of one trace (index `trace_index`).
Result<std::vector<Example>> BuildExamples(const Trace& trace, int trace_index,
                                           const DatasetOptions& options);

// The label for a moment, from the demand series (instance-units).
int Label(const DemandSeries& demand, TimePoint t, int capacity, double u,
          Duration boot, Duration down_window);

}  // namespace phas::train

#endif  // PHAS_TRAIN_DATASET_H_
