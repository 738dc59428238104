// How long a group's new instances take to launch, read from its scaling
// activities (DescribeScalingActivities): a boot time for backtests and
// tuning measured on the group itself instead of a guess.
// Thread-safety: a pure function.
#ifndef PHAS_AWS_BOOT_TIME_H_
#define PHAS_AWS_BOOT_TIME_H_

#include <optional>
#include <vector>

#include "aws/services.h"
#include "common/clock.h"

namespace phas::aws {

struct BootTime {
  Duration median{};  // of the cold launches (when launches > 0)
  int launches = 0;   // the activities the median is over
  // Launches from the group's warm pool ("Launching a new EC2 instance
  // from warm pool: i-…"): pre-initialized instances, InService sooner
  // than a cold launch. Their median, when there were any.
  std::optional<Duration> warm_pool_median;
  // Their 90th percentile (nearest rank): a launch from the pool takes
  // longer than this one time in ten.
  std::optional<Duration> warm_pool_p90;
  int warm_pool_launches = 0;
};

// The median of EndTime - StartTime over the successful activities whose
// description starts "Launching a new EC2 instance" (AWS's text for a launch
// into the group), with how many there were; launches from a warm pool
// ("... from warm pool: i-…") apart, in warm_pool_median. Launches into a
// warm pool ("... into warm pool: i-…") are left out: they end when the
// instance is stopped in the pool, not when it serves. Activities without
// an EndTime, or ending before they start, are left out. None left:
// nullopt.
std::optional<BootTime> BootTimeFromActivities(
    const std::vector<ScalingActivity>& activities);

}  // namespace phas::aws

#endif  // PHAS_AWS_BOOT_TIME_H_
