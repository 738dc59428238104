// Pulling a group's own load history from CloudWatch (`phas history`,
// `phas backtest --asg`, `phas tune --asg`): per period, the group's load in
// its signal's unit per minute, the instances in service, and their average
// CPU, at the finest period CloudWatch keeps for each age (60 s for 15 days,
// 300 s for 63, 3600 s for 455). Minutes without data stay absent: gaps stay
// gaps.
//
// Where each column comes from (one GetMetricData per period segment, all
// queries in it, paginated by the AWS layer):
//   load        per-instance signals (cpu, network_in, network_out): the
//               metric's Average over the group's instances (dimension
//               AutoScalingGroupName) x the instances in service; group
//               signals (alb_requests, custom): their load query (the same
//               as the daemon's history), a Sum divided by the period's
//               minutes
//   in_service  AWS/AutoScaling GroupInServiceInstances (published when
//               group metrics collection is on); else the CPU datapoints per
//               period (SampleCount) over the datapoints one instance
//               publishes in it (one a minute with detailed monitoring, one
//               per 5 minutes with basic)
//   cpu         AWS/EC2 CPUUtilization, Average over the group
//
// Thread-safety: plain functions over the caller's Cloud.
#ifndef PHAS_SCALER_HISTORY_PULL_H_
#define PHAS_SCALER_HISTORY_PULL_H_

#include <optional>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "common/clock.h"
#include "common/status.h"
#include "scaler/signal_source.h"

namespace phas {

// CloudWatch's retention: the finest period kept for data of each age.
struct HistorySegment {
  TimePoint start, end;  // [start, end), aligned to the period
  int period_seconds = 60;
};
// The segments of [now - span, now), oldest first. Fails when the span is
// not positive or longer than CloudWatch keeps (455 days).
Result<std::vector<HistorySegment>> PlanHistory(TimePoint now, Duration span);

struct HistoryRow {
  TimePoint time;
  int period_seconds = 60;  // what the row covers
  double load = 0;          // the signal's unit, per minute
  std::optional<double> in_service;
  std::optional<double> cpu;  // %, average over the group
};

struct GroupHistory {
  std::string group;
  std::string region;
  std::string signal;             // "cpu", "alb_requests", ...
  std::string load_metric;        // where the load came from, in words
  std::string load_unit;          // "percent (summed over instances)", ...
  std::string in_service_from;    // where the in-service count came from
  bool basic_monitoring = false;  // CPU datapoints 5 minutes apart
  TimePoint start, end;
  TimePoint pulled_at;
  std::vector<HistorySegment> segments;
  std::vector<HistoryRow> rows;  // ascending, gaps absent
};

// Pulls [now - span, now) of `group`'s history: one GetMetricData per
// segment (CloudWatch pages a segment's answer itself), or per
// `request_span` of it when that is set (test servers whose GetMetricData
// costs grow with the square of the window). Fails when CloudWatch cannot
// be read or has no datapoint of the load at all (the message says what was
// asked, so that a wrong name or region is plain).
Result<GroupHistory> PullHistory(Cloud* cloud, const std::string& group,
                                 const SignalSource& signal, TimePoint now,
                                 Duration span,
                                 Duration request_span = Duration::zero());

// The history as a trace CSV (sim/trace.h reads it: the columns after
// `load` are ignored by backtests, `period_seconds` sets each row's gap
// rule), with the provenance in `#` lines at the top.
std::string HistoryCsv(const GroupHistory& h);

}  // namespace phas

#endif  // PHAS_SCALER_HISTORY_PULL_H_
