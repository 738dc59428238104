// Scaler: the control loop, written once against Cloud and a clock.
//
//   RunOnce(now) = [lease ->] observe -> decide -> act -> report, for every
//   group:
//   lease    with replicas only (ScalerEnv::leases): renew the groups'
//            leases; a group held by another replica is a standby (decided,
//            never acted on); one just acquired has its state read first
//   observe  Observer (scaler/observer.h): one DescribeAutoScalingGroups and
//            one GetMetricData for all groups, warm-up, load history,
//            forecast, the model's answer where the policy reads one
//   decide   the group's policy, then the guard (bounds, steps, cooldown):
//            pure (decision/guard.h Decide), then the rules beside AWS's
//            own scaling (decision/coexist.h: tags, suspended processes,
//            AWS policies, instance refreshes, --forecast-only) on what
//            ControlsWatch (scaler/controls.h) read
//   act      Actuator (scaler/actuator.h): persist, then
//            SetDesiredCapacity; dry-run never acts
//   report   Reporter (scaler/reporter.h): ec2_monitor.log in the original's
//            line formats, one JSON record per group, Prometheus metrics
//
// `phas scaler` runs it on AwsCloud and the system clock
// (scaler/driver.h RunRealTime); the demo and backtests on SimCloud and
// virtual time (RunVirtualTime).
//
// Failure contract: RunOnce never fails as a whole. A group that cannot be
// described or read holds this cycle (its outcome says why); a failed
// action leaves the group's state as the actuator describes; every failure
// is in the CycleReport and reported.
//
// Thread-safety: one thread (the loop's).
#ifndef PHAS_SCALER_SCALER_H_
#define PHAS_SCALER_SCALER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "decision/guard.h"
#include "decision/policy.h"
#include "scaler/actuator.h"
#include "scaler/config.h"
#include "scaler/controls.h"
#include "scaler/group_state.h"
#include "scaler/lease.h"
#include "scaler/observer.h"
#include "scaler/outcome.h"
#include "scaler/predictor_client.h"
#include "scaler/reporter.h"
#include "scaler/state_store.h"

namespace phas {

struct ScalerOptions {
  bool dry_run = false;
  ObserverOptions observe;
  // Keep every group's load history (and so the temporal model inputs),
  // whatever its policy needs: for building training data. Default: false.
  bool keep_history = false;
  // Every group decides and logs, never acts (--forecast-only), whatever
  // its policy. Default: false.
  bool forecast_only = false;
  // How often each group's AWS controls are read (scaler/controls.h).
  ControlsOptions controls;
};

// What the loop works with. Null collaborators are replaced by ones that do
// nothing: no predictor (a policy that reads a model then refuses to
// start), no store (nothing survives the process), no reporter.
struct ScalerEnv {
  Cloud* cloud = nullptr;  // required
  Clock* clock = nullptr;  // required: stamps actions
  Predictor* predictor = nullptr;
  StateStore* store = nullptr;
  Reporter* reporter = nullptr;
  // Replicas (scaler/lease.h): null, this process alone acts. Otherwise
  // every cycle renews the leases first; a group whose lease this replica
  // does not hold is observed and decided, never acted on (its outcome's
  // `standby` says why), and a group whose lease it has just acquired has
  // its state read again from the store before its first decision.
  Leadership* leases = nullptr;
};

// Adds to an observation what the loop itself does not know (the
// simulator's perfect foresight). Called after the observer, before the
// policy decides.
using ObservationHook =
    std::function<void(const std::string& group, Observation* obs)>;

class Scaler {
 public:
  Scaler(std::vector<GroupConfig> groups, ScalerOptions options, ScalerEnv env);
  ~Scaler();

  // Makes the policies and loads the saved states. A group with a saved
  // state keeps its last action's cooldown both ways. A group without one
  // in a durable store, or with an unreadable one (every group, when the
  // store had to be recreated: `store_recovered`), holds scale-in for a
  // cooldown from `now` and may scale out at once
  // (GuardState::started_without_state). Which applies is reported.
  // InvalidArgument when a policy reads a model and there is no predictor.
  Status Init(TimePoint now, bool store_recovered = false);

  CycleReport RunOnce(TimePoint now);

  // Fills the load histories from the store and CloudWatch
  // (Observer::RestoreHistory).
  void RestoreHistory(TimePoint now);

  void set_observation_hook(ObservationHook hook) { hook_ = std::move(hook); }
  const GroupState& state(const std::string& group) const;
  const std::vector<GroupConfig>& groups() const { return groups_; }
  // The group's load history (null when it keeps none).
  LoadHistory* history(const std::string& group);

 private:
  struct Managed {
    std::unique_ptr<Policy> policy;
    GuardConfig guard;
    GroupState state;
    uint64_t term = 0;        // the lease term whose state was read (replicas)
    bool state_read = false;  // read from the store since the last outcome
    std::optional<TimePoint> last_found;  // the group's last describe
  };

  // Sets group i's state from its saved record (null: none saved). Without
  // one, `read_activities` asks the cloud when the group's desired
  // capacity was last set by request (Cloud::LastDesiredCapacitySet).
  void RestoreState(size_t i, const StoredGroup* saved, TimePoint now,
                    bool store_recovered, bool read_activities);
  using StoredStates = std::map<std::string, StoredGroup>;
  // Group i's lease, as `v` shows it, is held and valid with a term this
  // replica has not read the state for: the state is read before acting.
  bool NewlyAcquired(size_t i, const LeaseView& v) const {
    return v.held && v.valid && v.term != managed_[i].term;
  }
  // With replicas: "" when this replica may act on group i this cycle, its
  // lease as `v` shows (restoring its state from `loaded`, read this cycle,
  // when the lease is newly acquired: never null then), else why not.
  std::string SyncLease(size_t i, TimePoint now, const LeaseView& v,
                        const Result<StoredStates>* loaded);

  std::vector<GroupConfig> groups_;
  ScalerOptions options_;
  ScalerEnv env_;
  // The null objects behind env_ where none was given.
  std::unique_ptr<Predictor> null_predictor_;
  std::unique_ptr<StateStore> null_store_;
  std::unique_ptr<Reporter> null_reporter_;
  std::vector<Managed> managed_;
  std::unique_ptr<Observer> observer_;
  std::unique_ptr<Actuator> actuator_;
  std::unique_ptr<ControlsWatch> controls_;
  ObservationHook hook_;
};

}  // namespace phas

#endif  // PHAS_SCALER_SCALER_H_
