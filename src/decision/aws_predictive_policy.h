// AWS EC2 Auto Scaling predictive scaling, as AWS documents it, combined
// with target tracking:
//   - needs at least 24 hours of history and uses up to 14 days;
//   - forecasts the load hour by hour; the capacity for an hour is the
//     forecast load divided by the target utilization;
//   - acts ahead of each hour by the scheduling buffer (300 s): from
//     H - buffer, the forecast capacity of hour H is a floor for the group;
//   - never scales in by itself: it only raises the floor; target tracking
//     runs beside it and the larger capacity wins ("Predictive scaling for
//     Amazon EC2 Auto Scaling", EC2 Auto Scaling User Guide).
// AWS does not publish its forecasting model. phas's stand-in: the load of
// hour H is the mean load in the same hour of the day over the available
// days (up to 14). The history is the group's per-minute load
// (Observation::load_history, instance-units).
#ifndef PHAS_DECISION_AWS_PREDICTIVE_POLICY_H_
#define PHAS_DECISION_AWS_PREDICTIVE_POLICY_H_

#include <optional>

#include "decision/policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {

struct AwsPredictiveConfig {
  // Target utilization of the capacity forecast, percent. Default: 60.
  double target = 60;
  Duration min_history = std::chrono::hours(24);
  Duration max_history = std::chrono::hours(24 * 14);
  Duration buffer = std::chrono::seconds(300);
  TargetTrackingConfig tracking;  // the target tracking beside it
  GuardConfig guard;
};

class AwsPredictivePolicy final : public Policy {
 public:
  explicit AwsPredictivePolicy(AwsPredictiveConfig c) : c_(std::move(c)) {}
  std::string name() const override { return "aws-predictive"; }
  bool needs_history() const override { return true; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return c_.guard; }

  // The forecast capacity for the hour starting at `hour` from `history`,
  // or nullopt (with why) when there is too little history.
  std::optional<int> HourCapacity(const std::vector<MetricSample>& history,
                                  TimePoint hour, TimePoint now,
                                  std::string* why) const;

 private:
  AwsPredictiveConfig c_;
};

// The oracle: perfect foresight. Desired capacity is what the demand needs,
// at the target utilization, over the next boot time, from the simulator
// (Observation::oracle_capacity). No cooldown, no step limit: the physical
// limit every other policy is measured against.
class OraclePolicy final : public Policy {
 public:
  OraclePolicy() { guard_.cooldown = Duration::zero(); }
  std::string name() const override { return "oracle"; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return guard_; }

 private:
  GuardConfig guard_;
};

}  // namespace phas

#endif  // PHAS_DECISION_AWS_PREDICTIVE_POLICY_H_
