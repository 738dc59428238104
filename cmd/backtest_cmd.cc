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
#include "cmd/group_source.h"
#include "cmd/number_checks.h"
#include "cmd/world_flags.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "scaler/config.h"
#include "sim/backtest.h"
#include "sim/frontier.h"
#include "sim/report.h"

namespace phas {
namespace {

struct BacktestFlags {
  std::string trace, suite, policies, json_out, report_out, update_doc;
  WorldFlags world;
  std::string model;
  bool quiet = false;
  GroupSourceFlags group;  // --asg: the group's own history
  bool frontier = false;
  std::vector<double> frontier_targets = DefaultFrontierTargets();
  bool frontier_targets_given = false;
  double history_hours = 0;
};

Status Apply(const BacktestFlags& f, BacktestOptions* o) {
  PHAS_RETURN_IF_ERROR(ApplyWorldFlags(f.world, o));
  if (!f.model.empty()) o->model_dir = f.model;
  o->history_hours = f.history_hours;
  return Status::OK();
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

// Progress on stderr, each run's every quarter, unless quiet.
std::function<void(const std::string&, double)> Progress(
    const std::string& trace, std::mutex* mu) {
  auto shown = std::make_shared<std::map<std::string, int>>();
  return [=](const std::string& policy, double frac) {
    std::lock_guard<std::mutex> lock(*mu);
    int pct = static_cast<int>(frac * 100) / 25 * 25;
    if ((*shown)[policy] < pct || (pct == 0 && !shown->count(policy))) {
      (*shown)[policy] = pct;
      std::fprintf(stderr, "backtest %s: %s %d%%\n", trace.c_str(),
                   policy.c_str(), pct);
    }
  };
}

Status WriteOutputs(const BacktestFlags& f,
                    const std::vector<BacktestResult>& results,
                    const std::vector<TraceFrontier>& frontiers) {
  if (!f.json_out.empty()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : results) j.push_back(BacktestJson(r));
    nlohmann::json doc = results.size() == 1 ? j[0] : j;
    if (!frontiers.empty()) {
      nlohmann::json fj = nlohmann::json::array();
      for (const auto& fr : frontiers) fj.push_back(FrontierJson(fr));
      doc = {{"frontiers", fj}, {"results", j}};
    }
    PHAS_RETURN_IF_ERROR(WriteFileAtomic(f.json_out, DumpJson(doc, 2) + "\n"));
  }
  if (!f.report_out.empty()) {
    PHAS_RETURN_IF_ERROR(
        WriteFileAtomic(f.report_out, BacktestHtml(results, frontiers)));
    std::fprintf(stderr, "report: %s\n", f.report_out.c_str());
  }
  return Status::OK();
}

// --frontier: target tracking's curve, every other policy and the oracle on
// every trace, all runs in one pool.
int RunFrontierCommand(const BacktestFlags& f, const BacktestOptions& o,
                       const std::vector<std::string>& policies,
                       const std::vector<std::string>& paths) {
  if (Status st = CheckFrontierTargets(f.frontier_targets); !st.ok()) {
    return ReportError(st.WithContext("--frontier-targets"));
  }
  auto runs = FrontierRuns(f.frontier_targets, policies, o);
  if (!runs.ok()) return ReportError(runs.status());
  std::vector<Trace> traces;
  for (const std::string& path : paths) {
    auto trace = LoadTrace(path);
    if (!trace.ok()) return ReportError(trace.status());
    traces.push_back(std::move(trace).value());
  }
  std::mutex mu;
  std::vector<BacktestJob> jobs;
  for (const Trace& t : traces) {
    BacktestJob job{&t, *runs, o};
    if (!f.quiet) job.options.progress = Progress(t.name, &mu);
    jobs.push_back(std::move(job));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto results = RunBacktestJobs(jobs, o.threads);
  if (!results.ok()) return ReportError(results.status());
  double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::vector<TraceFrontier> frontiers;
  for (const BacktestResult& r : *results) {
    std::printf("%s\n", ScoreTable(r).c_str());
    frontiers.push_back(AnalyzeFrontier(r, f.frontier_targets));
    std::printf("%s\n", FrontierTable(frontiers.back()).c_str());
  }
  std::printf("%zu runs on %zu trace(s) in %.1f s\n",
              runs->size() * results->size(), results->size(), wall);
  if (Status st = WriteOutputs(f, *results, frontiers); !st.ok())
    return ReportError(st);
  return kExitOk;
}

int RunBacktestCommand(const BacktestFlags& f,
                       const std::string& command_line) {
  if ((f.trace.empty() ? 0 : 1) + (f.suite.empty() ? 0 : 1) +
          (f.group.asg.empty() ? 0 : 1) !=
      1) {
    return ReportError(Status::InvalidArgument(
        "give exactly one of --trace FILE, --suite DIR or --asg NAME"));
  }
  if (f.group.asg.empty()) {
    if (Status st = CheckNoGroupFlags(f.group); !st.ok()) {
      return ReportError(st);
    }
  }
  BacktestOptions o;
  if (Status st = Apply(f, &o); !st.ok()) return ReportError(st);
  auto policies = PolicyList(f.policies, PolicyRegistry::Default().names());
  if (!policies.ok()) return ReportError(policies.status());
  if (f.frontier && !f.group.asg.empty()) {
    return ReportError(Status::InvalidArgument(
        "--frontier: give --trace FILE or --suite DIR (not --asg)"));
  }
  // Each was ignored without it (or with it), silently.
  if (f.frontier_targets_given && !f.frontier) {
    return ReportError(
        Status::InvalidArgument("--frontier-targets goes with --frontier"));
  }
  if (f.frontier && !f.update_doc.empty()) {
    return ReportError(Status::InvalidArgument(
        "--update-doc does not go with --frontier (it writes the "
        "leaderboard of the runs at their defaults)"));
  }
  std::vector<std::string> traces;
  if (!f.group.asg.empty()) {
    traces.push_back("");  // the group's own, pulled below, in memory
  } else if (!f.trace.empty()) {
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
  std::vector<FlagPath> inputs = {{"--config", f.world.config},
                                  {"--scaler-config", f.group.config}};
  for (const std::string& t : traces)
    inputs.push_back({f.suite.empty() ? "--trace" : "--suite", t});
  // Before the pull from AWS (up to 455 days of GetMetricData, billed).
  if (Status st = CheckOutputPaths({{"--json", f.json_out},
                                    {"--report", f.report_out},
                                    {"--update-doc", f.update_doc}},
                                   inputs);
      !st.ok()) {
    return ReportError(st);
  }
  // --asg: the group's own history, in a world made to match it.
  std::optional<GroupWorld> group_world;
  if (!f.group.asg.empty()) {
    SystemClock clock;
    auto pulled = PullGroup(f.group, &clock);
    if (!pulled.ok()) return ReportError(pulled.status());
    std::printf("pulled %s\n", pulled->Summary().c_str());
    if (pulled->config && !o.policies.count(pulled->config->policy.name())) {
      // The group's configured phas policy, as configured.
      o.policies[pulled->config->policy.name()] = pulled->config->policy;
    }
    auto w = MakeGroupWorld(FactsOf(&*pulled), o, *policies);
    if (!w.ok()) return ReportError(w.status().WithContext(f.group.asg));
    for (const std::string& n : w->notes) std::printf("  %s\n", n.c_str());
    std::printf("\n");
    o = w->options;
    group_world = std::move(w).value();
  }
  if (f.frontier) return RunFrontierCommand(f, o, *policies, traces);
  std::mutex mu;
  std::vector<BacktestResult> results;
  for (const std::string& path : traces) {
    auto trace =
        group_world ? Result<Trace>(group_world->trace) : LoadTrace(path);
    if (!trace.ok()) return ReportError(trace.status());
    if (!f.quiet) o.progress = Progress(trace->name, &mu);
    auto r = group_world ? RunBacktestRuns(*trace, group_world->runs, o)
                         : RunBacktest(*trace, *policies, o);
    if (!r.ok()) return ReportError(r.status().WithContext(trace->name));
    std::printf("%s\n", ScoreTable(*r).c_str());
    results.push_back(std::move(r).value());
  }
  if (results.size() > 1) std::printf("%s\n", Leaderboard(results).c_str());
  if (Status st = WriteOutputs(f, results, {}); !st.ok())
    return ReportError(st);
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
  cmd->add_option("--json", f->json_out, "Write the results as JSON here");
  cmd->add_option("--report", f->report_out,
                  "Write a self-contained HTML report here");
  cmd->add_option(
      "--update-doc", f->update_doc,
      "Rewrite the <!-- scaling:begin/end --> section of this Markdown file");
  AddWorldFlags(cmd, &f->world,
                "Policies run in parallel (default: one per CPU)");
  cmd->add_option(
      "--model", f->model,
      "Model bundle for the seed policy (default: shipped default)");
  cmd->add_flag("--quiet", f->quiet, "No progress on stderr");
  cmd->add_flag("--frontier", f->frontier,
                "Judge each policy against target tracking's cost vs "
                "under-provisioning curve (target tracking at each of "
                "--frontier-targets, the other policies and the oracle; all "
                "runs of all traces in parallel): a table and a verdict per "
                "trace");
  cmd->add_option("--frontier-targets", f->frontier_targets,
                  "Target tracking's targets for --frontier, % (default 70 "
                  "65 60 55 50 45 40 35)")
      ->delimiter(',')
      ->check(NumberIn(1.0, 100.0));
  cmd->add_option("--history-hours", f->history_hours,
                  "Preload the forecasting policies' load history with the "
                  "demand of this many hours before the replayed range, as "
                  "a group restores it from CloudWatch at start (default 0)")
      ->check(NumberIn(0.0, 24.0 * 15));
  cmd->add_option("--asg", f->group.asg,
                  "Replay this Auto Scaling group's own CloudWatch history in "
                  "a world that matches it (bounds, signal, capacity, boot "
                  "time), its current AWS policy as a row");
  AddGroupSourceFlags(cmd, &f->group, "--scaler-config");
  cmd->callback([f, exit_code, cmd] {
    f->frontier_targets_given = cmd->count("--frontier-targets") > 0;
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
