#include "aws/boot_time.h"

#include <algorithm>
#include <string_view>

namespace phas::aws {

namespace {

// Of `took`, sorted.
Duration Median(const std::vector<Duration>& took) {
  size_t n = took.size();
  return n % 2 == 1 ? took[n / 2] : (took[n / 2 - 1] + took[n / 2]) / 2;
}

}  // namespace

std::optional<BootTime> BootTimeFromActivities(
    const std::vector<ScalingActivity>& activities) {
  constexpr std::string_view kLaunch = "Launching a new EC2 instance";
  constexpr std::string_view kIntoPool = "into warm pool";
  constexpr std::string_view kFromPool = "from warm pool";
  std::vector<Duration> cold, warm;
  for (const ScalingActivity& a : activities) {
    std::string_view d = a.description;
    if (d.substr(0, kLaunch.size()) != kLaunch ||
        d.find(kIntoPool) != std::string_view::npos ||
        a.status_code != "Successful" || !a.end_time ||
        *a.end_time < a.start_time) {
      continue;
    }
    (d.find(kFromPool) != std::string_view::npos ? warm : cold)
        .push_back(*a.end_time - a.start_time);
  }
  if (cold.empty() && warm.empty()) return std::nullopt;
  BootTime b;
  b.launches = static_cast<int>(cold.size());
  std::sort(cold.begin(), cold.end());
  std::sort(warm.begin(), warm.end());
  if (!cold.empty()) b.median = Median(cold);
  b.warm_pool_launches = static_cast<int>(warm.size());
  if (!warm.empty()) {
    // Nearest rank: the smallest value with at least 90 % at or below it.
    size_t rank = (warm.size() * 9 + 9) / 10;
    b.warm_pool_p90 = warm[rank - 1];
    b.warm_pool_median = Median(warm);
  }
  return b;
}

}  // namespace phas::aws
