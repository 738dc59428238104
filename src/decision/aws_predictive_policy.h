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
  Duration min_history = std::chrono::hours(24);       // Default: 24 h
  Duration max_history = std::chrono::hours(24 * 14);  // Default: 14 days
  Duration buffer = std::chrono::seconds(300);         // Default: 300 s
  TargetTrackingConfig tracking;  // the target tracking beside it

  void Describe(FieldVisitor& v) {
    v.Seconds("buffer_seconds", &buffer, 0, 3600);
    v.Span("min_history_hours", &min_history, 3600, 0, 24 * 14);
    v.Span("max_history_days", &max_history, 86400, 1, 60);
    v.Section("tracking", &tracking);
  }
  friend bool operator==(const AwsPredictiveConfig&,
                         const AwsPredictiveConfig&) = default;
};

class AwsPredictivePolicy final
    : public TypedPolicy<AwsPredictiveConfig, AlarmState> {
 public:
  using Config = AwsPredictiveConfig;
  using State = AlarmState;  // target tracking's
  AwsPredictivePolicy(Config c, ScalingTarget target)
      : TypedPolicy(c, target), tracking_(c.tracking, target) {}
  std::string_view name() const override { return "aws-predictive"; }
  PolicyNeeds needs() const override { return {.history = true}; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

  // The forecast capacity for the hour starting at `hour` from `history`,
  // or nullopt (with why) when there is too little history.
  std::optional<int> HourCapacity(const std::vector<MetricSample>& history,
                                  TimePoint hour, TimePoint now,
                                  std::string* why) const;

 private:
  TargetTrackingPolicy tracking_;
};

}  // namespace phas

#endif  // PHAS_DECISION_AWS_PREDICTIVE_POLICY_H_
