#include "http/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.h"
#include "common/json_util.h"
#include "http/http_worker.h"

namespace phas {
namespace {

// The default time source: monotonic, so that a step of the wall clock
// neither expires every connection at once nor keeps them open.
class MonotonicClock final : public Clock {
 public:
  TimePoint Now() const override {
    return TimePoint(std::chrono::duration_cast<Duration>(
        std::chrono::steady_clock::now().time_since_epoch()));
  }
  void SleepFor(Duration d) override { std::this_thread::sleep_for(d); }
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler,
                       HttpObserver observer)
    : state_(std::make_unique<http_internal::ServerState>()) {
  state_->options = std::move(options);
  state_->handler = std::move(handler);
  state_->observer = std::move(observer);
  state_->clock = state_->options.clock;
  if (state_->clock == nullptr) {
    default_clock_ = std::make_unique<MonotonicClock>();
    state_->clock = default_clock_.get();
  }
}

HttpServer::~HttpServer() { Stop(); }

const char* HttpServer::ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string HttpServer::ErrorBody(std::string_view message,
                                  std::string_view field) {
  nlohmann::json j;
  j["error"] = std::string(message);
  if (field.empty()) {
    j["field"] = nullptr;
  } else {
    j["field"] = std::string(field);
  }
  return DumpJson(j);
}

Status HttpServer::Start() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const HttpServerOptions& options = state_->options;
  std::string port_str = std::to_string(options.port);
  int rc = ::getaddrinfo(options.host.c_str(), port_str.c_str(), &hints, &res);
  std::string where = options.host + ":" + port_str;
  if (rc != 0) {
    return Status::InvalidArgument("cannot resolve listen address " + where +
                                   ": " + ::gai_strerror(rc));
  }
  int fd =
      ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    return Status::IoError("socket: " + std::string(std::strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
    int err = errno;
    ::freeaddrinfo(res);
    ::close(fd);
    return Status::Unavailable(
        "cannot bind " + where + ": " + std::strerror(err), false);
  }
  ::freeaddrinfo(res);
  if (::listen(fd, 1024) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IoError("listen on " + where + ": " + std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = bound.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  state_->loopback_only =
      bound.ss_family == AF_INET6
          ? IN6_IS_ADDR_LOOPBACK(
                &reinterpret_cast<sockaddr_in6*>(&bound)->sin6_addr)
          : (ntohl(reinterpret_cast<sockaddr_in*>(&bound)->sin_addr.s_addr) >>
             24) == 127;
  state_->listen_name = http_internal::HostName(options.host);
  state_->listen_fd = fd;

  int n = options.threads > 0
              ? options.threads
              : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<http_internal::Worker>(state_.get());
    Status st = w->Init();
    if (!st.ok()) {
      workers_.clear();
      ::close(fd);
      state_->listen_fd = -1;
      return st;
    }
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) {
    http_internal::Worker* wp = w.get();
    threads_.emplace_back([wp] { wp->Run(); });
  }
  return Status::OK();
}

void HttpServer::Stop() {
  if (state_->stopping.exchange(true)) return;
  for (auto& w : workers_) w->Wake();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();  // closes their connections
  if (state_->listen_fd >= 0) ::close(state_->listen_fd);
  state_->listen_fd = -1;
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats st;
  st.open_connections = state_->connections.load();
  st.lingering_connections = state_->lingering.load();
  st.read_paused_connections = state_->read_paused.load();
  st.bytes_received = state_->bytes_received.load();
  st.max_connection_buffered_bytes = state_->max_buffered.load();
  return st;
}

}  // namespace phas
