// Credentials of an IAM Identity Center (SSO) profile, from the token the
// AWS CLI v2 caches after `aws sso login`.
//
// Two profile forms, as the CLI writes them:
//   [profile dev]                        [profile dev]
//   sso_session = corp                   sso_start_url =
//   https://corp.awsapps.com/start sso_account_id = 123456789012 sso_region =
//   eu-west-1 sso_role_name = ReadOnly             sso_account_id =
//   123456789012 [sso-session corp]                   sso_role_name = ReadOnly
//   sso_start_url = https://...          (legacy)
//   sso_region = eu-west-1
// The token is read from ~/.aws/sso/cache/<sha1 hex>.json (accessToken,
// expiresAt), the SHA-1 of the session name, or of the start URL in the
// legacy form; the role's credentials come from the portal's
// GetRoleCredentials (GET /federation/credentials, the token in the
// x-amz-sso_bearer_token header, not SigV4-signed) at
// https://portal.sso.<sso_region>.amazonaws.com, or AWS_ENDPOINT_URL_SSO /
// AWS_ENDPOINT_URL / the config's aws.endpoints.default.
//
// phas never refreshes or creates the token (that takes a browser): a
// missing, expired or refused token is an error naming
// `aws sso login --profile NAME`. The token appears in no log or message.
//
// Thread-safety: safe to share (no mutable state).
#ifndef PHAS_AWS_SSO_CREDENTIALS_H_
#define PHAS_AWS_SSO_CREDENTIALS_H_

#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/http_transport.h"
#include "aws/profile.h"
#include "aws/query_client.h"

namespace phas::aws {

struct SsoConfig {
  std::string profile;       // the profile's name, for messages
  std::string session_name;  // [sso-session NAME]; empty in the legacy form
  std::string start_url;
  std::string region;  // sso_region: the portal's region
  std::string account_id;
  std::string role_name;
};

// True when the profile has any SSO key (it is then an SSO profile).
bool UsesSso(const Profile& profile);

// Reads and checks a profile's SSO settings (and its [sso-session]):
// InvalidArgument naming the missing or inconsistent key.
Result<SsoConfig> SsoConfigOf(const Profile& profile,
                              const SharedConfig& files);

// The cache file name: lower-case hex SHA-1 of the session name (or of the
// start URL in the legacy form), ".json".
std::string SsoCacheFileName(const SsoConfig& config);

class SsoCredentialsProvider final : public CredentialsProvider {
 public:
  // `cache_dir`: the CLI's token cache (~/.aws/sso/cache); `portal`: where
  // GetRoleCredentials is sent.
  SsoCredentialsProvider(SsoConfig config, std::string cache_dir,
                         ServiceEndpoint portal,
                         std::shared_ptr<HttpTransport> transport)
      : config_(std::move(config)),
        cache_dir_(std::move(cache_dir)),
        portal_(std::move(portal)),
        transport_(std::move(transport)) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "sso"; }

 private:
  // The cached access token, if present and valid at `now`.
  Result<std::string> Token(TimePoint now) const;
  std::string Relogin() const;  // "sign in again: aws sso login --profile X"

  SsoConfig config_;
  std::string cache_dir_;
  ServiceEndpoint portal_;
  std::shared_ptr<HttpTransport> transport_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_SSO_CREDENTIALS_H_
