// The state store (scaler/state_store.h): typed policy states round-trip,
// older records keep their last action, an unreadable file is moved aside,
// a file deleted while running is recreated, errors say what happened.
#include "scaler/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/file_util.h"
#include "decision/predictive_policy.h"
#include "decision/seed_policy.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using StateStoreTest = phas::testing::TempDirTest;

GroupState Sample() {
  GroupState s;
  s.guard.last_action = FromUnixSeconds(1000.5);
  s.guard.started_without_state = FromUnixSeconds(900.25);
  s.guard.stamped_ahead = std::chrono::milliseconds(101500);
  SeedState seed;
  seed.down_streak = 17;
  seed.reactive.below = 3;
  seed.reactive.last_point = FromUnixSeconds(960);
  s.policy = PolicyState::Of(seed);
  s.last_decision = "scale_up 2 -> 3: because";
  s.first_in_service["i-1"] = FromUnixSeconds(500);
  return s;
}

TEST_F(StateStoreTest, RoundTripAndSurvivesReopen) {
  std::string path = (dir_ / "sub" / "phas.db").string();
  GroupState s = Sample();
  {
    bool recovered = true;
    auto store = SqliteStateStore::Open(path, &recovered);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_FALSE(recovered);
    ASSERT_TRUE((*store)->Save("web", "seed", s).ok());
  }
  bool recovered = true;
  auto store = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok());
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->count("web"), 1u);
  const StoredGroup& g = all->at("web");
  EXPECT_EQ(g.policy, "seed");
  EXPECT_EQ(g.state.guard, s.guard);
  EXPECT_EQ(g.state.last_decision, s.last_decision);
  EXPECT_EQ(g.state.first_in_service, s.first_in_service);
  auto policy =
      StateStore::ReadPolicyState(g.policy_json, PolicyState::Of(SeedState{}));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(*policy, s.policy);
}

// Text phas did not make (an endpoint's answer quoted in a reason) may not
// be UTF-8: the record is saved with those bytes replaced. Before, the
// save threw out of the actuator and stopped the daemon.
TEST_F(StateStoreTest, AReasonThatIsNotUtf8IsSavedReplaced) {
  bool recovered = false;
  auto store = SqliteStateStore::Open((dir_ / "phas.db").string(), &recovered);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  GroupState s = Sample();
  s.last_decision = "hold: no model answer (404: caf\xc3)";
  ASSERT_TRUE((*store)->Save("web", "seed", s).ok());
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->at("web").state.last_decision,
            "hold: no model answer (404: caf\xef\xbf\xbd)");
  EXPECT_EQ(all->at("web").state.guard, s.guard);
}

