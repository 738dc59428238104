#include "scaler/state_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "common/file_util.h"
#include "common/json_util.h"
#include "scaler/json_fields.h"

namespace phas {
namespace {

using nlohmann::json;

constexpr int kFormatVersion = 2;
constexpr const char* kNotATime = "not a time (Unix seconds, 0 to 9e9)";

sqlite3* Db(void* p) { return static_cast<sqlite3*>(p); }

struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// A failure of `db`: Corruption when the file is not a (sound) database,
// IoError otherwise.
Status DbError(sqlite3* db, const std::string& what) {
  int rc = sqlite3_errcode(db);
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
    return Status::Corruption(msg);
  }
  return Status::IoError(msg);
}

Status Exec(sqlite3* db, const std::string& where, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return DbError(db, where);
  }
  return Status::OK();
}

Result<Stmt> Prepare(sqlite3* db, const std::string& where, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    return DbError(db, where);
  }
  return Stmt(s);
}

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

constexpr const char* kSaveSql =
    "INSERT INTO group_state (name, state, updated_at) VALUES (?, ?, ?) ON "
    "CONFLICT(name) DO UPDATE SET state = excluded.state, updated_at = "
    "excluded.updated_at";
constexpr const char* kAppendSql =
    "INSERT OR REPLACE INTO series (key, t, v) VALUES (?, ?, ?)";

// Writes a group's record and a series point as Save and AppendSeries do,
// and takes them back: a file phas can read but not write (read-only, or
// tables of another shape) would otherwise fail every save, so every
// action, from the first cycle on.
Status ProbeWrites(sqlite3* db, const std::string& path) {
  PHAS_RETURN_IF_ERROR(Exec(db, path, "BEGIN IMMEDIATE"));
  Status st = [&]() -> Status {
    for (const char* sql : {kSaveSql, kAppendSql}) {
      PHAS_ASSIGN_OR_RETURN(Stmt stmt, Prepare(db, path, sql));
      sqlite3_bind_text(stmt.get(), 1, "", -1, SQLITE_STATIC);
      sqlite3_bind_text(stmt.get(), 2, "{}", -1, SQLITE_STATIC);
      sqlite3_bind_double(stmt.get(), 3, 0);
      if (sqlite3_step(stmt.get()) != SQLITE_DONE) return DbError(db, path);
    }
    return Status::OK();
  }();
  Status rolled_back = Exec(db, path, "ROLLBACK");
  // Left inside the probe's transaction, every later save would "succeed"
  // without reaching the file.
  if (!sqlite3_get_autocommit(db)) {
    return Status::IoError(fmt::format(
        "{}: cannot roll back the write probe: {}", path,
        rolled_back.ok() ? "still in a transaction" : rolled_back.message()));
  }
  return st.ok() ? rolled_back : st;
}

