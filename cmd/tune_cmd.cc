// `phas tune`: sweep each policy's main knob on the earlier part of a trace,
// recommend the cheapest setting within an under-provisioning SLO, check it
// on the later part, print the snippet to paste (sim/tune.h).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "cmd/group_source.h"
#include "cmd/number_checks.h"
#include "cmd/world_flags.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "sim/tune.h"
#include "sim/tune_report.h"

namespace phas {
namespace {

struct TuneFlags {
  std::string trace, policies, json_out;
  WorldFlags world;
  double slo = -1;
  double fit_fraction = -1;
  bool quiet = false;
  GroupSourceFlags group;  // --asg: the group's own history
};

Result<TuneOptions> Options(const TuneFlags& f) {
  TuneOptions t;
  if (!f.policies.empty()) {
    std::vector<std::string> known;
    for (const TuneKnob& k : TuneKnobs()) known.push_back(k.policy);
    PHAS_ASSIGN_OR_RETURN(t.policies, PolicyList(f.policies, known));
  }
  if (f.slo >= 0) t.slo_tau_u = f.slo;
  if (f.fit_fraction >= 0) t.fit_fraction = f.fit_fraction;
  t.threads = f.world.threads;
  return t;
}

int RunTuneCommand(const TuneFlags& f) {
  BacktestOptions world;
  if (Status st = ApplyWorldFlags(f.world, &world); !st.ok())
    return ReportError(st);
  if (!world.policies.empty()) {
    return ReportError(Status::InvalidArgument(
        "--config: policies: tune sets each policy's settings itself; give "
        "world and demand only"));
  }
  auto options = Options(f);
  if (!options.ok()) return ReportError(options.status());
  if (f.trace.empty() == f.group.asg.empty()) {
    return ReportError(Status::InvalidArgument(
        "give exactly one of --trace FILE or --asg NAME"));
  }
  if (f.group.asg.empty()) {
    if (Status st = CheckNoGroupFlags(f.group); !st.ok()) {
      return ReportError(st);
    }
  }
  if (Status st = CheckOutputPaths({{"--json", f.json_out}},
                                   {{"--trace", f.trace},
                                    {"--config", f.world.config},
                                    {"--scaler-config", f.group.config}});
      !st.ok()) {
    return ReportError(st);
  }
  Result<Trace> trace = Status::Internal("no trace");
  std::string source = f.trace;
  if (!f.group.asg.empty()) {
    // The group's own history, in a world made to match it.
    SystemClock clock;
    auto pulled = PullGroup(f.group, &clock);
    if (!pulled.ok()) return ReportError(pulled.status());
    std::printf("pulled %s\n", pulled->Summary().c_str());
    GroupFacts facts = FactsOf(&*pulled);
    if (facts.aws_policy) {
      facts.aws_policy_note =
          "its AWS policy today: " + facts.aws_policy->description +
          " (phas backtest --asg scores it)";
      facts.aws_policy.reset();
    }
    auto w = MakeGroupWorld(facts, world, {});
    if (!w.ok()) return ReportError(w.status().WithContext(f.group.asg));
    for (const std::string& n : w->notes) std::printf("  %s\n", n.c_str());
    std::printf("\n");
    world = w->options;
    trace = w->trace;
    source = f.group.asg;
  } else {
    trace = LoadTrace(f.trace);
  }
  if (!trace.ok()) return ReportError(trace.status());
  std::mutex mu;
  int shown = -1;
  std::string stage_shown;
  if (!f.quiet) {
    options->progress = [&](const std::string& stage, double frac) {
      std::lock_guard<std::mutex> lock(mu);
      int pct = static_cast<int>(frac * 100) / 10 * 10;
      if (stage != stage_shown || pct > shown) {
        stage_shown = stage;
        shown = pct;
        std::fprintf(stderr, "tune %s: %s %d%%\n", trace->name.c_str(),
                     stage.c_str(), pct);
      }
    };
  }
  auto r = Tune(*trace, world, *options);
  if (!r.ok()) return ReportError(r.status().WithContext(source));
  std::printf("%s", TuneText(*r).c_str());
  if (!f.json_out.empty()) {
    Status st = WriteFileAtomic(f.json_out, DumpJson(TuneJson(*r), 2) + "\n");
    if (!st.ok()) return ReportError(st);
  }
  return kExitOk;
}

}  // namespace

void RegisterTuneCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<TuneFlags>();
  CLI::App* cmd = app.add_subcommand(
      "tune",
      "Sweep each policy's main knob on the earlier part of a trace, "
      "recommend the cheapest setting within an under-provisioning SLO, "
      "check it on the later part");
  cmd->add_option("--trace", f->trace, "Trace CSV (timestamp,value)");
  cmd->add_option("--asg", f->group.asg,
                  "Tune on this Auto Scaling group's own CloudWatch history, "
                  "in a world that matches it (as backtest --asg)");
  AddGroupSourceFlags(cmd, &f->group, "--scaler-config");
  cmd->add_option("--slo-underprovisioned", f->slo,
                  "Most % of time under-provisioned (tau_U) allowed on the "
                  "fit window (default 5)")
      ->check(NumberIn(0.0, 100.0));
  std::string names;
  for (const TuneKnob& k : TuneKnobs())
    names += (names.empty() ? "" : ", ") + k.policy;
  cmd->add_option("--policy", f->policies,
                  "Comma-separated policies to sweep (default all: " + names +
                      "; step only with the CPU signal)");
  cmd->add_option("--fit-fraction", f->fit_fraction,
                  "The first fraction of the range chooses, the rest checks "
                  "(default 0.667)")
      ->check(NumberIn(0.05, 0.95));
  cmd->add_option("--json", f->json_out, "Write the result as JSON here");
  AddWorldFlags(cmd, &f->world,
                "Backtests run in parallel (default: one per CPU)");
  cmd->add_flag("--quiet", f->quiet, "No progress on stderr");
  cmd->callback([f, exit_code] { *exit_code = RunTuneCommand(*f); });
}

}  // namespace phas
