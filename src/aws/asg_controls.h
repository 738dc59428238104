// Typed clients for what else runs on an Auto Scaling group beside phas
// (the reads of "Beside AWS's own scaling", docs/scaler.md), over
// QueryClient:
//   DescribeScheduledActions   scheduled capacity changes
//   DescribeWarmPool           the warm pool and its instances
//   DescribeInstanceRefreshes  instance refreshes (moto 5.2.1 has none:
//                              the shapes are checked against recorded
//                              answers, testdata/aws/)
//   DescribeLifecycleHooks     lifecycle hooks
// Scaling policies are AutoScalingApi::DescribePolicies (aws/services.h);
// tags and suspended processes come with DescribeAutoScalingGroups. Every
// call is paginated here (NextToken), so a caller sees one call per
// logical request. An answer whose values do not parse (a StartTime that is
// no time, a MinSize that is no integer) is an error naming the call, the
// element and the value, never a silent default.
//
// Thread-safety: as QueryClient (safe to share).
#ifndef PHAS_AWS_ASG_CONTROLS_H_
#define PHAS_AWS_ASG_CONTROLS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/query_client.h"
#include "common/clock.h"

namespace phas::aws {

// One scheduled action (ScheduledUpdateGroupAction). For a recurring action
// AWS reports in StartTime the next time it runs.
struct ScheduledAction {
  std::string name;
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;
  std::string recurrence;  // cron, "" for a one-off
  std::optional<int> min_size, max_size, desired_capacity;
  // It runs again (a StartTime) and sets desired, min or max.
  bool changes_capacity() const {
    return start_time && (min_size || max_size || desired_capacity);
  }
};

// The warm pool of a group (DescribeWarmPool's WarmPoolConfiguration and
// Instances).
struct WarmPoolInfo {
  int min_size = 0;
  std::optional<int> max_group_prepared_capacity;
  std::string pool_state;  // "Stopped", "Running", "Hibernated"
  std::string status;      // "PendingDelete" while being deleted, else ""
  // The pool's instances by lifecycle state ("Warmed:Stopped", ...).
  std::vector<std::string> instance_states;
};

// One instance refresh (DescribeInstanceRefreshes).
struct InstanceRefreshInfo {
  std::string id;
  // "Pending", "InProgress", "Successful", "Failed", "Cancelling",
  // "Cancelled", "RollbackInProgress", "RollbackFailed",
  // "RollbackSuccessful", "Baking".
  std::string status;
  std::string status_reason;
  std::optional<TimePoint> start_time, end_time;
  int percentage_complete = 0;
  int instances_to_update = 0;
  // Pending, InProgress, Cancelling, RollbackInProgress and Baking: AWS is
  // still replacing instances (or about to).
  bool in_progress() const;
};

// The first refresh of `refreshes` still in progress (AWS lists the newest
// first), or null.
const InstanceRefreshInfo* ActiveRefresh(
    const std::vector<InstanceRefreshInfo>& refreshes);

// One lifecycle hook (DescribeLifecycleHooks).
struct LifecycleHookInfo {
  std::string name;
  std::string transition;      // "autoscaling:EC2_INSTANCE_LAUNCHING", ...
  int heartbeat_timeout = 0;   // seconds
  std::string default_result;  // "CONTINUE", "ABANDON"
};

class AutoScalingControlsApi {
 public:
  explicit AutoScalingControlsApi(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}
  // The group's scheduled actions, every page. None (or no such group): an
  // empty list, as the API answers.
  Result<std::vector<ScheduledAction>> DescribeScheduledActions(
      const std::string& group);
  // The group's warm pool; nullopt when it has none (the API answers no
  // WarmPoolConfiguration).
  Result<std::optional<WarmPoolInfo>> DescribeWarmPool(
      const std::string& group);
  // The group's instance refreshes, newest first as AWS lists them, at
  // most `max` (the API keeps them for a while after they end).
  Result<std::vector<InstanceRefreshInfo>> DescribeInstanceRefreshes(
      const std::string& group, int max = 20);
  Result<std::vector<LifecycleHookInfo>> DescribeLifecycleHooks(
      const std::string& group);

 private:
  std::shared_ptr<QueryClient> client_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_ASG_CONTROLS_H_
