// The flags and the pull shared by the commands that work on a real group's
// own history (`phas history`, `phas backtest --asg`, `phas tune --asg`):
// which group, where (region, endpoints: the flags over the scaler's
// config), which signal, how many days; and the pull itself, with the
// requests it made and the time it took.
#ifndef PHAS_CMD_GROUP_SOURCE_H_
#define PHAS_CMD_GROUP_SOURCE_H_

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/session.h"
#include "cloud/cloud.h"
#include "common/clock.h"
#include "common/status.h"
#include "scaler/config.h"
#include "scaler/history_pull.h"
#include "sim/group_world.h"

namespace phas {

struct GroupSourceFlags {
  std::string asg;
  std::string config;  // scaler config: region, endpoints, the group's signal
  std::string region;
  std::string signal;          // cpu | network_in | network_out | alb_requests
  std::string resource_label;  // alb_requests
  double days = 14;
  double request_hours = 0;  // split requests (slow test servers); 0: none
  // The options AddGroupSourceFlags added, in order: whether each was given
  // (a value equal to the default counts as given).
  std::vector<const CLI::Option*> options;
};

// The AWS options of a scaler config read from `path`: its region (said to
// come from "`path`: region"; empty path: the session's default wording),
// endpoints and attempts.
aws::AwsOptions AwsOptionsOf(const ScalerConfig& c, const std::string& path);

// Adds `config_flag` (the scaler config: "--config", or "--scaler-config"
// where --config means something else), --region, --signal,
// --resource-label, --days and --request-hours (--asg is the caller's: it
// may be one of several sources).
void AddGroupSourceFlags(CLI::App* cmd, GroupSourceFlags* f,
                         const std::string& config_flag = "--config");

// Without --asg the flags above have no group to apply to: an error naming
// the first one given, instead of ignoring it. A trace's signal is its
// world's (`world.signal` in the backtest config).
Status CheckNoGroupFlags(const GroupSourceFlags& f);

// A group's history, pulled, with what it took.
struct PulledGroup {
  std::unique_ptr<aws::AwsSession> session;
  std::unique_ptr<Cloud> cloud;
  GroupDescription group;
  SignalSource signal;
  std::optional<GroupConfig> config;  // the group's entry in --config
  GroupHistory history;
  // Per action, retries included; shared with the session's observer, so
  // that it outlives moves of this struct.
  std::shared_ptr<std::map<std::string, int>> requests =
      std::make_shared<std::map<std::string, int>>();
  double seconds = 0;
  // "14 days: 20160 rows, 0 gaps; 3 requests (...); 1.2 s".
  std::string Summary() const;
};

Result<PulledGroup> PullGroup(const GroupSourceFlags& f, Clock* clock);

// What a backtest world needs of the pulled group: its history, bounds and
// signal, plus its boot time (DescribeScalingActivities) and its current
// AWS policy (DescribePolicies). A group whose activities or policies
// cannot be read still has a world: the notes say what is missing.
GroupFacts FactsOf(PulledGroup* g);

}  // namespace phas

#endif  // PHAS_CMD_GROUP_SOURCE_H_
