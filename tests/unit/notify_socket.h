// NotifySocket: the datagram socket systemd listens on for sd_notify, bound
// by a test at a path of its own, so the test reads what phas sends.
#ifndef PHAS_TESTS_UNIT_NOTIFY_SOCKET_H_
#define PHAS_TESTS_UNIT_NOTIFY_SOCKET_H_

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>

namespace phas::testing {

class NotifySocket {
 public:
  // Binds `path` (removed first, and again on destruction). ok() says
  // whether it worked; error() why not.
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.size() >= sizeof(addr.sun_path)) {
      error_ = "socket " + path_ + ": " + std::strerror(errno);
      return;
    }
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      error_ = "bind " + path_ + ": " + std::strerror(errno);
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // The next datagram, or nullopt when none arrives within `wait`.
  std::optional<std::string> Receive(
      std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return {};
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return {};
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  std::string error_;
  int fd_ = -1;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_NOTIFY_SOCKET_H_