// Every policy's state is persisted through its Describe: nested sections
// and recommendations included.
TEST(StateStoreJsonTest, NestedStatesRoundTrip) {
  PredictiveState p;
  p.tracking.high = 2;
  p.tracking.last_point = FromUnixSeconds(60);
  p.recommendations = {{FromUnixSeconds(120), 4}, {FromUnixSeconds(130), 3}};
  GroupState s;
  s.policy = PolicyState::Of(p);
  auto stored = StateStore::FromJson(StateStore::ToJson("predictive", s));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  auto back = StateStore::ReadPolicyState(stored->policy_json,
                                          PolicyState::Of(PredictiveState{}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->As<PredictiveState>(), p);
}

TEST(StateStoreJsonTest, RecordsThatDoNotFitSayWhere) {
  struct Case {
    const char* name;
    std::string json;
    std::string error;  // "" = reads
    long long newer_format = 0;
  };
  const Case cases[] = {
      {"not json", "{", "not a JSON object"},
      {"last action not a number", R"({"last_action": "soon"})", "last_action"},
      {"start without state not a number",
       R"({"last_action": 1000, "started_without_state": true})",
       "started_without_state"},
      {"a version phas never wrote", R"({"version": 1, "policy": "seed"})",
       "version"},
      {"a version not an integer", R"({"version": "2", "policy": "seed"})",
       "version"},
      {"a newer version: guard kept",
       R"({"version": 7, "policy": "seed", "state": {"x": 1},
           "last_action": 1000})",
       "", 7},
      {"a version past an int is not read as 2",
       R"({"version": 4294967298, "policy": "seed", "last_action": 1000})", "",
       4294967298},
      {"last action beyond what a time holds", R"({"last_action": 1e300})",
       "last_action: not a time"},
      {"last action before the epoch", R"({"last_action": -5})",
       "last_action: not a time"},
      {"first seen beyond what a time holds",
       R"({"first_in_service": {"i-1": 1e19}})",
       "first_in_service.i-1: not a time"},
      {"stamped ahead not a number",
       R"({"last_action": 1000, "stamped_ahead": "90"})",
       "stamped_ahead: must be a number"},
      {"stamped ahead negative",
       R"({"last_action": 1000, "stamped_ahead": -1})",
       "stamped_ahead: must be 0..86400 seconds"},
      {"stamped ahead past a day",
       R"({"last_action": 1000, "stamped_ahead": 1e300})",
       "stamped_ahead: must be 0..86400 seconds"},
      {"version 1: guard kept", R"({"last_action": 1000, "down_streak": 3,
         "counters": {"tt.above": 2}})",
       ""},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto g = StateStore::FromJson(tc.json);
    if (tc.error.empty()) {
      ASSERT_TRUE(g.ok()) << g.status().ToString();
      EXPECT_EQ(g->state.guard.last_action, FromUnixSeconds(1000));
      EXPECT_EQ(g->policy, "") << "another phas's counters are not carried";
      EXPECT_EQ(g->policy_json, "");
      EXPECT_EQ(g->newer_format, tc.newer_format);
      continue;
    }
    ASSERT_FALSE(g.ok());
    EXPECT_NE(g.status().message().find(tc.error), std::string::npos)
        << g.status().message();
  }
  auto bad = StateStore::ReadPolicyState(R"({"down_streak": "many"})",
                                         PolicyState::Of(SeedState{}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("state.down_streak"), std::string::npos)
      << bad.status().message();
}

// A policy's state that phas cannot have saved is refused, naming the
// field.
TEST(StateStoreJsonTest, PolicyStatesBeyondTheirRangeSayWhere) {
  struct Case {
    const char* name;
    std::string json;   // a predictive policy's state
    std::string error;  // "" = reads
  };
  const Case cases[] = {
      {"in range", R"({"margin": 1.5, "last_minute": 1767225600,
         "recommendations": [[1767225600, 3]]})",
       ""},
      {"a time beyond what a time holds", R"({"last_minute": 1e300})",
       "state.last_minute: must be a time"},
      {"a recommendation's time beyond", R"({"recommendations": [[1e300, 3]]})",
       "state.recommendations"},
      {"the margin beyond its range", R"({"margin": 1e300})",
       "state.margin: 1e+300 is out of range [-4, 12]"},
      {"a negative spread", R"({"out": {"spread": -1}})",
       "state.out.spread: -1 is out of range [0, inf]"},
      {"a share above 1", R"({"in": {"exceeded": 2}})",
       "state.in.exceeded: 2 is out of range [0, 1]"},
      {"a negative count", R"({"out": {"outcomes": -3}})",
       "state.out.outcomes: -3 is out of range [0, 2147483647]"},
      {"a count past a long long (it wrapped to -1)",
       R"({"out": {"outcomes": 18446744073709551615}})",
       "state.out.outcomes: 18446744073709551615 is out of range"},
      {"a recommendation's count past a long long",
       R"({"recommendations": [[1767225600, 18446744073709551615]]})",
       "state.recommendations"},
      {"the bounds themselves", R"({"margin": -4, "last_minute": 0,
         "in": {"exceeded": 1, "spread": 0}, "out": {"exceeded": 0},
         "recommendations": [[9e9, 2147483647]]})",
       ""},
      {"the margin's upper bound", R"({"margin": 12, "last_minute": 9e9})", ""},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto s = StateStore::ReadPolicyState(tc.json,
                                         PolicyState::Of(PredictiveState{}));
    if (tc.error.empty()) {
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      continue;
    }
    EXPECT_FALSE(s.ok()) << "read, and refused before";
    EXPECT_NE(s.status().message().find(tc.error), std::string::npos)
        << s.status().message();
  }
}

