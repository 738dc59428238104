// AwsSession: region, endpoints, credentials and clients, resolved once per
// process the way the AWS SDKs resolve them.
//
// Region, first found: the --region flag (or config key), AWS_REGION,
// AWS_DEFAULT_REGION, the active profile's `region`, instance metadata
// (placement/region).
//
// Endpoint per service, first found (the SDKs' "service-specific endpoints"
// convention, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true):
//   AWS_ENDPOINT_URL_<SERVICE> (AUTO_SCALING, CLOUDWATCH, EC2, STS),
//   AWS_ENDPOINT_URL, the config's per-service endpoint, the config's
//   default endpoint, then https://<prefix>.<region>.amazonaws.com
//   (.amazonaws.com.cn in China regions).
//
// Thread-safety: immutable after Create; the clients are thread-safe.
#ifndef PHAS_AWS_SESSION_H_
#define PHAS_AWS_SESSION_H_

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

enum class Service { kAutoScaling, kCloudWatch, kEc2, kSts };
const char* ServiceId(Service s);  // "autoscaling", "cloudwatch", "ec2", "sts"

struct AwsOptions {
  // Empty: resolve (see above).
  std::string region;
  // Endpoint overrides from phas's config: keys "autoscaling", "cloudwatch",
  // "ec2", "sts", or "default" for all.
  std::map<std::string, std::string> endpoints;
  RetryOptions retry;
};

struct ResolvedRegion {
  std::string region;
  std::string source;  // "--region", "AWS_REGION", "profile default", ...
};

Result<ResolvedRegion> ResolveRegion(const std::string& configured,
                                     const Environment& env,
                                     const Profile& profile, ImdsClient* imds);

ServiceEndpoint ResolveEndpoint(
    Service s, const std::string& region, const Environment& env,
    const std::map<std::string, std::string>& configured);

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
  std::shared_ptr<QueryClient> client(Service s) const {
    return clients_.at(s);
  }
  // Reports every call of every client (for metrics).
  void set_observer(const CallObserver& observer);

 private:
  AwsSession() = default;
  ResolvedRegion region_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<ImdsClient> imds_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::map<Service, std::shared_ptr<QueryClient>> clients_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_SESSION_H_
