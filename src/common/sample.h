// MetricSample: one timestamped value of a per-minute metric series, with
// how many instances it covers. The unit every layer shares: CloudWatch
// answers, the policies' inputs, the load history and the model's temporal
// inputs.
//
// Thread-safety: plain value.
#ifndef PHAS_COMMON_SAMPLE_H_
#define PHAS_COMMON_SAMPLE_H_

#include "common/clock.h"

namespace phas {

struct MetricSample {
  TimePoint time;
  double value = 0.0;
  int instances = 0;  // how many instances the value covers (0: unknown)
};

}  // namespace phas

#endif  // PHAS_COMMON_SAMPLE_H_
