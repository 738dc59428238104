// Internals of HttpServer (http_server.h): the state the workers share and
// one worker's event loop over its connections. Not for use outside
// src/http.
//
// A connection goes through three phases:
//   kOpen       requests are read, parsed and answered (pipelining allowed);
//               reading pauses while the pending output is over its limit
//   kClosing    the last answer is queued (an error, or a response without
//               keep-alive); input is read and discarded until it is sent
//   kLingering  after an error only: the write side is shut down and input is
//               discarded until the client closes, pauses or sends too much
//
// Thread-safety: ServerState's atomics are shared by all workers and read by
// HttpServer::stats(); everything else in a Worker belongs to its thread
// (Wake may be called from any thread).
#ifndef PHAS_HTTP_HTTP_WORKER_H_
#define PHAS_HTTP_HTTP_WORKER_H_

#include <atomic>
#include <cstdint>
#include <ctime>
#include <string>
#include <unordered_set>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_server.h"

namespace phas::http_internal {

struct ServerState {
  HttpServerOptions options;
  HttpHandler handler;
  HttpObserver observer;
  Clock* clock = nullptr;
  int listen_fd = -1;
  // Bound to a loopback address: a request's Host must name it by address,
  // as localhost or by `listen_name` (HostReachesLoopback), or it is
  // refused (421).
  bool loopback_only = false;
  std::string listen_name;  // HostName(options.host), found once at Start
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::atomic<int> lingering{0};
  std::atomic<int> read_paused{0};
  std::atomic<uint64_t> bytes_received{0};
  std::atomic<uint64_t> max_buffered{0};
};

// Whether a Host header value names a loopback server the way a local
// client does: an IP address (v4, or v6 in brackets), "localhost", the
// name the server was told to listen on (`listen_host`: `--host vm`, where
// vm resolves to 127.0.1.1, is asked for as vm, by its own watchdog too),
// or nothing (no Host), with or without a port or a trailing dot. A name
// that resolves to 127.0.0.1 from elsewhere (DNS rebinding: a web page in
// the host's browser, its name now pointing here) is not, so the page
// cannot read /status or /metrics, nor post to /predict.
// `listen_name` as HostName gives it.
bool HostReachesLoopback(std::string_view host, std::string_view listen_name);

// A host name as Host headers are compared: lower-cased, a trailing dot
// dropped.
std::string HostName(std::string_view host);

struct Connection {
  enum class Phase { kOpen, kClosing, kLingering };
  int fd = -1;
  Phase phase = Phase::kOpen;
  bool linger = false;       // kClosing leads to kLingering (after an error)
  bool peer_closed = false;  // read EOF: nothing more will come
  bool sent_continue = false;
  bool read_paused = false;  // counted in ServerState::read_paused
  uint32_t events = 0;       // the epoll interest set now
  std::string in;
  size_t in_off = 0;  // start of unparsed input
  std::string out;
  size_t out_off = 0;  // start of unsent output
  size_t discarded = 0;
  TimePoint last_activity;  // last byte read or written
  TimePoint request_start;  // first byte of the oldest unanswered input
  TimePoint closing_since;  // when the phase left kOpen
  HttpRequest req;          // reused to keep its header vector's capacity

  size_t unparsed() const { return in.size() - in_off; }
  size_t pending() const { return out.size() - out_off; }
};

class Worker {
 public:
  explicit Worker(ServerState* state) : s_(state) {}
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Creates the epoll set and wake-up fd. Returns an error naming the call.
  Status Init();
  // The event loop; returns when ServerState::stopping is set and Wake called.
  void Run();
  void Wake();

 private:
  void Accept(TimePoint now);
  // After accept failed for want of a file descriptor (EMFILE, ENFILE):
  // frees the spare descriptor, accepts the oldest waiting connection and
  // closes it at once, and takes the spare again. Returns false when there
  // is no spare: accepting then pauses until the next wake-up. Either
  // way the listening socket stops being ready, which it otherwise stays
  // (level-triggered) while the table is full: the loop would spin.
  bool ShedOneConnection();
  static int NewSpare();
  void PauseAccepting();
  void ResumeAccepting();
  void OnEvent(Connection* c, uint32_t events, TimePoint now);
  // Reads what the connection may take now. Returns false when it must close.
  bool ReadInput(Connection* c, TimePoint now);
  // Parses and answers the complete requests in c->in (phase kOpen).
  void Process(Connection* c, TimePoint now);
  void Answer(Connection* c, const HttpResponse& resp, bool keep_alive);
  // Queues an error answer for a request that could not be read, and starts
  // a lingering close.
  void AnswerError(Connection* c, int status, const std::string& message,
                   const std::string& field, TimePoint now);
  // Sends what it can and moves the phase on. Returns false when the
  // connection must close.
  bool Advance(Connection* c, TimePoint now);
  void UpdateInterest(Connection* c);
  void NoteBuffered(const Connection* c);
  void CheckTimeouts(TimePoint now);
  void Close(Connection* c);
  bool WantsInput(const Connection* c) const;

  ServerState* s_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int spare_fd_ = -1;  // an eventfd, held for ShedOneConnection (NewSpare)
  bool accept_paused_ = false;
  std::unordered_set<Connection*> conns_;
  size_t max_buffered_ = 0;  // this worker's share of the high-water mark
  char date_[64] = {0};
  time_t date_second_ = 0;
};

}  // namespace phas::http_internal

#endif  // PHAS_HTTP_HTTP_WORKER_H_
