#include "decision/policy.h"

namespace phas {

Decision Policy::Decide(const Observation& obs,
                        const PolicyState& state) const {
  return ApplyGuard(Propose(obs, state), obs.group, state, obs.now, guard());
}

}  // namespace phas
