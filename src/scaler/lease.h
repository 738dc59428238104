// Leadership: which replica may act on a group, when several `phas scaler`
// processes run against the same groups (config `ha:`, docs/ha.md).
//
// One lease per group, kept in a shared table (scaler/dynamo_ha.h). A
// replica acquires a free or expired lease, or renews its own, with a
// conditional write that stamps `expires` = its wall clock + the lease
// duration; it renews every cycle and, between cycles, every duration / 3
// (scaler/driver.h). The rule the holder obeys before EVERY
// SetDesiredCapacity (Actuator) is LeaseValidAt: on its own monotonic clock,
// less than duration - margin has passed since it SENT its last successful
// renew. Another replica can take the lease only once its wall clock passes
// `expires`, which is at least `duration` after that send; so as long as
// the replicas' wall clocks differ by less than the margin, a holder never
// starts an action after its lease can have passed to another (docs/ha.md,
// "Why it is safe"). A replica that cannot reach the table stops acting
// within duration - margin of its last renew, and never acts on an expired
// lease.
//
// Without `ha:` there is no Leadership: the loop acts as one replica.
//
// Thread-safety: implementations are safe to call from any thread (the
// loop renews and asks MayAct; /metrics reads View).
#ifndef PHAS_SCALER_LEASE_H_
#define PHAS_SCALER_LEASE_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace phas {

using SteadyTime = std::chrono::steady_clock::time_point;

struct LeaseOptions {
  // How long a lease lasts after its holder's last renew. Default: 30 s.
  Duration duration = std::chrono::seconds(30);
  // How long before the lease ends (on the holder's own clock) it stops
  // acting: covers the replicas' wall clock difference and the time from
  // the check to the request reaching AWS. Default: duration / 3.
  Duration margin = std::chrono::seconds(10);
  // Renew at least this often between cycles. Default: duration / 3.
  Duration renew_every() const { return duration / 3; }
};

// A group's lease as this replica knows it (for the loop, /metrics and
// `phas status`).
struct LeaseView {
  bool held = false;  // this replica holds it (last renew succeeded)
  // Counts this replica's acquisitions of the lease (not renewals): the
  // loop re-reads the group's state when it changes.
  uint64_t term = 0;
  std::string holder;  // the holder last seen ("" none, or unknown)
  TimePoint expires;   // when the holder's lease ends, by its wall clock
  // Whether the holder may act now (LeaseValidAt), on this replica.
  bool valid = false;
  Status last_error;  // the last renew's failure, if it failed
};

// Pure: whether a holder whose last successful renew was sent at `sent`
// may still start an action at `now` (both on its monotonic clock).
bool LeaseValidAt(SteadyTime sent, SteadyTime now, const LeaseOptions& o);

// "<hostname>-<pid>-<8 random hex digits>": unique per process start.
std::string MakeHolderId();

class Leadership {
 public:
  virtual ~Leadership() = default;
  // This replica's id (the table's `holder`).
  virtual const std::string& holder_id() const = 0;
  virtual const LeaseOptions& options() const = 0;
  // Acquires or renews every group's lease it can; `now` is the wall clock
  // stamped into `expires`. Never fails as a whole: a group whose call
  // failed keeps its view, which stops being valid as time passes.
  virtual void Renew(TimePoint now) = 0;
  // Renew for `group` alone: the actuator's, right before an action (a
  // cycle may take longer than the lease's margin). A new term then means
  // another replica may have held the group since the state was read.
  virtual void RenewGroup(const std::string& group, TimePoint now) = 0;
  // OK when this replica may act on `group` now (held, LeaseValidAt);
  // FailedPrecondition saying why not otherwise.
  virtual Status MayAct(const std::string& group) const = 0;
  virtual LeaseView View(const std::string& group) const = 0;
  // Gives up the leases held (a clean stop), so another replica takes over
  // at once instead of after the lease duration. Best effort.
  virtual void ReleaseAll() = 0;
};

}  // namespace phas

#endif  // PHAS_SCALER_LEASE_H_