TEST_F(StateStoreTest, RecoversFromACorruptFile) {
  std::string path = (dir_ / "phas.db").string();
  std::ofstream(path) << "this is not a database, it is a shopping list";
  bool recovered = false;
  auto store = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(recovered);
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  int aside = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().string().find(".corrupt-") != std::string::npos) ++aside;
  }
  EXPECT_EQ(aside, 1) << "the unreadable file is kept for inspection";
}

// One unreadable record fails its group alone (the others keep their
// cooldowns) and is kept as it was in unreadable_state, once; so is a
// record of a newer phas, whose last action is read.
TEST_F(StateStoreTest, AnUnreadableRecordFailsItsGroupAloneAndIsKept) {
  struct Case {
    const char* name;
    std::string record;      // api's, as stored
    std::string unreadable;  // in its load's `unreadable`; "" = read
  };
  const Case cases[] = {
      {"not JSON", "{not json", "not a JSON object"},
      {"a field of the wrong type", R"({"last_action": "soon"})",
       "last_action: must be a number"},
      {"a time out of range", R"({"last_action": 1e300})",
       "last_action: not a time"},
      {"a newer phas's: its last action is read",
       R"({"version": 3, "policy": "seed", "last_action": 1000})", ""},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string path = (dir_ / (std::string(tc.name) + ".db")).string();
    bool recovered = false;
    auto store = SqliteStateStore::Open(path, &recovered);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Save("web", "seed", Sample()).ok());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* put = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db, "INSERT INTO group_state VALUES ('api', ?, 0)",
                           -1, &put, nullptr),
        SQLITE_OK);
    sqlite3_bind_text(put, 1, tc.record.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(put), SQLITE_DONE);
    sqlite3_finalize(put);
    for (int load = 0; load < 2; ++load) {
      auto all = (*store)->LoadAll();
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      EXPECT_EQ(all->at("web").state.guard, Sample().guard);
      const StoredGroup& api = all->at("api");
      if (tc.unreadable.empty()) {
        EXPECT_EQ(api.unreadable, "");
        EXPECT_EQ(api.state.guard.last_action, FromUnixSeconds(1000));
      } else {
        EXPECT_NE(api.unreadable.find(tc.unreadable), std::string::npos)
            << api.unreadable;
      }
    }
    std::string kept;
    ASSERT_EQ(sqlite3_exec(
                  db,
                  "SELECT group_concat(name || ' ' || state) FROM "
                  "unreadable_state",
                  [](void* out, int, char** v, char**) {
                    *static_cast<std::string*>(out) = v[0] ? v[0] : "";
                    return 0;
                  },
                  &kept, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(kept, "api " + tc.record) << "copied once, as it was";
  }
}

// Another program holding the write lock for a moment (a second process
// saving, a backup tool) is waited for, as every save waits for it; the
// start failed at once while the integrity check's statement was open.
TEST_F(StateStoreTest, OpeningWaitsForAnotherWritersLock) {
  std::string path = (dir_ / "phas.db").string();
  bool recovered = false;
  ASSERT_TRUE(SqliteStateStore::Open(path, &recovered).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::thread release([db] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  });
  auto store = SqliteStateStore::Open(path, &recovered);
  release.join();
  sqlite3_close(db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
}

// A second scaler on the same state file stops at start, naming the
// holder's pid, and leaves the file as it is; the file is free again once
// the first store is gone. Before, both ran, each acting without seeing the
// other's actions (two actions inside a cooldown).
TEST_F(StateStoreTest, ASecondStoreOnTheSameFileIsRefused) {
  std::string path = (dir_ / "phas.db").string();
  bool recovered = false;
  auto first = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE((*first)->Save("web", "seed", Sample()).ok());
  auto second = SqliteStateStore::Open(path, &recovered);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIoError);
  EXPECT_NE(second.status().message().find(
                path + ": in use by another phas scaler (pid " +
                std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  EXPECT_FALSE(recovered);
  // The holder as the kernel says, not the lock file's text, which can be
  // stale (a holder that could only lock it read-only left another's pid).
  if (!fs::exists("/proc/locks")) GTEST_SKIP() << "no /proc/locks here";
  std::ofstream(path + ".lock") << "812";
  second = SqliteStateStore::Open(path, &recovered);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("(pid " +
                                           std::to_string(::getpid()) + ")"),
            std::string::npos)
      << second.status().message();
  first->reset();
  auto third = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  auto all = (*third)->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->count("web"), 1u);
}

