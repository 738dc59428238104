// Tuning (`phas tune`): each policy's main knob swept over a fixed grid on
// the earlier part of a load history (the fit window), each policy's
// cost-vs-under-provisioning frontier there, the cheapest setting that meets
// an under-provisioning SLO, and a check of that choice on the later part
// (the score window), which no choice reads. docs/backtest.md, "Tuning".
//
// Every setting is a backtest (sim/backtest.h) through the production loop:
//   fit    the trace up to the split, replayed over [start, split) (the
//          demand mapping's peak is the fit part's);
//   score  the whole trace replayed over [start, end), scored from the split
//          on: the history a running group would have had is there, and
//          nothing after the split was read before the choice was made.
// The grids are fixed per knob (TuneKnobs), never tuned per trace.
//
// Thread-safety: Tune is safe to call from one thread at a time; it runs
// its backtests on threads of its own. The rest is stateless.
#ifndef PHAS_SIM_TUNE_H_
#define PHAS_SIM_TUNE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scaler/config.h"
#include "sim/backtest.h"
#include "sim/scoring.h"
#include "sim/trace.h"

namespace phas {

// A policy's main knob: the one setting that trades instance-hours for
// under-provisioned time.
struct TuneKnob {
  std::string policy;   // "target-tracking"
  std::string section;  // where the key lives in a group entry; "" the entry
  std::string
      key;  // "target", "slo.max_underprovisioned_pct", "high_threshold"
  // The values tried, ascending. With in_signal_share, as % of one instance
  // fully used (CPU: % CPU; other signals: that share of their `full`).
  std::vector<double> grid;
  bool in_signal_share = false;
  // The policy's default, in the grid's terms.
  double untuned = 0;
  // Needs the CPU signal (its other settings are in CPU %).
  bool cpu_only = false;
};

// The knobs of every policy tune sweeps, in the registry's order:
// reactive, target-tracking, step, hpa and aws-predictive by `target` (step
// by its high threshold), predictive by its SLO (max_underprovisioned_pct).
const std::vector<TuneKnob>& TuneKnobs();
// The knob of `policy`, or InvalidArgument naming the policies that have one.
Result<TuneKnob> FindTuneKnob(std::string_view policy);

// A number as the snippet and the tables show it: integers without a point,
// else up to 6 significant digits.
std::string TuneNumber(double v);

// The value a group entry says for `grid_value` of `knob` in `world`
// (signal shares become the simulated signal's unit).
double KnobSetting(const TuneKnob& knob, double grid_value,
                   const BacktestOptions& world);
// The keys of a scaler group entry (docs/scaler.md, "Configuration shape")
// that set `knob` to `setting`, one per line, e.g.
//   policy: predictive
//   target: 60
//   predictive: {slo: {max_underprovisioned_pct: 3}, boot_seconds: 300}
// The predictive policy's boot_seconds is the world's boot time.
std::string TuneSnippet(const TuneKnob& knob, double setting,
                        const BacktestOptions& world);
// The snippet read back by the scaler's parser (ParsePolicyConfig) for the
// world's signal: what the backtests run, so what they score is what is
// pasted.
Result<PolicyConfig> SnippetConfig(const std::string& snippet,
                                   const BacktestOptions& world);

struct TuneOptions {
  // The policies swept. Default (empty): every policy of TuneKnobs that the
  // world's signal allows (step only with CPU).
  std::vector<std::string> policies;
  // The SLO: the most time under-provisioned (tau_U, % of the scored
  // minutes) a recommendation may have on the fit window. Default: 5 %
  // (about 70 minutes a day; target tracking at its default target is
  // under-provisioned 0.7-40 % of the time on the bundled traces).
  double slo_tau_u = 5;
  // The first fit_fraction of the range is the fit window, the rest the
  // score window. Default: 2/3 (14 days: 9.3 days fit, 4.7 scored).
  double fit_fraction = 2.0 / 3;
  // Backtests in parallel; 0: one per CPU.
  int threads = 0;
  // Called from worker threads with ("fit"|"score", fraction of the runs
  // done).
  std::function<void(const std::string&, double)> progress;
};

// The fit and score windows of `trace` replayed as `world` says
// (skip_hours, hours): [start, split) and [split, end), split on a minute.
struct TuneWindows {
  TimePoint start, split, end;
  double fit_hours() const;
  double score_hours() const;
};
Result<TuneWindows> SplitWindows(const Trace& trace,
                                 const BacktestOptions& world,
                                 double fit_fraction);

// Which points are on the cost-vs-shortfall frontier: a point is off it
// when another has no more instance-hours and no more tau_U, and less of
// one of them (equal points both stay).
struct CostShortfall {
  double instance_hours = 0;
  double tau_u = 0;
};
std::vector<bool> ParetoFrontier(const std::vector<CostShortfall>& points);

struct TunePoint {
  double grid_value = 0;  // in the knob's grid terms
  double setting = 0;     // what the snippet says
  Scores fit;             // on the fit window
  bool on_frontier = false;
};

struct TunePolicy {
  TuneKnob knob;
  std::vector<TunePoint> points;  // grid order
};

// Among all points: the cheapest (instance-hours, then tau_U) whose fit
// tau_U is at most the SLO; when none is, the least tau_U (then the
// cheapest), with meets_slo false. Ties keep the first in `policies`'
// order. policy = -1 when there are no points.
struct TuneChoice {
  int policy = -1;
  int point = -1;
  bool meets_slo = false;
};
TuneChoice Recommend(const std::vector<TunePolicy>& policies, double slo_tau_u);

struct TuneResult {
  std::string trace;
  std::string smoothing;  // "10 min"
  std::string mapping;    // how trace units became instances
  BacktestOptions world;  // as run (the mapping resolved on the fit part)
  TuneWindows windows;
  double slo_tau_u = 0;
  std::vector<TunePolicy> policies;
  TuneChoice choice;
  std::string label;    // "predictive slo.max_underprovisioned_pct 3"
  std::string snippet;  // TuneSnippet of the choice
  // On the score window: the choice, and target tracking at its default
  // target (what the group gets untuned).
  Scores score_choice;
  Scores score_untuned;
  std::string untuned_label;  // "target-tracking target 60 (default)"
  int runs = 0;               // backtests run
  double wall_seconds = 0;
};

// Sweeps, recommends and checks, as the header says. InvalidArgument for a
// policy without a knob (or step with a signal other than CPU), an SLO
// outside [0, 100], a fit fraction outside (0, 1), windows without a whole
// minute each, or world.policies set (tune configures every run itself).
Result<TuneResult> Tune(const Trace& trace, const BacktestOptions& world,
                        const TuneOptions& options);

}  // namespace phas

#endif  // PHAS_SIM_TUNE_H_
