// Helpers for policies that evaluate one-minute metric points the way
// CloudWatch alarms do (each point once, however often the loop runs), and
// the capacity arithmetic the target-based policies share.
// Thread-safety: stateless.
#ifndef PHAS_DECISION_POINTS_H_
#define PHAS_DECISION_POINTS_H_

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "decision/fields.h"
#include "decision/types.h"

namespace phas {

// Calls fn(point) for every point newer than `last`, oldest first; returns
// the time of the newest point seen (or `last`).
template <typename Fn>
std::optional<TimePoint> ForEachNewPoint(
    const std::vector<MetricSample>& points, std::optional<TimePoint> last,
    Fn fn) {
  for (const MetricSample& p : points) {
    if (last && p.time <= *last) continue;
    last = p.time;
    fn(p);
  }
  return last;
}

// A high and a low CloudWatch-style alarm: consecutive points above `high`
// / below `low`, each point counted once.
struct AlarmState {
  int high = 0;  // consecutive points above the high threshold
  int low = 0;   // consecutive points below the low threshold
  std::optional<TimePoint> last_point;  // the newest point counted

  void Describe(FieldVisitor& v) {
    v.Integer("high", &high);
    v.Integer("low", &low);
    v.Time("last_point", &last_point);
  }
  friend bool operator==(const AlarmState&, const AlarmState&) = default;
};

// `s` with the points of `signal` it has not counted yet counted.
inline AlarmState CountAlarms(const std::vector<MetricSample>& signal,
                              AlarmState s, double high, double low) {
  s.last_point =
      ForEachNewPoint(signal, s.last_point, [&](const MetricSample& p) {
        s.high = p.value > high ? s.high + 1 : 0;
        s.low = p.value < low ? s.low + 1 : 0;
      });
  return s;
}

// Instances that served the latest signal point (scaler/observer.cc
// CountServing: also those that had not reported it, or have left since),
// or InService minus warming when unknown; at least 1.
inline int ReadyInstances(const Observation& obs) {
  if (!obs.signal.empty() && obs.signal.back().instances > 0) {
    return obs.signal.back().instances;
  }
  return std::max(1, obs.group.in_service - obs.group.warming);
}

// Instances that serve `load` (instance-units) at utilization `u` (0..1):
// ceil(load / u), 0 for no load.
inline int InstancesFor(double load, double u) {
  if (!(load > 0)) return 0;
  return static_cast<int>(std::ceil(load / u - 1e-9));
}

// Scale-in stabilization as the HPA does it: records `raw` at `now` in
// `recs` (dropping what is older than `window`) and returns raw, or, when
// raw is below `current`, the highest recommendation of the window.
inline int StabilizeScaleIn(Recommendations* recs, TimePoint now,
                            Duration window, int raw, int current) {
  // One timed after now (the clock went back since) counts from now: the
  // window holds scale-in once more, not for as long as the step.
  for (auto& r : *recs) r.first = std::min(r.first, now);
  recs->erase(
      std::remove_if(recs->begin(), recs->end(),
                     [&](const auto& r) { return r.first < now - window; }),
      recs->end());
  recs->emplace_back(now, raw);
  int out = raw;
  if (raw < current) {
    for (const auto& r : *recs) out = std::max(out, r.second);
  }
  return out;
}

// Seconds of a duration, for reasons.
inline long long WholeSeconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace phas

#endif  // PHAS_DECISION_POINTS_H_
