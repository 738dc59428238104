// AWS EC2 Auto Scaling step scaling, as AWS documents it, on the load signal
// (average CPU by default): a high and a low CloudWatch alarm (threshold,
// `evaluation_points` consecutive one-minute points), each with step
// adjustments whose bounds are relative to the alarm threshold (the breach
// size picks the step). The adjustment is a change in capacity or a percent
// change (rounded away from zero, at least 1, as AWS does). While instances
// warm up they do not count toward current capacity, so repeated breaches
// within the same step launch once ("Step and simple scaling policies", EC2
// Auto Scaling User Guide). Scale-in never happens while instances warm up or
// pend. Thresholds are in the signal's unit; the target is not used.
#ifndef PHAS_DECISION_STEP_POLICY_H_
#define PHAS_DECISION_STEP_POLICY_H_

#include <limits>
#include <vector>

#include "decision/points.h"
#include "decision/policy.h"

namespace phas {

struct StepAdjustment {
  // Breach interval relative to the threshold: [lower, upper).
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  double adjustment = 0;  // +2 instances, or +50 (%)

  void Describe(FieldVisitor& v) {
    v.Number("lower", &lower, -1e15, 1e15);
    v.Number("upper", &upper, -1e15, 1e15);
    v.Number("adjustment", &adjustment, -1e6, 1e6);
    v.Check(lower < upper, "upper", "must be above lower");
  }
  friend bool operator==(const StepAdjustment&,
                         const StepAdjustment&) = default;
};

struct StepPolicyConfig {
  double high_threshold = 70;  // Default: 70 (% CPU)
  double low_threshold = 40;   // Default: 40
  int evaluation_points = 2;   // Default: 2 consecutive one-minute points
  // ChangeInCapacity (default) or PercentChangeInCapacity.
  std::string adjustment_type = "ChangeInCapacity";
  // Default: +1 up to 15 points over, +2 up to 25, +3 beyond.
  std::vector<StepAdjustment> out_steps = {
      {0, 15, 1},
      {15, 25, 2},
      {25, std::numeric_limits<double>::infinity(), 3}};
  // Default: -1 for any breach below the low threshold.
  std::vector<StepAdjustment> in_steps = {
      {-std::numeric_limits<double>::infinity(), 0, -1}};

  bool percent() const { return adjustment_type == "PercentChangeInCapacity"; }
  void Describe(FieldVisitor& v) {
    // In the signal's unit (CPU: %).
    v.Number("high_threshold", &high_threshold, 0, 1e15);
    v.Number("low_threshold", &low_threshold, 0, 1e15);
    v.Integer("evaluation_points", &evaluation_points, 1, kMinutesPerDay);
    v.Choice("adjustment_type", &adjustment_type,
             {"ChangeInCapacity", "PercentChangeInCapacity"});
    v.List("out_steps", &out_steps);
    v.List("in_steps", &in_steps);
    v.Check(!out_steps.empty(), "out_steps", "must be a non-empty list");
    v.Check(!in_steps.empty(), "in_steps", "must be a non-empty list");
    v.Check(low_threshold < high_threshold, "low_threshold",
            "must be below high_threshold");
  }
  friend bool operator==(const StepPolicyConfig&,
                         const StepPolicyConfig&) = default;
};

class StepPolicy final : public TypedPolicy<StepPolicyConfig, AlarmState> {
 public:
  using Config = StepPolicyConfig;
  using State = AlarmState;
  using TypedPolicy::TypedPolicy;
  std::string_view name() const override { return "step"; }
  TypedProposal<State> Evaluate(const Observation& obs,
                                const State& state) const override;
  // The adjustment for a breach (metric - threshold), 0 when no step matches.
  static double StepFor(const std::vector<StepAdjustment>& steps,
                        double breach);
};

}  // namespace phas

#endif  // PHAS_DECISION_STEP_POLICY_H_
