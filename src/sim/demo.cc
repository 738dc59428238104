#include "sim/demo.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/file_util.h"
#include "common/paths.h"
#include "sim/report.h"
#include "sim/report_charts.h"
#include "sim/trace.h"

namespace phas {
namespace {

// What each policy of the demo is, in a few words.
std::string Role(const std::string& policy, const DemoOptions& o,
                 const std::string& model_dir) {
  if (policy == "predictive") {
    return fmt::format(
        "the flagship: forecasts the load ahead of the boot time ({:g} days "
        "of load history preloaded, as restored from CloudWatch)",
        o.history_days);
  }
  if (policy == "seed") {
    return "the original's policy and model (" + model_dir + ")";
  }
  if (policy == "oracle") return "perfect foresight: the bound";
  return "AWS target tracking (the curve: targets " +
         fmt::format("{}", fmt::join(o.targets, ", ")) + " %)";
}

void PrintFigures(FILE* out, const BacktestResult& r, const TraceFrontier& f) {
  fmt::print(out, "\n{:<26} {:>14} {:>10} {:>25} {:>20} {:>8}\n", "policy",
             "instance-hours", "vs oracle", "short of capacity (τ_U)",
             "shortfall (θ_U)", "actions");
  for (const PolicyRun& p : r.runs) {
    // The curve's other targets are in the report.
    if (p.result.minutes.empty()) continue;
    const Scores& s = p.scores;
    std::string vs = "-";
    if (f.oracle && f.oracle->instance_hours > 0) {
      vs = fmt::format("{:+.1f} %",
                       100 * (s.instance_hours / f.oracle->instance_hours - 1));
    }
    fmt::print(out,
               "{:<26} {:>14.1f} {:>10} {:>13.2f} % of time {:>10.2f} % of "
               "need {:>8}\n",
               PolicyTitle(p.policy), s.instance_hours, vs, s.tau_u, s.theta_u,
               s.actions);
  }
}

}  // namespace

Result<DemoResult> RunDemo(const DemoOptions& o) {
  std::string trace_path = o.trace_path;
  if (trace_path.empty()) {
    PHAS_ASSIGN_OR_RETURN(trace_path,
                          FindDataPath("traces/nasa_http_1995_1min.csv"));
  }
  std::string model_dir = o.model_dir, model_words = o.model_dir;
  if (model_dir.empty()) {
    PHAS_ASSIGN_OR_RETURN(model_dir, FindDataPath("models/seed-original"));
    model_words = "data/models/seed-original";
  }
  PHAS_ASSIGN_OR_RETURN(Trace trace, LoadTrace(trace_path));
  double span_hours = std::chrono::duration<double>(trace.samples.back().time -
                                                    trace.samples.front().time)
                          .count() /
                      3600;
  if (span_hours < o.history_days * 24 + 1) {
    return Status::InvalidArgument(fmt::format(
        "{}: {:.0f} hours of trace, the demo needs the {:g} days of history "
        "and at least one hour after them",
        trace.name, span_hours, o.history_days));
  }
  BacktestOptions world;
  world.skip_hours = o.history_days * 24;
  world.history_hours = o.history_days * 24;
  world.hours = o.hours;
  world.model_dir = model_dir;
  world.threads = o.threads;
  PHAS_ASSIGN_OR_RETURN(std::vector<BacktestRun> runs,
                        FrontierRuns(o.targets, {"predictive", "seed"}, world));
  auto t0 = std::chrono::steady_clock::now();
  PHAS_ASSIGN_OR_RETURN(BacktestResult r, RunBacktestRuns(trace, runs, world));
  double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  DemoResult out;
  out.frontier = AnalyzeFrontier(r, o.targets);

  fmt::print(o.out,
             "phas demo: which policy, and why, on {}: {:g} h from {}\n"
             "replayed through the production loop on simulated groups ({}, "
             "boot {:.0f} s) in {:.1f} s:\n",
             trace.name, o.hours, FormatIso8601(r.start), r.mapping,
             std::chrono::duration<double>(world.boot_time).count(), wall);
  for (const char* p : {"predictive", "target-tracking", "seed", "oracle"}) {
    fmt::print(o.out, "  {:<16} {}\n", p, Role(p, o, model_words));
  }
  PrintFigures(o.out, r, out.frontier);
  fmt::print(o.out, "\nverdict:\n");
  for (const FrontierComparison& c : out.frontier.policies) {
    fmt::print(o.out, "  {}\n", c.verdict);
  }
  std::error_code ec;
  std::filesystem::create_directories(o.output_dir, ec);
  if (ec) {
    return Status::InvalidArgument(o.output_dir + ": " + ec.message());
  }
  out.report_path =
      (std::filesystem::path(o.output_dir) / "report.html").string();
  PHAS_RETURN_IF_ERROR(
      WriteFileAtomic(out.report_path, BacktestHtml({r}, {out.frontier})));
  fmt::print(o.out, "\nreport: {} (charts: open it in a browser)\n",
             out.report_path);
  out.backtest = std::move(r);
  return out;
}

}  // namespace phas
