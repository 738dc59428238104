// `phas history`: a group's own load and in-service count from CloudWatch,
// as a trace that `backtest`, `forecast` and `train` read like the bundled
// ones.
#include <cstdio>
#include <memory>

#include "cmd/commands.h"
#include "cmd/group_source.h"
#include "cmd/world_flags.h"
#include "common/file_util.h"

namespace phas {

void RegisterHistoryCommand(CLI::App& app, int* exit_code) {
  struct Flags {
    GroupSourceFlags source;
    std::string out;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "history",
      "Pull an Auto Scaling group's load history from CloudWatch into a "
      "trace CSV (backtest, forecast and train read it)");
  cmd->add_option("--asg", flags->source.asg, "Auto Scaling group")->required();
  AddGroupSourceFlags(cmd, &flags->source);
  cmd->add_option("--out", flags->out, "The trace CSV to write")->required();
  cmd->callback([flags, exit_code] {
    if (Status st = CheckOutputPaths({{"--out", flags->out}},
                                     {{"--config", flags->source.config}});
        !st.ok()) {
      *exit_code = ReportError(st);
      return;
    }
    SystemClock clock;
    auto pulled = PullGroup(flags->source, &clock);
    if (!pulled.ok()) {
      *exit_code = ReportError(pulled.status());
      return;
    }
    if (Status st = WriteFileAtomic(flags->out, HistoryCsv(pulled->history));
        !st.ok()) {
      *exit_code = ReportError(st);
      return;
    }
    std::printf("%s -> %s\n", pulled->Summary().c_str(), flags->out.c_str());
    *exit_code = kExitOk;
  });
}

}  // namespace phas
