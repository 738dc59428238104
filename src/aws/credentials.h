// Credentials and the interface of their providers.
//
// A provider answers one of: credentials; NotFound when its source is not
// configured at all (a credential chain moves on to the next source); or
// another error when the source is configured but broken (the chain stops
// and reports it, rather than silently falling through to a different
// identity).
//
// Credentials never appear in logs or error messages: only `source` does.
//
// Thread-safety: implementations are safe to call from several threads.
#ifndef PHAS_AWS_CREDENTIALS_H_
#define PHAS_AWS_CREDENTIALS_H_

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace phas::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;            // empty for long-term keys
  std::optional<TimePoint> expiration;  // none for long-term keys
  // Where they came from, for operators: "environment", "instance metadata
  // (IMDSv2), role web-role", ... Never a secret.
  std::string source;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Returns credentials valid at `now`, or an error (see above).
  virtual Result<Credentials> Get(TimePoint now) = 0;
  // A short name of the source: "environment", "imds", ...
  virtual std::string name() const = 0;
};

// A fixed set of credentials (tests, and `doctor` checks).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials c) : c_(std::move(c)) {}
  Result<Credentials> Get(TimePoint) override { return c_; }
  std::string name() const override { return "static"; }

 private:
  Credentials c_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_CREDENTIALS_H_
