#include "sim/summary.h"

#include <algorithm>
#include <cmath>

namespace phas {

SimSummary Summarize(const SimGroupResult& r, double over_threshold) {
  SimSummary s;
  s.instance_hours = r.instance_seconds / 3600.0;
  s.scale_ups = r.scale_ups;
  s.scale_downs = r.scale_downs;
  for (const SimMinute& m : r.minutes) {
    if (std::isnan(m.demand)) continue;
    s.minutes += 1;
    double util = m.in_service > 0 ? m.demand / m.in_service
                                   : (m.demand > 0 ? INFINITY : 0);
    if (util > over_threshold) s.over_utilized_minutes += 1;
    s.unserved_instance_hours += std::max(0.0, m.demand - m.in_service) / 60.0;
  }
  return s;
}

}  // namespace phas
