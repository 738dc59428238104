// The vocabulary of scaling decisions: what a policy sees (Observation),
// what it remembers between cycles (PolicyState), what it asks for
// (Proposal) and what is decided once the safety rules are applied
// (Decision). Plain values; no I/O, no clocks.
//
// Thread-safety: plain values.
#ifndef PHAS_DECISION_TYPES_H_
#define PHAS_DECISION_TYPES_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace phas {

// The group as described this cycle (read every cycle: min and max can change).
struct GroupView {
  std::string name;
  int min_size = 0;
  int max_size = 0;
  int desired = 0;
  int in_service = 0;  // InService instances
  int pending = 0;     // launched, not yet InService
  int warming = 0;     // InService but still inside the warm-up time
};

struct MetricSample {
  TimePoint time;
  double value = 0.0;
  int instances = 0;  // how many instances the value averages (0: unknown)
};

// The original's 9 model features, derived from the aggregated metrics
// (model/features.h).
struct Features {
  double cpu_usage = 0;
  double memory_usage = 0;
  double network_traffic = 0;
  double power_consumption = 0;
  double num_executed_instructions = 0;
  double execution_time = 0;
  double energy_efficiency = 0;
  std::string task_type;      // compute | network | io
  std::string task_priority;  // high | medium | low
  bool memory_estimated = false;
  // Temporal inputs from the group's load history (model/features.h
  // TemporalInputs), for models that declare them; empty without history.
  std::map<std::string, double> temporal;
};

// The class a model answered, with what it means.
struct ModelAnswer {
  int cls = -1;
  std::string label;   // "Low"
  std::string action;  // "scale_up" | "scale_down" | "hold"
  double confidence = 0;
};

// A forecast of the load metric at a future time (issue: predictive policies).
struct ForecastPoint {
  TimePoint time;
  double mean = 0;
  double upper = 0;  // the configured quantile
};

struct Observation {
  TimePoint now;
  GroupView group;
  // Per-minute average CPU (%) of the InService instances that are not
  // warming up, oldest first; at most the last few minutes.
  std::vector<MetricSample> cpu;
  bool metrics_ok = false;  // false: metrics could not be read this cycle
  std::optional<Features> features;
  // The model's answer, or why there is none.
  std::optional<ModelAnswer> model;
  std::string model_error;
  // Per-minute load of the group in instance-units (the sum of its
  // instances' CPU / 100), oldest first, up to 15 days (scaler/history.h).
  // Null when the loop keeps no history.
  std::shared_ptr<const std::vector<MetricSample>> load_history;
  // Forecast load (instance-units) ahead, from a forecaster, with why not
  // when there is none (cold start, failure).
  std::vector<ForecastPoint> forecast;
  std::string forecast_error;
  // Perfect foresight, simulator only: the capacity the demand will need
  // over the coming boot time (oracle policy).
  std::optional<int> oracle_capacity;
};

// What a policy keeps between cycles; persisted (scaler/state_store.h).
struct PolicyState {
  std::optional<TimePoint> last_action;  // time of the last scaling action
  int down_streak = 0;                   // consecutive scale-down answers
  // Policy-specific counters and the time of the last metric point a policy
  // consumed (so a point is counted once however often the loop runs).
  std::map<std::string, double> counters;
  std::optional<TimePoint> last_point;
  // Recent recommendations (time, replicas), for stabilization windows.
  std::vector<std::pair<TimePoint, int>> recommendations;
  // The last decision, for operators.
  std::string last_decision;
  // When each instance was first seen InService (warm-up tracking).
  std::map<std::string, TimePoint> first_in_service;

  bool operator==(const PolicyState&) const = default;
};

// What a policy asks for, before the safety rules.
struct Proposal {
  int target = 0;      // desired capacity the policy wants
  std::string reason;  // why, in words
  std::string code;    // machine-readable: "model_scale_up", "streak", ...
  // The policy's state after this cycle, if the group is left as it is and
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
  std::string reason;
  // Why, as one word: what the policy wanted ("model_scale_up") or what
  // stopped it ("cooldown", "at_max", "at_min", "no_change", ...).
  std::string code;
  std::string
      policy_code;   // the proposal's code, kept when a rule overrides it
  PolicyState next;  // state to persist if the decision is carried out
  PolicyState next_if_failed;  // state to persist if acting fails

  bool acts() const { return kind != Kind::kHold; }
};

const char* DecisionKindName(
    Decision::Kind k);  // "hold", "scale_up", "scale_down"

}  // namespace phas

#endif  // PHAS_DECISION_TYPES_H_
