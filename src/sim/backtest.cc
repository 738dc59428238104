#include "sim/backtest.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>
#include <tuple>

#include "common/paths.h"
#include "decision/predictive_policy.h"
#include "decision/step_policy.h"
#include "model/bundle.h"

namespace phas {
namespace {

// To the millisecond: a window computed in hours lands on its minute.
Duration Hours(double h) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::round<std::chrono::milliseconds>(Seconds(h * 3600)));
}

// The demand of every minute of [from, to) with data, as the load history
// CloudWatch would give (instance-units).
std::vector<MetricSample> DemandLoad(const DemandSeries& d, TimePoint from,
                                     TimePoint to) {
  std::vector<MetricSample> out;
  for (TimePoint m = FloorMinute(from); m < to; m += std::chrono::minutes(1)) {
    double mean = d.Mean(m, std::chrono::minutes(1));
    if (!std::isnan(mean)) out.push_back({m, mean, 0});
  }
  return out;
}

// The point of a non-empty forecast nearest to `t`.
ForecastPoint NearestPoint(const std::vector<ForecastPoint>& f, TimePoint t) {
  auto dist = [t](const ForecastPoint& p) {
    return p.time > t ? p.time - t : t - p.time;
  };
  return *std::min_element(f.begin(), f.end(),
                           [&](const ForecastPoint& a, const ForecastPoint& b) {
                             return dist(a) < dist(b);
                           });
}

// The group a run scales: `run`'s configuration for the world's signal.
Result<GroupConfig> RunGroup(const BacktestRun& run, const BacktestOptions& o) {
  GroupConfig g;
  g.name = "trace";
  g.signal = SimulatedSignal(o.signal);
  if (run.config) {
    g.policy = ForSignal(*run.config, g.signal, true);
  } else {
    PHAS_RETURN_IF_ERROR(g.policy.Select(run.policy));
    // The predictive policy leads by the world's boot time, and counts the
    // world's metric delay (publication, then the loop's refresh) in the
    // way back.
    g.policy.Edit<PredictiveConfig>([&](PredictiveConfig& c) {
      c.boot_time = o.boot_time;
      c.metric_delay =
          o.metric_delay + MetricsRefresh(o.metrics_refresh, o.interval);
    });
    g.policy = ForSignal(g.policy, g.signal, false);
  }
  g.memory.enabled = false;
  return g;
}

PolicyRun::CycleTimes Summarize(std::vector<float> us) {
  PolicyRun::CycleTimes t;
  if (us.empty()) return t;
  auto at = [&us](double q) {
    auto k = us.begin() + static_cast<long>(q * (us.size() - 1));
    std::nth_element(us.begin(), k, us.end());
    return static_cast<double>(*k);
  };
  double sum = 0;
  for (float x : us) sum += x;
  t.mean = sum / us.size();
  t.p50 = at(0.5);
  t.p90 = at(0.9);
  t.p99 = at(0.99);
  t.max = at(1.0);
  return t;
}

