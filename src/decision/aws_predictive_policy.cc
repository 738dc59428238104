#include "decision/aws_predictive_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/format.h"
#include "decision/points.h"

namespace phas {

std::optional<int> AwsPredictivePolicy::HourCapacity(
    const std::vector<MetricSample>& history, TimePoint hour, TimePoint now,
    std::string* why) const {
  auto hours = [](Duration d) {
    return std::chrono::duration<double>(d).count() / 3600;
  };
  if (history.empty() || now - history.front().time < c_.min_history) {
    double have = history.empty() ? 0.0 : hours(now - history.front().time);
    *why = Format(FMT_COMPILE("needs {} h of history, has {} h"),
                  Fixed(hours(c_.min_history), 0), Fixed(have, 1));
    return std::nullopt;
  }
  // Mean load in the same hour of the day, over up to max_history.
  double sum = 0;
  int n = 0;
  TimePoint oldest = now - c_.max_history;
  for (int day = 1; day <= 400; ++day) {
    TimePoint from = hour - std::chrono::hours(24 * day);
    if (from < oldest || from < history.front().time - std::chrono::hours(1)) {
      break;
    }
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
  int cap = InstancesFor(load, target_.utilization());
  *why =
      Format(FMT_COMPILE("forecast {} instance-units at {} needs {} at {}{}"),
             Fixed(load, 2), FormatIso8601(hour).substr(11, 5), cap,
             Fixed(target_.value, 0), target_.signal.unit);
  return cap;
}

TypedProposal<AlarmState> AwsPredictivePolicy::Evaluate(
    const Observation& obs, const AlarmState& state) const {
  TypedProposal<AlarmState> p = tracking_.Evaluate(obs, state);
  const TypedProposal<AlarmState> tt = p;
  p.code = {tt.code.reason, Via::kAwsPredictiveTracking};
  if (!obs.load_history) {
    p.reason = "no load history kept; target tracking only: " + tt.reason;
    return p;
  }
  TimePoint hour = FloorTo<std::chrono::hours>(obs.now + c_.buffer);
  std::string why;
  std::optional<int> cap = HourCapacity(*obs.load_history, hour, obs.now, &why);
  if (!cap) {
    p.reason = "predictive: " + why + "; target tracking: " + tt.reason;
    return p;
  }
  // Predictive raises a floor; it never takes capacity away.
  if (*cap > tt.target && *cap > obs.group.desired) {
    p.target = *cap;
    p.reason = "predictive: " + why;
    p.code = {Reason::kApForecast};
  } else {
    p.target = std::max(tt.target, std::min(*cap, obs.group.desired));
    p.reason = "target tracking: " + tt.reason + "; predictive floor " +
               std::to_string(*cap);
  }
  return p;
}

}  // namespace phas
