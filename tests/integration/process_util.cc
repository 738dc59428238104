#include "process_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace phas::testing {
namespace {

void ApplyEnv(const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) {
    if (v.empty()) {
      ::unsetenv(k.c_str());
    } else {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
}

[[noreturn]] void Exec(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  ::_exit(127);
}

}  // namespace

std::string FindExecutable(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const char* home = std::getenv("HOME");
  if (home) path += std::string(":") + home + "/.pyenv/shims";
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t colon = path.find(':', pos);
    if (colon == std::string::npos) colon = path.size();
    std::string candidate = path.substr(pos, colon - pos) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    pos = colon + 1;
  }
  return "";
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         int timeout_seconds, const std::string& stdin_data) {
  int out[2], err[2], in[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0 || ::pipe(in) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::dup2(in[0], 0);
    ::close(out[0]);
    ::close(err[0]);
    ::close(in[1]);
    ApplyEnv(env);
    Exec(argv);
  }
  ::close(out[1]);
  ::close(err[1]);
  ::close(in[0]);
  if (!stdin_data.empty()) {
    ssize_t ignored = ::write(in[1], stdin_data.data(), stdin_data.size());
    (void)ignored;
  }
  ::close(in[1]);
  ProcessResult r;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[8192];
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = !timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::string& log_path) {
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ApplyEnv(env);
    Exec(argv);
  }
  ::setpgid(pid_, pid_);
}

bool ChildProcess::Running() {
  if (reaped_) return false;
  pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

void ChildProcess::Kill9() {
  if (reaped_) return;
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  reaped_ = true;
}

int ChildProcess::Terminate(int timeout_seconds) {
  if (!reaped_) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(timeout_seconds);
    while (Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!reaped_) Kill9();
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 100 && Running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!reaped_) Kill9();
  }
}

std::vector<std::string> HeadlessChromiumArgs(const std::string& chromium,
                                              const std::string& dir) {
  return {chromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--hide-scrollbars",
          "--user-data-dir=" + dir + "/profile",
          "--window-size=1100,1400"};
}

ProcessResult ScreenshotStats(std::vector<std::string> chromium_args,
                              const std::string& url, const std::string& png,
                              const std::vector<std::string>& colors) {
  chromium_args.push_back("--screenshot=" + png);
  chromium_args.push_back(url);
  ProcessResult shot = RunProcess(chromium_args, {}, 120);
  if (::access(png.c_str(), R_OK) != 0) {
    shot.exit_code = -1;
    shot.err = "no screenshot: " + shot.out + shot.err;
    return shot;
  }
  std::vector<std::string> argv = {
      "python3",
      std::string(PHAS_SOURCE_DIR) + "/tests/integration/png_stats.py", png};
  argv.insert(argv.end(), colors.begin(), colors.end());
  return RunProcess(argv);
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

}  // namespace phas::testing
