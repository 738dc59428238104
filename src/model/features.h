// The original system's 9 model features, derived from CloudWatch metrics
// aggregated across a group's InService instances.
//
// Formulas as the original scaler computed them (its calculate_derived_metrics,
// classify_task_type and classify_task_priority; published with the original
// project), with two deliberate changes:
//   - memory: when not measured, the original estimated
//     min(cpu * 1.2 + N(0, 5), 95) with random noise, and could log negative
//     memory. phas uses min(cpu * 1.2, 95) clamped to [0, 100], with no noise
//     (decisions must be reproducible), and marks it estimated.
//   - rounding: as the original (Python's round: the exact binary value
//     rounded to nearest, ties to even).
//
// Thread-safety: stateless functions.
#ifndef PHAS_MODEL_FEATURES_H_
#define PHAS_MODEL_FEATURES_H_

#include <map>
#include <string>
#include <vector>

#include "common/sample.h"
#include "model/pipeline.h"

namespace phas {

// The original's 9 model features, derived from the aggregated metrics.
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
  // Temporal inputs from the group's load history (TemporalInputs below),
  // for models that declare them; empty without history.
  std::map<std::string, double> temporal;
};

// One metric combined across instances (the original's combine step):
// value = mean of the instances' latest values, max_value = their maximum,
// min_value = their minimum, instance_count = how many had data.
struct MetricAggregate {
  double value = 0;
  double max_value = 0;
  double min_value = 0;
  int instance_count = 0;
};

// Keys as the original: cpu_utilization, network_in, network_out,
// disk_read_bytes, disk_write_bytes, network_packets_in, network_packets_out,
// memory_utilization. A key without data is absent.
using AggregatedMetrics = std::map<std::string, MetricAggregate>;

// `n` InService instances; min/max capacity as read this cycle.
Features DeriveFeatures(const AggregatedMetrics& m, int n, int min_capacity,
                        int max_capacity);

// Temporal inputs from the group's per-minute load (instance-units, oldest
// first; Observation::load_history) and its n InService instances, each in
// percent of the current capacity (n instances), so that one model serves
// groups of any size:
//   load_change_5m, load_change_15m   the load now minus 5 / 15 minutes ago
//   load_max_1h                       the highest load of the last hour
//   load_day_ago_next_10m             the highest load of the 10 minutes that
//                                     followed this moment one day ago
// A value whose history is not there (fewer minutes, a gap) is left out;
// the model then sees it missing.
std::map<std::string, double> TemporalInputs(
    const std::vector<MetricSample>& load, int n);
inline constexpr const char* kTemporalInputs[] = {
    "load_change_5m", "load_change_15m", "load_max_1h",
    "load_day_ago_next_10m"};

// Python's round(x, digits).
double RoundHalfEven(double x, int digits);

// The features as the original logged them: {"cpu_usage": 45.5, ...,
// "instance_count": n} (Python json.dumps style), plus "memory_estimated".
// Always valid JSON: a value that is not finite is written as null.
std::string FeaturesJson(const Features& f, int n);

// Model inputs by name for a pipeline: the 9 features and f.temporal (an
// optional input absent from both is missing: NaN).
// Errors name an input the pipeline needs and the
// scaler does not provide, or a category the pipeline does not know.
Result<std::vector<InputValue>> FeaturesToInputs(const Features& f,
                                                 const FeaturePipeline& p);

}  // namespace phas

#endif  // PHAS_MODEL_FEATURES_H_
