// ControlsWatch: what else steers each group, for the coexistence rules
// (decision/coexist.h). The group's tags and suspended processes come with
// every cycle's describe; the rest (AWS's scaling policies, scheduled
// actions, warm pool, instance refreshes, lifecycle hooks: one
// Cloud::DescribeControls through the group's Cloud) is read at the
// group's first cycle and then every `refresh`:
//   - a read that fails is tried again after `retry` (not every cycle: an
//     AccessDenied would cost five calls a cycle), and says so in the
//     group's warnings each time;
//   - after a failure the last good read stands (an AWS policy seen once is
//     not forgotten because a re-read failed), with its age in the warning;
//   - with no good read yet, the facts say so and the rules hold the group
//     (controls_unreadable): phas does not act blind to another controller;
//   - at most `groups_per_cycle` groups are read in a cycle (a fleet's reads
//     spread over the first cycles, and stay spread).
// What was read is logged once per change (INFO: "AWS controls: ..."), and
// a warm pool's launch time once per change: its instances are InService
// sooner than a cold launch, and the forecasting policies take its measured
// launch time as their boot time while the pool holds what they would
// launch (GroupView::warm_pool). Scheduled actions about to run are
// reported once per run.
//
// Thread-safety: the loop's thread only.
#ifndef PHAS_SCALER_CONTROLS_H_
#define PHAS_SCALER_CONTROLS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "decision/coexist.h"
#include "scaler/reporter.h"

namespace phas {

struct ControlsOptions {
  // How often the controls are read again. Default: 300 s
  // (controls_refresh_seconds).
  Duration refresh = std::chrono::minutes(5);
  // After a failed read, the next try. Default: 60 s.
  Duration retry = std::chrono::minutes(1);
  // At most this many groups' controls are read in one cycle (5 requests
  // each), so that a large fleet does not burst them all into one cycle
  // (at start, and every `refresh` after): the others wait for the next
  // cycles, and a group never read holds until it is. Default: 20.
  int groups_per_cycle = 20;
};

class ControlsWatch {
 public:
  // `cloud` and `reporter` must outlive this.
  ControlsWatch(Cloud* cloud, Reporter* reporter, ControlsOptions options)
      : cloud_(cloud), reporter_(reporter), o_(options) {}

  // The facts of group `d.name` at `now`: this cycle's tags and suspended
  // processes, and its controls (read first when due). What the operator
  // should know is appended to `warnings`.
  CoexistFacts Facts(const GroupDescription& d, TimePoint now,
                     std::vector<std::string>* warnings);
  // Reports the verdict's notices not reported yet (a scheduled action's
  // run once) into `warnings`.
  void Notify(const std::string& group, const CoexistVerdict& verdict,
              std::vector<std::string>* warnings);

  // The group's warm pool as the policies see it at `now`, from the last
  // good read (nullopt without one): its warmed instances (Warmed:Stopped,
  // Running or Hibernated) less the rise in desired capacity since the read
  // (phas's own scale-outs took them), and the 90th percentile of its
  // launches, unless the read is older than the refresh.
  std::optional<GroupView::WarmPool> WarmPool(const GroupDescription& d,
                                              TimePoint now) const;

  // The controls in words, for the log: "policies none; scheduled none; ...".
  static std::string Describe(const GroupControls& c);
  // The facts the rules read from a good read.
  static void AddFacts(const GroupControls& c, CoexistFacts* facts);

 private:
  struct Entry {
    std::optional<GroupControls> good;
    // `good` as the rules read it (AddFacts), made once per read rather
    // than every cycle.
    CoexistFacts good_facts;
    std::optional<TimePoint> good_at;
    std::optional<TimePoint> next_read;  // unset: at once
    std::string error;                   // the last read's failure
    std::string described;               // the last good read, in words
    std::string warm_pool_told;  // what was last said of the warm pool (a key)
    int desired_at_read = 0;     // the group's desired capacity then
    std::set<std::string> notices_told;
  };
  void Read(const std::string& group, Entry& e, TimePoint now,
            std::vector<std::string>* warnings);

  Cloud* cloud_;
  Reporter* reporter_;
  ControlsOptions o_;
  std::map<std::string, Entry> entries_;
  // The cycle being read, and how many groups were read in it.
  std::optional<TimePoint> cycle_;
  int reads_in_cycle_ = 0;
};

}  // namespace phas

#endif  // PHAS_SCALER_CONTROLS_H_