// The lock goes with the database, not with its name: a symlink to a held
// file is refused too; and a lock file deleted while running (an operator's
// `rm phas.db*`) is taken again before the next save, which fails while
// another store holds the new one. Before, each let two scalers run on one
// database.
TEST_F(StateStoreTest, TheLockFollowsTheDatabase) {
  std::string path = (dir_ / "phas.db").string();
  bool recovered = false;
  auto first = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  fs::create_symlink(path, dir_ / "other.db");
  auto linked =
      SqliteStateStore::Open((dir_ / "other.db").string(), &recovered);
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.status().message().find("in use by another phas scaler"),
            std::string::npos)
      << linked.status().message();

  fs::remove(path + ".lock");
  auto second = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status st = (*first)->Save("web", "seed", Sample());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("lock file was deleted or replaced"),
            std::string::npos)
      << st.message();
  second->reset();
  EXPECT_TRUE((*first)->Save("web", "seed", Sample()).ok());
  EXPECT_TRUE(fs::exists(path + ".lock"));
}

// The lock file is never opened through a symlink: root (an admin's `sudo
// phas scaler --once`) wrote its pid through one the service's user could
// plant, and gave the target to that user. It is refused, naming the lock,
// and the target is left as it was.
TEST_F(StateStoreTest, TheLockFileIsNotOpenedThroughASymlink) {
  std::string victim = (dir_ / "victim").string();
  std::ofstream(victim) << "root's file";
  fs::create_symlink(victim, dir_ / "phas.db.lock");
  bool recovered = false;
  auto store = SqliteStateStore::Open((dir_ / "phas.db").string(), &recovered);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("phas.db.lock: Too many levels of "
                                          "symbolic links (a symlink"),
            std::string::npos)
      << store.status().message();
  EXPECT_EQ(*ReadFile(victim), "root's file");
}