// Replays [start, end) and scores [scored_from, end): billed instance-seconds
// and actions from scored_from on (the clock stops there between the two
// stages).
Result<PolicyRun> RunOne(const BacktestRun& run,
                         std::shared_ptr<const DemandSeries> demand,
                         TimePoint start, TimePoint scored_from, TimePoint end,
                         int initial, Predictor* predictor,
                         const BacktestOptions& o) {
  ManualClock clock(start);
  std::unique_ptr<SimCloud> world =
      MakeSimGroup(&clock, o, demand, initial, "trace");
  SimCloud& cloud = *world;
  PHAS_ASSIGN_OR_RETURN(GroupConfig g, RunGroup(run, o));
  ScalerOptions so;
  so.observe.metrics_refresh = MetricsRefresh(o.metrics_refresh, o.interval);
  Scaler scaler({g}, so,
                {.cloud = &cloud, .clock = &clock, .predictor = predictor});
  PHAS_RETURN_IF_ERROR(scaler.Init(clock.Now()));
  if (o.history_hours > 0) {
    if (LoadHistory* h = scaler.history(g.name)) {
      h->Add(DemandLoad(*demand, start - Hours(o.history_hours), start));
    }
  }
  PolicyRun r;
  Duration horizon = o.boot_time + o.interval + std::chrono::seconds(60);
  double u = o.score.target_utilization;
  int lo = o.min_size, hi = o.max_size;
  bool is_oracle = run.policy == "oracle";
  TimePoint last_forecast{};
  // The oracle's foresight; what a forecasting policy saw, once a minute.
  scaler.set_observation_hook([&](const std::string&, Observation* obs) {
    if (is_oracle) {
      obs->oracle_capacity =
          std::clamp(OracleCapacity(*demand, obs->now, horizon, u), lo, hi);
    }
    if (!obs->forecast.empty() && FloorMinute(obs->now) > last_forecast) {
      last_forecast = FloorMinute(obs->now);
      r.forecasts.push_back(
          {obs->now, NearestPoint(obs->forecast, obs->now + o.boot_time)});
    }
  });
  r.policy = run.label.empty() ? run.policy : run.label;
  double total = std::chrono::duration<double>(end - start).count();
  std::vector<float> cycle_us;  // per cycle, the time since the previous
  auto stage = [&](TimePoint from, TimePoint to) {
    SimRunOptions opt;
    opt.end = to;
    opt.interval = o.interval;
    auto last = std::chrono::steady_clock::now();
    opt.on_cycle = [&cycle_us, &last](const CycleReport&) {
      auto now = std::chrono::steady_clock::now();
      cycle_us.push_back(static_cast<float>(
          std::chrono::duration<double, std::micro>(now - last).count()));
      last = now;
    };
    if (o.progress) {
      double base = std::chrono::duration<double>(from - start).count() / total;
      double share = std::chrono::duration<double>(to - from).count() / total;
      opt.progress = [&, base, share](double f) {
        o.progress(r.policy, base + share * f);
      };
    }
    return std::move(RunVirtualTime(scaler, cloud, clock, opt)[0]);
  };
  auto t0 = std::chrono::steady_clock::now();
  SimGroupResult warm;  // the warm-up stage, when there is one
  if (scored_from > start) warm = stage(start, scored_from);
  r.result = stage(clock.Now(), end);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  r.cycle_us = Summarize(std::move(cycle_us));
  std::vector<SimMinute> scored;
  for (const SimMinute& m : r.result.minutes) {
    if (scored_from == start || m.start >= scored_from) scored.push_back(m);
  }
  r.scores = Score(scored, r.result.instance_seconds - warm.instance_seconds,
                   static_cast<int>(r.result.actions.size()), o.score);
  // The result keeps the whole replay (charts): the warm-up's actions first.
  r.result.actions.insert(r.result.actions.begin(), warm.actions.begin(),
                          warm.actions.end());
  r.result.scale_ups += warm.scale_ups;
  r.result.scale_downs += warm.scale_downs;
  if (!run.keep_minutes) {
    r.result.minutes = {};
    r.forecasts = {};
  }
  return r;
}

}  // namespace

SignalSource SimulatedSignal(SignalSource s) {
  switch (s.kind) {
    case SignalKind::kCpu:
      s.full = 100;
      break;
    case SignalKind::kNetworkIn:
      s.full = kSimNetworkInFull;
      break;
    case SignalKind::kNetworkOut:
      s.full = kSimNetworkOutFull;
      break;
    case SignalKind::kAlbRequests:
      if (s.resource_label.empty()) s.resource_label = kSimResourceLabel;
      s.full = s.full.value_or(kSimRequestsFull);
      break;
    case SignalKind::kCustom:
      s.full = s.full.value_or(1);
      break;
  }
  return s;
}

PolicyConfig ForSignal(PolicyConfig p, const SignalSource& simulated,
                       bool configured) {
  double full = simulated.full.value_or(100);
  if (simulated.kind != SignalKind::kCpu && !configured) {
    double share = full / 100;  // the CPU defaults, as shares of one instance
    p.target.value *= share;
    p.Edit<StepPolicyConfig>([&](StepPolicyConfig& c) {
      c.high_threshold *= share;
      c.low_threshold *= share;
      for (StepAdjustment& s : c.out_steps) {
        s.lower *= share;
        s.upper *= share;
      }
    });
  }
  p.target.signal = simulated.Describe(p.target.value);
  return p;
}

