#include "sim/demo.h"

#include <fmt/format.h>

#include "common/paths.h"
#include "model/bundle.h"
#include "scaler/cycle_log.h"
#include "sim/trace.h"

namespace phas {

Result<std::vector<DemoGroup>> RunDemo(const DemoOptions& o) {
  std::string trace_path = o.trace_path;
  if (trace_path.empty()) {
    PHAS_ASSIGN_OR_RETURN(trace_path,
                          FindDataPath("traces/nasa_http_1995_1min.csv"));
  }
  std::string model_dir = o.model_dir;
  if (model_dir.empty()) {
    PHAS_ASSIGN_OR_RETURN(model_dir, FindDataPath("models/default"));
  }
  PHAS_ASSIGN_OR_RETURN(Trace trace, LoadTrace(trace_path));
  PHAS_ASSIGN_OR_RETURN(auto model, ModelBundle::Load(model_dir));

  // NASA's traffic is a few dozen requests a minute: smooth out the Poisson
  // noise (15 minutes) and size it so the peak needs 10 instances at 60%.
  DemandMapping mapping;
  mapping.peak_instances = 10;
  mapping.target_utilization = 0.6;
  mapping.smoothing = std::chrono::minutes(15);
  TimePoint t0 = trace.samples.front().time;
  auto demand = MakeDemand(trace, mapping, t0);
  TimePoint start =
      t0 + std::chrono::duration_cast<Duration>(Seconds(o.skip_hours * 3600));
  TimePoint end =
      start + std::chrono::duration_cast<Duration>(Seconds(o.hours * 3600));

  ManualClock clock(start);
  std::vector<SimGroupSpec> specs;
  std::vector<GroupConfig> groups;
  for (const char* policy : {"seed", "reactive"}) {
    SimGroupSpec spec;
    spec.name = std::string("demo-") + policy;
    spec.min_size = 2;
    spec.max_size = 12;
    spec.desired = 3;
    spec.boot_time = std::chrono::seconds(300);
    spec.demand = demand;
    specs.push_back(spec);
    GroupConfig g;
    g.name = spec.name;
    PHAS_RETURN_IF_ERROR(g.policy.Select(policy));
    g.memory.enabled = false;
    groups.push_back(g);
  }
  SimCloud cloud(&clock, specs);
  BundlePredictor predictor(model);
  RecorderOptions ropts;
  ropts.output_dir = o.output_dir;
  ropts.echo = o.out;
  if (!o.verbose) {
    ropts.echo_filter = [](TimePoint t, const std::string& msg) {
      bool action =
          msg.rfind("SCALING", 0) == 0 || msg.rfind("Initialized", 0) == 0;
      auto secs =
          std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
              .count();
      bool hourly = secs % 3600 < 10 && (msg.rfind("ASG METRICS", 0) == 0 ||
                                         msg.rfind("DECISION", 0) == 0 ||
                                         msg.rfind("PREDICTION", 0) == 0);
      return action || hourly;
    };
  }
  Recorder recorder(ropts);
  PHAS_RETURN_IF_ERROR(recorder.Open());
  LogReporter reporter(&recorder);
  SimRunOptions run;
  run.end = end;
  // The daemon's defaults (metrics re-read every 60 s at a 10 s interval).
  ScalerOptions sopts;
  sopts.observe.metrics_refresh = MetricsRefresh(std::nullopt, run.interval);
  Scaler scaler(groups, sopts,
                {.cloud = &cloud,
                 .clock = &clock,
                 .predictor = &predictor,
                 .reporter = &reporter});
  PHAS_RETURN_IF_ERROR(scaler.Init(clock.Now()));
  fmt::print(o.out,
             "phas demo: {} from {} for {} h of virtual time, model {} {}\n",
             trace.name, FormatIso8601(start), o.hours, model->name(),
             model->version());
  auto results = RunVirtualTime(scaler, cloud, clock, run);
  recorder.Flush();

  std::vector<DemoGroup> out;
  fmt::print(o.out, "\nsummary ({} h of {}; log in {}/ec2_monitor.log)\n",
             o.hours, trace.name, o.output_dir);
  fmt::print(o.out, "{:<15} {:>15} {:>22} {:>12} {:>12} {:>18}\n", "group",
             "instance-hours", "over-utilised (>90%)", "scale-ups",
             "scale-downs", "unserved inst-h");
  for (size_t i = 0; i < results.size(); ++i) {
    SimSummary s = Summarize(results[i]);
    out.push_back({results[i].name, groups[i].policy.name(), s});
    fmt::print(
        o.out,
        "{:<15} {:>15.1f} {:>16.0f} min {:>4.1f}% {:>12} {:>12} {:>18.2f}\n",
        results[i].name, s.instance_hours, s.over_utilized_minutes,
        s.minutes > 0 ? 100.0 * s.over_utilized_minutes / s.minutes : 0.0,
        s.scale_ups, s.scale_downs, s.unserved_instance_hours);
  }
  return out;
}

}  // namespace phas
