#include "aws/session.h"

#include <fmt/format.h>

#include "aws/profile_credentials.h"
#include "common/json_util.h"

namespace phas::aws {
namespace {

struct ServiceInfo {
  Service service;
  const char* id;
  const char* env_suffix;
  const char* prefix;        // endpoint host prefix
  const char* signing_name;  // SigV4 service name
  const char* api_version;
};

const ServiceInfo kServices[] = {
    {Service::kAutoScaling, "autoscaling", "AUTO_SCALING", "autoscaling",
     "autoscaling", "2011-01-01"},
    {Service::kCloudWatch, "cloudwatch", "CLOUDWATCH", "monitoring",
     "monitoring", "2010-08-01"},
    {Service::kEc2, "ec2", "EC2", "ec2", "ec2", "2016-11-15"},
    {Service::kSts, "sts", "STS", "sts", "sts", "2011-06-15"},
    {Service::kSso, "sso", "SSO", "portal.sso", "awsssoportal", ""},
    {Service::kDynamoDb, "dynamodb", "DYNAMODB", "dynamodb", "dynamodb",
     "2012-08-10"},
};

const ServiceInfo& Info(Service s) {
  for (const ServiceInfo& i : kServices) {
    if (i.service == s) return i;
  }
  return kServices[0];
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// `url` without a user name and password ("user:pass@host" -> "…@host"),
// for messages.
std::string HideUserInfo(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  // Up to the last '@' anywhere, not only in the authority: a password
  // holding an unencoded '/', '?' or '#' ("ops:hun/ter2@gw") ends the
  // authority early. An AWS endpoint's URL holds no other '@'.
  size_t at = url.rfind('@');
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + "…" + url.substr(at);
}

}  // namespace

// The transport and the signer take the host from after the scheme: an
// endpoint from the environment or the config must have one. A user name
// and password in it would be the Host header phas signs, and printed with
// the URL in errors and by phas doctor: refused, never echoed.
Status CheckEndpointUrl(const ServiceEndpoint& ep) {
  const std::string shown = HideUserInfo(ep.url);
  if (ep.url.rfind("http://", 0) != 0 && ep.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(
        ep.source + ": must be an http:// or https:// URL, got '" +
        Abbreviate(shown) + "'");
  }
  if (shown != ep.url) {
    return Status::InvalidArgument(
        ep.source + ": must not hold a user name or password (" +
        Abbreviate(shown) +
        "): AWS requests are signed with the AWS credentials; a proxy's "
        "password goes in HTTPS_PROXY");
  }
  return Status::OK();
}

const char* ServiceId(Service s) { return Info(s).id; }

namespace {

// A region as AWS names them (us-east-1, cn-north-1, us-gov-west-1):
// lower-case letters and digits in words joined by hyphens. It becomes
// part of every endpoint's host name and of the signature's scope.
Result<ResolvedRegion> CheckRegion(ResolvedRegion r) {
  const std::string& s = r.region;
  bool ok = !s.empty() && s.size() <= 64 && s.front() != '-' &&
            s.back() != '-' && s.find("--") == std::string::npos;
  for (char c : s) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (ok) return r;
  return Status::InvalidArgument(
      r.source +
      ": not an AWS region name (lower-case letters, digits and "
      "hyphens, like us-east-1), got '" +
      Abbreviate(s) + "'");
}

Result<ResolvedRegion> FindRegion(const std::string& configured,
                                  const Environment& env,
                                  const Profile& profile, ImdsClient* imds,
                                  const std::string& configured_source) {
  if (!configured.empty()) {
    return ResolvedRegion{configured, configured_source.empty()
                                          ? "--region or the config's region"
                                          : configured_source};
  }
  if (auto r = env("AWS_REGION")) return ResolvedRegion{*r, "AWS_REGION"};
  if (auto r = env("AWS_DEFAULT_REGION"))
    return ResolvedRegion{*r, "AWS_DEFAULT_REGION"};
  if (std::string r = profile.Get("region"); !r.empty()) {
    return ResolvedRegion{r, "profile " + profile.name};
  }
  std::string why = "instance metadata disabled";
  bool unanswered = false;
  if (imds && !imds->disabled()) {
    auto r = imds->Get("meta-data/placement/region");
    if (r.ok() && !r->empty()) return ResolvedRegion{*r, "instance metadata"};
    why = "instance metadata: " + r.status().message();
    unanswered = r.status().code() == Status::Code::kUnavailable ||
                 r.status().code() == Status::Code::kDeadlineExceeded;
  }
  Status st = Status::InvalidArgument(
      "no AWS region: set --region (or `region:` at the top of the config "
      "file), AWS_REGION, AWS_DEFAULT_REGION or the profile's region (" +
      why + ")");
  return unanswered ? st.WithDetail(kRegionMetadataUnanswered) : st;
}

}  // namespace

Result<ResolvedRegion> ResolveRegion(const std::string& configured,
                                     const Environment& env,
                                     const Profile& profile, ImdsClient* imds,
                                     const std::string& configured_source) {
  PHAS_ASSIGN_OR_RETURN(ResolvedRegion r, FindRegion(configured, env, profile,
                                                     imds, configured_source));
  return CheckRegion(std::move(r));
}

ServiceEndpoint ResolveEndpoint(
    Service s, const std::string& region, const Environment& env,
    const std::map<std::string, std::string>& configured) {
  const ServiceInfo& info = Info(s);
  ServiceEndpoint ep{info.id, info.signing_name, info.api_version, "", region,
                     ""};
  std::string ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("");
  bool use_configured = ignore != "true" && ignore != "TRUE";
  std::string specific = std::string("AWS_ENDPOINT_URL_") + info.env_suffix;
  if (use_configured) {
    if (auto v = env(specific)) {
      ep.url = TrimSlash(*v);
      ep.source = specific;
      return ep;
    }
    if (auto v = env("AWS_ENDPOINT_URL")) {
      ep.url = TrimSlash(*v);
      ep.source = "AWS_ENDPOINT_URL";
      return ep;
    }
  }
  if (auto it = configured.find(info.id); it != configured.end()) {
    ep.url = TrimSlash(it->second);
    ep.source = fmt::format("config aws.endpoints.{}", info.id);
    return ep;
  }
  if (auto it = configured.find("default"); it != configured.end()) {
    ep.url = TrimSlash(it->second);
    ep.source = "config aws.endpoints.default";
    return ep;
  }
  std::string suffix =
      region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  ep.url = fmt::format("https://{}.{}.{}", info.prefix, region, suffix);
  ep.source = "standard regional endpoint";
  return ep;
}

Result<std::unique_ptr<AwsSession>> CreateWaitingForRegion(
    const AwsOptions& options, const Environment& env, Clock* clock,
    Duration budget, Duration retry, const std::function<void(Duration)>& wait,
    const std::function<void(const Status&, Duration)>& told) {
  TimePoint until = clock->Now() + budget;
  while (true) {
    auto s = AwsSession::Create(options, env, clock);
    if (s.ok() || s.status().detail() != kRegionMetadataUnanswered ||
        clock->Now() + retry > until) {
      return s;
    }
    if (told) told(s.status(), retry);
    wait(retry);
  }
}

Result<std::unique_ptr<AwsSession>> AwsSession::Create(
    const AwsOptions& options, Environment env, Clock* clock,
    std::shared_ptr<HttpTransport> transport) {
  std::unique_ptr<AwsSession> s(new AwsSession());
  s->clock_ = clock;
  s->retry_ = options.retry;
  s->transport_ =
      transport ? std::move(transport) : std::make_shared<CurlTransport>();
  s->imds_ = std::make_shared<ImdsClient>(s->transport_.get(), env, clock);
  PHAS_ASSIGN_OR_RETURN(SharedConfig files, LoadSharedConfig(env));
  Profile profile = files.Find(files.active);
  PHAS_ASSIGN_OR_RETURN(
      s->region_, ResolveRegion(options.region, env, profile, s->imds_.get(),
                                options.region_source));
  const std::string& region = s->region_.region;

  std::map<Service, ServiceEndpoint> endpoints;
  for (Service svc :
       {Service::kSts, Service::kAutoScaling, Service::kCloudWatch,
        Service::kEc2, Service::kDynamoDb}) {
    endpoints[svc] = ResolveEndpoint(svc, region, env, options.endpoints);
    PHAS_RETURN_IF_ERROR(CheckEndpointUrl(endpoints[svc]));
  }
  auto sts = std::make_shared<QueryClient>(
      endpoints[Service::kSts], s->transport_,
      /*credentials=*/nullptr, clock, options.retry);
  ProfileSources sources;
  sources.env = env;
  sources.transport = s->transport_;
  sources.imds = s->imds_;
  sources.clock = clock;
  sources.sts = endpoints[Service::kSts];
  sources.retry = options.retry;
  sources.endpoints = options.endpoints;
  // The SDKs' order (aws/credential_providers.h). When the active profile
  // assumes its role with credential_source = Environment, the
  // environment's keys are that role's source, not an identity of their own
  // (the AWS CLI's `--profile` behaviour).
  std::vector<std::shared_ptr<CredentialsProvider>> chain;
  if (profile.Get("role_arn").empty() ||
      profile.Get("credential_source") != "Environment") {
    chain.push_back(std::make_shared<EnvironmentCredentialsProvider>(env));
  }
  chain.push_back(WebIdentityCredentialsProvider::FromEnvironment(env, sts));
  chain.push_back(std::make_shared<ProfileCredentialsProvider>(
      std::move(files), std::move(sources)));
  chain.push_back(
      std::make_shared<ContainerCredentialsProvider>(env, s->transport_));
  chain.push_back(std::make_shared<ImdsCredentialsProvider>(s->imds_));
  s->credentials_ = std::make_shared<CredentialChain>(std::move(chain));
  s->clients_[Service::kSts] = sts;
  for (Service svc : {Service::kAutoScaling, Service::kCloudWatch,
                      Service::kEc2, Service::kDynamoDb}) {
    s->clients_[svc] = std::make_shared<QueryClient>(
        endpoints[svc], s->transport_, s->credentials_, clock, options.retry);
  }
  return s;
}

std::unique_ptr<AwsSession> AwsSession::AssumeRole(
    AssumeRoleConfig role) const {
  std::unique_ptr<AwsSession> s(new AwsSession());
  s->clock_ = clock_;
  s->retry_ = retry_;
  s->region_ = region_;
  s->transport_ = transport_;
  s->imds_ = imds_;
  auto sts =
      std::make_shared<QueryClient>(clients_.at(Service::kSts)->endpoint(),
                                    transport_, credentials_, clock_, retry_);
  s->credentials_ = std::make_shared<CachingCredentialsProvider>(
      std::make_shared<AssumeRoleCredentialsProvider>(std::move(role),
                                                      credentials_, sts));
  s->clients_[Service::kSts] = sts;
  s->clients_[Service::kDynamoDb] = clients_.at(Service::kDynamoDb);
  for (Service svc :
       {Service::kAutoScaling, Service::kCloudWatch, Service::kEc2}) {
    s->clients_[svc] =
        std::make_shared<QueryClient>(clients_.at(svc)->endpoint(), transport_,
                                      s->credentials_, clock_, retry_);
  }
  return s;
}

void AwsSession::set_observer(const CallObserver& observer) {
  for (auto& [svc, client] : clients_) client->set_observer(observer);
}

}  // namespace phas::aws
