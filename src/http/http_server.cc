#include "http/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "http/http_parser.h"

namespace phas {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Output beyond this stops the parsing of further pipelined requests until
// the peer reads what it was sent.
constexpr size_t kMaxPendingOutput = 4u << 20;

struct Connection {
  int fd = -1;
  std::string in;
  size_t in_off = 0;  // start of unparsed input
  std::string out;
  size_t out_off = 0;
  bool close_after_write = false;
  bool sent_continue = false;
  bool want_write = false;
  SteadyClock::time_point last_activity;
  HttpRequest req;  // reused to keep its header vector's capacity
};

}  // namespace

struct HttpServer::Worker {
  int epoll_fd = -1;
  int wake_fd = -1;
  std::unordered_set<Connection*> conns;
  char date[64] = {0};
  time_t date_second = 0;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler,
                       HttpObserver observer)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      observer_(std::move(observer)) {}

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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status HttpServer::Start() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_str = std::to_string(options_.port);
  int rc = ::getaddrinfo(options_.host.c_str(), port_str.c_str(), &hints, &res);
  std::string where = options_.host + ":" + port_str;
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
  listen_fd_ = fd;

  int n = options_.threads > 0
              ? options_.threads
              : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = nullptr;  // nullptr marks the listening socket
    ::epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, listen_fd_, &ev);
    epoll_event wev{};
    wev.events = EPOLLIN;
    wev.data.ptr = w.get();  // the worker itself marks its wake-up fd
    ::epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &wev);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) {
    Worker* wp = w.get();
    threads_.emplace_back([this, wp] { RunWorker(wp); });
  }
  return Status::OK();
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& w : workers_) {
    uint64_t one = 1;
    ssize_t ignored = ::write(w->wake_fd, &one, sizeof(one));
    (void)ignored;
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  for (auto& w : workers_) {
    for (Connection* c : w->conns) {
      ::close(c->fd);
      delete c;
    }
    w->conns.clear();
    ::close(w->wake_fd);
    ::close(w->epoll_fd);
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

namespace {

// Formats the HTTP Date header value at most once a second.
void UpdateDate(char* date, size_t size, time_t* last) {
  time_t t = ::time(nullptr);
  if (t == *last) return;
  *last = t;
  struct tm tm;
  ::gmtime_r(&t, &tm);
  ::strftime(date, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void AppendResponse(Connection* c, const HttpResponse& resp, const char* date,
                    bool keep_alive) {
  std::string& o = c->out;
  fmt::format_to(std::back_inserter(o), "HTTP/1.1 {} {}\r\n", resp.status,
                 HttpServer::ReasonPhrase(resp.status));
  if (!resp.content_type.empty()) {
    o.append("Content-Type: ").append(resp.content_type).append("\r\n");
  }
  fmt::format_to(std::back_inserter(o), "Content-Length: {}\r\n",
                 resp.body.size());
  bool has_date = false;
  for (const auto& [k, v] : resp.headers) {
    o.append(k).append(": ").append(v).append("\r\n");
    has_date = has_date || EqualsIgnoreCase(k, "date");
  }
  if (!has_date) o.append("Date: ").append(date).append("\r\n");
  if (!keep_alive) o.append("Connection: close\r\n");
  o.append("\r\n");
  o.append(resp.body);
}

// Writes as much pending output as the socket takes. Returns false when the
// connection failed and must be closed.
bool Flush(Connection* c) {
  while (c->out_off < c->out.size()) {
    ssize_t n = ::send(c->fd, c->out.data() + c->out_off,
                       c->out.size() - c->out_off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      return false;
    }
    c->out_off += static_cast<size_t>(n);
  }
  c->out.clear();
  c->out_off = 0;
  return true;
}

}  // namespace

void HttpServer::RunWorker(Worker* w) {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  auto last_sweep = SteadyClock::now();
  UpdateDate(w->date, sizeof(w->date), &w->date_second);

  auto close_conn = [&](Connection* c) {
    ::epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, c->fd, nullptr);
    ::close(c->fd);
    w->conns.erase(c);
    delete c;
    connections_.fetch_sub(1, std::memory_order_relaxed);
  };

  auto set_write_interest = [&](Connection* c, bool want) {
    if (c->want_write == want) return;
    c->want_write = want;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
    ev.data.ptr = c;
    ::epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
  };

  // Parses and answers every complete request in c->in. Returns false when
  // the connection must be closed now.
  auto process = [&](Connection* c) -> bool {
    while (!c->close_after_write && c->out.size() < kMaxPendingOutput) {
      std::string_view avail(c->in.data() + c->in_off,
                             c->in.size() - c->in_off);
      if (avail.empty()) break;
      ParsedHead head = ParseRequestHead(avail, options_.max_header_bytes,
                                         options_.max_body_bytes, &c->req);
      if (head.state == ParsedHead::State::kIncomplete) break;
      HttpResponse resp;
      auto t0 = SteadyClock::now();
      if (head.state == ParsedHead::State::kError) {
        resp.status = head.error_status;
        resp.body = ErrorBody(head.error_message, head.error_field);
        AppendResponse(c, resp, w->date, false);
        c->close_after_write = true;
        if (observer_) observer_({}, resp.status, 0.0);
        break;
      }
      size_t total = head.head_length + head.body_length;
      if (avail.size() < total) {
        if (head.expect_continue && !c->sent_continue) {
          c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
          c->sent_continue = true;
        }
        // Reserve once so a large body is not copied repeatedly.
        if (c->in.capacity() < c->in_off + total) {
          c->in.reserve(c->in_off + total);
        }
        break;
      }
      c->sent_continue = false;
      c->req.body = avail.substr(head.head_length, head.body_length);
      bool keep_alive = head.keep_alive;
      try {
        handler_(c->req, resp);
      } catch (...) {
        resp = HttpResponse();
        resp.status = 500;
        resp.body = ErrorBody("internal error");
      }
      if (resp.close) keep_alive = false;
      AppendResponse(c, resp, w->date, keep_alive);
      if (observer_) {
        double secs =
            std::chrono::duration<double>(SteadyClock::now() - t0).count();
        observer_(c->req.path, resp.status, secs);
      }
      c->in_off += total;
      if (!keep_alive) c->close_after_write = true;
    }
    // Compact the input buffer.
    if (c->in_off == c->in.size()) {
      c->in.clear();
      c->in_off = 0;
    } else if (c->in_off > 0 && c->in_off > c->in.size() / 2) {
      c->in.erase(0, c->in_off);
      c->in_off = 0;
    }
    if (!Flush(c)) return false;
    if (c->out.empty() && c->close_after_write) return false;
    set_write_interest(c, !c->out.empty());
    return true;
  };

  while (!stopping_.load(std::memory_order_relaxed)) {
    int n = ::epoll_wait(w->epoll_fd, events, kMaxEvents, 1000);
    auto now = SteadyClock::now();
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == w) continue;  // wake-up: the loop condition sees stopping_
      if (tag == nullptr) {    // listening socket
        while (true) {
          int cfd = ::accept4(listen_fd_, nullptr, nullptr,
                              SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          if (connections_.load(std::memory_order_relaxed) >=
              options_.max_connections) {
            ::close(cfd);
            continue;
          }
          int one = 1;
          ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          auto* c = new Connection();
          c->fd = cfd;
          c->last_activity = now;
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.ptr = c;
          ::epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, cfd, &ev);
          w->conns.insert(c);
          connections_.fetch_add(1, std::memory_order_relaxed);
        }
        continue;
      }
      auto* c = static_cast<Connection*>(tag);
      uint32_t evs = events[i].events;
      bool alive = true;
      if (evs & (EPOLLERR | EPOLLHUP)) alive = false;
      if (alive && (evs & EPOLLOUT)) {
        alive = Flush(c);
        if (alive && c->out.empty()) {
          if (c->close_after_write) {
            alive = false;
          } else {
            alive = process(c);  // resume pipelined requests
          }
        }
      }
      if (alive && (evs & (EPOLLIN | EPOLLRDHUP))) {
        bool eof = false;
        char buf[16384];
        while (true) {
          ssize_t r = ::recv(c->fd, buf, sizeof(buf), 0);
          if (r > 0) {
            if (!c->close_after_write)
              c->in.append(buf, static_cast<size_t>(r));
            if (static_cast<size_t>(r) < sizeof(buf)) break;
            continue;
          }
          if (r == 0)
            eof = true;
          else if (errno == EINTR)
            continue;
          else if (errno != EAGAIN && errno != EWOULDBLOCK)
            eof = true;
          break;
        }
        c->last_activity = now;
        alive = process(c);
        if (alive && eof && c->out.empty()) alive = false;
      }
      if (!alive) close_conn(c);
    }
    if (now - last_sweep >= std::chrono::seconds(1)) {
      last_sweep = now;
      UpdateDate(w->date, sizeof(w->date), &w->date_second);
      std::vector<Connection*> expired;
      for (Connection* c : w->conns) {
        bool partial = c->in.size() > c->in_off;
        auto limit =
            std::chrono::seconds(partial ? options_.request_timeout_seconds
                                         : options_.idle_timeout_seconds);
        if (now - c->last_activity > limit) expired.push_back(c);
      }
      for (Connection* c : expired) {
        if (c->in.size() > c->in_off && c->out.empty()) {
          // Tell a slow client why, best effort, then close.
          HttpResponse resp;
          resp.status = 408;
          resp.body = ErrorBody("request not completed in time");
          AppendResponse(c, resp, w->date, false);
          Flush(c);
          if (observer_) observer_({}, 408, 0.0);
        }
        close_conn(c);
      }
    }
  }
}

}  // namespace phas
