// HttpServer: a small HTTP/1.1 server for phas's JSON APIs and /metrics.
//
// Event-driven: a fixed pool of worker threads, each with its own epoll set,
// share one listening socket (EPOLLEXCLUSIVE), so a few threads serve many
// keep-alive connections without a thread per connection. Requests are
// parsed in place from the connection buffer; pipelining is supported.
//
// What it accepts, on purpose, is narrow: HTTP/1.0 and 1.1, bodies framed by
// Content-Length only (chunked request bodies get 411), bounded header and
// body sizes (431, 413), request and idle timeouts against slow clients. Every
// malformed request is answered with a 4xx JSON body {"error", "field"} and
// the connection is closed; nothing a client sends can produce a 5xx.
//
// Closing after an error is a lingering close (as nginx's): once the answer
// is sent the server shuts down its write side and reads and discards what
// the client still sends, for a bounded time and size, before it closes. A
// client that sent a large body in one go therefore reads the 413 instead of
// a reset (closing a socket with unread input makes the kernel send RST).
//
// Memory per connection is bounded: a connection is not read while its
// pending output is over max_pending_output_bytes (a pipelining client that
// never reads is held back by TCP flow control), and its unparsed input is at
// most max_header_bytes + max_body_bytes.
//
// Timeouts are measured on an injectable Clock (HttpServerOptions::clock), so
// tests drive them with a ManualClock.
//
// Thread-safety: Start/Stop from one controlling thread; stats() from any.
// The handler is called concurrently from all worker threads and must be
// thread-safe.
#ifndef PHAS_HTTP_HTTP_SERVER_H_
#define PHAS_HTTP_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"

namespace phas {

class Clock;
namespace http_internal {
struct ServerState;
class Worker;
}  // namespace http_internal

struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

// A parsed request. The views point into the connection's buffer and are
// valid only during the handler call.
struct HttpRequest {
  std::string_view method;
  std::string_view target;  // as sent: path plus optional "?query"
  std::string_view path;
  std::string_view query;
  std::string_view body;
  int version_minor = 1;  // HTTP/1.<minor>
  std::vector<HttpHeader> headers;

  // Value of the first header with this name (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;  // close the connection after this response
};

// Answers a request. A HEAD request is answered as its GET would be: the
// server sends the answer's head, with the body's Content-Length, and not
// the body.
using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Called after every response, including those the server itself generates
// for malformed requests (then `path` is empty). `seconds` is the time from a
// complete request to its response being queued.
using HttpObserver =
    std::function<void(std::string_view path, int status, double seconds)>;

struct HttpServerOptions {
  // Address to bind. Default: loopback only.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one (see HttpServer::port()). Default: 8000.
  int port = 8000;
  // Worker threads; 0 means one per CPU. Default: 0.
  int threads = 0;
  // Request line plus headers. Larger: 431. Default: 16 KiB.
  size_t max_header_bytes = 16 * 1024;
  // Request body. Larger: 413 before the body is read. Default: 1 MiB.
  size_t max_body_bytes = 1024 * 1024;
  // A request must be complete (head and body) within this from its first
  // byte; otherwise 408. Default: 10 s.
  int request_timeout_seconds = 10;
  // An idle keep-alive connection (no request pending, no byte read or
  // written) is closed after this. Default: 60 s.
  int idle_timeout_seconds = 60;
  // Connections beyond this are accepted and closed at once, as are those
  // that find the process's descriptor table full (EMFILE). Default: 10000.
  int max_connections = 10000;
  // Responses queued for a connection beyond this stop the reading and
  // parsing of its further (pipelined) requests until the client reads them.
  // Default: 4 MiB.
  size_t max_pending_output_bytes = 4u << 20;
  // Lingering close after an error answer: the connection is closed once the
  // client has sent nothing for lingering_timeout_seconds, once
  // lingering_time_seconds have passed since the error (sending the answer
  // included), or once lingering_max_bytes have been discarded, whichever
  // comes first; or when the client closes. Defaults: 5 s, 30 s, 64 MiB.
  int lingering_timeout_seconds = 5;
  int lingering_time_seconds = 30;
  size_t lingering_max_bytes = 64u << 20;
  // Time source for the timeouts above and the observer's durations; not
  // owned, must outlive the server. nullptr: a monotonic clock
  // (std::chrono::steady_clock), which a wall-clock step cannot move.
  // Default: nullptr.
  Clock* clock = nullptr;
  // How often, in real milliseconds, each worker compares the timeouts with
  // the clock (tests with a ManualClock make it short). Default: 1000.
  int timer_interval_ms = 1000;
};

// Counters for monitoring and tests; a snapshot, each field read atomically.
struct HttpServerStats {
  int open_connections = 0;
  // Connections in a lingering close now.
  int lingering_connections = 0;
  // Connections not read now because their buffers are full (pending output
  // over max_pending_output_bytes): TCP flow control holds the client back.
  int read_paused_connections = 0;
  // Bytes read from clients, discarded ones included.
  uint64_t bytes_received = 0;
  // The most one connection has held in its input and output buffers at
  // once, since Start.
  uint64_t max_connection_buffered_bytes = 0;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler,
             HttpObserver observer = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the workers. Returns an error naming the
  // address when it cannot bind.
  Status Start();
  // The bound port (after Start).
  int port() const { return port_; }
  // Asks the workers to stop and joins them. Idempotent.
  void Stop();
  HttpServerStats stats() const;

  // Formats {"error": message, "field": field-or-null}.
  static std::string ErrorBody(std::string_view message,
                               std::string_view field = {});
  static const char* ReasonPhrase(int status);

 private:
  std::unique_ptr<Clock> default_clock_;
  std::unique_ptr<http_internal::ServerState> state_;
  int port_ = 0;
  std::vector<std::unique_ptr<http_internal::Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace phas

#endif  // PHAS_HTTP_HTTP_SERVER_H_
