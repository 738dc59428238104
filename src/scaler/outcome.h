// What one cycle of the loop saw, decided and did, per group: the loop's
// parts fill it in turn (observer, decision, actuator) and the reporters
// (scaler/reporter.h) write it down. Plain values.
//
// Thread-safety: plain values.
#ifndef PHAS_SCALER_OUTCOME_H_
#define PHAS_SCALER_OUTCOME_H_

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "common/status.h"
#include "decision/types.h"
#include "model/features.h"
#include "scaler/observe.h"

namespace phas {

struct GroupOutcome {
  std::string group;
  std::string policy;  // the policy's name
  bool dry_run = false;
  // Observed.
  bool found = false;            // the group was described
  Status describe_status;        // why it was not (not OK: describe failed)
  GroupDescription description;  // as described (when found)
  // Aggregated (when found; else null). Shared with the observer, which
  // aggregates again only when a new read or warm-up changes them.
  std::shared_ptr<const GroupMetrics> metrics;
  Status metrics_status;  // not OK: the metrics could not be read
  std::optional<Features> features;
  bool model_asked = false;    // the policy reads a model
  Status predictor_status;     // not OK: the predictor was asked and failed
  std::string forecast_model;  // the forecaster behind observation.forecast
  // Its name alone ("xgboost-1440"): a metric label, from a bounded set (the
  // description above carries scores that change every minute).
  std::string forecast_model_name;
  Observation observation;
  // Decided.
  Decision decision;
  // Not empty: with replicas, why this one did not act on the decision
  // (another holds the group's lease, or its state is not read yet).
  std::string standby;
  // The group's state was read from the store this cycle (this replica took
  // the lease): what it counts continues another replica's counting.
  bool state_read = false;
  // Acted: SetDesiredCapacity succeeded (never in dry-run), or failed in a
  // way that may have carried it out all the same.
  bool acted = false;
  bool may_have_acted = false;
  Status act_status;
  // Other failures of this cycle, for the log (a history not saved, ...).
  std::vector<std::string> errors;
  // What the operator should know and phas works around (basic monitoring).
  std::vector<std::string> warnings;
};

// The group's latest load per minute, empty when it was not observed: for
// a group that keeps a load history, its newest minutes (as the policies
// see them: a minute some instance has not published yet is not there, nor
// its dip), else this cycle's read (GroupMetrics::load) without such a
// minute when the read has an older one. Valid for the outcome's cycle.
inline std::span<const MetricSample> LoadOf(const GroupOutcome& o) {
  if (const auto& h = o.observation.load_history; h && !h->empty()) {
    const size_t n =
        o.metrics ? std::max<size_t>(o.metrics->load.size(), 1) : 1;
    return std::span<const MetricSample>(*h).last(std::min(n, h->size()));
  }
  if (!o.metrics) return {};
  const std::vector<MetricSample>& load = o.metrics->load;
  const size_t whole = o.metrics->whole_load;
  return std::span<const MetricSample>(load).first(
      whole > 0 ? std::min(whole, load.size()) : load.size());
}

// The detail of an act_status refused right before the call because
// another actor changed the group during the cycle (scaler/actuator.h).
inline constexpr char kActChangedMeanwhile[] = "ChangedMeanwhile";

// The action was refused right before its call because another actor (a
// person, an AWS policy, a scheduled action) changed the group during the
// cycle: an ordinary event, no call made; decided again next cycle.
inline bool ChangedMeanwhile(const GroupOutcome& o) {
  return !o.act_status.ok() && o.act_status.detail() == kActChangedMeanwhile;
}

// The decision was sent to SetDesiredCapacity: it acts, this replica
// neither dry-runs nor stands by, and the group had not changed meanwhile.
inline bool ActionAttempted(const GroupOutcome& o) {
  return o.decision.acts() && !o.dry_run && o.standby.empty() &&
         !ChangedMeanwhile(o);
}

// phas sets the group's capacity this cycle: the loop told the policy so
// (Observation::phas_sets_capacity: not a dry run, not held off the whole
// group: a tag, --forecast-only, AWS's own scaling), this replica holds the
// lease, and the policy is not forecast-only itself. Leaving scale-in to
// AWS's policies still leaves phas the scale-out.
inline bool PhasSetsCapacity(const GroupOutcome& o) {
  return !o.dry_run && o.standby.empty() && o.observation.phas_sets_capacity &&
         o.decision.policy_code.reason != Reason::kForecastOnly;
}

// An attempted action's result: "ok", "unknown" (failed, but may have been
// carried out) or "error".
inline const char* ActionResult(const GroupOutcome& o) {
  return o.acted ? "ok" : o.may_have_acted ? "unknown" : "error";
}

struct CycleReport {
  TimePoint now;
  Status describe_status;
  Status metrics_status;
  std::vector<GroupOutcome> groups;
};

}  // namespace phas

#endif  // PHAS_SCALER_OUTCOME_H_
