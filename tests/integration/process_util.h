// Running child processes in tests: a command with extra environment,
// capturing stdout and stderr, with a timeout; and long-running servers
// (moto) stopped with their process group.
#ifndef PHAS_TESTS_INTEGRATION_PROCESS_UTIL_H_
#define PHAS_TESTS_INTEGRATION_PROCESS_UTIL_H_

#include <map>
#include <string>
#include <vector>

namespace phas::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out, err;
};

// Runs argv[0] (searched in PATH) with the current environment plus `env`
// (an empty value unsets a variable). Kills it after timeout_seconds.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         int timeout_seconds = 120,
                         const std::string& stdin_data = "");

class ChildProcess {
 public:
  // Starts argv in its own process group; output goes to `log_path`.
  ChildProcess(const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env,
               const std::string& log_path);
  ~ChildProcess();  // SIGTERM to the group, then SIGKILL
  int pid() const { return pid_; }
  bool Running();
  // SIGKILL now (a crash), and wait.
  void Kill9();
  // SIGTERM and wait; returns the exit code (-1 if signalled).
  int Terminate(int timeout_seconds = 10);

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
int FreePort();

// Finds an executable in PATH (plus the pyenv shims); "" when absent.
std::string FindExecutable(const std::string& name);

// The arguments of a headless Chromium run (1100 x 1400 window, no network
// of its own, its profile under `dir`); append --dump-dom or --screenshot
// and the URL.
std::vector<std::string> HeadlessChromiumArgs(const std::string& chromium,
                                              const std::string& dir);

// Screenshots `url` into `png` with `chromium_args` (above), then runs
// tests/integration/png_stats.py on it for `colors`: its JSON on stdout
// (exit_code 0), or the failure of either step (the screenshot's output in
// err when no PNG was written).
ProcessResult ScreenshotStats(std::vector<std::string> chromium_args,
                              const std::string& url, const std::string& png,
                              const std::vector<std::string>& colors);

}  // namespace phas::testing

#endif  // PHAS_TESTS_INTEGRATION_PROCESS_UTIL_H_
