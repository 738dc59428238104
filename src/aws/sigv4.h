// AWS Signature Version 4 (SigV4) request signing.
//
// Pure: the request, the credentials and the signing time go in; the
// canonical request, string to sign, signature and Authorization header come
// out. Follows the AWS General Reference ("Create a signed AWS API request")
// and passes every case of AWS's official test suite
// (testdata/sigv4-testsuite; tests/unit/sigv4_test.cc).
//
// Thread-safety: stateless functions.
#ifndef PHAS_AWS_SIGV4_H_
#define PHAS_AWS_SIGV4_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace phas::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SigningRequest {
  std::string method = "POST";
  // The path as sent, not yet URI-encoded ("/", "/example space/").
  std::string path = "/";
  // Query parameters, not yet URI-encoded, in any order.
  HeaderList query;
  // Headers to sign, as sent. Must include Host and X-Amz-Date.
  HeaderList headers;
  std::string body;
};

struct SigningKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

struct SigningScope {
  std::string region;   // "us-east-1"
  std::string service;  // the signing name: "autoscaling", "monitoring", "ec2"
  TimePoint time;       // must equal the X-Amz-Date header
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header value
  std::string signed_headers;
};

// Signs `req`. Does not add headers: the caller sends X-Amz-Date (and
// X-Amz-Security-Token when there is a session token) itself, and includes
// them in req.headers when they are to be signed.
Signature SignV4(const SigningRequest& req, const SigningKey& key,
                 const SigningScope& scope);

// RFC 3986 percent-encoding of everything but unreserved characters
// (A-Z a-z 0-9 - _ . ~); '/' is kept when encode_slash is false.
std::string UriEncode(std::string_view s, bool encode_slash = true);

// Removes "." and ".." segments and collapses repeated slashes.
std::string NormalizePath(std::string_view path);

}  // namespace phas::aws

#endif  // PHAS_AWS_SIGV4_H_
