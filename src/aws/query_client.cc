#include "aws/query_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>
#include <set>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/json_util.h"

namespace phas::aws {
namespace {

Status StatusForAwsError(const std::string& code, int http_status,
                         ErrorKind kind, std::string message) {
  static const std::set<std::string> kAuth = {"AccessDenied",
                                              "AccessDeniedException",
                                              "UnauthorizedOperation",
                                              "AuthFailure",
                                              "SignatureDoesNotMatch",
                                              "InvalidSignatureException",
                                              "InvalidClientTokenId",
                                              "ExpiredToken",
                                              "ExpiredTokenException",
                                              "IncompleteSignature",
                                              "MissingAuthenticationToken",
                                              "InvalidAccessKeyId",
                                              "UnrecognizedClientException",
                                              "OptInRequired",
                                              "InvalidIdentityToken"};
  Status st;
  if (kind == ErrorKind::kThrottling || kind == ErrorKind::kTransient) {
    st = Status::Unavailable(std::move(message), true);
  } else if (kind == ErrorKind::kTimeout) {
    st = Status::DeadlineExceeded(std::move(message));
  } else if (kAuth.count(code) || http_status == 401 || http_status == 403) {
    st = Status::PermissionDenied(std::move(message));
  } else if (code.find("NotFound") != std::string::npos || http_status == 404) {
    st = Status::NotFound(std::move(message));
  } else if (code.rfind("Validation", 0) == 0 ||
             code.rfind("Invalid", 0) == 0 || code.rfind("Missing", 0) == 0 ||
             http_status == 400) {
    st = Status::InvalidArgument(std::move(message));
  } else {
    st = Status::Unavailable(std::move(message), false);
  }
  return st.WithDetail(code);
}

// A 500, 502, 503 or 504 may come after the service acted (or from a proxy
// in front of it), unless it is a throttling answer: throttled requests were
// not processed. Any other error answer is a definite rejection.
bool MayHaveBeenProcessed(int http_status, ErrorKind kind) {
  if (kind == ErrorKind::kThrottling) return false;
  return http_status == 500 || http_status == 502 || http_status == 503 ||
         http_status == 504;
}

// Actions that only read: they may be sent again safely.
bool IsReadOnly(const std::string& action) {
  for (const char* prefix : {"Describe", "Get", "List"}) {
    if (action.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

QueryClient::QueryClient(ServiceEndpoint endpoint,
                         std::shared_ptr<HttpTransport> transport,
                         std::shared_ptr<CredentialsProvider> credentials,
                         Clock* clock, RetryOptions retry,
                         std::function<double()> random01)
    : endpoint_(std::move(endpoint)),
      transport_(std::move(transport)),
      credentials_(std::move(credentials)),
      clock_(clock),
      retry_(retry),
      random01_(std::move(random01)),
      quota_(retry.quota_capacity) {
  if (!random01_) {
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    random01_ = [rng] {
      return std::uniform_real_distribution<double>(0, 1)(*rng);
    };
  }
}

std::string QueryClient::FormEncode(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += UriEncode(k) + "=" + UriEncode(v);
  }
  return out;
}

QueryClient::Attempt QueryClient::Interpret(const std::string& action,
                                            const HttpReply& reply) {
  Attempt a;
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed =
      doc->load_buffer(reply.body.data(), reply.body.size());
  std::string where = endpoint_.service + " " + action;
  if (reply.status >= 200 && reply.status < 300) {
    if (!parsed) {
      // Retried as the SDKs do; the server may have acted on the request.
      a.status = Status::Unavailable(fmt::format("{}: HTTP {} response is not "
                                                 "XML: {}",
                                                 where, reply.status,
                                                 parsed.description()))
                     .WithDetail(transport_error::kMalformedResponse)
                     .WithOutcomeUnknown();
      a.kind = ErrorKind::kTransient;
      return a;
    }
    a.doc = std::move(doc);
    return a;
  }
  // Query services: ErrorResponse/Error/{Code,Message}, RequestId.
  // EC2: Response/Errors/Error/{Code,Message}, RequestID.
  std::string code, message, request_id;
  if (parsed) {
    pugi::xml_node err = Find(*doc, "Error");
    code = Text(err, "Code");
    message = Text(err, "Message");
    request_id = Text(Find(*doc, "RequestId"), "");
    if (request_id.empty()) request_id = Text(Find(*doc, "RequestID"), "");
  }
  if (request_id.empty()) request_id = reply.Header("x-amzn-requestid");
  if (code.empty()) {
    code = fmt::format("HTTP{}", reply.status);
    message = Abbreviate(reply.body, 200);
  }
  std::chrono::seconds skew{0};
  TimePoint server;
  if (ParseHttpDate(reply.Header("date"), &server)) {
    skew = std::chrono::duration_cast<std::chrono::seconds>(
        server > clock_->Now() ? server - clock_->Now()
                               : clock_->Now() - server);
  }
  a.kind = ClassifyAwsError(code, reply.status, skew);
  if (a.kind == ErrorKind::kClockSkew && !reply.Header("date").empty() &&
      ParseHttpDate(reply.Header("date"), &server)) {
    offset_.store((server - clock_->Now()).count());
  }
  std::string text =
      fmt::format("{}: {}: {} (HTTP {}{})", where, code, message, reply.status,
                  request_id.empty() ? "" : ", request id " + request_id);
  a.status = StatusForAwsError(code, reply.status, a.kind, text);
  if (MayHaveBeenProcessed(reply.status, a.kind)) {
    a.status = a.status.WithOutcomeUnknown();
  }
  return a;
}

QueryClient::Attempt QueryClient::SendOnce(const std::string& action,
                                           const std::string& body) {
  Attempt a;
  HttpCall call;
  call.method = "POST";
  call.url = endpoint_.url + "/";
  call.body = body;
  call.connect_timeout = retry_.connect_timeout;
  call.timeout = retry_.request_timeout;
  // libcurl must never resend a change on its own (see HttpCall).
  call.fresh_connection = !IsReadOnly(action);
  size_t scheme = endpoint_.url.find("://");
  std::string host = scheme == std::string::npos
                         ? endpoint_.url
                         : endpoint_.url.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  TimePoint t = clock_->Now() + Duration(offset_.load());
  std::string amz_date = FormatAmzDate(t);
  call.headers = {
      {"Host", host},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"X-Amz-Date", amz_date}};
  if (credentials_) {
    auto creds = credentials_->Get(clock_->Now());
    if (!creds.ok()) {
      a.status = creds.status().WithContext(endpoint_.service + " " + action);
      a.kind = ErrorKind::kPermanent;
      return a;
    }
    if (!creds->session_token.empty()) {
      call.headers.emplace_back("X-Amz-Security-Token", creds->session_token);
    }
    SigningRequest req;
    req.method = "POST";
    req.path = "/";
    req.headers = call.headers;
    req.body = body;
    Signature sig = SignV4(
        req,
        {creds->access_key_id, creds->secret_access_key, creds->session_token},
        {endpoint_.region, endpoint_.signing_name,
         std::chrono::floor<std::chrono::seconds>(t)});
    call.headers.emplace_back("Authorization", sig.authorization);
  }
  auto reply = transport_->Send(call);
  if (!reply.ok()) {
    a.status = reply.status().WithContext(endpoint_.service + " " + action);
    if (reply.status().code() == Status::Code::kDeadlineExceeded) {
      a.kind = ErrorKind::kTimeout;
    } else {
      a.kind = reply.status().retryable() ? ErrorKind::kTransient
                                          : ErrorKind::kPermanent;
    }
    return a;
  }
  return Interpret(action, *reply);
}

Result<XmlDoc> QueryClient::Call(const std::string& action,
                                 const QueryParams& params) {
  QueryParams full = {{"Action", action}, {"Version", endpoint_.api_version}};
  full.insert(full.end(), params.begin(), params.end());
  std::string body = FormEncode(full);
  Attempt a;
  int attempt = 1;
  int last_retry_cost = 0;
  bool skew_retried = false;
  // Whether an attempt may have been carried out: then a failed call may
  // have been too, whatever its last attempt says.
  bool outcome_unknown = false;
  for (;; ++attempt) {
    a = SendOnce(action, body);
    if (a.status.ok()) break;
    outcome_unknown = outcome_unknown || a.status.outcome_unknown();
    bool retryable = a.kind == ErrorKind::kThrottling ||
                     a.kind == ErrorKind::kTransient ||
                     a.kind == ErrorKind::kTimeout ||
                     (a.kind == ErrorKind::kClockSkew && !skew_retried);
    if (!retryable || attempt >= retry_.max_attempts) break;
    int cost = 0;
    if (!quota_.Acquire(a.kind, &cost)) {
      a.status = a.status.WithContext("retry quota exhausted");
      break;
    }
    if (a.kind == ErrorKind::kClockSkew) {
      skew_retried = true;
      spdlog::warn(
          "{} {}: clock skew; re-signing with the server's time (offset {} s)",
          endpoint_.service, action,
          std::chrono::duration_cast<std::chrono::seconds>(clock_offset())
              .count());
    }
    last_retry_cost = cost;
    Duration delay = BackoffDelay(retry_, a.kind, attempt + 1, random01_());
    spdlog::debug(
        "{} {}: attempt {} failed ({}); retrying in {} ms", endpoint_.service,
        action, attempt,
        a.status.detail().empty() ? a.status.message() : a.status.detail(),
        std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    clock_->SleepFor(delay);
  }
  if (a.status.ok()) quota_.Release(last_retry_cost);
  if (outcome_unknown) a.status = a.status.WithOutcomeUnknown();
  if (observer_) observer_({endpoint_.service, action, attempt, a.status});
  if (!a.status.ok()) {
    if (attempt > 1) {
      return a.status.WithContext(fmt::format("after {} attempts", attempt));
    }
    return a.status;
  }
  return a.doc;
}

}  // namespace phas::aws
