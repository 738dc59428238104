#include "aws/process_credentials.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/json_util.h"

extern char** environ;

namespace phas::aws {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

int RemainingMs(SteadyTime deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Kills the child's whole process group (a helper script's own children
// too) and reaps the child.
void KillAndReap(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Waits for the child to exit until `deadline`; true with its wait status,
// false when it still runs. Polled: the child has closed its stdout, so it
// is normally already gone.
bool WaitUntil(pid_t pid, SteadyTime deadline, int* status) {
  while (true) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // not ours any more
    if (RemainingMs(deadline) == 0) return false;
    ::poll(nullptr, 0, 5);
  }
}

// Starts argv with stdin from /dev/null and stdout into a pipe, in a
// process group of its own, with default signal handling.
Status Spawn(const std::vector<std::string>& argv, pid_t* pid, int* out_fd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                      POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int err = ::posix_spawnp(pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    return Status::FailedPrecondition(fmt::format(
        "cannot run '{}': {}", Abbreviate(argv[0], 256), std::strerror(err)));
  }
  *out_fd = fds[0];
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;  // '\'' or '"' while inside quotes
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word.push_back(c);
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\')) {
        word.push_back(line[++i]);
      } else {
        word.push_back(c);
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\') {
        if (i + 1 == line.size()) {
          return Status::InvalidArgument("ends with a lone backslash");
        }
        word.push_back(line[++i]);
      } else {
        word.push_back(c);
      }
    }
  }
  if (quote != 0) {
    return Status::InvalidArgument(
        fmt::format("unclosed {} quote", quote == '"' ? "double" : "single"));
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Status::InvalidArgument("is empty");
  return words;
}

Result<std::string> RunCommandForOutput(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout,
                                        size_t max_output,
                                        const std::string& what) {
  SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  pid_t pid = 0;
  int fd = -1;
  if (Status st = Spawn(argv, &pid, &fd); !st.ok()) {
    return st.WithContext(what);
  }
  std::string out;
  Status failure;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      failure = Status::DeadlineExceeded(fmt::format(
          "{}: killed after {} ms without finishing", what, timeout.count()));
      break;
    }
    char buf[8192];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF (or an error: the exit status tells)
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_output) {
      failure = Status::Unavailable(
          fmt::format("{}: printed more than {} bytes", what, max_output),
          false);
      break;
    }
  }
  ::close(fd);
  int status = 0;
  if (failure.ok() && !WaitUntil(pid, deadline, &status)) {
    failure = Status::DeadlineExceeded(
        fmt::format("{}: killed after {} ms without exiting (its output "
                    "was complete)",
                    what, timeout.count()));
  }
  if (!failure.ok()) {
    KillAndReap(pid);
    return failure;
  }
  if (WIFSIGNALED(status)) {
    return Status::Unavailable(
        fmt::format("{}: killed by signal {}", what, WTERMSIG(status)), false);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return Status::Unavailable(
        fmt::format("{}: exited with status {} (its stderr says why)", what,
                    WEXITSTATUS(status)),
        false);
  }
  return out;
}

Result<Credentials> ParseProcessCredentials(const std::string& output,
                                            const std::string& where) {
  // Errors name the key, never a value: the output holds secrets.
  auto bad = [&](const Status& st) {
    return Status::Unavailable(where + ": " + st.message(), false);
  };
  auto parsed = ParseJson(output);
  if (!parsed.ok()) {
    return Status::Unavailable(where + ": output is not a JSON document",
                               false);
  }
  JsonReader r(*parsed, "");
  r.set_echo_values(false);
  if (!r.IsObject()) return bad(r.WrongType("", "a JSON object", *parsed));
  if (!r.Has("Version")) {
    return Status::Unavailable(where + ": Version is missing (must be 1)",
                               false);
  }
  double version = 0;
  if (Status st = r.Num("Version", &version, -1e9, 1e9); !st.ok()) {
    return bad(st);
  }
  if (version != 1) {
    return Status::Unavailable(
        fmt::format("{}: Version {} is not supported (must be 1)", where,
                    version),
        false);
  }
  Credentials c;
  c.source = where;
  std::string exp;
  for (auto [key, out, required] :
       {std::tuple{"AccessKeyId", &c.access_key_id, true},
        {"SecretAccessKey", &c.secret_access_key, true},
        {"SessionToken", &c.session_token, false},
        {"Expiration", &exp, false}}) {
    Status st = required ? r.RequiredStr(key, out) : r.Str(key, out);
    if (!st.ok()) return bad(st);
  }
  if (!exp.empty()) {
    TimePoint t;
    if (!ParseIso8601(exp, &t)) {
      return Status::Unavailable(where + ": Expiration is not an ISO 8601 time",
                                 false);
    }
    c.expiration = t;
  }
  return c;
}

Result<Credentials> ProcessCredentialsProvider::Get(TimePoint) {
  std::string what = "profile '" + profile_ + "': credential_process";
  auto argv = SplitCommandLine(command_);
  if (!argv.ok()) return argv.status().WithContext(what);
  PHAS_ASSIGN_OR_RETURN(
      std::string out,
      RunCommandForOutput(*argv, timeout_, kMaxOutputBytes, what));
  return ParseProcessCredentials(
      out, what + " (" + Abbreviate((*argv)[0], 256) + ")");
}

}  // namespace phas::aws
