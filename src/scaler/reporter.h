// Reporter: what the loop tells the world about each cycle. The loop hands
// every group's outcome (scaler/outcome.h) to one Reporter; implementations
// write it down their way:
//   LogReporter      ec2_monitor.log in the original's line formats, and one
//                    JSON record per group (scaler/cycle_log.h)
//   MetricsReporter  Prometheus series (scaler/scaler_metrics.h)
//   NullReporter     nothing (backtests)
//   ReporterList     several of them, in order
//
// Thread-safety: called from the loop's thread only.
#ifndef PHAS_SCALER_REPORTER_H_
#define PHAS_SCALER_REPORTER_H_

#include <string>
#include <vector>

#include "common/clock.h"
#include "scaler/outcome.h"

namespace phas {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // A line outside a cycle's outcome (start-up, history restore). `level`:
  // "INFO", "WARNING", "ERROR".
  virtual void Note(TimePoint t, const char* level, const std::string& group,
                    const std::string& message) = 0;
  // One group's cycle, after the loop acted on it.
  virtual void Report(TimePoint now, const GroupOutcome& outcome) = 0;
  // The end of a cycle (after every group's Report).
  virtual void EndCycle(TimePoint now) = 0;
};

class NullReporter final : public Reporter {
 public:
  void Note(TimePoint, const char*, const std::string&,
            const std::string&) override {}
  void Report(TimePoint, const GroupOutcome&) override {}
  void EndCycle(TimePoint) override {}
};

class ReporterList final : public Reporter {
 public:
  // The reporters must outlive the list.
  explicit ReporterList(std::vector<Reporter*> reporters)
      : reporters_(std::move(reporters)) {}
  void Note(TimePoint t, const char* level, const std::string& group,
            const std::string& message) override {
    for (Reporter* r : reporters_) r->Note(t, level, group, message);
  }
  void Report(TimePoint now, const GroupOutcome& outcome) override {
    for (Reporter* r : reporters_) r->Report(now, outcome);
  }
  void EndCycle(TimePoint now) override {
    for (Reporter* r : reporters_) r->EndCycle(now);
  }

 private:
  std::vector<Reporter*> reporters_;
};

}  // namespace phas

#endif  // PHAS_SCALER_REPORTER_H_
