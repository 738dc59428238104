// Telling systemd how a Type=notify service is doing (sd_notify(3), through
// libsystemd): READY=1 once the service works, WATCHDOG=1 while it is alive,
// STOPPING=1 when it leaves. The units in deploy/ are Type=notify with
// WatchdogSec=, so systemd restarts a phas that stopped cycling or serving.
//
// Everything here is a no-op when NOTIFY_SOCKET is unset (phas started by
// hand, in tests, or by a Type=simple unit): the environment is read at each
// call, as sd_notify does.
//
// Thread-safety: the free functions may be called from any thread.
// WatchdogThread runs its check on a thread of its own; construct and
// destroy it from one thread.
#ifndef PHAS_COMMON_SYSTEMD_NOTIFY_H_
#define PHAS_COMMON_SYSTEMD_NOTIFY_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace phas {

// The states phas sends (sd_notify(3)).
inline constexpr char kNotifyReady[] = "READY=1";
inline constexpr char kNotifyWatchdog[] = "WATCHDOG=1";
inline constexpr char kNotifyStopping[] = "STOPPING=1";

// Sends `state` (newline-separated VAR=value lines) to $NOTIFY_SOCKET.
// Returns true when sent, false when NOTIFY_SOCKET is unset, and an
// Unavailable error naming the socket when it cannot be reached.
Result<bool> SystemdNotify(const std::string& state);

// SystemdNotify, with a failure logged as a warning (once per process, so a
// per-cycle WATCHDOG=1 to a broken socket does not flood the log) instead of
// returned: for callers whose work must go on either way.
void SystemdNotifyOrWarn(const std::string& state);

// "READY=1" plus a STATUS= line (what `systemctl status` shows).
std::string ReadyState(const std::string& status);

// The watchdog timeout systemd asked for (WatchdogSec=, passed as
// WATCHDOG_USEC and WATCHDOG_PID), or zero when there is none or it is meant
// for another process.
std::chrono::microseconds SystemdWatchdogTimeout();

// Makes sure the watchdog timeout is at least `at_least`: when a watchdog is
// on and shorter, asks systemd for `at_least` instead (WATCHDOG_USEC=,
// systemd 236 and later) and returns the new timeout; otherwise returns the
// current one (zero: no watchdog). A loop that pings once per cycle calls it
// with a few of its intervals, so a long configured interval is not taken for
// a hang.
std::chrono::microseconds EnsureWatchdogTimeout(
    std::chrono::microseconds at_least);

// Pings the watchdog from a thread of its own: every `period`, calls
// `healthy` and sends WATCHDOG=1 when it returns true. A service whose check
// fails is not pinged, so systemd restarts it once the watchdog timeout has
// passed. Stops (and joins) on destruction.
class WatchdogThread {
 public:
  WatchdogThread(std::chrono::milliseconds period,
                 std::function<bool()> healthy);
  ~WatchdogThread();
  WatchdogThread(const WatchdogThread&) = delete;
  WatchdogThread& operator=(const WatchdogThread&) = delete;

  // One check and, when healthy, one WATCHDOG=1; returns whether it was
  // healthy. The thread calls it every period; tests call it directly.
  bool Tick();

 private:
  void Run();

  std::chrono::milliseconds period_;
  std::function<bool()> healthy_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace phas

#endif  // PHAS_COMMON_SYSTEMD_NOTIFY_H_
