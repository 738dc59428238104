// GroupControls: what else steers an Auto Scaling group beside phas, in the
// Cloud's vocabulary (AwsCloud converts AWS's answers once): AWS's own
// scaling policies, scheduled actions, the warm pool, instance refreshes
// and lifecycle hooks. Read by Cloud::DescribeControls at start and every
// few minutes (scaler/controls.h); the group's tags and suspended processes
// come with every DescribeGroups instead (cloud/cloud.h).
//
// Thread-safety: plain values.
#ifndef PHAS_CLOUD_GROUP_CONTROLS_H_
#define PHAS_CLOUD_GROUP_CONTROLS_H_

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace phas {

// An AWS scaling policy on the group.
struct AwsScalingPolicy {
  std::string name;
  // AWS's type: "TargetTrackingScaling", "StepScaling", "SimpleScaling",
  // "PredictiveScaling", or a newer one.
  std::string type;
  bool enabled = true;
  // Whether AWS changes the group's capacity by it: an enabled dynamic
  // policy (target tracking, step, simple: any type but predictive), or a
  // predictive one in ForecastAndScale mode (ForecastOnly only forecasts).
  bool scales = true;
  // Target tracking with DisableScaleIn: AWS only scales out by it.
  bool scale_out_only = false;
};

// A scheduled action that changes the group's capacity or bounds.
struct ScheduledCapacityChange {
  std::string name;
  TimePoint next;          // its next start
  std::string recurrence;  // cron, "" for a one-off
  std::optional<int> min_size, max_size, desired;
};

struct WarmPoolView {
  int min_size = 0;
  std::string pool_state;  // "Stopped", "Running", "Hibernated"
  int instances = 0;       // in the pool now, whatever their state
  // Of those, the ones warmed and waiting (Warmed:Stopped, Warmed:Running,
  // Warmed:Hibernated): the ones a scale-out can take quickly.
  int ready = 0;
  // Launches from the pool, measured from the group's recent scaling
  // activities (aws/boot_time.h): their median and 90th percentile and how
  // many, or why they could not be read.
  std::optional<Duration> launch_median, launch_p90;
  int launches = 0;
  std::string launch_error;
};

struct InstanceRefreshView {
  std::string id;
  std::string status;  // "InProgress", "Pending", "Baking", ...
  int percentage_complete = 0;
};

struct GroupControls {
  std::vector<AwsScalingPolicy> policies;
  std::vector<ScheduledCapacityChange> scheduled;
  std::optional<WarmPoolView> warm_pool;
  // The refresh AWS is running (or about to), if any.
  std::optional<InstanceRefreshView> refresh;
  // "name (autoscaling:EC2_INSTANCE_LAUNCHING, 300 s)".
  std::vector<std::string> lifecycle_hooks;
};

}  // namespace phas

#endif  // PHAS_CLOUD_GROUP_CONTROLS_H_
