#include "sim/scoring.h"

#include <algorithm>
#include <cmath>

#include "decision/points.h"

namespace phas {
namespace {

int Sign(int x) { return (x > 0) - (x < 0); }

}  // namespace

int DemandInstances(double demand, double u) { return InstancesFor(demand, u); }

Scores Score(const std::vector<SimMinute>& minutes, double instance_seconds,
             int actions, const ScoreOptions& o) {
  Scores s;
  s.actions = actions;
  double under_acc = 0, over_acc = 0, under_t = 0, over_t = 0, hot = 0;
  int unstable = 0, pairs = 0, supply_changes = 0, demand_changes = 0;
  bool have_prev = false;
  int prev_d = 0, prev_s = 0;
  for (const SimMinute& m : minutes) {
    if (std::isnan(m.demand)) {
      s.no_data_minutes += 1;
      s.no_data_instance_hours += (m.in_service + m.pending) / 60.0;
      have_prev = false;  // a gap breaks the change series
      continue;
    }
    s.minutes += 1;
    int d = DemandInstances(m.demand, o.target_utilization);
    int sup = m.in_service;
    if (d > sup) {
      under_acc += static_cast<double>(d - sup) / d;
      under_t += 1;
    } else if (sup > d) {
      over_acc += static_cast<double>(sup - d) / std::max(d, 1);
      over_t += 1;
    }
    double util = sup > 0 ? m.demand / sup : (m.demand > 0 ? INFINITY : 0.0);
    if (util > o.over_threshold) hot += 1;
    s.unserved_instance_hours += std::max(0.0, m.demand - sup) / 60.0;
    if (have_prev) {
      int ds = Sign(sup - prev_s), dd = Sign(d - prev_d);
      ++pairs;
      if (ds != dd) ++unstable;
      if (ds != 0) ++supply_changes;
      if (dd != 0) ++demand_changes;
    }
    have_prev = true;
    prev_d = d;
    prev_s = sup;
  }
  s.instance_hours =
      std::max(0.0, instance_seconds / 3600.0 - s.no_data_instance_hours);
  s.cost = s.instance_hours * o.price_per_hour;
  if (s.minutes > 0) {
    s.theta_u = 100.0 * under_acc / s.minutes;
    s.theta_o = 100.0 * over_acc / s.minutes;
    s.tau_u = 100.0 * under_t / s.minutes;
    s.tau_o = 100.0 * over_t / s.minutes;
    s.over_threshold_pct = 100.0 * hot / s.minutes;
    s.jitter = (supply_changes - demand_changes) / (s.minutes / 60.0);
  }
  if (pairs > 0) s.instability = 100.0 * unstable / pairs;
  return s;
}

}  // namespace phas
