// A short operator summary of one simulated group (the demo's table).
//
// Thread-safety: stateless.
#ifndef PHAS_SIM_SUMMARY_H_
#define PHAS_SIM_SUMMARY_H_

#include "scaler/driver.h"

namespace phas {

struct SimSummary {
  double instance_hours = 0;
  double over_utilized_minutes = 0;  // utilization above the threshold
  double unserved_instance_hours = 0;
  int scale_ups = 0, scale_downs = 0;
  double minutes = 0;  // minutes with data
};
SimSummary Summarize(const SimGroupResult& r, double over_threshold = 0.9);

}  // namespace phas

#endif  // PHAS_SIM_SUMMARY_H_
