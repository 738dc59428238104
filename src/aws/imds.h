// ImdsClient: the EC2 instance metadata service, version 2 only.
//
// IMDSv2 is a session protocol: PUT /latest/api/token (with the
// X-aws-ec2-metadata-token-ttl-seconds header) returns a token, and every GET
// carries it in X-aws-ec2-metadata-token. The token is cached until shortly
// before its TTL ends and fetched again on a 401. IMDSv1 (GET without a
// token) is never used.
//
// Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT, else
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 -> http://[fd00:ec2::254],
// else http://169.254.169.254. AWS_EC2_METADATA_DISABLED=true turns it off.
// Short timeouts (1 s), no proxy.
//
// Thread-safety: safe to share; a mutex guards the token.
#ifndef PHAS_AWS_IMDS_H_
#define PHAS_AWS_IMDS_H_

#include <mutex>
#include <string>

#include "aws/environment.h"
#include "aws/http_transport.h"
#include "common/clock.h"
#include "common/status.h"

namespace phas::aws {

class ImdsClient {
 public:
  ImdsClient(HttpTransport* transport, const Environment& env, Clock* clock);

  bool disabled() const { return disabled_; }
  const std::string& endpoint() const { return endpoint_; }

  // GET /latest/<path> (e.g. "meta-data/placement/region"). NotFound on 404;
  // Unavailable when the service cannot be reached.
  Result<std::string> Get(const std::string& path);

 private:
  Result<std::string> Token(bool force_refresh);

  HttpTransport* transport_;
  Clock* clock_;
  std::string endpoint_;
  bool disabled_ = false;
  std::mutex mu_;
  std::string token_;
  TimePoint token_expiry_{};
};

}  // namespace phas::aws

#endif  // PHAS_AWS_IMDS_H_
