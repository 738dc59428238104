// `phas demo`: the scaler loop on SimCloud, driven by a shipped real trace,
// a day and a half of virtual time in seconds of real time, printing the
// loop's log lines and a summary per group.
//
// Two groups face the same demand: one with the seed policy and the shipped
// model (trained by `phas train`), one with the reactive CPU rule, so the
// model's effect is visible beside a plain rule. With the original's model
// (`--model data/models/seed-original`) the seed group climbs to its maximum
// and stays there: that model always answers "scale up".
//
// Thread-safety: single-threaded.
#ifndef PHAS_SIM_DEMO_H_
#define PHAS_SIM_DEMO_H_

#include <cstdio>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/summary.h"

namespace phas {

struct DemoOptions {
  std::string trace_path;  // empty: the shipped NASA 1995 trace
  double hours = 36;
  double skip_hours = 0;  // start this far into the trace
  std::string model_dir;  // empty: the shipped default model
  std::string output_dir = "output/demo";
  bool verbose =
      false;  // print every log line, not only actions and hourly status
  FILE* out = stdout;
};

struct DemoGroup {
  std::string name;
  std::string policy;
  SimSummary summary;
};

Result<std::vector<DemoGroup>> RunDemo(const DemoOptions& options);

}  // namespace phas

#endif  // PHAS_SIM_DEMO_H_
