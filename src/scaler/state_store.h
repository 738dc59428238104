// StateStore: each group's PolicyState in SQLite (last action time, scale-in
// streak, counters, last decision), so a restart inside a cooldown does not
// act again.
//
// Durability: WAL journal, synchronous=FULL: a Save that returned OK
// survives a crash or kill -9. The loop saves the state that records an
// action BEFORE it calls SetDesiredCapacity.
//
// A database that cannot be read is moved aside (<path>.corrupt-<time>) and
// a new one started; the loop then starts every group as if a cooldown had
// just begun, and logs it.
//
// Thread-safety: one thread at a time (the loop).
#ifndef PHAS_SCALER_STATE_STORE_H_
#define PHAS_SCALER_STATE_STORE_H_

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/status.h"
#include "decision/types.h"

namespace phas {

class StateStore {
 public:
  // Opens (creating it and its directory when missing) the database.
  // `recovered` is set when an unreadable database was moved aside.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& path,
                                                  bool* recovered);
  ~StateStore();

  // All stored states, by group.
  Result<std::map<std::string, PolicyState>> LoadAll();
  Status Save(const std::string& group, const PolicyState& state);

  // A named time series kept across restarts (issue: forecast history).
  Status AppendSeries(const std::string& key,
                      const std::vector<MetricSample>& points);
  Result<std::vector<MetricSample>> LoadSeries(const std::string& key,
                                               TimePoint since);

  const std::string& path() const { return path_; }

  static nlohmann::json ToJson(const PolicyState& s);
  static Result<PolicyState> FromJson(const nlohmann::json& j);

 private:
  StateStore(void* db, std::string path) : db_(db), path_(std::move(path)) {}
  // The database's last error, naming the file.
  Status SqlError() const;
  void* db_;  // sqlite3*
  std::string path_;
};

}  // namespace phas

#endif  // PHAS_SCALER_STATE_STORE_H_
