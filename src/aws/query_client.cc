#include "aws/query_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>
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
  } else if (code == "ConditionalCheckFailedException") {
    // A conditional write refused: the caller's condition, not an error.
    st = Status::FailedPrecondition(std::move(message));
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

// Parameters whose values are secrets: STS AssumeRoleWithWebIdentity's
// token, sent unsigned in the body.
bool IsSecretParameter(const std::string& name) {
  return name == "WebIdentityToken";
}

// `text` with every secret the request carried (its session token, its
// signature, a secret parameter) replaced. An answer may quote them: a
// proxy or a broken endpoint echoing the request in an error page, or AWS's
// SignatureDoesNotMatch quoting the canonical request, x-amz-security-token
// included. An echo may escape them any way (percent-encoded with or
// without '/', JSON's "\/" or "\u002B", HTML's "&#43;"), but every form
// begins with the secret's leading letters and digits: from there, the
// whole run of characters a token or its escapes are made of is replaced.
// A secret whose leading letters and digits are under 8 characters is
// matched as sent and form-encoded; values under 8 characters are left
// (they would erase ordinary words: real tokens and signatures are 64
// characters and more). One pass: a 32 MiB answer full of echoes is not
// rewritten once per echo.
std::string Redact(std::string_view text,
                   const std::vector<std::string>& secrets) {
  static constexpr std::string_view kRedacted = "[redacted]";
  auto alnum = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  };
  std::vector<std::string> patterns;
  for (const std::string& secret : secrets) {
    if (secret.size() < 8) continue;
    size_t n = 0;
    while (n < secret.size() && n < 16 && alnum(secret[n])) ++n;
    if (n >= 8) {
      patterns.push_back(secret.substr(0, n));
    } else {
      patterns.push_back(secret);
      patterns.push_back(UriEncode(secret));
    }
  }
  if (patterns.empty()) return std::string(text);
  auto in_token = [&](char c) {
    return alnum(c) ||
           std::string_view("+/=%\\&#;_.-").find(c) != std::string_view::npos;
  };
  std::vector<size_t> next;  // each one's next match at or after i
  for (const std::string& p : patterns) next.push_back(text.find(p));
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t at = std::string_view::npos, len = 0;
    for (size_t k = 0; k < patterns.size(); ++k) {
      if (next[k] != std::string_view::npos && next[k] < i) {
        next[k] = text.find(patterns[k], i);
      }
      if (next[k] < at) {
        at = next[k];
        len = patterns[k].size();
      }
    }
    if (at == std::string_view::npos) break;
    out.append(text.substr(i, at - i)).append(kRedacted);
    i = at + len;
    while (i < text.size() && in_token(text[i])) ++i;
  }
  if (i < text.size()) out.append(text.substr(i));
  return out;
}

}  // namespace

Status Paging::Next(const std::string& sent, const std::string& next) {
  ++pages_;
  if (next.empty()) return Status::OK();
  if (next == sent) {
    return Status::Unavailable(
               call_ +
               ": paging does not end: the answer's NextToken is "
               "the one sent")
        .WithDetail("Incomplete");
  }
  if (pages_ >= kMaxPages) {
    return Status::Unavailable(fmt::format("{}: paging does not end: still a "
                                           "NextToken after {} pages",
                                           call_, pages_))
        .WithDetail("Incomplete");
  }
  return Status::OK();
}

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

bool QueryClient::ParseBody(const Wire& wire, const HttpReply& reply,
                            Attempt* a, std::string* why) {
  if (!wire.target.empty()) {
    a->json = nlohmann::json::parse(reply.body, nullptr, false);
    if (a->json.is_discarded() || !a->json.is_object()) {
      *why = "not a JSON object";
      return false;
    }
    return true;
  }
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed =
      doc->load_buffer(reply.body.data(), reply.body.size());
  if (!parsed) {
    *why = std::string("not XML: ") + parsed.description();
    return false;
  }
  // Every Query answer is <ActionResponse>: another document (a proxy's
  // HTML page) would read as an answer with nothing in it.
  std::string root = doc->document_element().name();
  root = root.substr(root.find(':') + 1);
  if (root != wire.action + "Response") {
    *why = fmt::format("not a {}Response but <{}>", wire.action,
                       Abbreviate(root, 40));
    return false;
  }
  a->doc = std::move(doc);
  return true;
}

