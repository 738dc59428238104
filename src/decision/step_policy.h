// AWS EC2 Auto Scaling step scaling on average CPU, as AWS documents it:
// a high and a low CloudWatch alarm (threshold, `evaluation_points`
// consecutive one-minute points), each with step adjustments whose bounds
// are relative to the alarm threshold (the breach size picks the step). The
// adjustment is a change in capacity or a percent change (rounded away from
// zero, at least 1, as AWS does). While instances warm up they do not count
// toward current capacity, so repeated breaches within the same step launch
// once ("Step and simple scaling policies", EC2 Auto Scaling User Guide).
// Scale-in never happens while instances warm up or pend.
#ifndef PHAS_DECISION_STEP_POLICY_H_
#define PHAS_DECISION_STEP_POLICY_H_

#include <limits>
#include <vector>

#include "decision/policy.h"

namespace phas {

struct StepAdjustment {
  // Breach interval relative to the threshold: [lower, upper).
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  double adjustment = 0;  // +2 instances, or +50 (%)
};

struct StepPolicyConfig {
  double high_threshold = 70;  // Default: 70 (% CPU)
  double low_threshold = 40;   // Default: 40
  int evaluation_points = 2;   // Default: 2 consecutive one-minute points
  bool percent = false;  // PercentChangeInCapacity. Default: ChangeInCapacity
  // Default: +1 up to 15 points over, +2 up to 25, +3 beyond.
  std::vector<StepAdjustment> out_steps = {
      {0, 15, 1},
      {15, 25, 2},
      {25, std::numeric_limits<double>::infinity(), 3}};
  // Default: -1 for any breach below the low threshold.
  std::vector<StepAdjustment> in_steps = {
      {-std::numeric_limits<double>::infinity(), 0, -1}};
  GuardConfig guard;  // Default cooldown for this policy: 60 s
};

class StepPolicy final : public Policy {
 public:
  explicit StepPolicy(StepPolicyConfig c) : c_(std::move(c)) {}
  std::string name() const override { return "step"; }
  Proposal Propose(const Observation& obs,
                   const PolicyState& state) const override;
  const GuardConfig& guard() const override { return c_.guard; }
  // The adjustment for a breach (metric - threshold), 0 when no step matches.
  static double StepFor(const std::vector<StepAdjustment>& steps,
                        double breach);

 private:
  StepPolicyConfig c_;
};

}  // namespace phas

#endif  // PHAS_DECISION_STEP_POLICY_H_
