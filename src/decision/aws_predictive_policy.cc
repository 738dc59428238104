#include "decision/aws_predictive_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "decision/points.h"

namespace phas {

std::optional<int> AwsPredictivePolicy::HourCapacity(
    const std::vector<MetricSample>& history, TimePoint hour, TimePoint now,
    std::string* why) const {
  if (history.empty() || now - history.front().time < c_.min_history) {
    double have =
        history.empty()
            ? 0.0
            : std::chrono::duration<double>(now - history.front().time)
                      .count() /
                  3600;
    *why = fmt::format(
        "needs {:.0f} h of history, has {:.1f} h",
        std::chrono::duration<double>(c_.min_history).count() / 3600, have);
    return std::nullopt;
  }
  // Mean load in the same hour of the day, over up to max_history.
  double sum = 0;
  int n = 0;
  TimePoint oldest = now - c_.max_history;
  for (int day = 1; day <= 400; ++day) {
    TimePoint from = hour - std::chrono::hours(24 * day);
    if (from < oldest || from < history.front().time - std::chrono::hours(1))
      break;
    TimePoint to = from + std::chrono::hours(1);
    auto it = std::lower_bound(
        history.begin(), history.end(), from,
        [](const MetricSample& s, TimePoint t) { return s.time < t; });
    for (; it != history.end() && it->time < to; ++it) {
      sum += it->value;
      ++n;
    }
  }
  if (n == 0) {
    *why = "no history for this hour of the day";
    return std::nullopt;
  }
  double load = sum / n;
  int cap = InstancesFor(load, c_.target / 100.0);
  *why = fmt::format("forecast {:.2f} instance-units at {} needs {} at {:.0f}%",
                     load, FormatIso8601(hour).substr(11, 5), cap, c_.target);
  return cap;
}

Proposal AwsPredictivePolicy::Propose(const Observation& obs,
                                      const PolicyState& state) const {
  Proposal tt = TargetTrackingPolicy(c_.tracking).Propose(obs, state);
  if (!obs.load_history) {
    tt.reason = "no load history kept; target tracking only: " + tt.reason;
    tt.code = "ap_" + tt.code;
    return tt;
  }
  TimePoint hour = FloorTo<std::chrono::hours>(obs.now + c_.buffer);
  std::string why;
  std::optional<int> cap = HourCapacity(*obs.load_history, hour, obs.now, &why);
  Proposal p = tt;
  if (!cap) {
    p.reason = "predictive: " + why + "; target tracking: " + tt.reason;
    p.code = "ap_" + tt.code;
    return p;
  }
  // Predictive raises a floor; it never takes capacity away.
  if (*cap > tt.target && *cap > obs.group.desired) {
    p.target = *cap;
    p.reason = "predictive: " + why;
    p.code = "ap_forecast";
  } else {
    p.target = std::max(tt.target, std::min(*cap, obs.group.desired));
    p.reason = "target tracking: " + tt.reason + "; predictive floor " +
               std::to_string(*cap);
    p.code = "ap_" + tt.code;
  }
  return p;
}

Proposal OraclePolicy::Propose(const Observation& obs,
                               const PolicyState& state) const {
  Proposal p;
  p.if_held = state;
  p.if_acted = state;
  p.target = obs.group.desired;
  if (!obs.oracle_capacity) {
    p.reason = "no foresight available (the oracle runs only in the simulator)";
    p.code = "oracle_blind";
    return p;
  }
  p.target = *obs.oracle_capacity;
  p.reason = fmt::format("the demand of the next boot time needs {}",
                         *obs.oracle_capacity);
  p.code = "oracle";
  return p;
}

}  // namespace phas
