#include "sim/tune.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "decision/predictive_policy.h"

namespace phas {

std::string TuneNumber(double v) {
  if (v == std::round(v) && std::fabs(v) < 1e15)
    return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

namespace {

// Targets and thresholds as % of one instance fully used. Target tracking
// at 60 % CPU is under-provisioned 21 % of the time on NASA, 40 % on NAB ASG
// (docs/benchmarks.md); on NASA it takes about 35 % to get near 5 %: the grid
// reaches down there for tight SLOs and up to 70 % for loose ones.
const std::vector<double> kTargets = {35, 40, 45, 50, 55, 60, 70};

std::vector<TuneKnob> MakeKnobs() {
  auto target = [](const char* policy) {
    TuneKnob k;
    k.policy = policy;
    k.key = "target";
    k.grid = kTargets;
    k.in_signal_share = true;
    k.untuned = 60;
    return k;
  };
  TuneKnob step;
  step.policy = "step";
  step.section = "step";
  step.key = "high_threshold";
  // Above the low threshold (40 %); the lower, the sooner it scales out.
  step.grid = {50, 60, 70, 80, 90};
  step.in_signal_share = true;
  step.untuned = 70;
  // Its low threshold and step bounds are CPU % by default.
  step.cpu_only = true;
  TuneKnob predictive;
  predictive.policy = "predictive";
  predictive.section = "predictive";
  predictive.key = "slo.max_underprovisioned_pct";
  // The share of time short of capacity it is asked to hold, %: the lower,
  // the more headroom.
  predictive.grid = {0.5, 1, 2, 3, 5, 10};
  predictive.untuned = SloConfig{}.max_underprovisioned_pct;
  return {target("reactive"), target("target-tracking"), step,
          target("hpa"),      target("aws-predictive"),  predictive};
}

double HoursBetween(TimePoint a, TimePoint b) {
  return std::chrono::duration<double>(b - a).count() / 3600;
}

bool CheaperOrBetter(const Scores& a, const Scores& b) {
  if (a.instance_hours != b.instance_hours)
    return a.instance_hours < b.instance_hours;
  return a.tau_u < b.tau_u;
}

// Where a trace's sample lands in the replay (MakeDemand's placement).
TimePoint DemandTime(const Trace& trace, const DemandMapping& m,
                     const DemandSeries::Sample& s) {
  TimePoint t0 = FloorMinute(trace.samples.front().time);
  return t0 + std::chrono::duration_cast<Duration>(
                  (s.time - trace.samples.front().time) * m.time_scale);
}

// The knobs to sweep: the options' policies, or every one the signal allows.
Result<std::vector<TuneKnob>> KnobsToSweep(const TuneOptions& options,
                                           const SignalSource& signal) {
  bool cpu = signal.kind == SignalKind::kCpu;
  std::vector<TuneKnob> out;
  if (options.policies.empty()) {
    for (const TuneKnob& k : TuneKnobs()) {
      if (cpu || !k.cpu_only) out.push_back(k);
    }
    return out;
  }
  for (const std::string& p : options.policies) {
    PHAS_ASSIGN_OR_RETURN(TuneKnob k, FindTuneKnob(p));
    if (k.cpu_only && !cpu) {
      return Status::InvalidArgument(fmt::format(
          "{}: tuned only with the CPU signal (its thresholds and steps "
          "default to CPU %)",
          p));
    }
    if (std::any_of(out.begin(), out.end(),
                    [&](const TuneKnob& o) { return o.policy == p; })) {
      return Status::InvalidArgument(p + ": named twice");
    }
    out.push_back(k);
  }
  return out;
}

// The world the runs share: the peak mapping resolved on `fit` alone, so
// that no sample after the split sizes the demand.
Result<BacktestOptions> FitWorld(const Trace& fit, const BacktestOptions& w) {
  BacktestOptions o = w;
  o.policies.clear();
  o.progress = nullptr;
  if (o.mapping.capacity_per_instance > 0) return o;
  DemandMapping units = o.mapping;
  units.capacity_per_instance = 1;  // demand in trace units
  double peak = MakeDemand(fit, units, fit.samples.front().time)->Peak();
  if (!(peak > 0)) {
    return Status::InvalidArgument(
        "the fit window's load is all zero: nothing sizes the demand (give "
        "capacity_per_instance)");
  }
  o.mapping.capacity_per_instance =
      peak / (o.mapping.peak_instances * o.mapping.target_utilization);
  return o;
}

// The fit-window runs, longest first (predictive forecasts, aws-predictive
// keeps 14 days of history): indices into `knobs` and their grids.
struct FitRun {
  size_t knob, point;
};
std::vector<FitRun> FitOrder(const std::vector<TuneKnob>& knobs) {
  auto weight = [](const TuneKnob& k) {
    return k.policy == "predictive" ? 0 : k.policy == "aws-predictive" ? 1 : 2;
  };
  std::vector<FitRun> out;
  for (size_t i = 0; i < knobs.size(); ++i) {
    for (size_t j = 0; j < knobs[i].grid.size(); ++j) out.push_back({i, j});
  }
  std::stable_sort(out.begin(), out.end(), [&](FitRun a, FitRun b) {
    return weight(knobs[a.knob]) < weight(knobs[b.knob]);
  });
  return out;
}

std::string Label(const TuneKnob& k, double setting) {
  return fmt::format("{} {} {}", k.policy, k.key, TuneNumber(setting));
}

}  // namespace

const std::vector<TuneKnob>& TuneKnobs() {
  static const std::vector<TuneKnob>* kKnobs =
      new std::vector<TuneKnob>(MakeKnobs());
  return *kKnobs;
}

Result<TuneKnob> FindTuneKnob(std::string_view policy) {
  std::vector<std::string> names;
  for (const TuneKnob& k : TuneKnobs()) {
    if (k.policy == policy) return k;
    names.push_back(k.policy);
  }
  return Status::InvalidArgument(
      fmt::format("no knob to tune for policy '{}' (tuned: {})", policy,
                  fmt::join(names, ", ")));
}

double KnobSetting(const TuneKnob& knob, double grid_value,
                   const BacktestOptions& world) {
  if (!knob.in_signal_share) return grid_value;
  double full = SimulatedSignal(world.signal).full.value_or(100);
  return grid_value / 100 * full;
}

std::string TuneSnippet(const TuneKnob& knob, double setting,
                        const BacktestOptions& world) {
  std::string out = "policy: " + knob.policy + "\n";
  // Every policy but step holds the target (with a signal other than CPU
  // the key is required); step's knob is its own.
  if (knob.key == "target") {
    out += "target: " + TuneNumber(setting) + "\n";
  } else if (knob.policy != "step") {
    TuneKnob target = knob;
    target.in_signal_share = true;
    out += "target: " + TuneNumber(KnobSetting(target, 60, world)) + "\n";
  }
  if (!knob.section.empty()) {
    // A dotted key is a nested one: {slo: {max_underprovisioned_pct: 2}}.
    std::string value = TuneNumber(setting), key = knob.key;
    for (size_t dot; (dot = key.rfind('.')) != std::string::npos;) {
      value = fmt::format("{{{}: {}}}", key.substr(dot + 1), value);
      key.resize(dot);
    }
    out += fmt::format("{}: {{{}: {}", knob.section, key, value);
    if (knob.policy == "predictive") {
      out += ", boot_seconds: " +
             TuneNumber(std::chrono::duration<double>(world.boot_time).count());
    }
    out += "}\n";
  }
  return out;
}

Result<PolicyConfig> SnippetConfig(const std::string& snippet,
                                   const BacktestOptions& world) {
  YAML::Node node;
  try {
    node = YAML::Load(snippet);
  } catch (const YAML::Exception& e) {
    return Status::Internal(std::string("tune snippet: ") + e.what());
  }
  PolicyConfig pc;
  PHAS_RETURN_IF_ERROR(ParsePolicyConfig(node, "tune snippet", &pc, {},
                                         PolicyRegistry::Default(),
                                         SimulatedSignal(world.signal)));
  return pc;
}

double TuneWindows::fit_hours() const { return HoursBetween(start, split); }
double TuneWindows::score_hours() const { return HoursBetween(split, end); }

Result<TuneWindows> SplitWindows(const Trace& trace,
                                 const BacktestOptions& world,
                                 double fit_fraction) {
  if (trace.samples.empty())
    return Status::InvalidArgument(trace.name + ": no samples");
  if (!(fit_fraction > 0 && fit_fraction < 1)) {
    return Status::InvalidArgument(
        fmt::format("fit fraction: must be in (0, 1), got {}", fit_fraction));
  }
  TuneWindows w;
  // As RunBacktest replays: from the first sample's minute, one minute
  // past the last sample's.
  TimePoint t0 = FloorMinute(trace.samples.front().time);
  const TimePoint last =
      FloorMinute(DemandTime(trace, world.mapping, trace.samples.back())) +
      std::chrono::minutes(1);
  std::tie(w.start, w.end) =
      ReplayRange(t0, last, world.skip_hours, world.hours);
  w.split = FloorMinute(w.start + std::chrono::duration_cast<Duration>(
                                      (w.end - w.start) * fit_fraction));
  if (w.split <= w.start || w.split >= w.end) {
    return Status::InvalidArgument(fmt::format(
        "{}: {:.2f} h to replay is too short to split into a fit and a score "
        "window of a minute or more",
        trace.name, HoursBetween(w.start, w.end)));
  }
  return w;
}

std::vector<bool> ParetoFrontier(const std::vector<CostShortfall>& points) {
  std::vector<bool> on(points.size(), true);
  for (size_t i = 0; i < points.size(); ++i) {
    for (const CostShortfall& o : points) {
      const CostShortfall& p = points[i];
      bool no_worse =
          o.instance_hours <= p.instance_hours && o.tau_u <= p.tau_u;
      bool better = o.instance_hours < p.instance_hours || o.tau_u < p.tau_u;
      if (no_worse && better) {
        on[i] = false;
        break;
      }
    }
  }
  return on;
}

TuneChoice Recommend(const std::vector<TunePolicy>& policies,
                     double slo_tau_u) {
  TuneChoice best, least;  // the cheapest within the SLO; the least tau_U
  for (size_t i = 0; i < policies.size(); ++i) {
    for (size_t j = 0; j < policies[i].points.size(); ++j) {
      const Scores& s = policies[i].points[j].fit;
      auto at = [&](const TuneChoice& c) -> const Scores& {
        return policies[c.policy].points[c.point].fit;
      };
      TuneChoice here{static_cast<int>(i), static_cast<int>(j), true};
      if (s.tau_u <= slo_tau_u &&
          (best.policy < 0 || CheaperOrBetter(s, at(best)))) {
        best = here;
      }
      if (least.policy < 0 || s.tau_u < at(least).tau_u ||
          (s.tau_u == at(least).tau_u &&
           s.instance_hours < at(least).instance_hours)) {
        least = here;
        least.meets_slo = false;
      }
    }
  }
  return best.policy >= 0 ? best : least;
}

Result<TuneResult> Tune(const Trace& trace, const BacktestOptions& world,
                        const TuneOptions& options) {
  auto wall0 = std::chrono::steady_clock::now();
  if (!(options.slo_tau_u >= 0 && options.slo_tau_u <= 100)) {
    return Status::InvalidArgument(fmt::format(
        "SLO: under-provisioned % of time must be in [0, 100], got {}",
        options.slo_tau_u));
  }
  if (!world.policies.empty()) {
    return Status::InvalidArgument(
        "policies: tune configures every run itself; give the world only");
  }
  PHAS_ASSIGN_OR_RETURN(std::vector<TuneKnob> knobs,
                        KnobsToSweep(options, world.signal));
  PHAS_ASSIGN_OR_RETURN(TuneWindows windows,
                        SplitWindows(trace, world, options.fit_fraction));
  // The fit part: every sample before the split, nothing after.
  Trace fit = trace;
  fit.samples.clear();
  for (const DemandSeries::Sample& s : trace.samples) {
    if (DemandTime(trace, world.mapping, s) >= windows.split) break;
    fit.samples.push_back(s);
  }
  PHAS_ASSIGN_OR_RETURN(BacktestOptions o, FitWorld(fit, world));
  o.threads = options.threads;

  TuneResult res;
  res.trace = trace.name;
  res.windows = windows;
  res.slo_tau_u = options.slo_tau_u;
  std::vector<FitRun> order = FitOrder(knobs);
  std::vector<BacktestRun> runs;
  for (const TuneKnob& k : knobs) {
    TunePolicy tp;
    tp.knob = k;
    for (double v : k.grid) tp.points.push_back({v, KnobSetting(k, v, o)});
    res.policies.push_back(std::move(tp));
  }
  for (FitRun r : order) {
    const TunePolicy& tp = res.policies[r.knob];
    std::string snippet = TuneSnippet(tp.knob, tp.points[r.point].setting, o);
    PHAS_ASSIGN_OR_RETURN(PolicyConfig pc, SnippetConfig(snippet, o));
    runs.push_back(
        {tp.knob.policy, pc, Label(tp.knob, tp.points[r.point].setting)});
  }
  // Progress: the mean of the runs' fractions done, per stage.
  std::mutex mu;
  auto progress = [&](const std::string& stage, size_t total) {
    auto done = std::make_shared<std::map<std::string, double>>();
    return [&, stage, total, done](const std::string& run, double f) {
      if (!options.progress) return;
      std::lock_guard<std::mutex> lock(mu);
      (*done)[run] = f;
      double sum = 0;
      for (const auto& [name, part] : *done) sum += part;
      options.progress(stage, sum / static_cast<double>(total));
    };
  };

  BacktestOptions fit_world = o;
  fit_world.hours = windows.fit_hours();
  fit_world.warmup_hours = 0;
  fit_world.progress = progress("fit", runs.size());
  PHAS_ASSIGN_OR_RETURN(BacktestResult fr,
                        RunBacktestRuns(fit, runs, fit_world));
  res.smoothing = fr.smoothing;
  res.mapping =
      world.mapping.capacity_per_instance > 0
          ? fr.mapping
          : fmt::format(
                "the fit part's peak = {} instances at {:.0f}%: capacity per "
                "instance {:.4g} trace units",
                world.mapping.peak_instances,
                world.mapping.target_utilization * 100,
                o.mapping.capacity_per_instance);
  for (size_t i = 0; i < order.size(); ++i) {
    res.policies[order[i].knob].points[order[i].point].fit = fr.runs[i].scores;
  }
  for (TunePolicy& tp : res.policies) {
    std::vector<CostShortfall> cs;
    for (const TunePoint& p : tp.points)
      cs.push_back({p.fit.instance_hours, p.fit.tau_u});
    std::vector<bool> on = ParetoFrontier(cs);
    for (size_t j = 0; j < on.size(); ++j) tp.points[j].on_frontier = on[j];
  }
  res.choice = Recommend(res.policies, options.slo_tau_u);
  const TunePolicy& chosen = res.policies[res.choice.policy];
  double setting = chosen.points[res.choice.point].setting;
  res.label = Label(chosen.knob, setting);
  res.snippet = TuneSnippet(chosen.knob, setting, o);
  PHAS_ASSIGN_OR_RETURN(PolicyConfig chosen_config,
                        SnippetConfig(res.snippet, o));

  // The check: the whole trace, scored from the split on.
  PHAS_ASSIGN_OR_RETURN(TuneKnob tracking, FindTuneKnob("target-tracking"));
  res.untuned_label =
      Label(tracking, KnobSetting(tracking, tracking.untuned, o)) +
      " (default)";
  BacktestOptions score_world = o;
  score_world.hours = HoursBetween(windows.start, windows.end);
  score_world.warmup_hours = windows.fit_hours();
  score_world.progress = progress("score", 2);
  std::vector<BacktestRun> check = {
      {chosen.knob.policy, chosen_config, res.label},
      {"target-tracking", std::nullopt, res.untuned_label}};
  PHAS_ASSIGN_OR_RETURN(BacktestResult sr,
                        RunBacktestRuns(trace, check, score_world));
  res.score_choice = sr.runs[0].scores;
  res.score_untuned = sr.runs[1].scores;
  res.world = o;
  res.runs = static_cast<int>(runs.size() + check.size());
  res.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
          .count();
  return res;
}

}  // namespace phas
