#include "aws/imds.h"

#include <fmt/format.h>

namespace phas::aws {
namespace {

constexpr int kTokenTtlSeconds = 21600;  // 6 hours, the SDKs' default
constexpr std::chrono::milliseconds kTimeout{1000};

}  // namespace

ImdsClient::ImdsClient(HttpTransport* transport, const Environment& env,
                       Clock* clock)
    : transport_(transport), clock_(clock) {
  std::string disabled = env("AWS_EC2_METADATA_DISABLED").value_or("");
  disabled_ = disabled == "true" || disabled == "TRUE" || disabled == "True";
  if (auto ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    endpoint_ = *ep;
  } else if (env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("") ==
             "IPv6") {
    endpoint_ = "http://[fd00:ec2::254]";
  } else {
    endpoint_ = "http://169.254.169.254";
  }
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

Result<std::string> ImdsClient::Token(bool force_refresh) {
  std::lock_guard<std::mutex> lock(mu_);
  TimePoint now = clock_->Now();
  if (!force_refresh && !token_.empty() && now < token_expiry_) return token_;
  HttpCall call;
  call.method = "PUT";
  call.url = endpoint_ + "/latest/api/token";
  call.headers = {{"X-aws-ec2-metadata-token-ttl-seconds",
                   std::to_string(kTokenTtlSeconds)}};
  call.connect_timeout = kTimeout;
  call.timeout = kTimeout;
  call.bypass_proxy = true;
  PHAS_ASSIGN_OR_RETURN(HttpReply reply, transport_->Send(call));
  if (reply.status != 200 || reply.body.empty()) {
    return Status::Unavailable(
        fmt::format("instance metadata token (IMDSv2 PUT {}): HTTP {}",
                    call.url, reply.status),
        reply.status >= 500);
  }
  token_ = reply.body;
  // Refresh a minute before the service would expire it.
  token_expiry_ = now + std::chrono::seconds(kTokenTtlSeconds - 60);
  return token_;
}

Result<std::string> ImdsClient::Get(const std::string& path) {
  if (disabled_) {
    return Status::FailedPrecondition(
        "instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    PHAS_ASSIGN_OR_RETURN(std::string token, Token(attempt > 0));
    HttpCall call;
    call.url = endpoint_ + "/latest/" + path;
    call.headers = {{"X-aws-ec2-metadata-token", token}};
    call.connect_timeout = kTimeout;
    call.timeout = kTimeout;
    call.bypass_proxy = true;
    PHAS_ASSIGN_OR_RETURN(HttpReply reply, transport_->Send(call));
    if (reply.status == 200) return reply.body;
    if (reply.status == 401) continue;  // token expired or revoked: fetch anew
    if (reply.status == 404) {
      return Status::NotFound("instance metadata " + path + ": not found");
    }
    return Status::Unavailable(
        fmt::format("instance metadata {}: HTTP {}", path, reply.status),
        reply.status >= 500);
  }
  return Status::PermissionDenied("instance metadata " + path +
                                  ": token rejected twice (HTTP 401)");
}

}  // namespace phas::aws