// Root makes the lock file readable by all whatever its umask (the
// service's user locks it read-only at its next start), and leaves one it
// finds as it is: owner, mode and content (before, root gave every lock
// file to the directory's owner, and truncated it).
TEST_F(StateStoreTest, RootLeavesTheServicesLockFileAsItIs) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  mode_t old = ::umask(077);
  std::string made = (dir_ / "made.db").string();
  bool recovered = false;
  EXPECT_TRUE(SqliteStateStore::Open(made, &recovered).ok());
  ::umask(old);
  struct stat st;
  ASSERT_EQ(::stat((made + ".lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  std::string found = (dir_ / "found.db").string();
  std::ofstream(found + ".lock") << "812";
  ASSERT_EQ(::chown((found + ".lock").c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chmod((found + ".lock").c_str(), 0600), 0);
  auto store = SqliteStateStore::Open(found, &recovered);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_EQ(::stat((found + ".lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(found + ".lock"), "812");
}

// Root does not make the database in the service's directory (before, an
// admin's `sudo phas scaler --once` there left a database owned by root,
// and the service's next start failed its write probe): refused, naming
// the directory's owner, and nothing made. A database the service made is
// opened by root (SQLite gives root's -wal and -shm files to its owner).
TEST_F(StateStoreTest, RootDoesNotMakeTheServicesDatabase) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  fs::path svc = dir_ / "svc";
  fs::create_directories(svc);
  ASSERT_EQ(::chown(svc.c_str(), 65534, 65534), 0);
  std::string path = (svc / "phas.db").string();
  bool recovered = false;
  auto refused = SqliteStateStore::Open(path, &recovered);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("65534"), std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(fs::is_empty(svc)) << "neither the database nor its lock";

  // Unreadable: not moved aside and made again as root's.
  std::ofstream(path) << "this is not a database";
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  EXPECT_EQ(SqliteStateStore::Open(path, &recovered).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(*ReadFile(path), "this is not a database");

  // The service's own database: root opens it, and it stays the service's.
  fs::remove(path);
  fs::remove(path + ".lock");
  {
    bool r = false;
    ASSERT_TRUE(SqliteStateStore::Open((dir_ / "made.db").string(), &r).ok());
  }
  fs::rename(dir_ / "made.db", path);
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto store = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat((path + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
}

// A symlink to a database not made yet shares its lock with the path it
// leads to: the second is refused at start (weakly_canonical alone did not
// follow a link whose target was missing).
TEST_F(StateStoreTest, ASymlinkToADatabaseNotMadeYetSharesItsLock) {
  fs::create_directories(dir_ / "real");
  fs::create_directories(dir_ / "link");
  fs::create_symlink(dir_ / "real" / "phas.db", dir_ / "link" / "phas.db");
  bool recovered = false;
  auto first =
      SqliteStateStore::Open((dir_ / "link" / "phas.db").string(), &recovered);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second =
      SqliteStateStore::Open((dir_ / "real" / "phas.db").string(), &recovered);
  EXPECT_FALSE(second.ok());
}

// A database phas could read but not save to (tables of another shape)
// is refused at the start, naming the file and what does not fit, and left
// as it is; before, every save failed, and with it every action. (A
// read-only file fails the same way; root, running the tests, can write
// one.)
TEST_F(StateStoreTest, ADatabaseThatCannotBeSavedToIsRefused) {
  struct Case {
    const char* name;
    const char* schema;  // the file's tables
    std::string error;   // "" = opens
  };
  const Case cases[] = {
      {"no series table: created",
       "CREATE TABLE group_state (name TEXT "
       "PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)",
       ""},
      {"an extra column with a default",
       "CREATE TABLE group_state (name TEXT PRIMARY KEY, state TEXT NOT NULL, "
       "updated_at REAL NOT NULL, note TEXT DEFAULT '')",
       ""},
      {"a column missing",
       "CREATE TABLE group_state (name TEXT PRIMARY KEY, state TEXT NOT NULL)",
       "table group_state has no column named updated_at"},
      {"the name not a key",
       "CREATE TABLE group_state (name TEXT, state TEXT, updated_at REAL)",
       "ON CONFLICT clause does not match"},
      {"an extra column without a default",
       "CREATE TABLE series (key TEXT NOT NULL, t REAL NOT NULL, v REAL NOT "
       "NULL, unit TEXT NOT NULL, PRIMARY KEY (key, t))",
       "NOT NULL constraint failed: series.unit"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string path = (dir_ / (std::string(tc.name) + ".db")).string();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, tc.schema, nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    bool recovered = false;
    auto store = SqliteStateStore::Open(path, &recovered);
    EXPECT_FALSE(recovered) << "nothing is moved aside";
    if (tc.error.empty()) {
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      continue;
    }
    EXPECT_FALSE(store.ok()) << "opened, and every save failed before";
    EXPECT_NE(store.status().message().find(path + ": " + tc.error),
              std::string::npos)
        << store.status().message();
  }
}

// A path SQLite cannot open (here: a directory) is not a corrupt file:
// nothing is moved aside, and the error does not say so.
TEST_F(StateStoreTest, AFileThatCannotBeOpenedIsNotCalledCorrupt) {
  fs::path path = dir_ / "a-directory";
  fs::create_directories(path);
  bool recovered = false;
  auto store = SqliteStateStore::Open(path.string(), &recovered);
  ASSERT_FALSE(store.ok());
  EXPECT_FALSE(recovered);
  EXPECT_TRUE(fs::is_directory(path)) << "nothing was moved";
  EXPECT_EQ(store.status().message().find("aside"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find("state store"), std::string::npos)
      << store.status().message();
}

// Deleted while phas runs: the next save recreates the file instead of
// writing into the unlinked one.
TEST_F(StateStoreTest, AFileDeletedWhileRunningIsRecreated) {
  std::string path = (dir_ / "phas.db").string();
  bool recovered = false;
  auto store = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Save("web", "seed", Sample()).ok());
  fs::remove(path);
  fs::remove(path + "-wal");
  fs::remove(path + "-shm");
  ASSERT_TRUE((*store)->Save("web", "seed", Sample()).ok());
  ASSERT_TRUE(fs::exists(path)) << "the state file is there again";
  store->reset();  // a second store on the file is refused while it is held
  auto reopened = SqliteStateStore::Open(path, &recovered);
  ASSERT_TRUE(reopened.ok());
  auto all = (*reopened)->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->count("web"), 1u) << "and holds what was saved after";
}

}  // namespace
}  // namespace phas
