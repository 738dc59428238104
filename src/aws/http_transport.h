// HttpTransport: one HTTP exchange, the narrow interface the AWS clients,
// the credential providers and the scaler's predictor client send through.
// CurlTransport implements it with libcurl, reusing connections.
//
// Network failures come back as a Status (Unavailable, or DeadlineExceeded on
// timeouts) whose detail() says what happened (the labels below), marked
// outcome_unknown() when the request had been sent: the peer may have
// carried it out although no answer came back. Any HTTP status, 5xx
// included, is a reply. Messages name the method and URL, never headers or
// bodies (they can carry credentials).
//
// Thread-safety: CurlTransport serializes calls on one connection cache; it
// is safe to share between threads.
#ifndef PHAS_AWS_HTTP_TRANSPORT_H_
#define PHAS_AWS_HTTP_TRANSPORT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "aws/sigv4.h"
#include "common/status.h"

namespace phas::aws {

// detail() labels of transport failures (the daemon's
// phas_scaler_aws_errors_total{code} label).
namespace transport_error {
// The request timed out after it was sent (outcome unknown).
inline constexpr char kTimeout[] = "timeout";
// No connection within the connect timeout (nothing sent).
inline constexpr char kConnectTimeout[] = "connect_timeout";
inline constexpr char kConnectionRefused[] = "connection_refused";
// The connection was reset or closed before the whole answer arrived (an
// empty reply included).
inline constexpr char kConnectionReset[] = "connection_reset";
inline constexpr char kDns[] = "dns";
inline constexpr char kTls[] = "tls";
// An answer that is not HTTP or longer than HttpCall::max_reply_bytes, or a
// 2xx whose body does not parse (set by the protocol clients).
inline constexpr char kMalformedResponse[] = "malformed_response";
inline constexpr char kInvalidUrl[] = "invalid_url";
// Any other transport failure.
inline constexpr char kOther[] = "network";
}  // namespace transport_error

struct HttpCall {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
  // Default: 3 s to connect, 10 s for the whole exchange.
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};
  // Ignore HTTP(S)_PROXY for this call (instance metadata, container
  // credentials: link-local addresses must never go through a proxy).
  bool bypass_proxy = false;
  // Send on a new connection. For requests that change something: when a
  // reused connection dies before a byte of the answer arrives, libcurl
  // sends the request again by itself on a new connection, and a request the
  // server had carried out would be carried out twice. Default: false.
  bool fresh_connection = false;
  // A longer answer fails (malformed_response, outcome unknown) rather than
  // fill memory (parsed, an answer takes several times its size). phas's
  // largest answers, a GetMetricData page of 100,800 datapoints or 100
  // groups' instances, take about 10 MiB. Default: 32 MiB.
  size_t max_reply_bytes = size_t{32} << 20;
};

struct HttpReply {
  int status = 0;
  HeaderList headers;  // names in lower case
  std::string body;
  // Value of the first header called `name` (lower case), or "".
  std::string Header(const std::string& name) const;
};

// Converts a failed libcurl transfer to a Status: `curl_code` is the
// CURLcode, `request_sent` whether libcurl had begun sending the request
// (then the outcome is unknown), `curl_message` libcurl's error text ("" for
// the generic text of the code). Exposed for tests.
Status CurlFailure(int curl_code, bool request_sent, const HttpCall& call,
                   const std::string& curl_message);

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpReply> Send(const HttpCall& call) = 0;
};

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  Result<HttpReply> Send(const HttpCall& call) override;

 private:
  std::mutex mu_;
  void* curl_ = nullptr;  // CURL*, reused so connections stay open
};

}  // namespace phas::aws

#endif  // PHAS_AWS_HTTP_TRANSPORT_H_