Result<DbHandle> OpenAndCheck(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return Status::IoError(
        fmt::format("{}: {}", path, raw ? sqlite3_errmsg(raw) : "cannot open"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  PHAS_RETURN_IF_ERROR(Exec(
      db.get(), path,
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS group_state (name TEXT PRIMARY KEY, "
      "state TEXT NOT NULL, updated_at REAL NOT NULL);"
      "CREATE TABLE IF NOT EXISTS series (key TEXT NOT NULL, t REAL NOT NULL, "
      "v REAL NOT NULL, PRIMARY KEY (key, t));"
      "CREATE TABLE IF NOT EXISTS unreadable_state (name TEXT, state TEXT, "
      "found_at REAL NOT NULL);"
      "SELECT count(*) FROM group_state;"));
  {
    // A full integrity check is cheap at this size and catches torn files.
    // Its statement is finalized before the probe: while it is open its
    // read transaction is too, and BEGIN IMMEDIATE would not wait for
    // another writer's lock (busy_timeout) but fail at once.
    PHAS_ASSIGN_OR_RETURN(Stmt check,
                          Prepare(db.get(), path, "PRAGMA quick_check;"));
    if (sqlite3_step(check.get()) != SQLITE_ROW) return DbError(db.get(), path);
    std::string r = Text(check.get(), 0);
    if (r != "ok") return Status::Corruption(path + ": " + r);
  }
  PHAS_RETURN_IF_ERROR(ProbeWrites(db.get(), path));
  return db;
}

// The lock beside the database, through symlinks (also one to a database
// not made yet): two names for one database share one lock.
std::string LockPathOf(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = path;
  for (int i = 0; i < 40 && fs::is_symlink(p, ec); ++i) {
    fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  fs::path real = fs::weakly_canonical(p, ec);
  return (ec ? p.string() : real.string()) + ".lock";
}

// Root (an admin's `sudo phas scaler --once`) must not make the database
// in a directory of another user's (the service's StateDirectory): the
// file would be root's, and the service could not write it at its next
// start. `db`: the path symlinks lead to.
Status RootMayCreate(const std::string& db) {
  if (::geteuid() != 0) return Status::OK();
  std::string dir = std::filesystem::path(db).parent_path().string();
  struct stat st;
  if (::stat(dir.empty() ? "." : dir.c_str(), &st) != 0 || st.st_uid == 0) {
    return Status::OK();
  }
  std::string user = std::to_string(st.st_uid);
  struct passwd pw, *found = nullptr;
  char buf[1024];
  if (::getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &found) == 0 && found) {
    user = fmt::format("{} ({})", pw.pw_name, st.st_uid);
  }
  return Status::FailedPrecondition(fmt::format(
      "{}: root would make this database, in a directory of user {}'s, and "
      "that user (the service's) could not write it; run as that user "
      "(sudo -u), or give --state a file of root's own",
      db, user));
}

bool SameFile(int fd, const std::string& path) {
  struct stat held, there;
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &there) == 0 &&
         held.st_dev == there.st_dev && held.st_ino == there.st_ino;
}

// Opens the lock file, never through a symlink or into anything but a
// regular file: root (an admin's `sudo phas scaler --once`) would otherwise
// write through a link the service's user planted. A file this call makes
// is readable by all whatever the umask, so the service's user can lock
// one root made (read-only: flock needs no write). `*write_pid`: the file
// may take this process's pid (this user's, of no other name).
Result<int> OpenLockFile(const std::string& lock, bool* write_pid) {
  // O_NONBLOCK: a FIFO there is refused below, not waited on.
  const int flags = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_EXCL | flags, 0644);
  if (fd >= 0) {
    ::fchmod(fd, 0644);
    *write_pid = true;
    return fd;
  }
  const int first = errno;
  fd = ::open(lock.c_str(), O_RDWR | flags);
  if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
    fd = ::open(lock.c_str(), O_RDONLY | flags);
  }
  if (fd < 0) {
    // Not there, and it could not be made: why it could not.
    int err = errno == ENOENT ? first : errno;
    return Status::IoError(
        fmt::format("{}: {}{}", lock, std::strerror(err),
                    err == ELOOP ? " (a symlink, which phas does not follow "
                                   "for its lock)"
                                 : ""));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError(lock + ": not a regular file");
  }
  *write_pid = st.st_uid == ::geteuid() && st.st_nlink == 1 &&
               (::fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
  return fd;
}

// The pid holding the write flock on `fd`'s file, as /proc/locks says ("1:
// FLOCK ADVISORY WRITE 812 08:01:1234 0 EOF"); 0 when it cannot tell. The
// device /proc/locks prints can differ from stat's (btrfs, overlayfs), so a
// line is matched by its inode and confirmed by a descriptor of that pid's
// on this file. The lock file's own text can be stale: a holder that could
// not write it (root's file, locked read-only) left the previous one's pid.
long FlockHolder(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return 0;
  auto text = ReadFile("/proc/locks", 16u << 20);
  if (!text.ok()) return 0;
  const std::string inode = ":" + std::to_string(st.st_ino);
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string n, kind, mode, access, pid, file;
    words >> n >> kind >> mode >> access >> pid >> file;
    long holder = 0;
    auto [end, ec] =
        std::from_chars(pid.data(), pid.data() + pid.size(), holder);
    if (kind != "FLOCK" || access != "WRITE" || ec != std::errc() ||
        end != pid.data() + pid.size() || holder <= 0 ||
        file.size() < inode.size() ||
        file.compare(file.size() - inode.size(), inode.size(), inode) != 0) {
      continue;
    }
    std::error_code dir_ec;
    for (const auto& e :
         std::filesystem::directory_iterator("/proc/" + pid + "/fd", dir_ec)) {
      struct stat open;
      if (::stat(e.path().c_str(), &open) == 0 && open.st_dev == st.st_dev &&
          open.st_ino == st.st_ino) {
        return holder;
      }
    }
  }
  return 0;
}

