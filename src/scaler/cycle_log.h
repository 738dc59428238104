// LogReporter: writes each cycle down through a Recorder (scaler/recorder.h):
//   ec2_monitor.log, in the original's line formats where the original had
//   a line ("ASG METRICS (3 instances): {...}", "PREDICTION: 0 (Low) -
//   Confidence: 0.9", "SCALING UP: 2 -> 3 instances", "Scale up needed but
//   in cooldown period", "Already at maximum capacity of (4 instances)"),
//   then phas's "DECISION: <kind> <from> -> <to> [<code>]: <reason>" (the
//   reason ends with the guard's words when a rule moved or held the
//   policy's target: "...; wanted 2 -> 4, step limit +1: 2 -> 3");
//   ec2_metrics_data.jsonl, one record per group per cycle (the decision's
//   "clamped_by" and "proposed" when a rule moved the target).
//
// Thread-safety: the loop's thread only.
#ifndef PHAS_SCALER_CYCLE_LOG_H_
#define PHAS_SCALER_CYCLE_LOG_H_

#include <string>

#include "scaler/recorder.h"
#include "scaler/reporter.h"

namespace phas {

class LogReporter final : public Reporter {
 public:
  // `recorder` must outlive this. `region` (may be empty) is named when a
  // group cannot be found.
  LogReporter(Recorder* recorder, std::string region = "")
      : rec_(recorder), region_(std::move(region)) {}
  void Note(TimePoint t, const char* level, const std::string& group,
            const std::string& message) override;
  void Report(TimePoint now, const GroupOutcome& outcome) override;
  void EndCycle(TimePoint now) override;

  // Python's repr of a float, for the original's PREDICTION line.
  static std::string PyFloat(double v);

 private:
  void LogObservation(TimePoint now, const GroupOutcome& o);
  void LogDecision(TimePoint now, const GroupOutcome& o);
  void Record(TimePoint now, const GroupOutcome& o);

  Recorder* rec_;
  std::string region_;
};

}  // namespace phas

#endif  // PHAS_SCALER_CYCLE_LOG_H_
