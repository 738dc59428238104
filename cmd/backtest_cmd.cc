// `phas backtest`: replay traces through the production loop, score policies.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "common/file_util.h"
#include "scaler/config.h"
#include "sim/backtest.h"
#include "sim/backtest_config.h"
#include "sim/report.h"

namespace phas {
namespace {

struct BacktestFlags {
  std::string trace, suite, policies, config, json_out, report_out, update_doc;
  double capacity_per_instance = -1;
  int peak_instances = -1;
  double target_utilization = -1;
  double smoothing_minutes = -1;
  double boot_seconds = -1, metric_delay_seconds = -1, interval_seconds = -1;
  int min_size = -1, max_size = -1;
  double price = -1, over_threshold = -1;
  std::string model;
  double hours = 0, skip_hours = 0;
  int threads = 0;
  bool quiet = false;
};

Status Apply(const BacktestFlags& f, BacktestOptions* o) {
  if (!f.config.empty()) {
    PHAS_ASSIGN_OR_RETURN(std::string text, ReadFile(f.config, 1 << 20));
    PHAS_RETURN_IF_ERROR(ParseBacktestConfig(text, f.config, o));
  }
  auto secs = [](double s) {
    return std::chrono::duration_cast<Duration>(Seconds(s));
  };
  if (f.capacity_per_instance >= 0)
    o->mapping.capacity_per_instance = f.capacity_per_instance;
  if (f.peak_instances > 0) {
    o->mapping.peak_instances = f.peak_instances;
    o->mapping.capacity_per_instance = 0;
  }
  if (f.target_utilization > 0)
    o->mapping.target_utilization = f.target_utilization;
  if (f.smoothing_minutes >= 0)
    o->mapping.smoothing = secs(f.smoothing_minutes * 60);
  if (f.boot_seconds >= 0) o->boot_time = secs(f.boot_seconds);
  if (f.metric_delay_seconds >= 0)
    o->metric_delay = secs(f.metric_delay_seconds);
  if (f.interval_seconds > 0) o->interval = secs(f.interval_seconds);
  if (f.min_size >= 0) o->min_size = f.min_size;
  if (f.max_size > 0) o->max_size = f.max_size;
  if (f.price >= 0) o->score.price_per_hour = f.price;
  if (f.over_threshold > 0) o->score.over_threshold = f.over_threshold;
  if (!f.model.empty()) o->model_dir = f.model;
  o->hours = f.hours;
  o->skip_hours = f.skip_hours;
  o->threads = f.threads;
  if (o->min_size > o->max_size) {
    return Status::InvalidArgument("--min must not exceed --max");
  }
  return Status::OK();
}

Result<std::vector<std::string>> PolicyList(const std::string& flag) {
  std::vector<std::string> out;
  auto known = PolicyRegistry::Default().names();
  if (flag.empty() || flag == "all") return known;
  size_t pos = 0;
  while (pos <= flag.size()) {
    size_t comma = flag.find(',', pos);
    if (comma == std::string::npos) comma = flag.size();
    std::string p = flag.substr(pos, comma - pos);
    if (std::find(known.begin(), known.end(), p) == known.end()) {
      return Status::InvalidArgument(
          fmt::format("--policy: unknown policy '{}' (known: {})", p,
                      fmt::join(known, ", ")));
    }
    out.push_back(p);
    pos = comma + 1;
  }
  return out;
}

// Replaces the text between "<!-- scaling:begin -->" and "<!-- scaling:end
// -->".
Status UpdateDoc(const std::string& path, const std::string& body) {
  PHAS_ASSIGN_OR_RETURN(std::string doc, ReadFile(path));
  const std::string begin = "<!-- scaling:begin -->",
                    end = "<!-- scaling:end -->";
  size_t b = doc.find(begin), e = doc.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b) {
    return Status::InvalidArgument(path + ": no '" + begin + "' ... '" + end +
                                   "' section");
  }
  doc = doc.substr(0, b + begin.size()) + "\n" + body + doc.substr(e);
  return WriteFileAtomic(path, doc);
}

int RunBacktestCommand(const BacktestFlags& f,
                       const std::string& command_line) {
  if (f.trace.empty() == f.suite.empty()) {
    return ReportError(Status::InvalidArgument(
        "give exactly one of --trace FILE or --suite DIR"));
  }
  BacktestOptions o;
  if (Status st = Apply(f, &o); !st.ok()) return ReportError(st);
  auto policies = PolicyList(f.policies);
  if (!policies.ok()) return ReportError(policies.status());
  std::vector<std::string> traces;
  if (!f.trace.empty()) {
    traces.push_back(f.trace);
  } else {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(f.suite, ec)) {
      if (e.path().extension() == ".csv") traces.push_back(e.path().string());
    }
    if (ec) return ReportError(Status::NotFound(f.suite + ": " + ec.message()));
    std::sort(traces.begin(), traces.end());
    if (traces.empty())
      return ReportError(Status::NotFound(f.suite + ": no .csv traces"));
  }
  std::mutex mu;
  std::vector<BacktestResult> results;
  for (const std::string& path : traces) {
    auto trace = LoadTrace(path);
    if (!trace.ok()) return ReportError(trace.status());
    std::map<std::string, int> shown;
    if (!f.quiet) {
      o.progress = [&, name = trace->name](const std::string& policy,
                                           double frac) {
        std::lock_guard<std::mutex> lock(mu);
        int pct = static_cast<int>(frac * 100) / 25 * 25;
        if (shown[policy] < pct || (pct == 0 && !shown.count(policy))) {
          shown[policy] = pct;
          std::fprintf(stderr, "backtest %s: %s %d%%\n", name.c_str(),
                       policy.c_str(), pct);
        }
      };
    }
    auto r = RunBacktest(*trace, *policies, o);
    if (!r.ok()) return ReportError(r.status().WithContext(path));
    std::printf("%s\n", ScoreTable(*r).c_str());
    results.push_back(std::move(r).value());
  }
  if (results.size() > 1) std::printf("%s\n", Leaderboard(results).c_str());
  if (!f.json_out.empty()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : results) j.push_back(BacktestJson(r));
    Status st = WriteFileAtomic(
        f.json_out, (results.size() == 1 ? j[0] : j).dump(2) + "\n");
    if (!st.ok()) return ReportError(st);
  }
  if (!f.report_out.empty()) {
    Status st = WriteFileAtomic(f.report_out, BacktestHtml(results));
    if (!st.ok()) return ReportError(st);
    std::fprintf(stderr, "report: %s\n", f.report_out.c_str());
  }
  if (!f.update_doc.empty()) {
    double wall = 0;
    for (const auto& r : results) {
      for (const auto& p : r.runs) wall += p.wall_seconds;
    }
    std::string body = fmt::format(
        "Command: `{}`. Smoothing {}; demand {}; boot {:.0f} s; metric delay "
        "{:.0f} s; loop "
        "interval {:.0f} s; metrics read {}; group {}..{}. Generated by `make "
        "bench-scaling`.\n\n"
        "**Leaderboard** (mean over traces; distance = |(θ_U, θ_O, τ_U, τ_O)|, "
        "lower is better):\n\n{}\n"
        "**Per trace:**\n\n{}\n",
        command_line, results[0].smoothing, results[0].mapping,
        std::chrono::duration<double>(o.boot_time).count(),
        std::chrono::duration<double>(o.metric_delay).count(),
        std::chrono::duration<double>(o.interval).count(), MetricsReadWords(o),
        o.min_size, o.max_size, LeaderboardMarkdown(results),
        ScoresMarkdown(results));
    Status st = UpdateDoc(f.update_doc, body);
    if (!st.ok()) return ReportError(st);
  }
  return kExitOk;
}

}  // namespace

void RegisterBacktestCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<BacktestFlags>();
  CLI::App* cmd = app.add_subcommand("backtest",
                                     "Replay real load traces through the "
                                     "production loop on a simulated group and "
                                     "score scaling policies side by side");
  cmd->add_option("--trace", f->trace, "Trace CSV (timestamp,value)");
  cmd->add_option("--suite", f->suite,
                  "Every .csv trace in this directory x every policy");
  cmd->add_option("--policy", f->policies,
                  "Comma-separated policies (default all): seed, reactive, "
                  "target-tracking, step, "
                  "hpa, aws-predictive, predictive, oracle");
  cmd->add_option("--config", f->config,
                  "YAML: world, demand, model, per-policy settings");
  cmd->add_option("--json", f->json_out, "Write the results as JSON here");
  cmd->add_option("--report", f->report_out,
                  "Write a self-contained HTML report here");
  cmd->add_option(
      "--update-doc", f->update_doc,
      "Rewrite the <!-- scaling:begin/end --> section of this Markdown file");
  cmd->add_option("--capacity-per-instance", f->capacity_per_instance,
                  "Trace units one instance serves at 100% CPU")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--peak-instances", f->peak_instances,
                  "Scale so the trace's peak needs N instances at the target "
                  "utilization (default 20)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--target-utilization", f->target_utilization, "Default 0.6")
      ->check(CLI::Range(0.05, 1.0));
  cmd->add_option("--smoothing", f->smoothing_minutes,
                  "Moving-average window, minutes (default 10; 0: none)")
      ->check(CLI::Range(0.0, double{kMinutesPerDay}));
  cmd->add_option("--boot-time", f->boot_seconds,
                  "Seconds from launch to InService (default 300)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--metric-delay", f->metric_delay_seconds,
                  "CloudWatch delay, seconds (default 60)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--interval", f->interval_seconds,
                  "Loop interval, seconds (default 10)")
      ->check(CLI::Range(1.0, 3600.0));
  cmd->add_option("--min", f->min_size, "Group MinSize (default 1)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--max", f->max_size, "Group MaxSize (default 40)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--price", f->price,
                  "Dollars per instance-hour (default 0.10)")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--over-threshold", f->over_threshold,
                  "Utilization counted as over-utilized (default 0.9)")
      ->check(CLI::Range(0.01, 10.0));
  cmd->add_option(
      "--model", f->model,
      "Model bundle for the seed policy (default: shipped default)");
  cmd->add_option("--hours", f->hours, "Replay only this many hours")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--skip-hours", f->skip_hours,
                  "Start this far into the trace")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--threads", f->threads,
                  "Policies run in parallel (default: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--quiet", f->quiet, "No progress on stderr");
  cmd->callback([f, exit_code, cmd] {
    std::string line = "phas backtest";
    for (const auto& opt : cmd->get_options()) {
      if (opt->count() == 0 || opt->get_name() == "--help") continue;
      line += " " + opt->get_name();
      for (const std::string& v : opt->results()) line += " " + v;
    }
    *exit_code = RunBacktestCommand(*f, line);
  });
}

}  // namespace phas
