// A deliberately dumb HTTP client over a raw socket, for tests that must send
// exactly the bytes they choose (malformed requests included).
#ifndef PHAS_TESTS_UNIT_RAW_HTTP_CLIENT_H_
#define PHAS_TESTS_UNIT_RAW_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace phas::testing {

struct RawResponse {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::string head;
  std::string body;
};

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n =
          ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response (head + Content-Length body), waiting up to timeout.
  // A response that does not start with a status line has status -1.
  RawResponse Read(int timeout_ms = 5000) { return ReadOne(timeout_ms, true); }

  // Reads the head of an answer to a HEAD request: Content-Length says what
  // a GET would have, and no body follows.
  RawResponse ReadHeadAnswer(int timeout_ms = 5000) {
    return ReadOne(timeout_ms, false);
  }

  // What was read past the last answer taken.
  const std::string& Buffered() const { return buf_; }

  // True when the peer closed the connection (reads EOF within timeout).
  bool ClosedByPeer(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[1024];
    return ::recv(fd_, tmp, sizeof(tmp), 0) <= 0;
  }

  // True when bytes (or EOF) from the peer wait to be read, within timeout.
  bool WaitReadable(int timeout_ms = 5000) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
  }

  // Shuts both directions down; a Send blocked in another thread returns.
  void Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

 private:
  // One response; with_body: read the Content-Length bytes after the head.
  RawResponse ReadOne(int timeout_ms, bool with_body) {
    RawResponse r;
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = buf_.substr(0, end + 4);
        size_t len = 0;
        size_t p = head.find("Content-Length: ");
        if (p != std::string::npos && with_body) {
          len = std::stoul(head.substr(p + 16));
        }
        if (buf_.size() >= end + 4 + len) {
          r.head = head;
          r.body = buf_.substr(end + 4, len);
          r.status = head.compare(0, 7, "HTTP/1.") == 0 && head.size() > 12 &&
                             std::isdigit(static_cast<unsigned char>(head[9]))
                         ? std::stoi(head.substr(9, 3))
                         : -1;
          buf_.erase(0, end + 4 + len);
          return r;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return r;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return r;
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n <= 0) return r;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  std::string buf_;
};

// Polls `done` until it holds or timeout_ms pass; returns its last value.
// For conditions that another thread (the server's) makes true.
inline bool WaitUntil(const std::function<bool()>& done,
                      int timeout_ms = 5000) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline std::string PostRequest(
    const std::string& path, const std::string& body,
    const std::string& extra_headers = "Content-Type: application/json\r\n") {
  return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_RAW_HTTP_CLIENT_H_
