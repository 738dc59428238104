// Replicas on DynamoDB: the groups' leases (DynamoLeases, a Leadership)
// and their shared state (DynamoStateStore, a StateStore), in one table.
//
// The table has a partition key `pk` (S) and nothing else declared; one
// item per group, pk "group:<name>":
//   holder     S  the replica holding the lease (absent: none)
//   expires_ms N  the holder's wall clock at its last renew + the lease
//                 duration, Unix milliseconds (0 after a release)
//   state      S  the group's record, StateStore::ToJson
//   saved_ms   N  when `state` was saved
//
// Acquire or renew: UpdateItem SET holder, expires_ms, condition
// `attribute_not_exists(holder) OR expires_ms < :now OR holder = :me`.
// Save: UpdateItem SET state, saved_ms, condition `holder = :me`: a replica
// that has lost the lease cannot save, and since the actuator saves the
// record of an action BEFORE it calls SetDesiredCapacity ("persist, then
// act"), it cannot act either. A save that succeeded is ordered before
// the next acquisition by another replica, which reads the state
// (GetItem, strongly consistent) before its first action: the cooldown
// carries over (docs/ha.md).
//
// The load history is not shared: every replica observes every cycle, so
// each keeps its own (`series`, the local SQLite store) warm.
//
// Calls: DynamoDB GetItem, UpdateItem (and DescribeTable at start, by
// CheckHaTable). Thread-safety: DynamoLeases is internally synchronized;
// DynamoStateStore is for one thread (the loop's), as every StateStore.
#ifndef PHAS_SCALER_DYNAMO_HA_H_
#define PHAS_SCALER_DYNAMO_HA_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb.h"
#include "scaler/lease.h"
#include "scaler/state_store.h"

namespace phas {

// OK when `table` exists and is ACTIVE; otherwise an error saying what to
// create (the `aws dynamodb create-table` command).
Status CheckHaTable(aws::DynamoDbClient* db, const std::string& table);

// What this replica's current acquisition of a group's lease wrote: the
// holder value ("<holder id>/<term>") and the item's count of
// acquisitions. Renews and the state's saves are conditioned on both.
struct LeaseFence {
  std::string holder;
  int64_t acquisitions = 0;
};

class DynamoLeases final : public Leadership {
 public:
  // `db` must outlive this. `steady` reads the monotonic clock (null:
  // std::chrono::steady_clock).
  DynamoLeases(aws::DynamoDbClient* db, std::string table,
               std::vector<std::string> groups, LeaseOptions options,
               std::string holder_id,
               std::function<SteadyTime()> steady = nullptr);

  const std::string& holder_id() const override { return holder_; }
  const LeaseOptions& options() const override { return options_; }
  void Renew(TimePoint now) override;
  void RenewGroup(const std::string& group, TimePoint now) override;
  Status MayAct(const std::string& group) const override;
  LeaseView View(const std::string& group) const override;
  void ReleaseAll() override;
  // This replica's current acquisition of `group`, nullopt when it does
  // not hold it: the condition of the state's saves (DynamoStateStore).
  std::optional<LeaseFence> Fence(const std::string& group) const;

 private:
  struct Entry {
    LeaseView view;
    std::optional<SteadyTime> renew_sent;  // of the last successful renew
    std::optional<LeaseFence> fence;       // of the current acquisition
  };
  // Whether a holder value is this replica's (of any of its terms).
  bool Mine(const std::string& holder) const;
  // One group's renew, on a copy of its entry.
  void RenewOne(const std::string& group, TimePoint now, Entry* e);
  // Reads holder and expiry into e->view.
  void Read(const std::string& group, Entry* e);

  aws::DynamoDbClient* db_;
  std::string table_;
  std::vector<std::string> groups_;
  LeaseOptions options_;
  std::string holder_;
  std::function<SteadyTime()> steady_;
  mutable std::mutex mu_;  // guards entries_
  std::map<std::string, Entry> entries_;
};

class DynamoStateStore final : public StateStore {
 public:
  // `db` must outlive this; `fence_of(group)` is what a save is
  // conditioned on (DynamoLeases::Fence: nullopt when not held, and the
  // save is refused); `series` keeps the load history (the local SQLite
  // store).
  DynamoStateStore(
      aws::DynamoDbClient* db, std::string table,
      std::function<std::optional<LeaseFence>(const std::string&)> fence_of,
      std::vector<std::string> groups, std::unique_ptr<StateStore> series);

  bool durable() const override { return true; }
  std::string Describe() const override;
  // Every configured group's record (GetItem each); a group without one is
  // absent.
  Result<std::map<std::string, StoredGroup>> LoadAll() override;
  // The records of `groups` alone (GetItem each): a replica newly holding
  // one lease of a fleet's reads one item, not the fleet's.
  Result<std::map<std::string, StoredGroup>> LoadGroups(
      const std::vector<std::string>& groups) override;
  // FailedPrecondition when this replica does not hold the group's lease.
  Status Save(const std::string& group, const std::string& policy,
              const GroupState& state) override;
  Status AppendSeries(const std::string& key,
                      const std::vector<MetricSample>& points) override {
    return series_->AppendSeries(key, points);
  }
  Result<std::vector<MetricSample>> LoadSeries(const std::string& key,
                                               TimePoint since) override {
    return series_->LoadSeries(key, since);
  }

 private:
  aws::DynamoDbClient* db_;
  std::string table_;
  std::function<std::optional<LeaseFence>(const std::string&)> fence_of_;
  std::vector<std::string> groups_;
  std::unique_ptr<StateStore> series_;
};

}  // namespace phas

#endif  // PHAS_SCALER_DYNAMO_HA_H_
