#include "http/http_worker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

#include "common/text.h"
#include "http/http_parser.h"

namespace phas::http_internal {

std::string HostName(std::string_view host) {
  std::string name = AsciiLower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

bool HostReachesLoopback(std::string_view host, std::string_view listen_name) {
  while (!host.empty() && (host.back() == ' ' || host.back() == '\t')) {
    host.remove_suffix(1);
  }
  if (host.empty()) return true;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    in6_addr v6;
    return ::inet_pton(AF_INET6, std::string(host.substr(1, close - 1)).c_str(),
                       &v6) == 1;
  }
  const std::string name = HostName(host.substr(0, host.find(':')));
  in_addr v4;
  return name == "localhost" || (!name.empty() && name == listen_name) ||
         ::inet_pton(AF_INET, name.c_str(), &v4) == 1;
}
namespace {

using Phase = Connection::Phase;
using std::chrono::seconds;

// Formats the HTTP Date header value (wall time) at most once a second.
void UpdateDate(char* date, size_t size, time_t* last) {
  time_t t = ::time(nullptr);
  if (t == *last) return;
  *last = t;
  struct tm tm;
  ::gmtime_r(&t, &tm);
  ::strftime(date, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

// Appends the answer to `req` (nullptr: a request that could not be read).
// A HEAD answer's Content-Length is the body's, as a GET's would be (RFC 9110
// section 9.3.2); its body bytes are not sent, whatever the handler put there:
// a client reads no body after a HEAD answer and would take them for the
// start of the next answer. An HTTP/1.0 client keeps the connection only if
// the answer says "Connection: keep-alive" (RFC 9112 section 9.3); an
// HTTP/1.1 one unless it says "close".
void AppendResponse(const HttpResponse& resp, const HttpRequest* req,
                    const char* date, bool keep_alive, std::string* out) {
  std::string& o = *out;
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
  if (!keep_alive) {
    o.append("Connection: close\r\n");
  } else if (req != nullptr && req->version_minor == 0) {
    o.append("Connection: keep-alive\r\n");
  }
  o.append("\r\n");
  if (req == nullptr || req->method != "HEAD") o.append(resp.body);
}

// Writes as much pending output as the socket takes. Returns the bytes
// written, or -1 when the connection failed and must be closed.
ssize_t Flush(Connection* c) {
  ssize_t sent = 0;
  while (c->pending() > 0) {
    ssize_t n =
        ::send(c->fd, c->out.data() + c->out_off, c->pending(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    c->out_off += static_cast<size_t>(n);
    sent += n;
  }
  if (c->pending() == 0) {
    c->out.clear();
    c->out_off = 0;
  } else if (c->out_off > c->out.size() / 2) {
    c->out.erase(0, c->out_off);
    c->out_off = 0;
  }
  return sent;
}

}  // namespace

Worker::~Worker() {
  for (Connection* c : conns_) {
    ::close(c->fd);
    if (c->phase == Phase::kLingering) s_->lingering.fetch_sub(1);
    if (c->read_paused) s_->read_paused.fetch_sub(1);
    s_->connections.fetch_sub(1);
    delete c;
  }
  if (spare_fd_ >= 0) ::close(spare_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

// A descriptor held to be freed when the table is full: an eventfd, which
// needs no path (a chroot or a scratch image may have no /dev/null).
int Worker::NewSpare() { return ::eventfd(0, EFD_CLOEXEC); }

Status Worker::Init() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    return Status::IoError("epoll_create1: " +
                           std::string(std::strerror(errno)));
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    return Status::IoError("eventfd: " + std::string(std::strerror(errno)));
  }
  // The spare descriptor (ShedOneConnection): without one the worker only
  // pauses accepting when the table is full.
  spare_fd_ = NewSpare();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = nullptr;  // nullptr marks the listening socket
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s_->listen_fd, &ev) != 0) {
    return Status::IoError("epoll_ctl(listen): " +
                           std::string(std::strerror(errno)));
  }
  epoll_event wev{};
  wev.events = EPOLLIN;
  wev.data.ptr = this;  // the worker itself marks its wake-up fd
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wev) != 0) {
    return Status::IoError("epoll_ctl(eventfd): " +
                           std::string(std::strerror(errno)));
  }
  return Status::OK();
}

void Worker::Wake() {
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void Worker::Run() {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  const int interval_ms = std::max(1, s_->options.timer_interval_ms);
  const auto interval = std::chrono::milliseconds(interval_ms);
  TimePoint last_check = s_->clock->Now();
  while (!s_->stopping.load(std::memory_order_relaxed)) {
    int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, interval_ms);
    if (n < 0 && errno != EINTR) break;
    // Paused for want of a descriptor: look again once per wait (another
    // connection's event or the timer interval), not in a loop.
    if (accept_paused_) ResumeAccepting();
    TimePoint now = s_->clock->Now();
    UpdateDate(date_, sizeof(date_), &date_second_);
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == this) {  // wake-up: the loop condition sees stopping
        uint64_t v;
        ssize_t ignored = ::read(wake_fd_, &v, sizeof(v));
        (void)ignored;
      } else if (tag == nullptr) {
        Accept(now);
      } else {
        OnEvent(static_cast<Connection*>(tag), events[i].events, now);
      }
    }
    if (now - last_check >= interval) {
      last_check = now;
      CheckTimeouts(now);
    }
  }
}

