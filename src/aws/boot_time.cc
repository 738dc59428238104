#include "aws/boot_time.h"

#include <algorithm>
#include <string_view>

namespace phas::aws {

std::optional<BootTime> BootTimeFromActivities(
    const std::vector<ScalingActivity>& activities) {
  constexpr std::string_view kLaunch = "Launching a new EC2 instance";
  constexpr std::string_view kWarmPool = "into warm pool";
  std::vector<Duration> took;
  for (const ScalingActivity& a : activities) {
    std::string_view d = a.description;
    if (d.substr(0, kLaunch.size()) != kLaunch ||
        d.find(kWarmPool) != std::string_view::npos ||
        a.status_code != "Successful" || !a.end_time ||
        *a.end_time < a.start_time) {
      continue;
    }
    took.push_back(*a.end_time - a.start_time);
  }
  if (took.empty()) return std::nullopt;
  std::sort(took.begin(), took.end());
  size_t n = took.size();
  Duration median =
      n % 2 == 1 ? took[n / 2] : (took[n / 2 - 1] + took[n / 2]) / 2;
  return BootTime{median, static_cast<int>(n)};
}

}  // namespace phas::aws
