#include "sim/group_world.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace phas {
namespace {

constexpr double kMinCpuForCapacity = 10;  // %
constexpr size_t kMinMinutesForCapacity = 60;

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

Result<double> InferCapacityPerInstance(const GroupHistory& h,
                                        SignalKind signal, std::string* how) {
  if (signal == SignalKind::kCpu) {
    *how = "one instance fully used is 100 % CPU";
    return 100.0;
  }
  std::vector<double> per_full;
  for (const HistoryRow& r : h.rows) {
    if (!r.cpu || !r.in_service || *r.in_service <= 0 ||
        *r.cpu < kMinCpuForCapacity || r.load <= 0) {
      continue;
    }
    per_full.push_back(r.load / *r.in_service / (*r.cpu / 100));
  }
  if (per_full.size() < kMinMinutesForCapacity) {
    return Status::FailedPrecondition(fmt::format(
        "cannot infer what one instance serves: {} minutes with the group's "
        "CPU at {:.0f} % or more and an in-service count (need {}); give "
        "--capacity-per-instance",
        per_full.size(), kMinCpuForCapacity, kMinMinutesForCapacity));
  }
  double c = Median(per_full);
  *how = fmt::format(
      "one instance fully used serves {:.4g} {} (the median of load per "
      "instance / CPU over {} minutes)",
      c, h.load_unit, per_full.size());
  return c;
}

Result<GroupWorld> MakeGroupWorld(const GroupFacts& facts,
                                  const BacktestOptions& base,
                                  const std::vector<std::string>& policies) {
  GroupWorld w;
  PHAS_ASSIGN_OR_RETURN(w.trace, ParseTrace(HistoryCsv(facts.history),
                                            facts.history.group + ".csv"));
  w.options = base;
  BacktestOptions& o = w.options;
  o.min_size = facts.min_size;
  o.max_size = facts.max_size;
  w.notes.push_back(fmt::format("group {}: MinSize {}, MaxSize {}",
                                facts.history.group, o.min_size, o.max_size));
  // The group's own minutes, as the loop read them: no smoothing.
  o.mapping.smoothing = Duration::zero();
  o.signal = facts.signal;
  if (o.mapping.capacity_per_instance > 0) {
    w.notes.push_back(
        fmt::format("one instance fully used serves {:.4g} {} "
                    "(given)",
                    o.mapping.capacity_per_instance, facts.history.load_unit));
  } else {
    std::string how;
    PHAS_ASSIGN_OR_RETURN(
        o.mapping.capacity_per_instance,
        InferCapacityPerInstance(facts.history, facts.signal.kind, &how));
    w.notes.push_back(how);
  }
  if (facts.signal.kind != SignalKind::kCpu) {
    // The simulated group publishes the signal at this many units per
    // instance fully used, so the targets keep the group's own unit.
    o.signal.full = o.mapping.capacity_per_instance;
  }
  w.notes.push_back(fmt::format("signal: {} ({})", facts.signal.name(),
                                facts.history.load_metric));
  if (facts.boot_time) {
    o.boot_time = *facts.boot_time;
    w.notes.push_back(
        fmt::format("boot time {:.0f} s: the median of its last {} launches{}",
                    std::chrono::duration<double>(*facts.boot_time).count(),
                    facts.boot_samples, facts.boot_time_of));
  } else {
    w.notes.push_back(fmt::format(
        "boot time {:.0f} s (the default: {})",
        std::chrono::duration<double>(o.boot_time).count(),
        facts.boot_time_note.empty() ? "not measured" : facts.boot_time_note));
  }
  for (const std::string& p : policies) {
    BacktestRun run{p, std::nullopt, ""};
    if (auto it = o.policies.find(p); it != o.policies.end()) {
      run.config = it->second;
    }
    w.runs.push_back(std::move(run));
  }
  if (facts.aws_policy) {
    const AwsPolicyRow& row = *facts.aws_policy;
    PolicyConfig p;
    PHAS_RETURN_IF_ERROR(p.Select(row.policy));
    p.target.value = row.target;
    w.runs.push_back({row.policy, p, row.label});
    w.notes.push_back(
        fmt::format("row {}: its AWS policy today, {} ({} at "
                    "{:.4g})",
                    row.label, row.description, row.policy, row.target));
  } else if (!facts.aws_policy_note.empty()) {
    w.notes.push_back(facts.aws_policy_note);
  }
  w.notes.push_back(fmt::format(
      "history: {} .. {}, {} rows, {} gaps (left out of scores)",
      FormatIso8601(facts.history.start), FormatIso8601(facts.history.end),
      w.trace.samples.size(), w.trace.gaps));
  return w;
}

}  // namespace phas