void Worker::Accept(TimePoint now) {
  while (true) {
    int cfd = ::accept4(s_->listen_fd, nullptr, nullptr,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EINTR) continue;
      if (errno == EMFILE || errno == ENFILE) {
        if (ShedOneConnection()) continue;
        PauseAccepting();
      }
      break;
    }
    if (s_->connections.load(std::memory_order_relaxed) >=
        s_->options.max_connections) {
      ::close(cfd);
      continue;
    }
    int one = 1;
    ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto* c = new Connection();
    c->fd = cfd;
    c->last_activity = now;
    c->events = EPOLLIN | EPOLLRDHUP;
    epoll_event ev{};
    ev.events = c->events;
    ev.data.ptr = c;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cfd, &ev);
    conns_.insert(c);
    s_->connections.fetch_add(1, std::memory_order_relaxed);
  }
}

bool Worker::ShedOneConnection() {
  if (spare_fd_ < 0) return false;
  ::close(spare_fd_);
  int cfd = ::accept4(s_->listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (cfd >= 0) ::close(cfd);
  // Another thread may take the descriptor first: then no spare, and the
  // next EMFILE pauses accepting instead.
  spare_fd_ = NewSpare();
  return cfd >= 0;
}

void Worker::PauseAccepting() {
  if (accept_paused_) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s_->listen_fd, nullptr);
  accept_paused_ = true;
}

void Worker::ResumeAccepting() {
  if (spare_fd_ < 0) spare_fd_ = NewSpare();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = nullptr;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s_->listen_fd, &ev) == 0) {
    accept_paused_ = false;
  }
}

void Worker::OnEvent(Connection* c, uint32_t events, TimePoint now) {
  // EPOLLHUP while lingering is the client's FIN after our shutdown: read
  // what it sent before it, so that the close does not reset.
  if ((events & EPOLLERR) ||
      ((events & EPOLLHUP) && c->phase != Phase::kLingering)) {
    Close(c);
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && !ReadInput(c, now)) {
    Close(c);
    return;
  }
  if (!Advance(c, now)) Close(c);
}

bool Worker::WantsInput(const Connection* c) const {
  const HttpServerOptions& o = s_->options;
  return c->phase == Phase::kOpen && !c->peer_closed &&
         c->pending() < o.max_pending_output_bytes &&
         c->unparsed() < o.max_header_bytes + o.max_body_bytes;
}

