// HttpTransport: one HTTP exchange, the narrow interface the AWS clients,
// the credential providers and the scaler's predictor client send through.
// CurlTransport implements it with libcurl, reusing connections.
//
// Network failures come back as a retryable Status (Unavailable, or
// DeadlineExceeded on timeouts); any HTTP status, 5xx included, is a reply.
// Messages name the method and URL, never headers or bodies (they can carry
// credentials).
//
// Thread-safety: CurlTransport serializes calls on one connection cache; it
// is safe to share between threads.
#ifndef PHAS_AWS_HTTP_TRANSPORT_H_
#define PHAS_AWS_HTTP_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "aws/sigv4.h"
#include "common/status.h"

namespace phas::aws {

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
};

struct HttpReply {
  int status = 0;
  HeaderList headers;  // names in lower case
  std::string body;
  // Value of the first header called `name` (lower case), or "".
  std::string Header(const std::string& name) const;
};

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
