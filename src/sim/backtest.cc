#include "sim/backtest.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "common/paths.h"
#include "decision/predictive_policy.h"
#include "decision/step_policy.h"
#include "model/bundle.h"

namespace phas {
namespace {

Result<PolicyRun> RunOne(const std::string& policy,
                         std::shared_ptr<const DemandSeries> demand,
                         TimePoint start, TimePoint end, int initial,
                         Predictor* predictor, const BacktestOptions& o) {
  ManualClock clock(start);
  std::unique_ptr<SimCloud> world =
      MakeSimGroup(&clock, o, demand, initial, "trace");
  SimCloud& cloud = *world;
  GroupConfig g;
  g.name = "trace";
  g.signal = SimulatedSignal(o.signal);
  auto it = o.policies.find(policy);
  if (it != o.policies.end()) {
    g.policy = ForSignal(it->second, g.signal, true);
  } else {
    PHAS_RETURN_IF_ERROR(g.policy.Select(policy));
    // The predictive policy leads by the world's boot time.
    g.policy.Edit<PredictiveConfig>(
        [&](PredictiveConfig& c) { c.boot_time = o.boot_time; });
    g.policy = ForSignal(g.policy, g.signal, false);
  }
  g.memory.enabled = false;
  ScalerOptions so;
  so.observe.metrics_refresh = MetricsRefresh(o.metrics_refresh, o.interval);
  Scaler scaler({g}, so,
                {.cloud = &cloud, .clock = &clock, .predictor = predictor});
  PHAS_RETURN_IF_ERROR(scaler.Init(clock.Now()));
  if (policy == "oracle") {
    Duration horizon = o.boot_time + o.interval + std::chrono::seconds(60);
    double u = o.score.target_utilization;
    int lo = o.min_size, hi = o.max_size;
    scaler.set_observation_hook(
        [demand, horizon, u, lo, hi](const std::string&, Observation* obs) {
          obs->oracle_capacity =
              std::clamp(OracleCapacity(*demand, obs->now, horizon, u), lo, hi);
        });
  }
  SimRunOptions run;
  run.end = end;
  run.interval = o.interval;
  if (o.progress) run.progress = [&](double f) { o.progress(policy, f); };
  auto t0 = std::chrono::steady_clock::now();
  auto results = RunVirtualTime(scaler, cloud, clock, run);
  PolicyRun r;
  r.policy = policy;
  r.result = std::move(results[0]);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  r.scores = Score(r.result.minutes, r.result.instance_seconds,
                   static_cast<int>(r.result.actions.size()), o.score);
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

Result<BacktestResult> RunBacktest(const Trace& trace,
                                   const std::vector<std::string>& policies,
                                   const BacktestOptions& options) {
  BacktestOptions o = options;
  o.score.target_utilization = o.mapping.target_utilization;
  for (const std::string& p : policies) {
    PolicyConfig check;
    PHAS_RETURN_IF_ERROR(check.Select(p));
  }
  BacktestResult res;
  res.trace = trace.name;
  res.options = o;
  // Replay starts on a minute boundary at the trace's first sample.
  TimePoint t0 = FloorMinute(trace.samples.front().time);
  auto demand = MakeDemand(trace, o.mapping, t0);
  res.start =
      t0 + std::chrono::duration_cast<Duration>(Seconds(o.skip_hours * 3600));
  res.end = FloorMinute(demand->end()) + std::chrono::minutes(1);
  if (o.hours > 0) {
    res.end =
        std::min(res.end, res.start + std::chrono::duration_cast<Duration>(
                                          Seconds(o.hours * 3600)));
  }
  if (res.end <= res.start)
    return Status::InvalidArgument("nothing to replay: the range is empty");
  res.trace_peak = demand->Peak();
  res.smoothing =
      o.mapping.smoothing > Duration::zero()
          ? fmt::format(
                "{:.0f} min",
                std::chrono::duration<double>(o.mapping.smoothing).count() / 60)
          : "none";
  res.mapping = o.mapping.capacity_per_instance > 0
                    ? fmt::format("capacity per instance {} trace units",
                                  o.mapping.capacity_per_instance)
                    : fmt::format("peak = {} instances at {:.0f}%",
                                  o.mapping.peak_instances,
                                  o.mapping.target_utilization * 100);

  std::unique_ptr<Predictor> predictor;
  if (std::find(policies.begin(), policies.end(), "seed") != policies.end()) {
    std::string dir = o.model_dir;
    if (dir.empty()) {
      PHAS_ASSIGN_OR_RETURN(dir, FindDataPath("models/default"));
    }
    PHAS_ASSIGN_OR_RETURN(auto model, ModelBundle::Load(dir));
    predictor = std::make_unique<BundlePredictor>(model);
  }
  // Every world starts with what the oracle would have at the start.
  int initial =
      std::clamp(OracleCapacity(*demand, res.start, o.boot_time + o.interval,
                                o.score.target_utilization),
                 o.min_size, o.max_size);

  std::vector<Result<PolicyRun>> out(policies.size(),
                                     Status::Internal("not run"));
  std::atomic<size_t> next{0};
  int threads = o.threads > 0
                    ? o.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads =
      std::max(1, std::min<int>(threads, static_cast<int>(policies.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < policies.size(); i = next++) {
        out[i] = RunOne(policies[i], demand, res.start, res.end, initial,
                        predictor.get(), o);
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& r : out) {
    if (!r.ok()) return r.status();
    res.runs.push_back(std::move(r).value());
  }
  return res;
}

}  // namespace phas
