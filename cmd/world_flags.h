// Flags of the simulated world (demand mapping, group, timing, scoring,
// range), shared by `phas backtest` and `phas tune`; the --policy list; and
// the check that no output overwrites an input (backtest, tune, history).
//
// Thread-safety: plain values and stateless functions.
#ifndef PHAS_CMD_WORLD_FLAGS_H_
#define PHAS_CMD_WORLD_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "sim/backtest.h"

namespace phas {

// Unset values (negative, or empty) keep the config's or the defaults.
struct WorldFlags {
  std::string config;
  double capacity_per_instance = -1;
  int peak_instances = -1;
  double target_utilization = -1;
  double smoothing_minutes = -1;
  double boot_seconds = -1, metric_delay_seconds = -1, interval_seconds = -1;
  int min_size = -1, max_size = -1;
  double price = -1, over_threshold = -1;
  double hours = 0, skip_hours = 0;
  int threads = 0;
};

// Adds --config, the demand, world and scoring flags, --hours, --skip-hours
// and --threads (described as `threads_what`).
void AddWorldFlags(CLI::App* cmd, WorldFlags* f,
                   const std::string& threads_what);

// The --config file (if any), then the flags, onto `o`. InvalidArgument
// naming the flag or key on bad input.
Status ApplyWorldFlags(const WorldFlags& f, BacktestOptions* o);

// A flag and the file it names.
struct FlagPath {
  std::string flag, path;
};

// OK unless an output names the same file (however written: a symlink, a
// hard link, "./x") as an input or another output: InvalidArgument naming
// both flags. `--json` over `--trace` replaced the trace with the results;
// `--report` over `--json` kept only the report. Empty paths are not given.
Status CheckOutputPaths(const std::vector<FlagPath>& outputs,
                        const std::vector<FlagPath>& inputs);

// A --policy value: comma-separated names, each one of `known` and named
// once; empty or "all": every known one.
Result<std::vector<std::string>> PolicyList(
    const std::string& flag, const std::vector<std::string>& known);

}  // namespace phas

#endif  // PHAS_CMD_WORLD_FLAGS_H_