bool Worker::ReadInput(Connection* c, TimePoint now) {
  const HttpServerOptions& o = s_->options;
  char buf[16384];
  while (!c->peer_closed) {
    bool keep = c->phase == Phase::kOpen;
    size_t room = sizeof(buf);
    if (keep) {
      if (!WantsInput(c)) break;
      room =
          std::min(room, o.max_header_bytes + o.max_body_bytes - c->unparsed());
    }
    ssize_t r = ::recv(c->fd, buf, room, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    if (r == 0) {
      c->peer_closed = true;
      break;
    }
    s_->bytes_received.fetch_add(static_cast<uint64_t>(r),
                                 std::memory_order_relaxed);
    if (keep) {
      if (c->unparsed() == 0) c->request_start = now;
      c->in.append(buf, static_cast<size_t>(r));
      c->last_activity = now;
    } else {
      c->discarded += static_cast<size_t>(r);
      // Only an error's lingering close waits on the client's bytes; after
      // a plain "Connection: close" they do not keep the connection open.
      if (c->linger) c->last_activity = now;
      if (c->discarded > o.lingering_max_bytes) return false;
    }
    if (static_cast<size_t>(r) < room) break;  // drained, most likely
  }
  NoteBuffered(c);
  return true;
}

void Worker::Process(Connection* c, TimePoint now) {
  const HttpServerOptions& o = s_->options;
  while (c->phase == Phase::kOpen &&
         c->pending() < o.max_pending_output_bytes && c->unparsed() > 0) {
    // Empty lines before a request are ignored (RFC 9112 section 2.2) and
    // begin none: the CRLF some clients send after a POST body would
    // otherwise be a request not completed in time, and the idle
    // connection would get a 408 that its next request reads as its answer.
    while (c->unparsed() >= 2 && c->in[c->in_off] == '\r' &&
           c->in[c->in_off + 1] == '\n') {
      c->in_off += 2;
    }
    if (c->unparsed() == 0) break;
    std::string_view avail(c->in.data() + c->in_off, c->unparsed());
    ParsedHead head =
        ParseRequestHead(avail, o.max_header_bytes, o.max_body_bytes, &c->req);
    if (head.state == ParsedHead::State::kIncomplete) break;
    if (head.state == ParsedHead::State::kError) {
      AnswerError(c, head.error_status, head.error_message, head.error_field,
                  now);
      return;
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
    HttpResponse resp;
    TimePoint t0 = s_->clock->Now();
    if (s_->loopback_only &&
        !HostReachesLoopback(c->req.Header("host"), s_->listen_name)) {
      resp.status = 421;
      resp.body = HttpServer::ErrorBody(
          "this server listens on a loopback address and answers requests "
          "that name it by address or as localhost",
          "Host");
    } else {
      try {
        s_->handler(c->req, resp);
      } catch (...) {
        resp = HttpResponse();
        resp.status = 500;
        resp.body = HttpServer::ErrorBody("internal error");
      }
    }
    if (resp.close) keep_alive = false;
    AppendResponse(resp, &c->req, date_, keep_alive, &c->out);
    if (s_->observer) {
      s_->observer(c->req.path, resp.status,
                   Seconds(s_->clock->Now() - t0).count());
    }
    c->in_off += total;
    if (c->unparsed() > 0) c->request_start = now;  // the next one began
    if (!keep_alive) {
      c->phase = Phase::kClosing;
      c->closing_since = now;
    }
  }
  // Compact the input buffer; after the last answer nothing more is parsed.
  if (c->in_off == c->in.size() || c->phase != Phase::kOpen) {
    c->in.clear();
    c->in_off = 0;
  } else if (c->in_off > 0 && c->in_off > c->in.size() / 2) {
    c->in.erase(0, c->in_off);
    c->in_off = 0;
  }
}

void Worker::AnswerError(Connection* c, int status, const std::string& message,
                         const std::string& field, TimePoint now) {
  HttpResponse resp;
  resp.status = status;
  resp.body = HttpServer::ErrorBody(message, field);
  // A HEAD request that could not be read (a 400 in its headers, a 413, a
  // 408) gets no body either: its client reads none.
  HttpRequest head;
  head.method = "HEAD";
  const bool is_head =
      std::string_view(c->in).substr(c->in_off).starts_with("HEAD ");
  AppendResponse(resp, is_head ? &head : nullptr, date_, false, &c->out);
  c->phase = Phase::kClosing;
  c->linger = true;
  c->closing_since = now;
  c->last_activity = now;
  c->in.clear();
  c->in_off = 0;
  if (s_->observer) s_->observer({}, status, 0.0);
}

bool Worker::Advance(Connection* c, TimePoint now) {
  if (c->phase == Phase::kOpen) Process(c, now);
  ssize_t sent = Flush(c);
  if (sent < 0) return false;
  if (sent > 0) c->last_activity = now;
  if (c->pending() == 0) {
    if (c->phase == Phase::kClosing) {
      if (!c->linger || c->peer_closed) return false;
      // The answer is out: no more to send, but keep reading (and
      // discarding) until the client has seen it and stops sending.
      ::shutdown(c->fd, SHUT_WR);
      c->phase = Phase::kLingering;
      c->last_activity = now;
      s_->lingering.fetch_add(1, std::memory_order_relaxed);
    }
    if (c->peer_closed) return false;
  }
  UpdateInterest(c);
  NoteBuffered(c);
  return true;
}

void Worker::UpdateInterest(Connection* c) {
  uint32_t want = 0;
  bool paused = false;
  if (!c->peer_closed) {
    if (c->phase != Phase::kOpen || WantsInput(c)) {
      want |= EPOLLIN | EPOLLRDHUP;
    } else {
      // Leaving the bytes in the kernel makes TCP hold the client back.
      paused = true;
    }
  }
  if (c->pending() > 0) want |= EPOLLOUT;
  if (paused != c->read_paused) {
    c->read_paused = paused;
    s_->read_paused.fetch_add(paused ? 1 : -1, std::memory_order_relaxed);
  }
  if (want == c->events) return;
  c->events = want;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void Worker::NoteBuffered(const Connection* c) {
  size_t held = c->in.size() + c->out.size();
  if (held <= max_buffered_) return;
  max_buffered_ = held;
  uint64_t seen = s_->max_buffered.load(std::memory_order_relaxed);
  while (seen < held && !s_->max_buffered.compare_exchange_weak(
                            seen, held, std::memory_order_relaxed)) {
  }
}

void Worker::CheckTimeouts(TimePoint now) {
  const HttpServerOptions& o = s_->options;
  std::vector<Connection*> expired;
  std::vector<Connection*> late;  // a request not completed in time
  for (Connection* c : conns_) {
    bool lingering = c->phase == Phase::kLingering ||
                     (c->phase == Phase::kClosing && c->linger);
    if (lingering) {
      if (now - c->closing_since > seconds(o.lingering_time_seconds) ||
          now - c->last_activity > seconds(o.lingering_timeout_seconds)) {
        expired.push_back(c);
      }
    } else if (c->phase == Phase::kOpen && c->unparsed() > 0) {
      if (now - c->request_start > seconds(o.request_timeout_seconds)) {
        late.push_back(c);
      }
    } else if (now - c->last_activity > seconds(o.idle_timeout_seconds)) {
      expired.push_back(c);
    }
  }
  for (Connection* c : expired) Close(c);
  for (Connection* c : late) {
    if (c->pending() == 0) {
      // Tell a slow client why; the lingering close lets it read this.
      AnswerError(c, 408, "request not completed in time", "", now);
      if (Advance(c, now)) continue;
    }
    Close(c);
  }
}

void Worker::Close(Connection* c) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  if (c->phase == Phase::kLingering) {
    s_->lingering.fetch_sub(1, std::memory_order_relaxed);
  }
  if (c->read_paused) s_->read_paused.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(c);
  delete c;
  s_->connections.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace phas::http_internal