std::unique_ptr<SimCloud> MakeSimGroup(
    Clock* clock, const BacktestOptions& o,
    std::shared_ptr<const DemandSeries> demand, int initial,
    const std::string& name) {
  SimGroupSpec spec;
  spec.name = name;
  // The world publishes what the loop asks for the signal: each metric of
  // its group-level queries (expressions are the simulator's to evaluate).
  SignalSource signal = SimulatedSignal(o.signal);
  SignalQueries sq = signal.GroupQueries("", 60);
  for (const MetricQuery& q : sq.queries) {
    if (!q.expression.empty()) continue;
    spec.load_metrics.push_back(
        {q.ns, q.metric_name, q.dimensions, *signal.full,
         /*per_serving_instance=*/q.id == sq.per_instance_id});
  }
  spec.min_size = o.min_size;
  spec.max_size = o.max_size;
  spec.desired = initial;
  spec.boot_time = o.boot_time;
  spec.demand = std::move(demand);
  SimOptions sim;
  sim.metric_delay = o.metric_delay;
  return std::make_unique<SimCloud>(clock, std::vector<SimGroupSpec>{spec},
                                    sim);
}

int OracleCapacity(const DemandSeries& d, TimePoint now, Duration horizon,
                   double u) {
  int need = 0;
  for (TimePoint m = FloorMinute(now); m <= now + horizon;
       m += std::chrono::minutes(1)) {
    double mean = d.Mean(m, std::chrono::minutes(1));
    if (!std::isnan(mean)) need = std::max(need, DemandInstances(mean, u));
  }
  return need;
}

std::pair<TimePoint, TimePoint> ReplayRange(TimePoint first, TimePoint last,
                                            double skip_hours, double hours) {
  const double span_hours =
      std::chrono::duration<double>(last - first).count() / 3600;
  TimePoint start = skip_hours < span_hours ? first + Hours(skip_hours) : last;
  TimePoint end = last;
  if (hours > 0 && hours < span_hours)
    end = std::min(end, start + Hours(hours));
  return {start, end};
}

Result<BacktestResult> RunBacktest(const Trace& trace,
                                   const std::vector<std::string>& policies,
                                   const BacktestOptions& options) {
  std::vector<BacktestRun> runs;
  for (const std::string& p : policies) {
    auto it = options.policies.find(p);
    runs.push_back({p, it == options.policies.end()
                           ? std::nullopt
                           : std::optional<PolicyConfig>(it->second)});
  }
  return RunBacktestRuns(trace, runs, options);
}

