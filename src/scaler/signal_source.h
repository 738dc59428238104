// Where a group's load signal (decision/load_signal.h) is read from, as AWS
// predictive scaling defines the signals:
//   - cpu:          ASG average CPU (AWS/EC2 CPUUtilization, per instance, %)
//   - network_in,
//     network_out:  ASG total network in / out (AWS/EC2 NetworkIn / Out, per
//                   instance, bytes per minute; the target is per instance)
//   - alb_requests: ALB request count per target (AWS/ApplicationELB, for
//                   the target group named by the resource label:
//                   RequestCount is the load, RequestCountPerTarget the
//                   signal, Sum per minute each)
//   - custom:       any CloudWatch metric, or a metric-math expression over
//                   several, whose value per minute is the group's load
//                   (summed over its instances); per instance: divided by
//                   the instances that served each minute (those with a CPU
//                   datapoint for it; InService when none has one)
// The per-instance signals come from the per-instance queries the loop
// makes anyway (cloud/instance_metrics.h); the group-level ones add one or a
// few queries per group to the same GetMetricData request.
//
// Thread-safety: plain values.
#ifndef PHAS_SCALER_SIGNAL_SOURCE_H_
#define PHAS_SCALER_SIGNAL_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "cloud/instance_metrics.h"
#include "common/status.h"
#include "decision/load_signal.h"

namespace phas {

enum class SignalKind : uint8_t {
  kCpu,
  kNetworkIn,
  kNetworkOut,
  kAlbRequests,
  kCustom,
};
inline constexpr SignalKind kSignalKinds[] = {
    SignalKind::kCpu, SignalKind::kNetworkIn, SignalKind::kNetworkOut,
    SignalKind::kAlbRequests, SignalKind::kCustom};
const char* SignalKindName(SignalKind k);  // "cpu", "alb_requests", ...
std::optional<SignalKind> SignalKindFromName(std::string_view name);

// The group-level queries of one read: `queries` in request order, the id
// of the one whose series is the group's load per minute, and of the one
// that is already per instance, when the source publishes one (ALB's
// RequestCountPerTarget); else the loop divides the load by the instances
// that served each minute.
struct SignalQueries {
  std::vector<MetricQuery> queries;
  std::string load_id;
  std::string per_instance_id;
};

struct SignalSource {
  SignalKind kind = SignalKind::kCpu;
  // alb_requests: the target group's resource label, as AWS predictive
  // scaling takes it: app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>.
  std::string resource_label;
  // custom: the metrics (ids [a-z][a-zA-Z0-9_]*, unique) and an optional
  // metric-math expression over their ids; without one, the single metric
  // is the load.
  std::vector<MetricQuery> metrics;
  std::string expression;
  // custom: the unit's name in messages. Default: "units".
  std::string unit;
  // The per-instance value of one instance fully used. CPU: 100 %; others:
  // configured, or else the target (a load in instance-units is then the
  // instances needed at target; the policies' decisions do not depend on it).
  std::optional<double> full;

  const char* name() const { return SignalKindName(kind); }
  // Read from the per-instance metrics (cpu, network_in, network_out).
  bool per_instance() const;
  // The per-instance metric (per_instance() only).
  InstanceMetric instance_metric() const;
  // The signal as the policies see it, for a target of `target` per instance.
  LoadSignal Describe(double target) const;

  // The group-level queries of a read (alb_requests, custom; empty for the
  // per-instance signals), ids prefixed with `prefix` so that several
  // groups share a request.
  SignalQueries GroupQueries(const std::string& prefix,
                             int period_seconds) const;
  // The queries of the group's load history at `period_seconds`: its total
  // per period (the per-instance metrics summed by AutoScalingGroupName).
  // Their ids begin with `prefix` (several groups' in one request).
  SignalQueries HistoryQueries(const std::string& group, int period_seconds,
                               const std::string& prefix = "h_") const;
};

// Splits an ALB target group's resource label into the CloudWatch
// dimensions LoadBalancer ("app/<name>/<id>") and TargetGroup
// ("targetgroup/<name>/<id>").
Result<std::vector<MetricDimension>> AlbDimensions(const std::string& label);

// `expression` with every identifier in `ids` prefixed by `prefix` (metric
// math ids start lowercase; its functions are upper case).
std::string PrefixIds(const std::string& expression,
                      const std::vector<std::string>& ids,
                      const std::string& prefix);

}  // namespace phas

#endif  // PHAS_SCALER_SIGNAL_SOURCE_H_
