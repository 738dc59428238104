// Scores of a simulated run, per minute of ground truth (docs/backtest.md
// gives the definitions and their source).
//
// Demand d_t is the resource demand of the SPEC Research Group's elasticity
// metrics (Herbst et al., "BUNGEE: An Elasticity Benchmark for
// Self-Adaptive IaaS Cloud Environments", SEAMS 2015; "Quantifying Cloud
// Performance and Dependability", ACM ToMPECS 2018): the instances needed to
// serve the minute's load at the target utilization, ceil(D_t / u). Supply
// s_t is the instances InService in that minute.
//   theta_U = 100/T * sum (d_t - s_t)+ / d_t      under-provisioning accuracy,
//   % theta_O = 100/T * sum (s_t - d_t)+ / max(d_t,1) over-provisioning
//   accuracy, % tau_U   = 100/T * #{s_t < d_t}                under-provisioned
//   time, % tau_O   = 100/T * #{s_t > d_t}                over-provisioned
//   time, % instability = 100/(T-1) * #{sgn(ds) != sgn(dd)}  supply and demand
//   moving apart, % jitter  = (E_S - E_D) / hours: supply adaptations minus
//   demand changes, per hour
// plus cost: instance-hours billed (launch to termination, boot included) and
// money at a price, over the scored minutes (what is billed in minutes without
// data is reported apart: no policy sees anything there, and the oracle's
// "knowledge" of a gap is an artifact of the trace), scaling actions, time with
// utilization D_t / s_t above a threshold, and unserved demand: sum (D_t -
// s_t)+ in instance-hours (work beyond 100% of the capacity serving). Minutes
// without data are left out.
//
// Thread-safety: stateless.
#ifndef PHAS_SIM_SCORING_H_
#define PHAS_SIM_SCORING_H_

#include <vector>

#include "cloud/sim_cloud.h"

namespace phas {

struct ScoreOptions {
  double target_utilization = 0.6;  // u. Default: 0.6
  double over_threshold = 0.9;      // Default: 0.9 (90% utilization)
  double price_per_hour = 0.10;     // Default: $0.10 per instance-hour
};

struct Scores {
  double theta_u = 0, theta_o = 0;
  double tau_u = 0, tau_o = 0;
  double instability = 0;
  double jitter = 0;
  double instance_hours = 0;          // billed during scored minutes
  double no_data_instance_hours = 0;  // billed during minutes without data
  double cost = 0;
  int actions = 0;
  double over_threshold_pct = 0;
  double unserved_instance_hours = 0;
  double minutes = 0;          // minutes scored
  double no_data_minutes = 0;  // left out
};

// Instances needed for `demand` instance-units at utilization u.
int DemandInstances(double demand, double u);

// `instance_seconds`: everything billed; the minutes without data take their
// share (InService + Pending at the minute) out of it.
Scores Score(const std::vector<SimMinute>& minutes, double instance_seconds,
             int actions, const ScoreOptions& options);

}  // namespace phas

#endif  // PHAS_SIM_SCORING_H_
