#include "common/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace phas {

Result<bool> SystemdNotify(const std::string& state) {
  int r = sd_notify(/*unset_environment=*/0, state.c_str());
  if (r > 0) return true;
  if (r == 0) return false;
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return Status::Unavailable(std::string("sd_notify to NOTIFY_SOCKET=") +
                             (socket ? socket : "") + ": " + std::strerror(-r));
}

void SystemdNotifyOrWarn(const std::string& state) {
  static std::atomic<bool> warned{false};
  auto sent = SystemdNotify(state);
  if (!sent.ok() && !warned.exchange(true)) {
    spdlog::warn("{} (systemd may take phas for hung; warned once)",
                 sent.status().ToString());
  }
}

std::string ReadyState(const std::string& status) {
  std::string state = kNotifyReady;
  if (!status.empty()) state += "\nSTATUS=" + status;
  return state;
}

std::chrono::microseconds SystemdWatchdogTimeout() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) <= 0) {
    return std::chrono::microseconds::zero();
  }
  return std::chrono::microseconds(usec);
}

std::chrono::microseconds EnsureWatchdogTimeout(
    std::chrono::microseconds at_least) {
  std::chrono::microseconds now = SystemdWatchdogTimeout();
  if (now == std::chrono::microseconds::zero() || now >= at_least) return now;
  auto sent =
      SystemdNotify("WATCHDOG_USEC=" + std::to_string(at_least.count()));
  if (!sent.ok() || !*sent) {
    if (!sent.ok()) spdlog::warn("{}", sent.status().ToString());
    return now;
  }
  return at_least;
}

WatchdogThread::WatchdogThread(std::chrono::milliseconds period,
                               std::function<bool()> healthy)
    : period_(period), healthy_(std::move(healthy)) {
  thread_ = std::thread([this] { Run(); });
}

WatchdogThread::~WatchdogThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool WatchdogThread::Tick() {
  if (!healthy_()) {
    spdlog::warn("watchdog: health check failed, WATCHDOG=1 not sent");
    return false;
  }
  SystemdNotifyOrWarn(kNotifyWatchdog);
  return true;
}

void WatchdogThread::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    Tick();
    lock.lock();
  }
}

}  // namespace phas
