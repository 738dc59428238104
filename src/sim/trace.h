// Load traces: CSV files of `timestamp,value`, and how a trace becomes the
// demand of a simulated group.
//
// Format: an optional header line (a first line whose first field does not
// start like a number; a UTF-8 byte order mark is skipped); then one sample
// per line; timestamps in ISO-8601 UTC ("1995-07-01T04:00:00Z", offsets
// allowed) or epoch seconds (a plain number: the Azure trace's
// seconds-since-start work as they are); values are numbers from 0 to 1e15.
// Lines must be in time order; a repeated timestamp is an error; a trace
// spans at most 730 days (docs/backtest.md says why). Errors name the file
// and line.
//
// Columns after the value are ignored, but for one: a header naming a
// column `period_seconds` (what `phas history` writes, whose rows are 60 s,
// 300 s or 3600 s apart by age; 1 to 86400) gives each row its own step.
//
// Gaps (docs/backtest.md): within `max_gap` (3x the median step, or 3x the
// row's own period) the last value holds; a longer gap is no-data, left out
// of scores.
//
// Thread-safety: plain values and stateless functions.
#ifndef PHAS_SIM_TRACE_H_
#define PHAS_SIM_TRACE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/demand.h"

namespace phas {

struct Trace {
  std::string name;  // file stem
  std::vector<DemandSeries::Sample> samples;
  Duration median_step{};
  Duration max_gap{};  // intervals longer than this are gaps
  int gaps = 0;        // how many such intervals
  // Rows whose value is missing (empty, NaN, null, NA, N/A, None): left out,
  // as if the row were not there.
  int missing = 0;
  // Each sample's own step (a `period_seconds` column); empty: median_step.
  std::vector<Duration> periods;

  // The longest interval after sample i that is not a gap.
  Duration MaxGapAfter(size_t i) const {
    return periods.empty() ? max_gap : periods[i] * 3;
  }
};

// Parses CSV text; `source` names it in errors.
Result<Trace> ParseTrace(const std::string& csv, const std::string& source);
Result<Trace> LoadTrace(const std::string& path);

// How trace units become instance-units of demand.
struct DemandMapping {
  // Trace units one instance serves at 100% CPU; 0: use peak_instances.
  double capacity_per_instance = 0;
  // The (smoothed) trace's peak needs this many instances at
  // target_utilization.
  // Default: 10 instances at 60%.
  int peak_instances = 10;
  double target_utilization = 0.6;
  // Centered moving average over this window before mapping (0: none).
  // Default: 0.
  Duration smoothing = Duration::zero();
  // Multiplies every time stamp's distance from the first (1: as recorded).
  double time_scale = 1.0;
};

// The demand series of `trace` under `m`. The first sample is placed at
// `start` (the trace's own times are kept relative to each other).
std::shared_ptr<DemandSeries> MakeDemand(const Trace& trace,
                                         const DemandMapping& m,
                                         TimePoint start);

}  // namespace phas

#endif  // PHAS_SIM_TRACE_H_
