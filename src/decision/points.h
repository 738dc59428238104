// Helpers for policies that evaluate one-minute metric points the way
// CloudWatch alarms do: each point once, however often the loop runs.
// Thread-safety: stateless.
#ifndef PHAS_DECISION_POINTS_H_
#define PHAS_DECISION_POINTS_H_

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

inline int Counter(const PolicyState& s, const std::string& key) {
  auto it = s.counters.find(key);
  return it == s.counters.end() ? 0 : static_cast<int>(it->second);
}

// A high and a low CloudWatch-style alarm on the CPU points: consecutive
// points above `high` / below `low`, each point counted once. Reads the
// counts kept under the keys in `state`, writes the new ones and the newest
// point's time into p->if_held and p->if_acted, and returns them.
struct AlarmCounts {
  int high = 0;
  int low = 0;
};
inline AlarmCounts CountAlarms(const Observation& obs, const PolicyState& state,
                               const char* high_key, double high,
                               const char* low_key, double low, Proposal* p) {
  AlarmCounts c{Counter(state, high_key), Counter(state, low_key)};
  p->if_held = state;
  p->if_held.last_point =
      ForEachNewPoint(obs.cpu, state.last_point, [&](const MetricSample& s) {
        c.high = s.value > high ? c.high + 1 : 0;
        c.low = s.value < low ? c.low + 1 : 0;
      });
  p->if_held.counters[high_key] = c.high;
  p->if_held.counters[low_key] = c.low;
  p->if_acted = p->if_held;
  return c;
}

// Instances the latest CPU point averages (the ones that count, warm-up
// excluded), or InService minus warming when unknown; at least 1.
inline int ReadyInstances(const Observation& obs) {
  if (!obs.cpu.empty() && obs.cpu.back().instances > 0)
    return obs.cpu.back().instances;
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
inline int StabilizeScaleIn(std::vector<std::pair<TimePoint, int>>* recs,
                            TimePoint now, Duration window, int raw,
                            int current) {
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

}  // namespace phas

#endif  // PHAS_DECISION_POINTS_H_
