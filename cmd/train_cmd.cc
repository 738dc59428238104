// `phas train`: train the scaling classifier on traces.
#include <cstdio>
#include <memory>

#include "cmd/commands.h"
#include "cmd/number_checks.h"
#include "common/paths.h"
#include "train/run.h"

namespace phas {

void RegisterTrainCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<train::TrainRunOptions>();
  auto hours = std::make_shared<double>(0);
  auto no_validate = std::make_shared<bool>(false);
  auto no_backtest = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("train",
                                     "Train the scaling classifier on traces "
                                     "replayed through the control loop");
  cmd->add_option("--traces", o->traces_dir, "Directory of trace CSVs")
      ->required();
  cmd->add_option("--out", o->out_dir, "Model bundle directory to write")
      ->required();
  cmd->add_option("--baseline", o->baseline_model,
                  "Model to compare with (default: the original's, "
                  "data/models/seed-original)");
  cmd->add_option("--rounds", o->train.rounds, "Boosting rounds (default 80)")
      ->check(CLI::Range(1, 2000));
  cmd->add_option("--up-weight", o->train.up_weight,
                  "Extra weight of scale-up examples")
      ->check(NumberIn(0.01, 100.0));
  cmd->add_option("--down-weight", o->train.down_weight,
                  "Extra weight of scale-down examples")
      ->check(NumberIn(0.01, 100.0));
  cmd->add_option("--hours", *hours, "Use only the first H hours of each trace")
      ->check(NumberIn(0.0, 1e6));
  cmd->add_option("--backtest-hours", o->backtest_hours,
                  "Hours of each trace the comparison backtest replays "
                  "(default 168; 0: all)")
      ->check(NumberIn(0.0, 1e6));
  cmd->add_flag("--no-validate", *no_validate,
                "Skip leave-one-trace-out validation");
  cmd->add_flag("--no-backtest", *no_backtest,
                "Skip the seed-policy backtest comparison");
  cmd->callback([o, hours, no_validate, no_backtest, exit_code] {
    o->dataset.world.hours = *hours;
    o->validate = !*no_validate;
    o->backtest = !*no_backtest;
    if (o->baseline_model.empty()) {
      // With --no-backtest too: --out is checked against it (the
      // original's model, which nothing rebuilds, is not written over).
      auto dir = FindDataPath("models/seed-original");
      if (!dir.ok() && o->backtest) {
        *exit_code = ReportError(dir.status());
        return;
      }
      if (dir.ok()) o->baseline_model = *dir;
    }
    auto r = train::RunTraining(*o);
    if (!r.ok()) {
      *exit_code = ReportError(r.status());
      return;
    }
    std::printf("%ld examples (scale up %ld, scale down %ld, hold %ld)\n",
                r->examples, r->per_class[0], r->per_class[1], r->per_class[2]);
    if (o->validate)
      std::printf("leave-one-trace-out:\n%s", r->loto.ToText().c_str());
    if (o->backtest) std::printf("%s", r->backtest_markdown.c_str());
    std::printf("model written to %s\n", o->out_dir.c_str());
    *exit_code = kExitOk;
  });
}

}  // namespace phas
