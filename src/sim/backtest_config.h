// The backtest configuration file (`phas backtest --config FILE`): the
// simulated world, the demand mapping and each policy's parameters.
// docs/backtest.md shows every key; unknown keys are errors naming them.
//
//   world:  {min_size, max_size, boot_seconds, metric_delay_seconds,
//            interval_seconds, price_per_hour, over_threshold}
//   demand: {capacity_per_instance | peak_instances (not both),
//            target_utilization, smoothing_minutes}
//   model:  DIR  (for the seed policy)
//   policies:
//     target-tracking: {cooldown_seconds: 60, target_tracking: {target_cpu:
//     60}} seed: {seed: {scale_down_streak: 30}}
//
// Thread-safety: stateless.
#ifndef PHAS_SIM_BACKTEST_CONFIG_H_
#define PHAS_SIM_BACKTEST_CONFIG_H_

#include <string>

#include "sim/backtest.h"

namespace phas {

// Applies the YAML text onto `options` (keys absent keep their values).
Status ParseBacktestConfig(const std::string& yaml, const std::string& source,
                           BacktestOptions* options);

}  // namespace phas

#endif  // PHAS_SIM_BACKTEST_CONFIG_H_
