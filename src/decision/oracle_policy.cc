#include "decision/oracle_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "common/format.h"

namespace phas {

TypedProposal<NoState> OraclePolicy::Evaluate(const Observation& obs,
                                              const NoState&) const {
  TypedProposal<NoState> p;
  p.target = obs.group.desired;
  if (!obs.oracle_capacity) {
    p.reason = "no foresight available (the oracle runs only in the simulator)";
    p.code = {Reason::kOracleBlind};
    return p;
  }
  p.target = *obs.oracle_capacity;
  p.reason = Format(FMT_COMPILE("the demand of the next boot time needs {}"),
                    *obs.oracle_capacity);
  p.code = {Reason::kOracle};
  return p;
}

}  // namespace phas
