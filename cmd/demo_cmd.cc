// `phas demo`: the flagship policy next to target tracking, the original's
// policy and the oracle on a shipped trace (sim/demo.h).
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "cmd/number_checks.h"
#include "common/json_util.h"
#include "sim/demo.h"

namespace phas {

void RegisterDemoCommand(CLI::App& app, int* exit_code) {
  auto d = std::make_shared<DemoOptions>();
  auto json_out = std::make_shared<bool>(false);
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Which policy, and why: predictive (its load history preloaded) next "
      "to target tracking, the original's policy and perfect foresight on a "
      "real trace, replayed through the production loop in virtual time; "
      "prints the verdict and writes an HTML report");
  demo->add_option("--trace", d->trace_path,
                   "Trace CSV (default: data/traces/nasa_http_1995_1min.csv)");
  demo->add_option("--history-days", d->history_days,
                   "Days of the trace before the replayed window, preloaded "
                   "as predictive's load history (default 14)")
      ->check(NumberIn(0.0, 15.0));
  demo->add_option("--hours", d->hours, "Hours replayed (default 72)")
      ->check(NumberIn(1.0, 24.0 * 90));
  demo->add_option("--model", d->model_dir,
                   "Model bundle of the seed policy (default: the original's, "
                   "data/models/seed-original)");
  demo->add_option("--output-dir", d->output_dir,
                   "Where report.html goes (default output/demo)");
  demo->add_option("--threads", d->threads,
                   "Policies in parallel (default: one per CPU)")
      ->check(CLI::Range(0, 256));
  demo->add_flag("--json", *json_out,
                 "End with the frontier and verdicts as one JSON line");
  demo->callback([d, json_out, exit_code] {
    auto r = RunDemo(*d);
    if (!r.ok()) {
      *exit_code = ReportError(r.status());
      return;
    }
    if (*json_out)
      std::printf("%s\n", DumpJson(FrontierJson(r->frontier)).c_str());
    *exit_code = kExitOk;
  });
}

}  // namespace phas
