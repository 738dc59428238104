#include "scaler/policy_registry.h"

#include "decision/aws_predictive_policy.h"
#include "decision/hpa_policy.h"
#include "decision/oracle_policy.h"
#include "decision/predictive_policy.h"
#include "decision/reactive_policy.h"
#include "decision/seed_policy.h"
#include "decision/step_policy.h"
#include "decision/target_tracking_policy.h"

namespace phas {
namespace {

using std::chrono::seconds;

// Cooldowns: the original's 300 s for its own rules; one alarm period
// (60 s) for AWS's rules and predictive; none for the HPA (it has none) and
// the oracle (the physical limit).
PolicyRegistry MakeDefault() {
  PolicyRegistry r;
  r.Add(RowFor<SeedPolicy>("seed", "seed", {seconds(300), 0, 0}));
  r.Add(RowFor<ReactivePolicy>("reactive", "reactive", {seconds(300), 0, 0}));
  r.Add(RowFor<TargetTrackingPolicy>("target-tracking", "target_tracking",
                                     {seconds(60), 0, 0}));
  PolicyRow step = RowFor<StepPolicy>("step", "step", {seconds(60), 0, 0});
  // Alarm thresholds and breach bounds in the signal's unit (defaults: CPU).
  step.signal_unit_keys = {"high_threshold", "low_threshold", "out_steps"};
  r.Add(std::move(step));
  r.Add(RowFor<HpaPolicy>("hpa", "hpa", {seconds(0), 0, 0}));
  r.Add(RowFor<AwsPredictivePolicy>("aws-predictive", "aws_predictive",
                                    {seconds(60), 0, 0}));
  r.Add(RowFor<PredictivePolicy>("predictive", "predictive",
                                 {seconds(60), 10, 3}));
  r.Add(RowFor<OraclePolicy>("oracle", "", {seconds(0), 0, 0},
                             /*simulator_only=*/true));
  return r;
}

}  // namespace

const PolicyRegistry& PolicyRegistry::Default() {
  static const PolicyRegistry* kDefault = new PolicyRegistry(MakeDefault());
  return *kDefault;
}

void PolicyRegistry::Add(PolicyRow row) {
  for (PolicyRow& r : rows_) {
    if (r.name == row.name) {
      r = row;
      return;
    }
  }
  rows_.push_back(row);
}

const PolicyRow* PolicyRegistry::Find(std::string_view name) const {
  for (const PolicyRow& r : rows_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> PolicyRegistry::names() const {
  std::vector<std::string> out;
  for (const PolicyRow& r : rows_) out.emplace_back(r.name);
  return out;
}

}  // namespace phas
