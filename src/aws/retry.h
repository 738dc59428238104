// The AWS SDKs' "standard" retry mode, as pure pieces.
//
//   - what is retryable: throttling error codes, transient codes, HTTP 5xx
//     (500, 502, 503, 504), timeouts and connection errors, 2xx answers that
//     do not parse;
//   - backoff: full jitter, delay = random[0,1) * base * 2^(attempt-1),
//     capped at max_backoff; base is 500 ms after throttling, 100 ms after
//     other transient errors (the AWS SDK for Java v2's standard mode);
//   - a retry quota (token bucket, 500 tokens): each retry costs 5 (10 after a
//     timeout); a success returns the cost of its retry, or 1 when it needed
//     none; no tokens, no retry. It keeps a failing endpoint from being
//     hammered by every caller at once.
//   - clock skew: errors that say the request time is wrong (and signature
//     errors when the server's Date header is more than 4 minutes off ours)
//     are retried once, signed with the server's time.
//
// Thread-safety: RetryQuota is internally synchronized; the rest is pure.
#ifndef PHAS_AWS_RETRY_H_
#define PHAS_AWS_RETRY_H_

#include <chrono>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace phas::aws {

struct RetryOptions {
  // Attempts in all, the first included. Default: 3.
  int max_attempts = 3;
  // Default: 100 ms; after throttling: 500 ms.
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds throttle_base_delay{500};
  // Default: 20 s.
  std::chrono::milliseconds max_backoff{20000};
  // Retry quota capacity. Default: 500.
  int quota_capacity = 500;
  // Per attempt. Default: 3 s to connect, 10 s in all.
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
};

enum class ErrorKind {
  kNone,        // not an error
  kThrottling,  // slow down and retry
  kTransient,   // 5xx, transient codes, connection errors: retry
  kTimeout,     // retry, costs more quota
  kClockSkew,   // re-sign with the server's time and retry
  kPermanent,   // do not retry
};

// Classifies an AWS error code (may be empty) with its HTTP status (0 when no
// reply arrived). `server_skew` is |server Date - local time|, or zero.
ErrorKind ClassifyAwsError(const std::string& code, int http_status,
                           std::chrono::seconds server_skew);

bool IsThrottlingCode(const std::string& code);

// Delay before attempt `attempt` (2 for the first retry), `random01` in [0,1).
Duration BackoffDelay(const RetryOptions& opts, ErrorKind kind, int attempt,
                      double random01);

class RetryQuota {
 public:
  explicit RetryQuota(int capacity) : capacity_(capacity), tokens_(capacity) {}
  // Takes the cost of a retry after `kind`; false when the quota is spent.
  bool Acquire(ErrorKind kind, int* cost);
  // A call succeeded; `retry_cost` is what its last retry took (0: none).
  void Release(int retry_cost);
  int tokens() const;

 private:
  mutable std::mutex mu_;
  int capacity_;
  int tokens_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_RETRY_H_