namespace {

// The most instances a trace's peak may need at the target utilization:
// 100 times the largest group (--max 100000). A capacity per instance far
// below the trace's units (--capacity-per-instance 1e-9 on a load of 5)
// needed more instances than an int holds, and every score overflowed
// (theta_O -214748364700 %, 0 instance-hours).
// The bound is an int's with room to spare: a run that fits one is not
// refused (a trace with one glitch row far above the rest, a capacity of 1
// on a trace in small units).
constexpr double kMaxDemandInstances = 1e9;

// One job made ready to run: its result's header, its demand and what its
// runs share.
struct PreparedJob {
  BacktestResult res;
  std::shared_ptr<const DemandSeries> demand;
  std::unique_ptr<Predictor> predictor;  // for the seed policy
  int initial = 0;
};

Result<PreparedJob> Prepare(const Trace& trace,
                            const std::vector<BacktestRun>& runs,
                            const BacktestOptions& options) {
  BacktestOptions o = options;
  o.score.target_utilization = o.mapping.target_utilization;
  for (const BacktestRun& r : runs) {
    PolicyConfig check;
    PHAS_RETURN_IF_ERROR(check.Select(r.policy));
    if (r.config && r.config->name() != r.policy) {
      return Status::InvalidArgument(fmt::format(
          "run {}: configured as policy {}", r.policy, r.config->name()));
    }
  }
  if (trace.samples.empty()) return Status::InvalidArgument("no samples");
  PreparedJob job;
  BacktestResult& res = job.res;
  res.trace = trace.name;
  res.trace_gaps = trace.gaps;
  res.trace_missing = trace.missing;
  res.options = o;
  // Replay starts on a minute boundary at the trace's first sample.
  TimePoint t0 = FloorMinute(trace.samples.front().time);
  job.demand = MakeDemand(trace, o.mapping, t0);
  const DemandSeries& demand = *job.demand;
  std::tie(res.start, res.end) =
      ReplayRange(t0, FloorMinute(demand.end()) + std::chrono::minutes(1),
                  o.skip_hours, o.hours);
  if (res.end <= res.start)
    return Status::InvalidArgument("nothing to replay: the range is empty");
  res.scored_from =
      std::max(res.start, FloorMinute(res.start + Hours(o.warmup_hours)));
  if (res.scored_from >= res.end) {
    return Status::InvalidArgument(
        "nothing to score: the warm-up covers the whole range");
  }
  res.trace_peak = demand.Peak();
  res.smoothing =
      o.mapping.smoothing > Duration::zero()
          ? fmt::format(
                "{:.0f} min",
                std::chrono::duration<double>(o.mapping.smoothing).count() / 60)
          : "none";
  res.mapping = o.mapping.capacity_per_instance > 0
                    ? fmt::format("capacity per instance {:.6g} trace units",
                                  o.mapping.capacity_per_instance)
                    : fmt::format("peak = {} instances at {:.0f}%",
                                  o.mapping.peak_instances,
                                  o.mapping.target_utilization * 100);
  if (res.trace_peak / o.score.target_utilization > kMaxDemandInstances) {
    return Status::InvalidArgument(fmt::format(
        "the trace's peak needs {:.3g} instances at {:.0f}% ({}): more than "
        "{:g}; the capacity per instance (--capacity-per-instance, "
        "demand.capacity_per_instance) is too small for this trace's values",
        res.trace_peak / o.score.target_utilization,
        o.score.target_utilization * 100, res.mapping, kMaxDemandInstances));
  }
  if (std::any_of(runs.begin(), runs.end(),
                  [](const BacktestRun& r) { return r.policy == "seed"; })) {
    std::string dir = o.model_dir;
    if (dir.empty()) {
      PHAS_ASSIGN_OR_RETURN(dir, FindDataPath("models/default"));
    }
    PHAS_ASSIGN_OR_RETURN(auto model, ModelBundle::Load(dir));
    job.predictor = std::make_unique<BundlePredictor>(model);
  }
  // Every world starts with what the oracle would have at the start.
  job.initial =
      std::clamp(OracleCapacity(demand, res.start, o.boot_time + o.interval,
                                o.score.target_utilization),
                 o.min_size, o.max_size);
  return job;
}

// RunBacktestJobs; errors name the job's trace when `name_trace`.
Result<std::vector<BacktestResult>> RunJobs(
    const std::vector<BacktestJob>& jobs, int threads, bool name_trace) {
  auto named = [&](const Status& st, size_t j) {
    return name_trace ? st.WithContext(jobs[j].trace->name) : st;
  };
  std::vector<PreparedJob> ready;
  struct Task {
    size_t job, run;
  };
  std::vector<Task> tasks;
  for (size_t j = 0; j < jobs.size(); ++j) {
    auto p = Prepare(*jobs[j].trace, jobs[j].runs, jobs[j].options);
    if (!p.ok()) return named(p.status(), j);
    ready.push_back(std::move(p).value());
    for (size_t i = 0; i < jobs[j].runs.size(); ++i) tasks.push_back({j, i});
  }
  // Longest replays first: the pool's last tasks are short.
  std::stable_sort(tasks.begin(), tasks.end(),
                   [&](const Task& a, const Task& b) {
                     const BacktestResult& x = ready[a.job].res;
                     const BacktestResult& y = ready[b.job].res;
                     return x.end - x.start > y.end - y.start;
                   });
  std::vector<std::vector<Result<PolicyRun>>> out;
  for (const BacktestJob& job : jobs) {
    out.emplace_back(job.runs.size(), Status::Internal("not run"));
  }
  std::atomic<size_t> next{0};
  if (threads <= 0)
    threads = static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(tasks.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t k = next++; k < tasks.size(); k = next++) {
        const Task& task = tasks[k];
        const PreparedJob& p = ready[task.job];
        out[task.job][task.run] =
            RunOne(jobs[task.job].runs[task.run], p.demand, p.res.start,
                   p.res.scored_from, p.res.end, p.initial, p.predictor.get(),
                   p.res.options);
      }
    });
  }
  for (auto& t : pool) t.join();
  std::vector<BacktestResult> results;
  for (size_t j = 0; j < jobs.size(); ++j) {
    for (auto& r : out[j]) {
      if (!r.ok()) return named(r.status(), j);
      ready[j].res.runs.push_back(std::move(r).value());
    }
    results.push_back(std::move(ready[j].res));
  }
  return results;
}

}  // namespace

Result<BacktestResult> RunBacktestRuns(const Trace& trace,
                                       const std::vector<BacktestRun>& runs,
                                       const BacktestOptions& options) {
  PHAS_ASSIGN_OR_RETURN(
      auto results, RunJobs({{&trace, runs, options}}, options.threads, false));
  return std::move(results.front());
}

Result<std::vector<BacktestResult>> RunBacktestJobs(
    const std::vector<BacktestJob>& jobs, int threads) {
  return RunJobs(jobs, threads, true);
}

}  // namespace phas
