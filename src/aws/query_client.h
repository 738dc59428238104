// QueryClient: the AWS Query protocol (Auto Scaling, CloudWatch, EC2, STS),
// and the JSON 1.0 protocol (DynamoDB) through CallJson.
//
// A Query call is a form-encoded POST of Action, Version and the parameters,
// signed with SigV4 (or unsigned, for STS web-identity calls), sent with
// retries (aws/retry.h), answered with XML. A JSON 1.0 call is a POST of a
// JSON object with X-Amz-Target: <prefix>.<Action> and content type
// application/x-amz-json-1.0, signed and retried the same way, answered with
// JSON; its errors carry "__type" ("...#ConditionalCheckFailedException")
// and "message". Errors become a Status whose message reads "autoscaling
// SetDesiredCapacity: AccessDenied: <AWS message> (HTTP 403, request id ...)"
// and whose detail() is the AWS error code.
//
// Status codes: PermissionDenied for authentication and authorization errors
// (AccessDenied, SignatureDoesNotMatch, InvalidClientTokenId, ...),
// InvalidArgument for validation errors, NotFound for missing resources,
// FailedPrecondition for a conditional write whose condition did not hold
// (ConditionalCheckFailedException),
// Unavailable (retryable) for throttling, 5xx and unreadable 2xx answers
// (detail "malformed_response") left after the retries, DeadlineExceeded for
// timeouts. Transport failures carry the labels of aws/http_transport.h.
//
// outcome_unknown(): an attempt failed after the request may have reached
// the service, with no definite rejection (a timeout or reset after sending,
// an unreadable 2xx, a 500/502/503/504 that is not throttling). A failed call
// is outcome_unknown when ANY of its attempts was, even if the last one was a
// clean rejection: the earlier attempt may have been carried out.
//
// Actions that change something (all but Describe*, Get*, List*) are sent on
// a fresh connection, so that only the retries counted here ever send them
// again (see HttpCall::fresh_connection).
//
// Thread-safety: safe to share between threads.
#ifndef PHAS_AWS_QUERY_CLIENT_H_
#define PHAS_AWS_QUERY_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_transport.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/status.h"

namespace phas::aws {

// Where and how to call one service.
struct ServiceEndpoint {
  std::string service;  // phas's id: "autoscaling", "cloudwatch", "ec2", "sts"
  std::string
      signing_name;  // SigV4 service name: "autoscaling", "monitoring", ...
  std::string api_version;  // "2011-01-01", ...
  std::string url;          // "https://autoscaling.us-east-1.amazonaws.com"
  std::string region;       // signing region
  std::string source;       // how the URL was chosen, for `phas doctor`
};

// Parameters in call order (not yet encoded).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

using XmlDoc = std::shared_ptr<pugi::xml_document>;

// Reported once per call, after its last attempt.
struct CallRecord {
  std::string service;
  std::string action;
  int attempts = 0;
  Status status;
};
using CallObserver = std::function<void(const CallRecord&)>;

// The pages of one list request (NextToken): AWS's list APIs move on at
// every page and end, so a token answered back as sent, or a list longer
// than kMaxPages pages, is an answer that would page forever.
class Paging {
 public:
  static constexpr int kMaxPages = 100;
  // `call` names the request in errors ("autoscaling DescribePolicies").
  explicit Paging(std::string call) : call_(std::move(call)) {}
  // After each page, sent with `sent` and answered with `next` ("": the
  // last page): OK to go on, or the error that ends the request.
  Status Next(const std::string& sent, const std::string& next);

 private:
  std::string call_;
  int pages_ = 0;
};

class QueryClient {
 public:
  // `credentials` may be null: requests are then sent unsigned (STS
  // AssumeRoleWithWebIdentity). `random01` returns values in [0, 1) for the
  // backoff jitter; null uses a seeded PRNG.
  QueryClient(ServiceEndpoint endpoint,
              std::shared_ptr<HttpTransport> transport,
              std::shared_ptr<CredentialsProvider> credentials, Clock* clock,
              RetryOptions retry = {},
              std::function<double()> random01 = nullptr);

  Result<XmlDoc> Call(const std::string& action, const QueryParams& params);
  // A JSON 1.0 call: X-Amz-Target `target_prefix`.`action` ("DynamoDB_20120810"
  // "GetItem"), `body` a JSON object. Returns the answer's JSON object.
  Result<nlohmann::json> CallJson(const std::string& target_prefix,
                                  const std::string& action,
                                  const nlohmann::json& body);

  void set_observer(CallObserver observer) { observer_ = std::move(observer); }
  const ServiceEndpoint& endpoint() const { return endpoint_; }
  // Correction applied to the local clock after a clock-skew error.
  Duration clock_offset() const { return Duration(offset_.load()); }

  // Form-encodes parameters (RFC 3986, as SigV4 expects).
  static std::string FormEncode(const QueryParams& params);

 private:
  // One request as sent, in either protocol.
  struct Wire {
    std::string action;
    std::string body;
    std::string target;  // X-Amz-Target; empty: the Query protocol
    // Values of the body that are secrets (STS's WebIdentityToken).
    std::vector<std::string> secrets;
  };
  struct Attempt {
    Status status;  // OK or the error of this attempt
    ErrorKind kind = ErrorKind::kNone;
    XmlDoc doc;           // Query
    nlohmann::json json;  // JSON 1.0
  };
  // Sends with retries; the last attempt, its status given the context.
  Attempt Send(const Wire& wire);
  Attempt SendOnce(const Wire& wire);
  // `secrets`: what the request carried that no message may show (see
  // Redact in query_client.cc).
  Attempt Interpret(const Wire& wire, const HttpReply& reply,
                    const std::vector<std::string>& secrets);
  // Parses a 2xx body into `a`; false when it does not parse (`why`).
  static bool ParseBody(const Wire& wire, const HttpReply& reply, Attempt* a,
                        std::string* why);

  ServiceEndpoint endpoint_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<CredentialsProvider> credentials_;
  Clock* clock_;
  RetryOptions retry_;
  std::function<double()> random01_;
  RetryQuota quota_;
  std::atomic<Duration::rep> offset_{0};
  CallObserver observer_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_QUERY_CLIENT_H_