// Takes `lock` (LockPathOf(path)), held until the descriptor is closed
// (the kernel drops it when the process ends, however it ends). A second
// scaler on the same file would act without seeing the first's actions:
// two actions inside a cooldown. The holder's pid is written in the file
// for the message.
Result<int> LockExclusive(const std::string& path, const std::string& lock) {
  for (int attempt = 1;; ++attempt) {
    bool write_pid = false;
    PHAS_ASSIGN_OR_RETURN(int fd, OpenLockFile(lock, &write_pid));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      char buf[32] = {};
      ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      long holder = err == EWOULDBLOCK ? FlockHolder(fd) : 0;
      ::close(fd);
      if (err != EWOULDBLOCK) {
        return Status::IoError(
            fmt::format("{}: cannot lock: {}", lock, std::strerror(err)));
      }
      std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
      bool digits = !pid.empty() && pid.size() < 12 &&
                    pid.find_first_not_of("0123456789") == std::string::npos;
      std::string who = holder > 0 ? fmt::format(" (pid {})", holder)
                        : digits   ? " (pid " + pid + ", as its lock file says)"
                                   : "";
      return Status::IoError(fmt::format(
          "{}: in use by another phas scaler{} (its lock {} is held); each "
          "scaler needs a state file of its own",
          path, who, lock));
    }
    // Deleted or replaced between the open and the lock: lock the one
    // there now.
    if (!SameFile(fd, lock)) {
      ::close(fd);
      if (attempt < 3) continue;
      return Status::IoError(lock + ": replaced while being locked");
    }
    std::string pid = std::to_string(::getpid());
    if (write_pid &&
        (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                        static_cast<ssize_t>(pid.size()))) {
      spdlog::warn("{}: cannot write this process's pid: {}", lock,
                   std::strerror(errno));
    }
    return fd;
  }
}

bool FileId(const std::string& path, unsigned long long* dev,
            unsigned long long* ino) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *dev = st.st_dev;
  *ino = st.st_ino;
  return true;
}

}  // namespace

std::string StateStore::ToJson(const std::string& policy, const GroupState& s) {
  json j;
  j["version"] = kFormatVersion;
  j["policy"] = policy;
  if (s.guard.last_action) {
    j["last_action"] = ToUnixSeconds(*s.guard.last_action);
  }
  if (s.guard.started_without_state) {
    j["started_without_state"] = ToUnixSeconds(*s.guard.started_without_state);
  }
  if (s.guard.stamped_ahead) {
    j["stamped_ahead"] =
        std::chrono::duration<double>(*s.guard.stamped_ahead).count();
  }
  j["last_decision"] = s.last_decision;
  json seen = json::object();
  for (const auto& [id, t] : s.first_in_service) seen[id] = ToUnixSeconds(t);
  j["first_in_service"] = seen;
  JsonFieldWriter w;
  s.policy.Show(w);
  j["state"] = w.result();
  return DumpJson(j);
}

