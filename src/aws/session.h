// AwsSession: region, endpoints, credentials and clients, resolved once per
// process the way the AWS SDKs resolve them.
//
// Region, first found: the --region flag (or the config's `region`),
// AWS_REGION, AWS_DEFAULT_REGION, the active profile's `region`, instance
// metadata (placement/region).
//
// Endpoint per service, first found (the SDKs' "service-specific endpoints"
// convention, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true):
//   AWS_ENDPOINT_URL_<SERVICE> (AUTO_SCALING, CLOUDWATCH, EC2, STS, SSO,
//   DYNAMODB),
//   AWS_ENDPOINT_URL, the config's per-service endpoint, the config's
//   default endpoint, then https://<prefix>.<region>.amazonaws.com
//   (.amazonaws.com.cn in China regions). SSO is the IAM Identity Center
//   portal (portal.sso.<sso_region>), only called by SSO profiles.
//
// Thread-safety: immutable after Create; the clients are thread-safe.
#ifndef PHAS_AWS_SESSION_H_
#define PHAS_AWS_SESSION_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "aws/credential_providers.h"
#include "aws/environment.h"
#include "aws/http_transport.h"
#include "aws/imds.h"
#include "aws/profile.h"
#include "aws/query_client.h"
#include "aws/retry.h"
#include "common/clock.h"

namespace phas::aws {

enum class Service { kAutoScaling, kCloudWatch, kEc2, kSts, kSso, kDynamoDb };
// "autoscaling", "cloudwatch", "ec2", "sts", "sso", "dynamodb"
const char* ServiceId(Service s);

struct AwsOptions {
  // Empty: resolve (see above).
  std::string region;
  // Where `region` was set, for `phas doctor` and the daemon's first line.
  // Default: "--region or the config's region".
  std::string region_source;
  // Endpoint overrides from phas's config: keys "autoscaling", "cloudwatch",
  // "ec2", "sts", "dynamodb", or "default" for all.
  std::map<std::string, std::string> endpoints;
  RetryOptions retry;
};

struct ResolvedRegion {
  std::string region;
  std::string source;  // "--region", "AWS_REGION", "profile default", ...
};

// The detail() of ResolveRegion's error when the instance metadata, the
// last place looked, did not answer (refused, timed out, 5xx): on EC2 it can
// be late at boot, elsewhere there is none (CreateWaitingForRegion).
inline constexpr char kRegionMetadataUnanswered[] =
    "region_metadata_unanswered";

// `configured_source` names where `configured` came from (default: "--region
// or the config's region").
Result<ResolvedRegion> ResolveRegion(const std::string& configured,
                                     const Environment& env,
                                     const Profile& profile, ImdsClient* imds,
                                     const std::string& configured_source = "");

ServiceEndpoint ResolveEndpoint(
    Service s, const std::string& region, const Environment& env,
    const std::map<std::string, std::string>& configured);

// InvalidArgument naming ep.source unless ep.url is an http(s) URL.
Status CheckEndpointUrl(const ServiceEndpoint& ep);

class AwsSession;

// AwsSession::Create, tried again while it fails only because no region is
// configured and the instance metadata does not answer
// (kRegionMetadataUnanswered): every `retry` until `budget` has passed on
// `clock`, calling `wait(retry)` between tries and `told(error, retry)`
// before each wait. Then the last error, a usage error as before. For the
// daemon: on EC2 the metadata can be late at boot, and a usage error is
// never restarted; elsewhere it costs `budget` before the same error.
Result<std::unique_ptr<AwsSession>> CreateWaitingForRegion(
    const AwsOptions& options, const Environment& env, Clock* clock,
    Duration budget, Duration retry, const std::function<void(Duration)>& wait,
    const std::function<void(const Status&, Duration)>& told = nullptr);

class AwsSession {
 public:
  // Resolves the region and builds the credential chain (credentials are
  // fetched lazily, on the first call). Fails when no region can be found.
  static Result<std::unique_ptr<AwsSession>> Create(
      const AwsOptions& options, Environment env, Clock* clock,
      std::shared_ptr<HttpTransport> transport = nullptr);

  const ResolvedRegion& region() const { return region_; }
  std::shared_ptr<CredentialsProvider> credentials() const {
    return credentials_;
  }
  // kDynamoDb's client speaks the JSON 1.0 protocol (QueryClient::CallJson);
  // it calls as the process's own identity, also in an AssumeRole session.
  std::shared_ptr<QueryClient> client(Service s) const {
    return clients_.at(s);
  }
  // Reports every call of every client (for metrics).
  void set_observer(const CallObserver& observer);

  // A session of the same region, endpoints and retries whose calls are
  // made as `role`: STS AssumeRole signed with this session's credentials
  // (on the first call, then again 5 minutes before the role's credentials
  // expire: CachingCredentialsProvider). Its client(kSts) is the one that
  // assumes the role. An AssumeRole refused comes back from every call,
  // with what to fix in the message. Never fails: nothing is called yet.
  std::unique_ptr<AwsSession> AssumeRole(AssumeRoleConfig role) const;

 private:
  AwsSession() = default;
  Clock* clock_ = nullptr;
  RetryOptions retry_;
  ResolvedRegion region_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<ImdsClient> imds_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::map<Service, std::shared_ptr<QueryClient>> clients_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_SESSION_H_
