#include "scaler/state_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/file_util.h"

namespace phas {
namespace {

using nlohmann::json;

sqlite3* Db(void* p) { return static_cast<sqlite3*>(p); }

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IoError(msg);
  }
  return Status::OK();
}

Status OpenAndCheck(const std::string& path, sqlite3** out) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return Status::IoError(path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  Status st = Exec(
      db,
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS group_state (name TEXT PRIMARY KEY, "
      "state TEXT NOT NULL, updated_at REAL NOT NULL);"
      "CREATE TABLE IF NOT EXISTS series (key TEXT NOT NULL, t REAL NOT NULL, "
      "v REAL NOT NULL, PRIMARY KEY (key, t));"
      "SELECT count(*) FROM group_state;");
  if (st.ok()) {
    // A full integrity check is cheap at this size and catches torn files.
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check;", -1, &stmt, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      std::string r =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      if (r != "ok") st = Status::Corruption(path + ": " + r);
    }
    sqlite3_finalize(stmt);
  }
  if (!st.ok()) {
    sqlite3_close(db);
    return st.WithContext(path);
  }
  *out = db;
  return Status::OK();
}

double Secs(TimePoint t) { return ToUnixSeconds(t); }

}  // namespace

json StateStore::ToJson(const PolicyState& s) {
  json j;
  if (s.last_action) j["last_action"] = Secs(*s.last_action);
  j["down_streak"] = s.down_streak;
  j["counters"] = s.counters;
  if (s.last_point) j["last_point"] = Secs(*s.last_point);
  json recs = json::array();
  for (const auto& [t, r] : s.recommendations) recs.push_back({Secs(t), r});
  j["recommendations"] = recs;
  j["last_decision"] = s.last_decision;
  json seen = json::object();
  for (const auto& [id, t] : s.first_in_service) seen[id] = Secs(t);
  j["first_in_service"] = seen;
  return j;
}

Result<PolicyState> StateStore::FromJson(const json& j) {
  try {
    PolicyState s;
    if (j.contains("last_action"))
      s.last_action = FromUnixSeconds(j["last_action"].get<double>());
    s.down_streak = j.value("down_streak", 0);
    if (j.contains("counters"))
      s.counters = j["counters"].get<std::map<std::string, double>>();
    if (j.contains("last_point"))
      s.last_point = FromUnixSeconds(j["last_point"].get<double>());
    for (const json& r : j.value("recommendations", json::array())) {
      s.recommendations.emplace_back(FromUnixSeconds(r[0].get<double>()),
                                     r[1].get<int>());
    }
    s.last_decision = j.value("last_decision", "");
    const json seen = j.value("first_in_service", json::object());
    for (const auto& [id, t] : seen.items()) {
      s.first_in_service[id] = FromUnixSeconds(t.get<double>());
    }
    return s;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("state: ") + e.what());
  }
}

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& path,
                                                     bool* recovered) {
  *recovered = false;
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) PHAS_RETURN_IF_ERROR(MakeDirs(dir));
  sqlite3* db = nullptr;
  Status st = OpenAndCheck(path, &db);
  if (!st.ok()) {
    // Unreadable: keep it for inspection, start afresh (the loop then starts
    // in cooldown).
    std::string aside =
        fmt::format("{}.corrupt-{:.0f}", path,
                    ToUnixSeconds(std::chrono::system_clock::now()));
    std::error_code ec;
    std::filesystem::rename(path, aside, ec);
    std::filesystem::remove(path + "-wal", ec);
    std::filesystem::remove(path + "-shm", ec);
    *recovered = true;
    Status again = OpenAndCheck(path, &db);
    if (!again.ok())
      return again.WithContext("state store (after moving the old one aside)");
  }
  return std::unique_ptr<StateStore>(new StateStore(db, path));
}

Status StateStore::SqlError() const {
  return Status::IoError(path_ + ": " + sqlite3_errmsg(Db(db_)));
}

StateStore::~StateStore() { sqlite3_close(Db(db_)); }

Result<std::map<std::string, PolicyState>> StateStore::LoadAll() {
  std::map<std::string, PolicyState> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(Db(db_), "SELECT name, state FROM group_state", -1,
                         &stmt, nullptr) != SQLITE_OK) {
    return SqlError();
  }
  Status st;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string name =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    json j =
        json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)),
                    nullptr, false);
    auto s = j.is_discarded()
                 ? Result<PolicyState>(Status::Corruption("state of " + name))
                 : FromJson(j);
    if (!s.ok()) {
      st = s.status();
      continue;
    }
    out[name] = *s;
  }
  if (rc != SQLITE_DONE) st = Status::IoError(sqlite3_errmsg(Db(db_)));
  sqlite3_finalize(stmt);
  if (!st.ok()) return st.WithContext(path_);
  return out;
}

Status StateStore::Save(const std::string& group, const PolicyState& state) {
  sqlite3_stmt* stmt = nullptr;
  const char* sql =
      "INSERT INTO group_state (name, state, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated_at = "
      "excluded.updated_at";
  if (sqlite3_prepare_v2(Db(db_), sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError();
  }
  std::string text = ToJson(state).dump();
  sqlite3_bind_text(stmt, 1, group.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt, 3, ToUnixSeconds(std::chrono::system_clock::now()));
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqlError();
  return Status::OK();
}

Status StateStore::AppendSeries(const std::string& key,
                                const std::vector<MetricSample>& points) {
  PHAS_RETURN_IF_ERROR(Exec(Db(db_), "BEGIN"));
  sqlite3_stmt* stmt = nullptr;
  bool ok =
      sqlite3_prepare_v2(
          Db(db_), "INSERT OR REPLACE INTO series (key, t, v) VALUES (?, ?, ?)",
          -1, &stmt, nullptr) == SQLITE_OK;
  for (size_t i = 0; ok && i < points.size(); ++i) {
    sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(stmt, 2, ToUnixSeconds(points[i].time));
    sqlite3_bind_double(stmt, 3, points[i].value);
    ok = sqlite3_step(stmt) == SQLITE_DONE;
    sqlite3_reset(stmt);
  }
  if (!ok) {
    Status st = SqlError();
    sqlite3_finalize(stmt);
    (void)Exec(Db(db_), "ROLLBACK");
    return st;
  }
  sqlite3_finalize(stmt);
  return Exec(Db(db_), "COMMIT");
}

Result<std::vector<MetricSample>> StateStore::LoadSeries(const std::string& key,
                                                         TimePoint since) {
  std::vector<MetricSample> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(
          Db(db_),
          "SELECT t, v FROM series WHERE key = ? AND t >= ? ORDER BY t", -1,
          &stmt, nullptr) != SQLITE_OK) {
    return SqlError();
  }
  sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt, 2, ToUnixSeconds(since));
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    out.push_back({FromUnixSeconds(sqlite3_column_double(stmt, 0)),
                   sqlite3_column_double(stmt, 1)});
  }
  if (rc != SQLITE_DONE) {
    Status st = SqlError();
    sqlite3_finalize(stmt);
    return st;
  }
  sqlite3_finalize(stmt);
  return out;
}

}  // namespace phas