Result<StoredGroup> StateStore::FromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption("state: not a JSON object");
  }
  StoredGroup g;
  auto bad = [](const std::string& key, const char* what) {
    return Status::Corruption("state: " + key + ": " + what);
  };
  for (auto [key, field] :
       {std::pair{"last_action", &g.state.guard.last_action},
        std::pair{"started_without_state",
                  &g.state.guard.started_without_state}}) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_number()) return bad(key, "must be a number");
      if (!IsStoredUnixSeconds(it->get<double>())) return bad(key, kNotATime);
      *field = FromUnixSeconds(it->get<double>());
    }
  }
  // Seconds; a day is far more than any call's latency.
  if (auto it = j.find("stamped_ahead"); it != j.end()) {
    if (!it->is_number()) return bad("stamped_ahead", "must be a number");
    const double ahead = it->get<double>();
    if (!(ahead >= 0 && ahead <= 86400)) {
      return bad("stamped_ahead", "must be 0..86400 seconds");
    }
    g.state.guard.stamped_ahead = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(ahead));
  }
  if (auto it = j.find("last_decision"); it != j.end()) {
    if (!it->is_string()) return bad("last_decision", "must be a string");
    g.state.last_decision = it->get<std::string>();
  }
  if (auto it = j.find("first_in_service"); it != j.end()) {
    if (!it->is_object()) return bad("first_in_service", "must be an object");
    for (const auto& [id, t] : it->items()) {
      if (!t.is_number())
        return bad("first_in_service." + id, "must be a number");
      if (!IsStoredUnixSeconds(t.get<double>()))
        return bad("first_in_service." + id, kNotATime);
      g.state.first_in_service[id] = FromUnixSeconds(t.get<double>());
    }
  }
  // Before version 2 the policy's state was a grab-bag of counters: it is
  // not carried over.
  auto version = j.find("version");
  if (version == j.end()) return g;
  if (!version->is_number_integer() ||
      version->get<long long>() < kFormatVersion) {
    return bad("version", "unknown format version");
  }
  if (version->get<long long>() > kFormatVersion) {
    // Written by a newer phas (a downgrade): its guard part is read as
    // above, so the cooldown holds; its policy state is not.
    g.newer_format = version->get<long long>();
    return g;
  }
  auto policy = j.find("policy");
  if (policy == j.end() || !policy->is_string()) {
    return bad("policy", "must be a string");
  }
  g.policy = policy->get<std::string>();
  if (auto it = j.find("state"); it != j.end()) g.policy_json = it->dump();
  return g;
}

Result<PolicyState> StateStore::ReadPolicyState(const std::string& text,
                                                const PolicyState& fresh) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption("state: the policy state is not a JSON object");
  }
  JsonFieldReader r(j, "state");
  PolicyState s = fresh.Updated(r);
  if (!r.status().ok()) return r.status();
  return s;
}

