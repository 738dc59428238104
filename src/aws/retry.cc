#include "aws/retry.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace phas::aws {
namespace {

constexpr int kRetryCost = 5;
constexpr int kTimeoutRetryCost = 10;
constexpr int kNoRetryIncrement = 1;

}  // namespace

bool IsThrottlingCode(const std::string& code) {
  static const std::set<std::string> kCodes = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException"};
  return kCodes.count(code) > 0;
}

ErrorKind ClassifyAwsError(const std::string& code, int http_status,
                           std::chrono::seconds server_skew) {
  static const std::set<std::string> kTransient = {
      "RequestTimeout",  "RequestTimeoutException", "InternalError",
      "InternalFailure", "ServiceUnavailable",      "IDPCommunicationError"};
  static const std::set<std::string> kSkew = {
      "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"};
  static const std::set<std::string> kMaybeSkew = {
      "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"};
  if (code.empty() && http_status >= 200 && http_status < 300)
    return ErrorKind::kNone;
  if (IsThrottlingCode(code) || http_status == 429)
    return ErrorKind::kThrottling;
  if (kSkew.count(code)) return ErrorKind::kClockSkew;
  if (kMaybeSkew.count(code) && server_skew > std::chrono::minutes(4)) {
    return ErrorKind::kClockSkew;
  }
  if (kTransient.count(code)) return ErrorKind::kTransient;
  if (http_status == 500 || http_status == 502 || http_status == 503 ||
      http_status == 504) {
    return ErrorKind::kTransient;
  }
  return ErrorKind::kPermanent;
}

Duration BackoffDelay(const RetryOptions& opts, ErrorKind kind, int attempt,
                      double random01) {
  if (kind == ErrorKind::kClockSkew) return Duration::zero();
  auto base = kind == ErrorKind::kThrottling ? opts.throttle_base_delay
                                             : opts.base_delay;
  double ms = random01 * static_cast<double>(base.count()) *
              std::pow(2.0, std::max(0, attempt - 2));
  ms = std::min(ms, static_cast<double>(opts.max_backoff.count()));
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::milli>(ms));
}

bool RetryQuota::Acquire(ErrorKind kind, int* cost) {
  std::lock_guard<std::mutex> lock(mu_);
  int c = kind == ErrorKind::kTimeout ? kTimeoutRetryCost : kRetryCost;
  if (kind == ErrorKind::kClockSkew) c = 0;
  if (tokens_ < c) return false;
  tokens_ -= c;
  *cost = c;
  return true;
}

void RetryQuota::Release(int retry_cost) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::min(
      capacity_, tokens_ + (retry_cost > 0 ? retry_cost : kNoRetryIncrement));
}

int RetryQuota::tokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_;
}

}  // namespace phas::aws
