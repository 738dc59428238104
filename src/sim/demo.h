// `phas demo`: the flagship on a real trace. The production loop replays a
// stretch of a shipped trace (NASA 1995 by default) on simulated groups in
// virtual time, once per policy:
//   predictive       with the load history a running group restores from
//                    CloudWatch at start preloaded (the `history_days` of
//                    the trace before the replayed window: real history);
//   target tracking  at its default target, and at the other targets of its
//                    cost vs under-provisioning curve (the verdict reads
//                    the curve);
//   seed             the original's policy and its model
//                    (data/models/seed-original);
//   oracle           perfect foresight, the bound.
// It prints a short header, one line of key figures per policy and the
// verdict (sim/frontier.h), and writes the HTML report (sim/report.h).
//
// Thread-safety: RunDemo is safe to call from one thread at a time; it runs
// the backtests on threads of its own.
#ifndef PHAS_SIM_DEMO_H_
#define PHAS_SIM_DEMO_H_

#include <cstdio>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/backtest.h"
#include "sim/frontier.h"

namespace phas {

struct DemoOptions {
  std::string trace_path;  // empty: the shipped NASA 1995 trace
  // Days of the trace before the replayed window, preloaded as the
  // predictive policy's load history. Default: 14 (what phas restores).
  double history_days = 14;
  // Hours replayed after them. Default: 72.
  double hours = 72;
  // The seed policy's model; empty: the original's (models/seed-original).
  std::string model_dir;
  // Target tracking's curve, %. Default: 70 60 50 40 35 30 (down to where
  // it is short of capacity about as rarely as predictive on NASA).
  std::vector<double> targets = {70, 60, 50, 40, 35, 30};
  std::string output_dir = "output/demo";  // report.html goes here
  int threads = 0;                         // 0: one per CPU
  FILE* out = stdout;
};

struct DemoResult {
  BacktestResult backtest;
  TraceFrontier frontier;
  std::string report_path;
};

// Runs, prints and writes the report as the header says. NotFound when the
// trace or model is missing; InvalidArgument when the trace is shorter than
// the history plus one hour.
Result<DemoResult> RunDemo(const DemoOptions& options);

}  // namespace phas

#endif  // PHAS_SIM_DEMO_H_
