// Backtests: a real load trace replayed through the production control loop
// (scaler/scaler.h, via sim/sim_run.h) on SimCloud in virtual time, once per
// policy, each in its own simulated world started alike, then scored
// (sim/scoring.h). Policies run in parallel threads; each world is
// deterministic.
//
// Thread-safety: RunBacktest is safe to call from one thread at a time.
#ifndef PHAS_SIM_BACKTEST_H_
#define PHAS_SIM_BACKTEST_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scaler/config.h"
#include "scaler/driver.h"
#include "sim/scoring.h"
#include "sim/trace.h"

namespace phas {

struct BacktestOptions {
  // Default smoothing: 10 minutes for every trace (docs/backtest.md: low-rate
  // traces are Poisson-noisy at minute scale); every table says which window.
  // Default peak: 20 instances at 60% (the traffic of a 20-instance service).
  BacktestOptions() {
    mapping.smoothing = std::chrono::minutes(10);
    mapping.peak_instances = 20;
  }
  DemandMapping mapping;
  // Group bounds. Default: 1 to 40 (twice the default peak).
  int min_size = 1;
  int max_size = 40;
  // Default: 300 s.
  Duration boot_time = std::chrono::seconds(300);
  // CloudWatch publication delay. Default: 60 s.
  Duration metric_delay = std::chrono::seconds(60);
  // The loop's interval. Default: 10 s (production's).
  Duration interval = std::chrono::seconds(10);
  // The loop re-reads metrics at most this often (ScalerOptions); 0: every
  // cycle. Default (unset): the daemon's (scaler/config.h MetricsRefresh):
  // 60 s, or every cycle when the interval is 60 s or longer.
  std::optional<Duration> metrics_refresh;
  ScoreOptions score;  // target utilization = mapping's; price; threshold
  // The load signal the policies scale on (world key `signal`, as a
  // group's). Default: CPU. The simulated world publishes it
  // (SimulatedSignal).
  SignalSource signal;
  // Model bundle for the seed policy; empty: the shipped default.
  std::string model_dir;
  // Per-policy configuration (the keys of a scaler group entry).
  std::map<std::string, PolicyConfig> policies;
  // Replay only [skip_hours, skip_hours + hours) of the trace (hours 0: all).
  double skip_hours = 0;
  double hours = 0;
  // The first warmup_hours of that range are replayed but not scored (the
  // loop's history builds up there, as a group's would have before the
  // scored window): scores, actions and instance-hours count from
  // BacktestResult::scored_from on. Default: 0.
  double warmup_hours = 0;
  // The load history a running group restores from CloudWatch at start
  // (Observer::RestoreHistory): the groups that keep one (the forecasting
  // policies) begin with the demand of the history_hours before the
  // replayed range, one point a minute (minutes without data left out), as
  // if that load had been served. Default: 0 (none: a cold start).
  double history_hours = 0;
  // Parallel policies; 0: one per CPU.
  int threads = 0;
  // Called from worker threads with (policy, fraction done).
  std::function<void(const std::string&, double)> progress;
};

// One run of a backtest: a policy with `config` (a `policies:` entry's
// settings), or unset: its defaults as RunBacktest gives them (the
// predictive policy leading by the world's boot time, targets as the CPU
// defaults' share of the signal).
struct BacktestRun {
  std::string policy;
  std::optional<PolicyConfig> config;
  // Names the run in progress calls and PolicyRun::policy. Default (empty):
  // the policy.
  std::string label;
  // Keep the per-minute record (SimGroupResult::minutes, PolicyRun::
  // forecasts) after scoring, for charts. Default: true.
  bool keep_minutes = true;
};

// The forecast a policy saw, recorded once a minute: of the points it was
// given at `made`, the one nearest to `made` + the world's boot time (the
// lead a launch needs).
struct ForecastSeen {
  TimePoint made;
  ForecastPoint point;  // instance-units of load
};

struct PolicyRun {
  std::string policy;
  Scores scores;
  SimGroupResult result;
  // Policies that read a forecast: what they saw, a minute apart (the
  // replay's first minutes, without a forecast yet, have none).
  std::vector<ForecastSeen> forecasts;
  double wall_seconds = 0;
  // Wall time of the loop's cycles (RunOnce with the simulated world's
  // share), microseconds: the cost a policy adds per cycle.
  struct CycleTimes {
    double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
  } cycle_us;
};

struct BacktestResult {
  std::string trace;
  std::string smoothing;  // e.g. "15 min" or "none"
  std::string mapping;    // how trace units became instances
  BacktestOptions options;
  TimePoint start, end;
  TimePoint scored_from;  // start + warmup_hours, on a minute
  double trace_peak = 0;  // in instance-units after mapping
  int trace_gaps = 0;     // intervals longer than the trace's gap rule
  int trace_missing = 0;  // rows whose value was missing (Trace::missing)
  std::vector<PolicyRun> runs;
};

// The range a replay covers, [first, last) of the trace's minutes cut by
// `skip_hours` from the start and `hours` long (0: to the end). Compared in
// hours before any is added to a time: near 2262 (the most a TimePoint
// holds) the sum overflowed, and --skip-hours 1e5 replayed from 1680.
std::pair<TimePoint, TimePoint> ReplayRange(TimePoint first, TimePoint last,
                                            double skip_hours, double hours);

// Each policy configured as options.policies says (else its defaults).
Result<BacktestResult> RunBacktest(const Trace& trace,
                                   const std::vector<std::string>& policies,
                                   const BacktestOptions& options);
// Each run as it says (options.policies is not read). Runs start in the
// order given (long ones first make the shortest wall time); the result's
// runs are in that order.
Result<BacktestResult> RunBacktestRuns(const Trace& trace,
                                       const std::vector<BacktestRun>& runs,
                                       const BacktestOptions& options);

// Several backtests at once: every run of every job is one task of a
// single pool of `threads` threads (0: one per CPU), longest replays first,
// each job's runs in the order given. Results in the jobs' order; the first
// error (a job's, with its trace named) stops nothing already running and
// is returned.
struct BacktestJob {
  const Trace* trace = nullptr;
  std::vector<BacktestRun> runs;
  BacktestOptions options;  // `threads` is not read
};
Result<std::vector<BacktestResult>> RunBacktestJobs(
    const std::vector<BacktestJob>& jobs, int threads);

// An ALB signal's requests per minute of one instance fully used in the
// simulated world, unless the signal's `full` says otherwise.
inline constexpr double kSimRequestsFull = 6000;
// The default target group of a simulated ALB signal.
inline constexpr const char* kSimResourceLabel =
    "app/sim/0/targetgroup/trace/0";

// `s` as the simulated world publishes it: its `full` set (CPU 100 %,
// network as SimCloud's, requests kSimRequestsFull, custom its own or 1) and
// an ALB's resource label defaulted.
SignalSource SimulatedSignal(SignalSource s);

// A policy's configuration for the world's signal: a policy configured
// without a target (and, with a signal other than CPU, an unconfigured
// step policy's thresholds) gets the CPU default's share of one instance
// (60 %: 0.6 x full).
PolicyConfig ForSignal(PolicyConfig p, const SignalSource& simulated,
                       bool configured);

// A simulated group of the backtest world `o`, named `name`, starting with
// `initial` instances at the clock's time.
std::unique_ptr<SimCloud> MakeSimGroup(
    Clock* clock, const BacktestOptions& o,
    std::shared_ptr<const DemandSeries> demand, int initial,
    const std::string& name);

// The capacity the oracle asks for at `now`: what the demand needs at the
// target utilization over every minute that touches [now, now + horizon].
int OracleCapacity(const DemandSeries& d, TimePoint now, Duration horizon,
                   double u);

}  // namespace phas

#endif  // PHAS_SIM_BACKTEST_H_
