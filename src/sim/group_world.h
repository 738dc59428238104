// The backtest world of a real group (`phas backtest --asg`, `phas tune
// --asg`): its own history as the trace, and a simulated group that matches
// it: MinSize and MaxSize, the signal, the capacity of one instance
// inferred from the history, the boot time measured from its scaling
// activities, and its current AWS policy as a row of its own. Every choice
// is said in `notes`, so a table can print how the world was made.
//
// Thread-safety: plain functions.
#ifndef PHAS_SIM_GROUP_WORLD_H_
#define PHAS_SIM_GROUP_WORLD_H_

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scaler/config.h"
#include "scaler/history_pull.h"
#include "sim/backtest.h"
#include "sim/trace.h"

namespace phas {

// The group's own AWS scaling policy, as a phas policy that does what it
// does (target tracking -> target-tracking at its target; predictive ->
// aws-predictive at its target).
struct AwsPolicyRow {
  std::string label;        // the row's name: "aws:<policy name>"
  std::string policy;       // the phas policy: "target-tracking", ...
  double target = 0;        // in the signal's unit
  std::string description;  // "TargetTrackingScaling cpu-50: CPU at 50 %"
};

// What was read about the group.
struct GroupFacts {
  GroupHistory history;
  int min_size = 0;
  int max_size = 0;
  SignalSource signal;
  // The median launch-to-InService time of its recent scaling activities,
  // and how many it is the median of.
  // A group with a warm pool: of its launches from the pool (its scale-outs
  // start pre-initialized instances), else of its cold launches.
  std::optional<Duration> boot_time;
  int boot_samples = 0;
  // Which launches boot_time is of, appended to "launches" in the notes:
  // "" (cold ones), " from its warm pool", or why the pool was not read.
  std::string boot_time_of;
  std::string boot_time_note;  // why there is none, when there is none
  std::optional<AwsPolicyRow> aws_policy;
  std::string aws_policy_note;  // why there is no row, when there is none
};

struct GroupWorld {
  Trace trace;
  BacktestOptions options;
  // The rows: phas's policies (as `base.policies` configures them, else
  // their defaults), then the group's AWS policy, labelled.
  std::vector<BacktestRun> runs;
  std::vector<std::string> notes;  // how the world was made, in words
};

// The load one instance serves fully used, in the history's load unit:
// CPU 100 (the load is CPU % summed over instances); otherwise the median,
// over the minutes with the group's CPU at 10 % or more, of (load per
// instance in service) / CPU. Fails when there are fewer than 60 such
// minutes (the message says why). `how` says how it was found.
Result<double> InferCapacityPerInstance(const GroupHistory& h,
                                        SignalKind signal, std::string* how);

// The world of `facts` over `base` (whose flags and config already
// applied: the caller's policies, price, interval, ...). `policies`: the
// phas rows asked for; the AWS row is added after them.
Result<GroupWorld> MakeGroupWorld(const GroupFacts& facts,
                                  const BacktestOptions& base,
                                  const std::vector<std::string>& policies);

}  // namespace phas

#endif  // PHAS_SIM_GROUP_WORLD_H_
