// The standard AWS credential sources, and the chain that tries them in the
// AWS SDKs' order (the SDK for Java v2's, which botocore shares in effect):
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, via STS
//      AssumeRoleWithWebIdentity (EKS IRSA)
//   3. the active profile of the shared files (aws/profile_credentials.h):
//      static keys, role_arn with source_profile or credential_source
//      (STS AssumeRole), role_arn with web_identity_token_file, SSO,
//      credential_process
//   4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI, with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) (ECS, EKS Pod Identity)
//   5. instance metadata, IMDSv2 (an EC2 instance profile)
//
// CredentialChain remembers the source that answered (or the first one
// configured but broken) and, through CachingCredentialsProvider, refreshes
// from it 5 minutes before expiry; if a refresh fails while the old
// credentials are still valid it keeps them (and logs a warning) rather than
// failing a call; a source that fails with nothing valid is asked again after
// the cache's wait. A role assumed from another source caches that source's
// credentials the same way.
//
// Thread-safety: all providers are safe to share; the caching ones have a
// mutex.
#ifndef PHAS_AWS_CREDENTIAL_PROVIDERS_H_
#define PHAS_AWS_CREDENTIAL_PROVIDERS_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/http_transport.h"
#include "aws/imds.h"
#include "aws/query_client.h"

namespace phas::aws {

class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(Environment env)
      : env_(std::move(env)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "environment"; }

 private:
  Environment env_;
};

// A role assumed with a web identity token (STS AssumeRoleWithWebIdentity,
// sent unsigned).
struct WebIdentityConfig {
  std::string token_file;
  std::string role_arn;
  std::string session_name;  // default "phas"
  // Where the settings came from, for messages: "AWS_WEB_IDENTITY_TOKEN_FILE",
  // "profile 'ci'".
  std::string origin;
};

class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  // `sts` is an unsigned QueryClient for STS.
  WebIdentityCredentialsProvider(WebIdentityConfig config,
                                 std::shared_ptr<QueryClient> sts);
  // From AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME.
  static std::shared_ptr<WebIdentityCredentialsProvider> FromEnvironment(
      const Environment& env, std::shared_ptr<QueryClient> sts);
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "web-identity"; }

 private:
  WebIdentityConfig config_;
  std::shared_ptr<QueryClient> sts_;
};

// A role assumed with STS AssumeRole, signed with the credentials of another
// source (a profile's source_profile or credential_source).
struct AssumeRoleConfig {
  std::string role_arn;
  std::string session_name;             // default "phas"
  std::string external_id;              // optional
  std::optional<int> duration_seconds;  // default: STS's (1 hour)
  // Where the role is configured, for messages: "profile 'prod'".
  std::string origin;
};

// Whether two configs assume the same role alike (ARN, session name,
// external id, duration; not where they are configured).
bool SameRole(const AssumeRoleConfig& a, const AssumeRoleConfig& b);

class AssumeRoleCredentialsProvider final : public CredentialsProvider {
 public:
  // `sts` must sign with the source's credentials; `source` is that
  // provider (its NotFound becomes an error: the role is configured, and
  // another identity must not be used in its place). STS's AccessDenied
  // comes back with the fix in words (trust policy, sts:AssumeRole).
  AssumeRoleCredentialsProvider(AssumeRoleConfig config,
                                std::shared_ptr<CredentialsProvider> source,
                                std::shared_ptr<QueryClient> sts);
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "assume-role"; }

 private:
  AssumeRoleConfig config_;
  std::shared_ptr<CredentialsProvider> source_;
  std::shared_ptr<QueryClient> sts_;
};

class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  ContainerCredentialsProvider(Environment env,
                               std::shared_ptr<HttpTransport> transport)
      : env_(std::move(env)), transport_(std::move(transport)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "container"; }

 private:
  Environment env_;
  std::shared_ptr<HttpTransport> transport_;
};

class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ImdsCredentialsProvider(std::shared_ptr<ImdsClient> imds)
      : imds_(std::move(imds)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "imds"; }

 private:
  std::shared_ptr<ImdsClient> imds_;
};

// Caches the credentials of one source until kRefreshWindow before they
// expire (long-term keys: for good), then fetches again; keeps valid
// credentials when a refresh fails, and asks the source again kRetryAfter
// later (or in half the time they have left), not at every request (an STS or
// IMDS outage, a role's trust policy changed: the group's every call would ask,
// and log, again). With nothing valid (expired, or never answered), a failed
// ask's error is the answer until the source is asked again: a second later,
// then twice as long after each failure in a row, kRetryAfter at most (each
// ask waits out the source's own retries, and every call of every cycle
// would wait so). Credentials that come expired or inside the refresh window
// by this clock (which may be the one that is wrong) are used, and the
// source asked again in half their time left, kRetryAfter at most.
class CachingCredentialsProvider final : public CredentialsProvider {
 public:
  explicit CachingCredentialsProvider(
      std::shared_ptr<CredentialsProvider> source)
      : source_(std::move(source)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return source_->name(); }

  // Refresh this long before expiry. Default: 5 minutes.
  static constexpr std::chrono::minutes kRefreshWindow{5};
  // After a failed refresh, while the credentials are valid; the longest
  // wait with nothing valid.
  static constexpr std::chrono::seconds kRetryAfter{30};

 private:
  std::shared_ptr<CredentialsProvider> source_;
  std::mutex mu_;
  std::optional<Credentials> cached_;  // kept once expired, for the error
  std::optional<TimePoint> retry_at_;  // after a failed refresh
  // Credentials that came expired or inside the refresh window: used until
  // then, when the source is asked again.
  std::optional<TimePoint> hold_until_;
  bool told_short_ = false;  // the warning about them, once
  // The source's last ask: a call dated before it (the wall clock stepped
  // back) ends the wait.
  TimePoint asked_at_;
  // With nothing valid: the last ask's error, and the failed asks in a row.
  Status failed_;
  int failures_ = 0;
};

class CredentialChain final : public CredentialsProvider {
 public:
  explicit CredentialChain(
      std::vector<std::shared_ptr<CredentialsProvider>> providers);
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "chain"; }

  static constexpr std::chrono::minutes kRefreshWindow =
      CachingCredentialsProvider::kRefreshWindow;

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::mutex mu_;
  // The first source that answered, or that is configured but broken,
  // cached; null until one has.
  std::shared_ptr<CachingCredentialsProvider> chosen_;
};

// Reads the <Credentials> of an STS AssumeRole* answer; `source` names it
// in errors and becomes Credentials::source.
Result<Credentials> ParseStsCredentials(const XmlDoc& doc,
                                        const std::string& source);

// Parses the JSON document the container endpoint and IMDS return
// ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}).
Result<Credentials> ParseCredentialsJson(const std::string& body,
                                         const std::string& source);

}  // namespace phas::aws

#endif  // PHAS_AWS_CREDENTIAL_PROVIDERS_H_
