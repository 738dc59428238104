// AWS EC2 Auto Scaling target tracking, as AWS documents it, on the load
// signal (average CPU by default):
//   - two CloudWatch alarms on the group's average, one-minute points:
//     high: above target for `scale_out_points` (3) consecutive points;
//     low: below scale_in_ratio (0.9) x target for `scale_in_points` (15);
//   - on the high alarm: desired = ceil(n * metric / target), n the capacity
//     that counts: instances still warming up are left out of both the
//     metric and n, so while they warm, repeated breaches compute the same
//     capacity and launch nothing more ("Set the default instance warmup",
//     EC2 Auto Scaling User Guide; AWS re:Post on warm-up and scale-out);
//   - on the low alarm: desired = ceil(n * metric / target), the smallest
//     capacity that keeps the metric at or under target, as AWS describes
//     target tracking ("keeps the metric at, or close to, the target");
//     `scale_in_rounding: floor` (the phas issue's wording) removes one more
//     whenever n * metric / target is fractional, which takes the metric over
//     target and flaps (docs/backtest.md measures both); never while
//     instances warm up or pend.
// The alarm points are evaluated once each, as CloudWatch does.
#ifndef PHAS_DECISION_TARGET_TRACKING_POLICY_H_
#define PHAS_DECISION_TARGET_TRACKING_POLICY_H_

#include "decision/points.h"
#include "decision/policy.h"

namespace phas {

struct TargetTrackingConfig {
  int scale_out_points = 3;     // Default: 3
  int scale_in_points = 15;     // Default: 15
  double scale_in_ratio = 0.9;  // Default: 0.9
  // "ceil" (default) or "floor".
  std::string scale_in_rounding = "ceil";

  void Describe(FieldVisitor& v) {
    v.Integer("scale_out_points", &scale_out_points, 1, kMinutesPerDay);
    v.Integer("scale_in_points", &scale_in_points, 1, kMinutesPerDay);
    v.Number("scale_in_ratio", &scale_in_ratio, 0.1, 1.0);
    v.Choice("scale_in_rounding", &scale_in_rounding, {"floor", "ceil"});
  }
  friend bool operator==(const TargetTrackingConfig&,
                         const TargetTrackingConfig&) = default;
};

class TargetTrackingPolicy final
    : public TypedPolicy<TargetTrackingConfig, AlarmState> {
 public:
  using Config = TargetTrackingConfig;
  using State = AlarmState;
  TargetTrackingPolicy(Config config, ScalingTarget target);
  std::string_view name() const override { return "target-tracking"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;

 private:
  // "60%": the target in words, written once (every cycle's reason has it).
  std::string target_words_;
};

}  // namespace phas

#endif  // PHAS_DECISION_TARGET_TRACKING_POLICY_H_
