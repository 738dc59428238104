// StatusBoard: what an on-call engineer asks of the running loop, kept from
// every cycle's outcomes (it is a Reporter) and read by the metrics
// listener's threads (scaler/status_http.h):
//   NotAlive(now)  /healthz: "" while a cycle started within stale_after
//                  (the loop thread runs and is not stuck)
//   NotReady(now)  /readyz: the groups not read (described and their metrics
//                  read) within 3 intervals, with why
//   Json(now)      /status and the live page's data: per group its
//                  conditions (scaler/conditions.h) with since when, the
//                  capacity, the signal, the forecast at the horizon, the
//                  last decision, the last actions, and per minute the load,
//                  forecast and capacity of the last chart_span
// With a status file, every EndCycle writes Json (without the per-minute
// chart) to it atomically, so that `phas status` reads the last state with
// the daemon stopped; a failed write is logged once, then again when it
// works.
//
// Thread-safety: all methods are safe from any thread (one mutex).
#ifndef PHAS_SCALER_STATUS_BOARD_H_
#define PHAS_SCALER_STATUS_BOARD_H_

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scaler/conditions.h"
#include "scaler/reporter.h"

namespace phas {

struct StatusBoardOptions {
  // The loop's interval: a group is ready when read within 3 of them.
  Duration interval = std::chrono::seconds(10);
  // Alive while a cycle started within this. Default: 3 intervals + 60 s
  // (set by the constructor when zero).
  Duration stale_after = Duration::zero();
  // Before the first cycle (the history restore reads CloudWatch first):
  // alive until this after `started`. Default: 10 minutes.
  Duration startup_grace = std::chrono::minutes(10);
  TimePoint started;
  // Where EndCycle writes the status; empty: nowhere.
  std::string status_file;
  // Per-minute history kept for the chart. Default: 6 hours.
  Duration chart_span = std::chrono::hours(6);
  // Actions kept per group. Default: 10.
  size_t max_actions = 10;
};

// A group the board follows: its name and the policy's target utilisation
// (the chart draws the load as instances needed at that target).
struct StatusGroup {
  std::string name;
  double target_utilization = 0.6;
  // The load signal's name, unit and per-instance target, for the status's
  // words ("cpu", "%", 60).
  std::string signal_name = "cpu";
  std::string signal_unit = "%";
  double signal_target = 60;
};

class StatusBoard final : public Reporter {
 public:
  StatusBoard(std::vector<StatusGroup> groups, StatusBoardOptions options);

  void Note(TimePoint, const char*, const std::string&,
            const std::string&) override {}
  void Report(TimePoint now, const GroupOutcome& outcome) override;
  void EndCycle(TimePoint now) override;
  // The loop starts a cycle (scaler/driver.h RealTimeOptions).
  void CycleStarted(TimePoint now);

  // Empty when alive; else why not.
  std::string NotAlive(TimePoint now) const;
  // (group, why) of every group not read within 3 intervals of `now`.
  std::vector<std::pair<std::string, std::string>> NotReady(
      TimePoint now) const;
  // The groups' names, in the config's order.
  std::vector<std::string> GroupNames() const;
  // The whole status (see the header comment); `chart`: with the
  // per-minute series (the time charts' data, common/time_chart_script.h) per
  // group.
  nlohmann::json Json(TimePoint now, bool chart) const;

 private:
  struct Minute {
    std::optional<double> load;  // instance-units
    std::optional<int> in_service, desired;
    std::optional<double> mean, upper;  // forecast made for this minute
  };
  struct Action {
    TimePoint time;
    std::string kind, result, reason;
    int from = 0, to = 0;
  };
  struct Group {
    StatusGroup config;
    std::string policy;
    bool dry_run = false;
    bool seen = false;  // reported at least once
    bool found = false;
    std::optional<TimePoint> last_read;
    std::string read_error;
    GroupView view;
    std::optional<double> signal, load;
    std::string forecast_model;
    std::vector<ForecastPoint> forecast;
    std::optional<SloStatus> slo;  // the policy's, when it has one
    nlohmann::json decision;
    std::vector<Condition> conditions;
    std::deque<Action> actions;
    std::map<int64_t, Minute> minutes;  // by Unix minute
    // The newest load history minute charted (each is charted once).
    std::optional<TimePoint> charted_through;
  };
  void Record(TimePoint now, const GroupOutcome& o, Group* g);
  nlohmann::json GroupJson(const Group& g, TimePoint now, bool chart) const;
  nlohmann::json ChartJson(const Group& g) const;
  Group* Find(const std::string& name);
  void WriteStatusFile(TimePoint now);

  StatusBoardOptions options_;
  mutable std::mutex mu_;
  std::vector<Group> groups_;
  std::optional<TimePoint> last_cycle_start_;
  bool status_file_failing_ = false;
};

// A duration as people read an age: "42s", "5m10s", "3h05m", "2d04h".
std::string FormatAge(Duration d);

// OK when `status` is a document DescribeStatus reads: an object whose
// fields it reads have the types Json() writes; otherwise InvalidArgument
// naming the field (a file phas did not write, or an edited one).
Status CheckStatusDocument(const nlohmann::json& status);

// `phas status`'s text: per group in the manner of `kubectl describe hpa`,
// from a Json() document (with or without chart) CheckStatusDocument
// accepts; `now` for "ago". Text from outside phas (group names, errors) is
// Printable: no escape sequence reaches the terminal.
std::string DescribeStatus(const nlohmann::json& status, TimePoint now);

}  // namespace phas

#endif  // PHAS_SCALER_STATUS_BOARD_H_