SqliteStateStore::SqliteStateStore(void* db, std::string path,
                                   std::string lock_path, int lock_fd)
    : db_(db),
      path_(std::move(path)),
      lock_path_(std::move(lock_path)),
      lock_fd_(lock_fd) {
  FileId(path_, &dev_, &ino_);
}

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(
    const std::string& path, bool* recovered) {
  *recovered = false;
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) {
    PHAS_RETURN_IF_ERROR(MakeDirs(dir).WithContext("state store"));
  }
  const std::string lock_path = LockPathOf(path);
  const std::string db_path = lock_path.substr(0, lock_path.size() - 5);
  if (!FileExists(db_path)) {
    PHAS_RETURN_IF_ERROR(RootMayCreate(db_path).WithContext("state store"));
  }
  auto lock = LockExclusive(path, lock_path);
  if (!lock.ok()) return lock.status().WithContext("state store");
  struct LockCloser {
    int fd;
    ~LockCloser() {
      if (fd >= 0) ::close(fd);
    }
  } lock_closer{*lock};
  auto db = OpenAndCheck(path);
  if (!db.ok() && db.status().code() == Status::Code::kCorruption) {
    // Unreadable: keep it for inspection, start afresh (the loop then holds
    // scale-in for a cooldown).
    PHAS_RETURN_IF_ERROR(RootMayCreate(db_path).WithContext(
        "state store (unreadable: " + db.status().message() + ")"));
    std::string aside =
        fmt::format("{}.corrupt-{:.0f}", path,
                    ToUnixSeconds(std::chrono::system_clock::now()));
    std::error_code ec;
    std::filesystem::rename(path, aside, ec);
    if (ec) {
      return db.status().WithContext(
          fmt::format("state store (unreadable, and it cannot be moved aside "
                      "to {}: {})",
                      aside, ec.message()));
    }
    std::filesystem::remove(path + "-wal", ec);
    std::filesystem::remove(path + "-shm", ec);
    *recovered = true;
    spdlog::error("state store {}: {}; moved aside to {}", path,
                  db.status().message(), aside);
    db = OpenAndCheck(path);
    if (!db.ok()) {
      return db.status().WithContext(
          "state store (after moving the "
          "unreadable one aside to " +
          aside + ")");
    }
  }
  if (!db.ok()) return db.status().WithContext("state store");
  int lock_fd = std::exchange(lock_closer.fd, -1);
  return std::unique_ptr<SqliteStateStore>(new SqliteStateStore(
      std::move(db).value().release(), path, lock_path, lock_fd));
}

SqliteStateStore::~SqliteStateStore() {
  sqlite3_close(Db(db_));
  ::close(lock_fd_);
}

Status SqliteStateStore::SqlError() const { return DbError(Db(db_), path_); }

Status SqliteStateStore::EnsureSameFile() {
  // A lock file deleted (an operator's `rm phas.db*`) would let a second
  // scaler take a new one: lock again, or fail the write.
  if (!SameFile(lock_fd_, lock_path_)) {
    auto lock = LockExclusive(path_, lock_path_);
    if (!lock.ok()) {
      return lock.status().WithContext(
          "state store: the lock file was deleted or replaced while running");
    }
    ::close(lock_fd_);
    lock_fd_ = *lock;
    spdlog::error(
        "state store {}: its lock file was deleted or replaced while phas "
        "was running; locked it again",
        path_);
  }
  unsigned long long dev = 0, ino = 0;
  if (FileId(path_, &dev, &ino) && dev == dev_ && ino == ino_) {
    return Status::OK();
  }
  // Deleted or replaced under us: writing on would go to an unlinked file.
  sqlite3_close(Db(db_));
  db_ = nullptr;
  auto db = OpenAndCheck(path_);
  if (!db.ok()) {
    return db.status().WithContext(
        "state store: the state file was deleted or replaced while running, "
        "and it cannot be recreated");
  }
  db_ = std::move(db).value().release();
  FileId(path_, &dev_, &ino_);
  spdlog::error(
      "state store {}: the file was deleted or replaced while phas was "
      "running; recreated it (states are saved there again from now on; the "
      "load history is fetched again from CloudWatch at the next start)",
      path_);
  return Status::OK();
}

