// HttpServer: a small HTTP/1.1 server for phas's JSON APIs and /metrics.
//
// Event-driven: a fixed pool of worker threads, each with its own epoll set,
// share one listening socket (EPOLLEXCLUSIVE), so a few threads serve many
// keep-alive connections without a thread per connection. Requests are
// parsed in place from the connection buffer; pipelining is supported.
//
// What it accepts, on purpose, is narrow: HTTP/1.0 and 1.1, bodies framed by
// Content-Length only (chunked request bodies get 411), bounded header and
// body sizes (431, 413), header and idle timeouts against slow clients. Every
// malformed request is answered with a 4xx JSON body {"error", "field"} and
// the connection is closed; nothing a client sends can produce a 5xx.
//
// Thread-safety: Start/Stop/Wait from one controlling thread. The handler is
// called concurrently from all worker threads and must be thread-safe.
#ifndef PHAS_HTTP_HTTP_SERVER_H_
#define PHAS_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"

namespace phas {

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
  // A connection that sent part of a request must finish it within this.
  // Default: 10 s.
  int request_timeout_seconds = 10;
  // An idle keep-alive connection is closed after this. Default: 60 s.
  int idle_timeout_seconds = 60;
  // Connections beyond this are accepted and closed at once. Default: 10000.
  int max_connections = 10000;
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

  // Formats {"error": message, "field": field-or-null}.
  static std::string ErrorBody(std::string_view message,
                               std::string_view field = {});
  static const char* ReasonPhrase(int status);

 private:
  struct Worker;
  void RunWorker(Worker* w);

  HttpServerOptions options_;
  HttpHandler handler_;
  HttpObserver observer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace phas

#endif  // PHAS_HTTP_HTTP_SERVER_H_
