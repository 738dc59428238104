#include "aws/http_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/text.h"

namespace phas::aws {
namespace {

std::once_flag g_curl_init;

// The answer's body, up to a limit.
struct BodySink {
  std::string* body;
  size_t max;
  bool too_long = false;
};

size_t WriteBody(char* ptr, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (size * n > sink->max - sink->body->size()) {
    sink->too_long = true;
    return 0;  // libcurl stops the transfer: CURLE_WRITE_ERROR
  }
  sink->body->append(ptr, size * n);
  return size * n;
}

size_t WriteHeader(char* ptr, size_t size, size_t n, void* user) {
  auto* headers = static_cast<HeaderList*>(user);
  std::string line(ptr, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100-continue or a redirect)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = AsciiLower(line.substr(0, colon));
  std::string value = line.substr(colon + 1);
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  value.erase(value.begin(),
              std::find_if(value.begin(), value.end(), not_space));
  value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(),
              value.end());
  headers->emplace_back(name, value);
  return size * n;
}

}  // namespace

Status CurlFailure(int curl_code, bool request_sent, const HttpCall& call,
                   const std::string& curl_message) {
  namespace label = transport_error;
  auto rc = static_cast<CURLcode>(curl_code);
  // The URL may carry a query, but phas never puts secrets in URLs.
  std::string what =
      fmt::format("{} {}: {}", call.method, call.url,
                  curl_message.empty() ? curl_easy_strerror(rc) : curl_message);
  Status st;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      // Not sent yet: the connection (TCP or TLS) was not made in time.
      st = Status::DeadlineExceeded(what).WithDetail(
          request_sent ? label::kTimeout : label::kConnectTimeout);
      break;
    case CURLE_COULDNT_CONNECT:
      st = Status::Unavailable(what).WithDetail(label::kConnectionRefused);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      st = Status::Unavailable(what).WithDetail(label::kDns);
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      st = Status::Unavailable(what).WithDetail(label::kConnectionReset);
      break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      st = Status::Unavailable(what).WithDetail(label::kMalformedResponse);
      break;
    case CURLE_SSL_CONNECT_ERROR:
      st = Status::Unavailable(what).WithDetail(label::kTls);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      // Certificates and configuration: trying again will not help.
      st = Status::Unavailable(what, /*retryable=*/false)
               .WithDetail(label::kTls);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
      // After sending: an answer that is not HTTP ("Received HTTP/0.9").
      st = request_sent
               ? Status::Unavailable(what).WithDetail(label::kMalformedResponse)
               : Status::InvalidArgument(what).WithDetail(label::kInvalidUrl);
      break;
    case CURLE_URL_MALFORMAT:
      st = Status::InvalidArgument(what).WithDetail(label::kInvalidUrl);
      break;
    default:
      st = Status::Unavailable(what, /*retryable=*/false)
               .WithDetail(label::kOther);
      break;
  }
  // Once the request is out, no failure of the transport says the peer did
  // not act on it.
  return request_sent ? st.WithOutcomeUnknown() : st;
}

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

CurlTransport::CurlTransport() {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

CurlTransport::~CurlTransport() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpReply> CurlTransport::Send(const HttpCall& call) {
  std::lock_guard<std::mutex> lock(mu_);
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(c);  // keeps the connection cache
  HttpReply reply;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(call.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(call.timeout.count()));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  BodySink sink{&reply.body, call.max_reply_bytes};
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply.headers);
  if (call.bypass_proxy) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  if (call.fresh_connection) curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  if (call.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (call.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(call.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (!call.body.empty() || call.method == "PUT") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                       static_cast<long>(call.body.size()));
    }
  }
  curl_slist* list = nullptr;
  // No "Expect: 100-continue" round trip, and no Accept header we did not set.
  list = curl_slist_append(list, "Expect:");
  for (const auto& [k, v] : call.headers) {
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (sink.too_long) {
    return Status::Unavailable(
               fmt::format("{} {}: the answer is longer than {} bytes",
                           call.method, call.url, call.max_reply_bytes))
        .WithDetail(transport_error::kMalformedResponse)
        .WithOutcomeUnknown();
  }
  if (rc != CURLE_OK) {
    // Pre-transfer time is set when libcurl starts sending the request, on a
    // new connection or a reused one; it stays 0 when no connection was made.
    curl_off_t pretransfer_us = 0;
    long request_bytes = 0;
    curl_easy_getinfo(c, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &request_bytes);
    return CurlFailure(rc, pretransfer_us > 0 || request_bytes > 0, call,
                       errbuf);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  return reply;
}

}  // namespace phas::aws
