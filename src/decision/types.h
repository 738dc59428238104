// The vocabulary of scaling decisions: what a policy sees (Observation),
// what it asks for (Proposal, with the state it keeps between cycles) and
// what is decided once the safety rules are applied (Decision). Plain
// values; no I/O, no clocks.
//
// Thread-safety: plain values.
#ifndef PHAS_DECISION_TYPES_H_
#define PHAS_DECISION_TYPES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/sample.h"
#include "decision/fields.h"
#include "decision/reason.h"

namespace phas {

// The group as described this cycle (read every cycle: min and max can
// change).
struct GroupView {
  std::string name;
  int min_size = 0;
  int max_size = 0;
  int desired = 0;
  int in_service = 0;  // InService instances
  int pending = 0;     // launched, not yet InService
  // InService but marked Unhealthy: launched and not serving (AWS replaces
  // it, unless ReplaceUnhealthy is suspended); not in `in_service`.
  int unhealthy = 0;
  int warming = 0;  // InService but still inside the warm-up time
  // InService instances protected from scale-in: AWS terminates none of
  // them when the desired capacity is lowered (a Pending instance's
  // protection starts once it is InService).
  int protected_from_scale_in = 0;
  // The group's warm pool, when it has one (read with its AWS controls,
  // scaler/controls.h): the instances it holds, and how long a launch from
  // it takes (the median of the group's recent launches from the pool;
  // unset until one was seen). The forecasting policies use it as their
  // boot time while the pool holds what they would launch.
  struct WarmPool {
    int instances = 0;
    std::optional<Duration> launch;
  };
  std::optional<WarmPool> warm_pool;
};

// What a classifier's class means for the group.
enum class ModelAction : uint8_t { kScaleUp, kScaleDown, kHold };
const char* ModelActionName(ModelAction a);  // "scale_up", ...

// The class a model answered, with what it means.
struct ModelAnswer {
  int cls = -1;
  std::string label;  // "Low"
  ModelAction action = ModelAction::kHold;
  double confidence = 0;
};

// A forecast of the load at a future time (instance-units).
struct ForecastPoint {
  TimePoint time;
  double mean = 0;
  double upper = 0;  // the configured quantile
};

struct Observation {
  TimePoint now;
  GroupView group;
  // The load signal (decision/load_signal.h) per minute: the mean over the
  // InService instances that are not warming up, oldest first; at most the
  // last few minutes.
  std::vector<MetricSample> signal;
  bool metrics_ok = false;  // false: metrics could not be read this cycle
  // The model's answer (for policies that read one), or why there is none.
  std::optional<ModelAnswer> model;
  std::string model_error;
  // Per-minute load of the group in instance-units (the signal summed over
  // its instances, divided by one instance's full value), oldest first, up
  // to 15 days (scaler/history.h). Null when the loop keeps no history.
  std::shared_ptr<const std::vector<MetricSample>> load_history;
  // Forecast load (instance-units) ahead, from a forecaster, with why not
  // when there is none (cold start, failure).
  std::vector<ForecastPoint> forecast;
  std::string forecast_error;
  // Perfect foresight, simulator only: the capacity the demand will need
  // over the coming boot time (oracle policy).
  std::optional<int> oracle_capacity;
  // phas may set the group's capacity this cycle (not a dry run, not held
  // off the whole group: the phas:paused or phas:forecast-only tag,
  // --forecast-only, AWS's own scaling; scaler/scaler.cc). A policy's own
  // forecast_only is its own to know.
  // False, the capacity is someone else's: a policy that learns from the
  // group's shortfall (predictive's margin) does not learn from it.
  bool phas_sets_capacity = true;
};

// What a policy keeps between cycles: a struct of its own type
// (TargetTrackingState, ...), held without its type by the loop and
// persisted by the state store through its Describe.
using PolicyState = AnyStruct;

// A policy that holds the group to a service level (predictive's
// slo.max_underprovisioned_pct): what it was asked and what it has realised,
// from its persisted state, for metrics (scaler/scaler_metrics.h).
struct SloStatus {
  double asked = 0;          // share of minutes the group may be short (0.03)
  double minutes = 0;        // minutes counted since the state began
  double short_minutes = 0;  // of them, short of capacity at the target
  double margin = 0;         // the margin calibrated to hold it, in spreads
  // Minutes left out: the group still lacking capacity asked two boot
  // times before (AWS not delivering), not the policy's shortfall.
  double undelivered_minutes = 0;
};

// What a policy asks for, before the safety rules.
struct Proposal {
  int target = 0;                // desired capacity the policy wants
  ReasonCode code;               // why, as a code
  std::string reason;            // why, in words
  std::optional<SloStatus> slo;  // a policy that holds a service level
  // The policy's state after this cycle if the group is left as it is, and
  // if the target is applied. They differ when acting resets something (the
  // scale-down streak).
  PolicyState if_held;
  PolicyState if_acted;
};

struct Decision {
  enum class Kind { kHold, kScaleUp, kScaleDown };
  Kind kind = Kind::kHold;
  int current = 0;
  int target = 0;
  // What the policy proposed, before the guard.
  int proposed = 0;
  // Where the policy wanted to go, inside [MinSize, MaxSize] and the step
  // limits: the target the guard held back when it holds (cooldown).
  int wanted = 0;
  // The policy's reason, then the guard's words when a rule moved or held
  // the proposal ("...; wanted 2 -> 4, step limit +1: 2 -> 3").
  std::string reason;
  ReasonCode policy_code;                // what the policy saw
  std::optional<SloStatus> slo;          // the policy's, when it has one
  GuardRule held_by = GuardRule::kNone;  // the rule that held it, if any
  // The rules that moved `proposed` to `wanted`, in the order applied.
  std::vector<GuardClamp> clamped_by;
  // The policy's state to keep if the group is left as it is, and if the
  // action is (or may have been) carried out.
  PolicyState state_if_held;
  PolicyState state_if_acted;

  bool acts() const { return kind != Kind::kHold; }
  // The way the policy wanted to go (also when a rule held it).
  Direction wish() const {
    return wanted > current   ? Direction::kUp
           : wanted < current ? Direction::kDown
                              : Direction::kHold;
  }
  // One word for logs and metrics: the rule that held the decision, or the
  // policy's code ("cooldown", "tt_scale_out", ...).
  std::string code() const {
    return held_by != GuardRule::kNone ? GuardRuleName(held_by)
                                       : policy_code.ToString();
  }
};

const char* DecisionKindName(Decision::Kind k);  // "hold", "scale_up", ...

}  // namespace phas

#endif  // PHAS_DECISION_TYPES_H_
