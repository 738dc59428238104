// Credentials from a profile of the shared files (~/.aws/config and
// ~/.aws/credentials, aws/profile.h), read as the AWS CLI reads them. What a
// profile holds decides its source, first match:
//   1. role_arn with source_profile: STS AssumeRole, signed with the source
//      profile's credentials. Source profiles chain (a role assumed from a
//      role), up to kMaxRoles roles, without cycles; a source profile that
//      has static keys uses them even if it has a role_arn too, as the CLI
//      does (so a profile may name itself as its source).
//   2. role_arn with credential_source: AssumeRole signed with the
//      credentials of Environment, Ec2InstanceMetadata or EcsContainer.
//   3. role_arn with web_identity_token_file: AssumeRoleWithWebIdentity.
//   4. SSO (aws/sso_credentials.h): sso_session, or the legacy
//      sso_start_url, with sso_account_id and sso_role_name.
//   5. static keys: aws_access_key_id, aws_secret_access_key
//      (aws_session_token).
//   6. credential_process (aws/process_credentials.h).
// A role may set role_session_name, external_id and duration_seconds. A
// role with mfa_serial is refused with the workaround: phas runs unattended
// and cannot ask for a code.
//
// Errors name the profile and the key, and the way out when phas cannot
// solve it; never a secret.
//
// Thread-safety: the providers are safe to share.
#ifndef PHAS_AWS_PROFILE_CREDENTIALS_H_
#define PHAS_AWS_PROFILE_CREDENTIALS_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/credential_providers.h"
#include "aws/profile.h"

namespace phas::aws {

// What a profile's sources need to reach AWS, the instance and the
// container.
struct ProfileSources {
  Environment env;
  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<ImdsClient> imds;
  Clock* clock = nullptr;
  // STS, for AssumeRole (signed with each role's source) and
  // AssumeRoleWithWebIdentity (unsigned).
  ServiceEndpoint sts;
  RetryOptions retry;
  // Endpoint overrides from phas's config (AwsOptions::endpoints), for the
  // SSO portal.
  std::map<std::string, std::string> endpoints;
  // Limit of one credential_process run. Default: 60 s.
  std::chrono::milliseconds process_timeout{60000};
};

// Longest chain of roles assumed from one another.
inline constexpr int kMaxRoles = 5;

// The provider that profile `name` describes. NotFound when the profile
// holds no credential settings at all (a profile with only a region); any
// other error when its settings are incomplete, contradictory or
// unsupported.
Result<std::shared_ptr<CredentialsProvider>> ResolveProfileCredentials(
    const SharedConfig& files, const std::string& name,
    const ProfileSources& sources);

// The active profile (SharedConfig::active), resolved on the first Get.
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  ProfileCredentialsProvider(SharedConfig files, ProfileSources sources)
      : files_(std::move(files)), sources_(std::move(sources)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "shared-files"; }

 private:
  Result<std::shared_ptr<CredentialsProvider>> Resolve();

  SharedConfig files_;
  ProfileSources sources_;
  std::mutex mu_;
  std::optional<Result<std::shared_ptr<CredentialsProvider>>> resolved_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_PROFILE_CREDENTIALS_H_
