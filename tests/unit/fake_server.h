// FakeServer: a local HTTP endpoint for tests, built on phas's HttpServer.
// Records every request and answers through a handler the test provides.
//
// SocketServer: a loopback TCP listener with a thread per connection, for
// the faults a well-behaved HTTP server cannot produce (resets, silence,
// garbage); ScriptedSocketServer answers each request with the next step of
// a script. Thread-safe; stopped (connections shut down) on destruction.
#ifndef PHAS_TESTS_UNIT_FAKE_SERVER_H_
#define PHAS_TESTS_UNIT_FAKE_SERVER_H_

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/http_parser.h"
#include "http/http_server.h"
#include "test_util.h"

namespace phas::testing {

struct RecordedRequest {
  std::string method, path, query, body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string raw;  // the bytes as received (SocketServer only)
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // Value of a form field in an x-www-form-urlencoded body (not decoded).
  std::string Form(const std::string& key) const {
    return FormValue(body, key);
  }
};

inline RecordedRequest Record(const HttpRequest& q) {
  RecordedRequest rec;
  rec.method = std::string(q.method);
  rec.path = std::string(q.path);
  rec.query = std::string(q.query);
  rec.body = std::string(q.body);
  for (const auto& h : q.headers) {
    std::string name(h.name);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rec.headers[name] = std::string(h.value);
  }
  return rec;
}

class FakeServer {
 public:
  using Handler = std::function<void(const RecordedRequest&, HttpResponse&)>;

  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
    HttpServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    server_ = std::make_unique<HttpServer>(
        opts, [this](const HttpRequest& q, HttpResponse& r) {
          RecordedRequest rec = Record(q);
          {
            std::lock_guard<std::mutex> lock(mu_);
            requests_.push_back(rec);
          }
          r.content_type = "text/xml";
          handler_(rec, r);
        });
    Status started = server_->Start();
    if (!started.ok()) {
      ADD_FAILURE() << "fake server: " << started.ToString();
    }
  }
  ~FakeServer() { server_->Stop(); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  Handler handler_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

// Reads one request (head and Content-Length body) from `fd` into `out`;
// `buffer` carries bytes already read between calls on one connection.
// False at EOF, on a socket error or on a malformed request.
inline bool ReadRequest(int fd, std::string* buffer, RecordedRequest* out) {
  while (true) {
    HttpRequest q;
    ParsedHead head = ParseRequestHead(*buffer, 64 << 10, 16 << 20, &q);
    if (head.state == ParsedHead::State::kError) return false;
    if (head.state == ParsedHead::State::kComplete &&
        buffer->size() >= head.head_length + head.body_length) {
      q.body =
          std::string_view(*buffer).substr(head.head_length, head.body_length);
      *out = Record(q);
      size_t n = head.head_length + head.body_length;
      out->raw = buffer->substr(0, n);
      buffer->erase(0, n);
      return true;
    }
    char chunk[16384];
    ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(got));
  }
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// An HTTP/1.1 answer with a Content-Length body.
inline std::string HttpAnswer(int status, const std::string& body,
                              const std::string& content_type = "text/xml") {
  return "HTTP/1.1 " + std::to_string(status) +
         " Scripted\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// Makes the close() of `fd` send an RST instead of a FIN.
inline void ResetOnClose(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

// Blocks until the peer closes `fd` (or the server shuts it down).
inline void DrainUntilClosed(int fd) {
  char buf[4096];
  while (::recv(fd, buf, sizeof(buf), 0) > 0) {
  }
}

class SocketServer {
 public:
  // Serves one connection; the server closes `fd` when it returns.
  using Serve = std::function<void(int fd)>;

  explicit SocketServer(Serve serve) : serve_(std::move(serve)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~SocketServer() { Stop(); }
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  // Stops accepting, shuts every open connection down and joins the
  // connection threads. Idempotent.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    stop_cv_.notify_all();
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    std::list<Conn> conns;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns.swap(conns_);
    }
    for (Conn& c : conns) c.thread.join();
  }
  // 0 when the listener could not be set up.
  int port() const { return port_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  size_t connections() const { return accepted_.load(); }
  // Waits `d`, or less when the server stops; true when it stopped.
  bool WaitForStop(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return stop_cv_.wait_for(lock, d, [this] { return stopped_; });
  }

 private:
  struct Conn {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void AcceptLoop() {
    while (true) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) {
        ::close(fd);
        return;
      }
      ++accepted_;
      // Join the threads of connections that are over.
      for (auto it = conns_.begin(); it != conns_.end();) {
        if (it->done->load()) {
          it->thread.join();
          it = conns_.erase(it);
        } else {
          ++it;
        }
      }
      open_.insert(fd);
      auto done = std::make_shared<std::atomic<bool>>(false);
      conns_.push_back({std::thread([this, fd, done] {
                          serve_(fd);
                          {
                            std::lock_guard<std::mutex> l(mu_);
                            open_.erase(fd);
                            ::close(fd);
                          }
                          done->store(true);
                        }),
                        done});
    }
  }

  Serve serve_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<size_t> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
  std::set<int> open_;  // fds of open connections
  std::list<Conn> conns_;
};

// What a ScriptedSocketServer does with one request.
struct SocketStep {
  enum class Kind {
    kAnswer,         // a complete HTTP answer: `status`, `body`
    kReset,          // read the request, then RST
    kClose,          // read the request, then close without a byte (FIN)
    kHang,           // read the request, answer nothing until the client
                     // closes
    kPartialAnswer,  // headers promising more body than is sent, then FIN
    kNotHttp,        // a line of garbage instead of a status line, then FIN
  };
  SocketStep(Kind k, int s = 200, std::string b = "")  // NOLINT: implicit
      : kind(k), status(s), body(std::move(b)) {}
  Kind kind;
  int status;
  std::string body;
};

// Answers the i-th request (over all connections) with step i of the script;
// the last step repeats. Keeps connections alive after complete answers.
class ScriptedSocketServer {
 public:
  explicit ScriptedSocketServer(std::vector<SocketStep> script)
      : script_(std::move(script)), server_([this](int fd) { Serve(fd); }) {}
  std::string url() const { return server_.url(); }
  // Requests read so far.
  int count() const { return count_.load(); }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve(int fd) {
    std::string buffer;
    RecordedRequest req;
    while (ReadRequest(fd, &buffer, &req)) {
      SocketStep step = [&] {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
        return script_[std::min(requests_.size(), script_.size()) - 1];
      }();
      ++count_;
      using Kind = SocketStep::Kind;
      switch (step.kind) {
        case Kind::kAnswer:
          if (!SendAll(fd, HttpAnswer(step.status, step.body))) return;
          continue;
        case Kind::kReset:
          ResetOnClose(fd);
          return;
        case Kind::kClose:
          return;
        case Kind::kHang:
          DrainUntilClosed(fd);
          return;
        case Kind::kPartialAnswer:
          SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<Desc");
          return;
        case Kind::kNotHttp:
          SendAll(fd, "garbage instead of a status line\r\n\r\n");
          return;
      }
    }
  }

  std::vector<SocketStep> script_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  std::atomic<int> count_{0};
  SocketServer server_;  // last: stopped before the members it uses go
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_FAKE_SERVER_H_
