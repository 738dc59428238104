// FaultProxy: an HTTP proxy for integration tests that stands between phas
// and moto and makes calls fail the ways AWS calls fail in production,
// including after AWS has carried the request out.
//
//   FaultProxyOptions o;
//   o.target_url = moto.url();
//   o.seed = 7;
//   o.fault_probability = 0.2;                  // per request
//   o.actions = {"SetDesiredCapacity"};         // faults only there
//   FaultProxy proxy(o);
//   ASSERT_TRUE(proxy.Start().ok());
//   env["AWS_ENDPOINT_URL"] = proxy.url();      // phas talks to the proxy
//   ...
//   for (const Forwarded& f : proxy.forwarded()) ...  // what moto carried out
//
// Requests are forwarded byte for byte (headers and body unchanged, so the
// SigV4 signature, Host header included, still verifies at moto), one
// upstream connection per request. Answers are relayed re-framed with a
// Content-Length, so the client's keep-alive connection survives. A thread
// serves each client connection: concurrent keep-alive connections work.
//
// Determinism: whether a request gets a fault, and which, is drawn from a
// PRNG seeded with `seed`, once per eligible request in the order requests
// arrive: the same seed and the same request sequence give the same faults.
//
// Thread-safety: every method may be called from any thread.
#ifndef PHAS_TESTS_INTEGRATION_FAULT_PROXY_H_
#define PHAS_TESTS_INTEGRATION_FAULT_PROXY_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace phas::testing {

class SocketServer;
struct RecordedRequest;

enum class Fault {
  kNone,             // forward, relay moto's answer
  kInternalFailure,  // answer 500 InternalFailure XML; moto never sees it
  kThrottling,       // answer 400 Throttling XML; moto never sees it
  kTimeout,          // forward, then answer nothing; close after `hold`
  kReset,            // forward, then reset the connection (RST)
  kMalformed,        // forward, then answer 200 with a body that is not XML
};
// "none", "internal_failure", "throttling", "timeout", "reset", "malformed".
const char* FaultName(Fault f);
// Whether moto receives the request under this fault.
bool Forwards(Fault f);

// Relative weights of the faults, used when a request gets one. Default:
// all five equally likely.
struct FaultMix {
  double internal_failure = 1;
  double throttling = 1;
  double timeout = 1;
  double reset = 1;
  double malformed = 1;
  // A mix of `f` alone.
  static FaultMix Only(Fault f);
};

// A request moto carried out (answered 2xx).
struct Forwarded {
  std::string action;  // "SetDesiredCapacity", "UpdateItem"
  std::map<std::string, std::string> params;  // the form, decoded
  std::string group;                          // AutoScalingGroupName, or ""
  std::optional<int> desired_capacity;        // DesiredCapacity, if any
  int status = 0;                             // moto's HTTP status
  Fault fault = Fault::kNone;  // what the client got instead of the answer
  std::chrono::steady_clock::time_point answered_at;  // when moto answered
};

struct FaultProxyOptions {
  // Where requests go: "http://127.0.0.1:PORT" (moto's url()).
  std::string target_url;
  // PRNG seed. Default: 1.
  uint64_t seed = 1;
  // Chance that an eligible request gets a fault. Default: 0 (a plain proxy).
  double fault_probability = 0;
  FaultMix mix;
  // Actions eligible for faults (the form's Action, or for JSON protocols
  // the operation of X-Amz-Target: "UpdateItem"); empty: every request.
  std::set<std::string> actions;
  // kTimeout: how long the connection stays silent before it is closed;
  // make it longer than the client's request timeout. Default: 2 s.
  std::chrono::milliseconds hold{2000};
};

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  ~FaultProxy();  // Stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Listens on a free 127.0.0.1 port. Fails when the target URL is not
  // http://HOST:PORT or the socket cannot be set up.
  Status Start();
  // Closes the listener and every connection (a held kTimeout connection
  // too) and waits for the connection threads. Idempotent.
  void Stop();
  // "http://127.0.0.1:PORT" once started.
  std::string url() const;

  void set_fault_probability(double p);
  void set_mix(const FaultMix& mix);
  void set_actions(std::set<std::string> actions);
  // Every eligible request gets `f` (kNone: no faults at all).
  void Force(Fault f);
  // The next eligible requests get these faults, in order, before the
  // random draws resume (which the script does not advance).
  void Script(std::vector<Fault> next);

  // Requests moto answered 2xx, in the order moto answered them.
  std::vector<Forwarded> forwarded() const;
  // The fault drawn for each eligible request, in arrival order.
  std::vector<Fault> decisions() const;
  // Requests received, and client connections accepted, so far.
  int requests() const;
  int connections() const;

 private:
  struct Upstream {
    int status = 0;
    std::string answer;  // re-framed for the client
  };
  void Serve(int fd);
  // Handles one request; false when the connection must end.
  bool Handle(int fd, const RecordedRequest& req);
  Fault Draw(const std::string& action);
  Status Forward(const std::string& raw, Upstream* out) const;

  FaultProxyOptions options_;
  std::string target_host_;
  int target_port_ = 0;
  mutable std::mutex mu_;  // guards options_ (the mutable parts) and below
  std::mt19937_64 rng_;
  std::deque<Fault> script_;
  std::vector<Forwarded> forwarded_;
  std::vector<Fault> decisions_;
  int requests_ = 0;
  std::unique_ptr<SocketServer> server_;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_INTEGRATION_FAULT_PROXY_H_
