// StateStore: where the loop keeps each group's GroupState (last action,
// the policy's own state, last decision, warm-up clocks) and the groups'
// load history across restarts, so a restart inside a cooldown does not act
// again and a forecast is there at once.
//
//   SqliteStateStore  the daemon's: SQLite, WAL journal, synchronous=FULL: a
//                     Save that returned OK survives a crash or kill -9. The
//                     loop saves the state that records an action BEFORE it
//                     calls SetDesiredCapacity.
//   NullStateStore    keeps nothing (backtests, the demo): every start is a
//                     first start.
//   DynamoStateStore  replicas (`ha:`, scaler/dynamo_ha.h): the same records
//                     in DynamoDB, saved only by the group's lease holder.
//
// Records are JSON: {"version": 2, "policy": NAME, "last_action": T,
// "started_without_state": T (when set), "last_decision": ...,
// "first_in_service": {...}, "state": {...}} where
// "state" is the policy's own state as its Describe names it
// (scaler/json_fields.h). A record of another policy, of a phas before
// version 2, or of a newer phas (a later version), keeps its guard and
// warm-up parts; the policy state starts afresh.
//
// Thread-safety: one thread at a time (the loop).
#ifndef PHAS_SCALER_STATE_STORE_H_
#define PHAS_SCALER_STATE_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/sample.h"
#include "common/status.h"
#include "scaler/group_state.h"

namespace phas {

// A group's record as stored: its state without the policy part, which is
// read against the policy that will use it (ReadPolicyState).
struct StoredGroup {
  GroupState state;         // policy state empty
  std::string policy;       // the policy that saved it ("" before version 2)
  std::string policy_json;  // its state, JSON text ("" when none)
  // Why the record could not be read ("" when it was): the rest is then
  // empty, and the loop starts the group as without saved state.
  std::string unreadable;
  // The format version of a record written by a newer phas (0: not newer):
  // its guard part (last action, warm-up) is read, its policy state is not
  // (`policy` and `policy_json` empty).
  long long newer_format = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Whether states survive the process (a first start without a saved
  // state then means the history is unknown).
  virtual bool durable() const = 0;
  // Where the states are kept, for messages.
  virtual std::string Describe() const = 0;

  // All stored groups. An unreadable record fails its group only (its
  // `unreadable` says why): with SqliteStateStore the group starts as
  // without saved state; with DynamoStateStore its new lease holder does
  // not act on it until it reads.
  virtual Result<std::map<std::string, StoredGroup>> LoadAll() = 0;
  // The records of `groups` alone, read as LoadAll reads them (a group
  // without one is absent). By default LoadAll's, filtered; a store that
  // reads a record per group (DynamoDB) reads these only.
  virtual Result<std::map<std::string, StoredGroup>> LoadGroups(
      const std::vector<std::string>& groups) {
    auto all = LoadAll();
    if (!all.ok()) return all;
    std::map<std::string, StoredGroup> out;
    for (const std::string& g : groups) {
      auto it = all->find(g);
      if (it != all->end()) out.insert(*it);
    }
    return out;
  }
  // Saves a group's state, made by policy `policy`.
  virtual Status Save(const std::string& group, const std::string& policy,
                      const GroupState& state) = 0;

  // A named time series kept across restarts (the load history).
  virtual Status AppendSeries(const std::string& key,
                              const std::vector<MetricSample>& points) = 0;
  virtual Result<std::vector<MetricSample>> LoadSeries(const std::string& key,
                                                       TimePoint since) = 0;

  // The policy part of a stored record, read into a copy of `fresh` (the
  // policy's NewState()); Corruption naming the field when it does not fit.
  static Result<PolicyState> ReadPolicyState(const std::string& json,
                                             const PolicyState& fresh);
  // The record format (version 2); `policy_json` of the result is the
  // policy state's.
  static std::string ToJson(const std::string& policy, const GroupState& s);
  static Result<StoredGroup> FromJson(const std::string& text);
};

class NullStateStore final : public StateStore {
 public:
  bool durable() const override { return false; }
  std::string Describe() const override { return "no state store"; }
  Result<std::map<std::string, StoredGroup>> LoadAll() override {
    return std::map<std::string, StoredGroup>{};
  }
  Status Save(const std::string&, const std::string&,
              const GroupState&) override {
    return Status::OK();
  }
  Status AppendSeries(const std::string&,
                      const std::vector<MetricSample>&) override {
    return Status::OK();
  }
  Result<std::vector<MetricSample>> LoadSeries(const std::string&,
                                               TimePoint) override {
    return std::vector<MetricSample>{};
  }
};

class SqliteStateStore final : public StateStore {
 public:
  // Opens (creating it and its directory when missing) the database.
  // `recovered` is set when an unreadable database was moved aside (its
  // name then says where to). A file phas can read but not write (read-only,
  // tables of another shape, a writer's lock held past the busy timeout) is
  // an IoError, and is not moved aside. The store holds `path`.lock (flock,
  // beside the file symlinks lead to) for its life: a file another store
  // holds, in this process or another, is an IoError naming the holder's
  // pid. A lock file deleted while running is taken again before the next
  // write, which fails if another store took it meanwhile.
  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path,
                                                        bool* recovered);
  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  bool durable() const override { return true; }
  std::string Describe() const override { return path_; }
  // An unreadable record, or one of a newer format, is also copied, as it
  // was, to the table unreadable_state (name, state, found_at), which phas
  // never reads: its group's next save replaces it in group_state.
  Result<std::map<std::string, StoredGroup>> LoadAll() override;
  // A database file deleted or replaced while running is detected before
  // each write: the store is recreated at `path`, the write goes there, and
  // the event is logged (never a write into an unlinked file).
  Status Save(const std::string& group, const std::string& policy,
              const GroupState& state) override;
  Status AppendSeries(const std::string& key,
                      const std::vector<MetricSample>& points) override;
  Result<std::vector<MetricSample>> LoadSeries(const std::string& key,
                                               TimePoint since) override;

  const std::string& path() const { return path_; }

 private:
  SqliteStateStore(void* db, std::string path, std::string lock_path,
                   int lock_fd);
  // Copies an unreadable record to unreadable_state (once).
  Status KeepUnreadable(const std::string& name, const std::string& text);
  // Reopens the file when it is no longer the one opened.
  Status EnsureSameFile();
  // The database's last error, naming the file.
  Status SqlError() const;
  void* db_;  // sqlite3*
  std::string path_;
  unsigned long long dev_ = 0, ino_ = 0;  // the file opened
  std::string lock_path_;  // `path_`.lock beside the file links lead to,
                           // found once, at Open
  int lock_fd_;            // holds it
};

}  // namespace phas

#endif  // PHAS_SCALER_STATE_STORE_H_