Result<std::map<std::string, StoredGroup>> SqliteStateStore::LoadAll() {
  std::map<std::string, StoredGroup> out;
  PHAS_ASSIGN_OR_RETURN(
      Stmt stmt,
      Prepare(Db(db_), path_, "SELECT name, state FROM group_state"));
  // Records the group's next save would replace without this phas having
  // read them whole: (name, text).
  std::vector<std::pair<std::string, std::string>> to_keep;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::string name = Text(stmt.get(), 0);
    std::string text = Text(stmt.get(), 1);
    auto g = FromJson(text);
    if (g.ok()) {
      out[name] = std::move(g).value();
      if (out[name].newer_format) to_keep.emplace_back(name, text);
      continue;
    }
    // The group's alone: the others keep their cooldowns.
    out[name].unreadable = g.status().message();
    to_keep.emplace_back(name, text);
  }
  if (rc != SQLITE_DONE) return SqlError();
  // Copied once the SELECT is done: inside its read transaction, a write
  // would not wait for another writer's lock.
  stmt.reset();
  for (const auto& [name, text] : to_keep) {
    if (Status kept = KeepUnreadable(name, text); !kept.ok()) {
      std::string& why = out[name].unreadable;
      if (!why.empty()) {
        why += " (not copied to unreadable_state: " + kept.message() + ")";
      } else {
        spdlog::error(
            "state store {}: group {}: not copied to "
            "unreadable_state: {}",
            path_, name, kept.message());
      }
    }
  }
  return out;
}

Status SqliteStateStore::KeepUnreadable(const std::string& name,
                                        const std::string& text) {
  PHAS_ASSIGN_OR_RETURN(
      Stmt stmt,
      Prepare(Db(db_), path_,
              "INSERT INTO unreadable_state (name, state, found_at) SELECT ?1, "
              "?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM unreadable_state WHERE "
              "name = ?1 AND state = ?2)"));
  sqlite3_bind_text(stmt.get(), 1, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt.get(), 2, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt.get(), 3,
                      ToUnixSeconds(std::chrono::system_clock::now()));
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError();
  return Status::OK();
}

Status SqliteStateStore::Save(const std::string& group,
                              const std::string& policy,
                              const GroupState& state) {
  PHAS_RETURN_IF_ERROR(EnsureSameFile());
  PHAS_ASSIGN_OR_RETURN(Stmt stmt, Prepare(Db(db_), path_, kSaveSql));
  std::string text = ToJson(policy, state);
  sqlite3_bind_text(stmt.get(), 1, group.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt.get(), 2, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt.get(), 3,
                      ToUnixSeconds(std::chrono::system_clock::now()));
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError();
  return Status::OK();
}

Status SqliteStateStore::AppendSeries(const std::string& key,
                                      const std::vector<MetricSample>& points) {
  PHAS_RETURN_IF_ERROR(EnsureSameFile());
  PHAS_RETURN_IF_ERROR(Exec(Db(db_), path_, "BEGIN"));
  auto insert = [&]() -> Status {
    PHAS_ASSIGN_OR_RETURN(Stmt stmt, Prepare(Db(db_), path_, kAppendSql));
    for (const MetricSample& p : points) {
      sqlite3_bind_text(stmt.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(stmt.get(), 2, ToUnixSeconds(p.time));
      sqlite3_bind_double(stmt.get(), 3, p.value);
      if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError();
      sqlite3_reset(stmt.get());
    }
    return Status::OK();
  };
  Status st = insert();
  if (!st.ok()) {
    (void)Exec(Db(db_), path_, "ROLLBACK");
    return st;
  }
  return Exec(Db(db_), path_, "COMMIT");
}

Result<std::vector<MetricSample>> SqliteStateStore::LoadSeries(
    const std::string& key, TimePoint since) {
  std::vector<MetricSample> out;
  PHAS_ASSIGN_OR_RETURN(
      Stmt stmt,
      Prepare(Db(db_), path_,
              "SELECT t, v FROM series WHERE key = ? AND t >= ? AND t <= "
              "9e9 ORDER BY t"));
  sqlite3_bind_text(stmt.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt.get(), 2, ToUnixSeconds(since));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    out.push_back({FromUnixSeconds(sqlite3_column_double(stmt.get(), 0)),
                   sqlite3_column_double(stmt.get(), 1)});
  }
  if (rc != SQLITE_DONE) return SqlError();
  return out;
}

}  // namespace phas
