// The standard AWS credential sources and the chain that tries them in the
// SDKs' order:
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   2. shared files: the active profile's aws_access_key_id / _secret_ /
//   _session_token
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (or the
//      profile's web_identity_token_file + role_arn), via STS
//      AssumeRoleWithWebIdentity (EKS IRSA)
//   4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI, with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) (ECS, EKS Pod Identity)
//   5. instance metadata, IMDSv2 (an EC2 instance profile)
//
// CredentialChain remembers the source that answered and refreshes from it
// 5 minutes before expiry; if a refresh fails while the old credentials are
// still valid it keeps them (and logs a warning) rather than failing a call.
//
// Thread-safety: all providers are safe to share; the chain has a mutex.
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
#include "aws/profile.h"
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

class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  ProfileCredentialsProvider(Environment env, Profile profile)
      : env_(std::move(env)), profile_(std::move(profile)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "shared-files"; }

 private:
  Environment env_;
  Profile profile_;
};

class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  // `sts` is an unsigned QueryClient for STS.
  WebIdentityCredentialsProvider(Environment env, Profile profile,
                                 std::shared_ptr<QueryClient> sts);
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "web-identity"; }

 private:
  std::string token_file_, role_arn_, session_name_;
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

class CredentialChain final : public CredentialsProvider {
 public:
  explicit CredentialChain(
      std::vector<std::shared_ptr<CredentialsProvider>> providers);
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "chain"; }

  // Refresh this long before expiry. Default: 5 minutes.
  static constexpr std::chrono::minutes kRefreshWindow{5};

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  int source_ = -1;
};

// Parses the JSON document the container endpoint and IMDS return
// ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}).
Result<Credentials> ParseCredentialsJson(const std::string& body,
                                         const std::string& source);

}  // namespace phas::aws

#endif  // PHAS_AWS_CREDENTIAL_PROVIDERS_H_
