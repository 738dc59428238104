// SimDemand: the load a simulated group must serve, in instance-units (1.0
// = the work one instance does at 100 % CPU), as a function of time.
// sim/demand.h builds one from a trace; SimCloud only reads it.
//
// Thread-safety: implementations are immutable after construction.
#ifndef PHAS_CLOUD_SIM_DEMAND_H_
#define PHAS_CLOUD_SIM_DEMAND_H_

#include "common/clock.h"

namespace phas {

class SimDemand {
 public:
  virtual ~SimDemand() = default;
  // The mean demand over [start, start + len); NaN when any part of it has
  // no data.
  virtual double Mean(TimePoint start, Duration len) const = 0;
};

}  // namespace phas

#endif  // PHAS_CLOUD_SIM_DEMAND_H_