namespace {

struct AwsError {
  std::string code, message, request_id;
};

// Query services: ErrorResponse/Error/{Code,Message}, RequestId.
// EC2: Response/Errors/Error/{Code,Message}, RequestID.
AwsError XmlError(const HttpReply& reply) {
  AwsError e;
  pugi::xml_document doc;
  if (doc.load_buffer(reply.body.data(), reply.body.size())) {
    pugi::xml_node err = Find(doc, "Error");
    e.code = Text(err, "Code");
    e.message = Text(err, "Message");
    e.request_id = Text(Find(doc, "RequestId"), "");
    if (e.request_id.empty()) e.request_id = Text(Find(doc, "RequestID"), "");
  }
  return e;
}

// JSON 1.0: {"__type": "com.amazonaws.dynamodb.v20120810#Code", "message":
// ...} (some services spell it "Message").
AwsError JsonError(const HttpReply& reply) {
  AwsError e;
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, false);
  if (!j.is_object()) return e;
  if (auto t = j.find("__type"); t != j.end() && t->is_string()) {
    // "prefix#Code", or "Code:uri" (awsJson): cut at the first ':', then
    // after the last '#', as botocore.
    e.code = t->get<std::string>();
    e.code = e.code.substr(0, e.code.find(':'));
    e.code = e.code.substr(e.code.rfind('#') + 1);
  }
  for (const char* key : {"message", "Message"}) {
    if (auto m = j.find(key); m != j.end() && m->is_string()) {
      e.message = m->get<std::string>();
    }
  }
  return e;
}

// An AWS error code is an identifier ("Throttling",
// "InvalidInstanceID.NotFound"). Anything else (a proxy's text, bytes that
// are not UTF-8, a page-long "code") is not taken for one: the code becomes
// a status detail and a Prometheus label, where such text broke the scrape.
bool IsErrorCode(std::string_view code) {
  if (code.empty() || code.size() > 128) return false;
  for (char c : code) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

QueryClient::Attempt QueryClient::Interpret(
    const Wire& wire, const HttpReply& reply,
    const std::vector<std::string>& secrets) {
  Attempt a;
  std::string where = endpoint_.service + " " + wire.action;
  if (reply.status >= 200 && reply.status < 300) {
    std::string why;
    if (!ParseBody(wire, reply, &a, &why)) {
      // Retried as the SDKs do; the server may have acted on the request.
      a.status =
          Status::Unavailable(Redact(fmt::format("{}: HTTP {} response is {}",
                                                 where, reply.status, why),
                                     secrets))
              .WithDetail(transport_error::kMalformedResponse)
              .WithOutcomeUnknown();
      a.kind = ErrorKind::kTransient;
    }
    return a;
  }
  AwsError e = wire.target.empty() ? XmlError(reply) : JsonError(reply);
  // A proxy (or moto's IAM check) may answer a JSON call in XML.
  if (e.code.empty() && !wire.target.empty()) e = XmlError(reply);
  if (e.request_id.empty()) e.request_id = reply.Header("x-amzn-requestid");
  if (!IsErrorCode(e.code)) {
    e.code = fmt::format("HTTP{}", reply.status);
    // Redacted before it is cut: a secret cut short would not match.
    e.message = Abbreviate(Redact(reply.body, secrets), 200);
  }
  std::chrono::seconds skew{0};
  TimePoint server;
  if (ParseHttpDate(reply.Header("date"), &server)) {
    skew = std::chrono::duration_cast<std::chrono::seconds>(
        server > clock_->Now() ? server - clock_->Now()
                               : clock_->Now() - server);
  }
  a.kind = ClassifyAwsError(e.code, reply.status, skew);
  if (a.kind == ErrorKind::kClockSkew && !reply.Header("date").empty() &&
      ParseHttpDate(reply.Header("date"), &server)) {
    offset_.store((server - clock_->Now()).count());
  }
  std::string text = Redact(
      fmt::format("{}: {}: {} (HTTP {}{})", where, e.code, e.message,
                  reply.status,
                  e.request_id.empty() ? "" : ", request id " + e.request_id),
      secrets);
  a.status = StatusForAwsError(e.code, reply.status, a.kind, text);
  if (MayHaveBeenProcessed(reply.status, a.kind)) {
    a.status = a.status.WithOutcomeUnknown();
  }
  return a;
}

QueryClient::Attempt QueryClient::SendOnce(const Wire& wire) {
  Attempt a;
  HttpCall call;
  call.method = "POST";
  call.url = endpoint_.url + "/";
  call.body = wire.body;
  call.connect_timeout = retry_.connect_timeout;
  call.timeout = retry_.request_timeout;
  // libcurl must never resend a change on its own (see HttpCall).
  call.fresh_connection = !IsReadOnly(wire.action);
  size_t scheme = endpoint_.url.find("://");
  std::string host = scheme == std::string::npos
                         ? endpoint_.url
                         : endpoint_.url.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  TimePoint t = clock_->Now() + Duration(offset_.load());
  std::string amz_date = FormatAmzDate(t);
  call.headers = {
      {"Host", host},
      {"Content-Type", wire.target.empty()
                           ? "application/x-www-form-urlencoded; charset=utf-8"
                           : "application/x-amz-json-1.0"},
      {"X-Amz-Date", amz_date}};
  if (!wire.target.empty()) {
    call.headers.emplace_back("X-Amz-Target", wire.target);
  }
  std::vector<std::string> secrets = wire.secrets;
  if (credentials_) {
    auto creds = credentials_->Get(clock_->Now());
    if (!creds.ok()) {
      a.status =
          creds.status().WithContext(endpoint_.service + " " + wire.action);
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
    req.body = wire.body;
    Signature sig = SignV4(
        req,
        {creds->access_key_id, creds->secret_access_key, creds->session_token},
        {endpoint_.region, endpoint_.signing_name,
         std::chrono::floor<std::chrono::seconds>(t)});
    call.headers.emplace_back("Authorization", sig.authorization);
    secrets.push_back(creds->session_token);
    secrets.push_back(sig.signature);
  }
  auto reply = transport_->Send(call);
  if (!reply.ok()) {
    a.status =
        reply.status().WithContext(endpoint_.service + " " + wire.action);
    if (reply.status().code() == Status::Code::kDeadlineExceeded) {
      a.kind = ErrorKind::kTimeout;
    } else {
      a.kind = reply.status().retryable() ? ErrorKind::kTransient
                                          : ErrorKind::kPermanent;
    }
    return a;
  }
  return Interpret(wire, *reply, secrets);
}

Result<XmlDoc> QueryClient::Call(const std::string& action,
                                 const QueryParams& params) {
  QueryParams full = {{"Action", action}, {"Version", endpoint_.api_version}};
  full.insert(full.end(), params.begin(), params.end());
  std::vector<std::string> secrets;
  for (const auto& [name, value] : params) {
    if (IsSecretParameter(name)) secrets.push_back(value);
  }
  Attempt a = Send({action, FormEncode(full), "", std::move(secrets)});
  if (!a.status.ok()) return a.status;
  return a.doc;
}

Result<nlohmann::json> QueryClient::CallJson(const std::string& target_prefix,
                                             const std::string& action,
                                             const nlohmann::json& body) {
  Attempt a = Send({action, DumpJson(body), target_prefix + "." + action, {}});
  if (!a.status.ok()) return a.status;
  return std::move(a.json);
}

QueryClient::Attempt QueryClient::Send(const Wire& wire) {
  const std::string& action = wire.action;
  Attempt a;
  int attempt = 1;
  int last_retry_cost = 0;
  bool skew_retried = false;
  // Whether an attempt may have been carried out: then a failed call may
  // have been too, whatever its last attempt says.
  bool outcome_unknown = false;
  for (;; ++attempt) {
    a = SendOnce(wire);
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
  if (!a.status.ok() && attempt > 1) {
    a.status = a.status.WithContext(fmt::format("after {} attempts", attempt));
  }
  return a;
}

}  // namespace phas::aws
