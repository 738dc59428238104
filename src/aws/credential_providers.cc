#include "aws/credential_providers.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/xml.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "common/text.h"

namespace phas::aws {
namespace {

Status NotConfigured(const std::string& what) { return Status::NotFound(what); }

bool TrimTrailingNewlines(std::string* s) {
  while (!s->empty() &&
         (s->back() == '\n' || s->back() == '\r' || s->back() == ' ')) {
    s->pop_back();
  }
  return !s->empty();
}

// Hosts allowed for AWS_CONTAINER_CREDENTIALS_FULL_URI over plain HTTP.
// As botocore: an address, not a name that begins like one
// ("127.0.0.1.attacker.example" resolves anywhere).
bool AllowedContainerHost(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return false;
  std::string rest = url.substr(start + 3);
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  // Names are case-blind, as botocore's urlparse lower-cases them.
  host = AsciiLower(host);
  if (host == "localhost") return true;
  in_addr v4;
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || a == 0xA9FEAA02 /* 169.254.170.2 */ ||
           a == 0xA9FEAA17 /* 169.254.170.23 */;
  }
  in6_addr v6, ecs;
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    ::inet_pton(AF_INET6, "fd00:ec2::23", &ecs);
    return IN6_IS_ADDR_LOOPBACK(&v6) || IN6_ARE_ADDR_EQUAL(&v6, &ecs);
  }
  return false;
}

// Keys and tokens are printable ASCII without spaces (AWS's are A-Z and
// digits, and base64). A space or a line break, such as a file's trailing
// newline carried into a variable or a Kubernetes secret, fails every
// signature with nothing to say why, and a line break in
// X-Amz-Security-Token ends the request's headers early. Says which and
// where, never the value.
Status CheckPrintable(const Credentials& c) {
  for (auto [what, value] : {std::pair{"access key id", &c.access_key_id},
                             {"secret access key", &c.secret_access_key},
                             {"session token", &c.session_token}}) {
    auto unprintable = [](unsigned char ch) { return ch <= ' ' || ch >= 0x7f; };
    auto bad = std::find_if(value->begin(), value->end(), unprintable);
    if (bad == value->end()) continue;
    bool at_end = std::all_of(bad, value->end(), unprintable);
    return Status::InvalidArgument(fmt::format(
        "{}: the {} it gave holds a space, a line break or a byte outside "
        "printable ASCII {}",
        c.source, what,
        at_end ? "at its end (a file's trailing newline?)" : "inside it"));
  }
  return Status::OK();
}

}  // namespace

Result<Credentials> ParseCredentialsJson(const std::string& body,
                                         const std::string& source) {
  // Every error is final for this answer (not retryable) and names the
  // source and the field, never a value: the fields are secrets.
  auto bad = [&](const Status& st) {
    return Status::Unavailable(source + ": " + st.message(), false);
  };
  auto parsed = ParseJson(body);
  if (!parsed.ok()) {
    // Not the parser's message: it quotes the text where it stopped.
    return Status::Unavailable(source + ": credentials response is not JSON",
                               false);
  }
  JsonReader r(*parsed, "");
  r.set_echo_values(false);
  if (!r.IsObject()) return bad(r.WrongType("", "a JSON object", *parsed));
  std::string code;
  if (Status st = r.Str("Code", &code); !st.ok()) return bad(st);
  if (!code.empty() && code != "Success") {
    return Status::Unavailable(
        source + ": credentials not available (Code " + Abbreviate(code) + ")",
        false);
  }
  Credentials c;
  c.source = source;
  std::string exp;
  for (auto [key, out] : {std::pair{"AccessKeyId", &c.access_key_id},
                          {"SecretAccessKey", &c.secret_access_key},
                          {"Token", &c.session_token},
                          {"Expiration", &exp}}) {
    if (Status st = r.Str(key, out); !st.ok()) return bad(st);
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::Unavailable(
        source + ": response lacks AccessKeyId or SecretAccessKey", false);
  }
  if (!exp.empty()) {
    TimePoint t;
    if (!ParseIso8601(exp, &t)) {
      return Status::Unavailable(
          source + ": unreadable Expiration '" + Abbreviate(exp) + "'", false);
    }
    c.expiration = t;
  }
  return c;
}

Result<Credentials> EnvironmentCredentialsProvider::Get(TimePoint) {
  auto id = env_("AWS_ACCESS_KEY_ID");
  auto secret = env_("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return NotConfigured("AWS_ACCESS_KEY_ID is not set");
  if (!id || !secret) {
    return Status::InvalidArgument(
        std::string("partial credentials in the environment: ") +
        (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not set");
  }
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token = env_("AWS_SESSION_TOKEN").value_or("");
  c.source = "environment (AWS_ACCESS_KEY_ID)";
  return c;
}

Result<Credentials> ParseStsCredentials(const XmlDoc& doc,
                                        const std::string& source) {
  pugi::xml_node cred = Find(*doc, "Credentials");
  Credentials c;
  c.access_key_id = Text(cred, "AccessKeyId");
  c.secret_access_key = Text(cred, "SecretAccessKey");
  c.session_token = Text(cred, "SessionToken");
  TimePoint exp;
  if (c.access_key_id.empty() || c.secret_access_key.empty() ||
      !ParseIso8601(Text(cred, "Expiration"), &exp)) {
    return Status::Unavailable(source + ": STS response lacks credentials",
                               false);
  }
  c.expiration = exp;
  c.source = source;
  return c;
}

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(
    WebIdentityConfig config, std::shared_ptr<QueryClient> sts)
    : config_(std::move(config)), sts_(std::move(sts)) {
  if (config_.session_name.empty()) config_.session_name = "phas";
}

std::shared_ptr<WebIdentityCredentialsProvider>
WebIdentityCredentialsProvider::FromEnvironment(
    const Environment& env, std::shared_ptr<QueryClient> sts) {
  WebIdentityConfig c;
  c.token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
  c.role_arn = env("AWS_ROLE_ARN").value_or("");
  c.session_name = env("AWS_ROLE_SESSION_NAME").value_or("");
  c.origin = "AWS_WEB_IDENTITY_TOKEN_FILE";
  return std::make_shared<WebIdentityCredentialsProvider>(std::move(c),
                                                          std::move(sts));
}

Result<Credentials> WebIdentityCredentialsProvider::Get(TimePoint) {
  const WebIdentityConfig& c = config_;
  if (c.token_file.empty() && c.role_arn.empty()) {
    return NotConfigured("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  }
  if (c.token_file.empty() || c.role_arn.empty()) {
    return Status::InvalidArgument(std::string("web identity: ") +
                                   (c.token_file.empty()
                                        ? "AWS_WEB_IDENTITY_TOKEN_FILE"
                                        : "AWS_ROLE_ARN") +
                                   " is not set");
  }
  // The token file is re-read on every refresh: the platform rotates it.
  auto token = ReadRegularFile(c.token_file, 64 * 1024);
  if (!token.ok()) {
    // Configured, so broken: a missing file (NotFound) would read as "not
    // configured" and the chain would go on to another identity (on EKS,
    // the node's role).
    return Status::FailedPrecondition(
        c.origin + ": web identity token file: " + token.status().message());
  }
  std::string tok = *token;
  if (!TrimTrailingNewlines(&tok)) {
    return Status::InvalidArgument(c.origin + ": web identity token file " +
                                   c.token_file + " is empty");
  }
  auto doc = sts_->Call("AssumeRoleWithWebIdentity",
                        {{"RoleArn", c.role_arn},
                         {"RoleSessionName", c.session_name},
                         {"WebIdentityToken", tok}});
  if (!doc.ok()) {
    return doc.status().WithContext("web identity (role " + c.role_arn + ")");
  }
  return ParseStsCredentials(*doc, "web identity (role " + c.role_arn +
                                       ", token file " + c.token_file + ")");
}

bool SameRole(const AssumeRoleConfig& a, const AssumeRoleConfig& b) {
  return a.role_arn == b.role_arn && a.session_name == b.session_name &&
         a.external_id == b.external_id &&
         a.duration_seconds == b.duration_seconds;
}

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(
    AssumeRoleConfig config, std::shared_ptr<CredentialsProvider> source,
    std::shared_ptr<QueryClient> sts)
    : config_(std::move(config)),
      source_(std::move(source)),
      sts_(std::move(sts)) {
  if (config_.session_name.empty()) config_.session_name = "phas";
}

Result<Credentials> AssumeRoleCredentialsProvider::Get(TimePoint now) {
  const AssumeRoleConfig& c = config_;
  // The source first, so that "not configured" cannot reach the chain as
  // NotFound (it would move on to another identity).
  auto source = source_->Get(now);
  if (!source.ok()) {
    Status st = source.status();
    if (st.IsNotFound()) st = Status::FailedPrecondition(st.message());
    return st.WithContext(c.origin + ": the credentials to assume role " +
                          c.role_arn);
  }
  QueryParams params = {{"RoleArn", c.role_arn},
                        {"RoleSessionName", c.session_name}};
  if (!c.external_id.empty()) params.emplace_back("ExternalId", c.external_id);
  if (c.duration_seconds) {
    params.emplace_back("DurationSeconds", std::to_string(*c.duration_seconds));
  }
  auto doc = sts_->Call("AssumeRole", params);
  if (!doc.ok()) {
    Status st = doc.status();
    if (st.IsPermissionDenied() && st.detail() == "AccessDenied") {
      // What only the operator can change, in words.
      st =
          Status::PermissionDenied(
              fmt::format(
                  "{}. Fix: the role's trust policy must allow the principal "
                  "phas runs as (credentials from {}) to assume it{}, and that "
                  "principal needs an IAM policy allowing sts:AssumeRole on {}",
                  st.message(), source->source,
                  c.external_id.empty() ? ""
                                        : " with the configured ExternalId",
                  c.role_arn))
              .WithDetail(st.detail());
    }
    return st.WithContext(c.origin + ": assume role " + c.role_arn);
  }
  return ParseStsCredentials(
      *doc, fmt::format("role {} ({}, assumed with {})", c.role_arn, c.origin,
                        source->source));
}

Result<Credentials> ContainerCredentialsProvider::Get(TimePoint) {
  std::string url;
  if (auto rel = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    // A path: "@host/..." would have sent the token to that host.
    if (rel->empty() || (*rel)[0] != '/') {
      return Status::InvalidArgument(
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path beginning "
          "with '/'");
    }
    url = "http://169.254.170.2" + *rel;
  } else if (auto full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    url = *full;
    // "http://127.0.0.1:x@host/" is a request to host: the loopback check
    // below read the user name as the host, and sent the token in plain
    // text. A password would also be echoed. Never shown.
    if (url.find('@') != std::string::npos) {
      return Status::InvalidArgument(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must not hold a user name or "
          "password ('@')");
    }
    std::string scheme = AsciiLower(url.substr(0, url.find("://")));
    if (url.find("://") == std::string::npos ||
        (scheme != "https" &&
         (scheme != "http" || !AllowedContainerHost(url)))) {
      return Status::InvalidArgument(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a "
          "loopback "
          "or ECS/EKS link-local address; got " +
          url);
    }
  } else {
    return NotConfigured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not set");
  }
  HttpCall call;
  call.url = url;
  call.bypass_proxy = true;
  call.connect_timeout = std::chrono::milliseconds(2000);
  call.timeout = std::chrono::milliseconds(5000);
  if (auto file = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auto tok = ReadRegularFile(*file, 16 * 1024);
    if (!tok.ok())
      return tok.status().WithContext("container authorization token file");
    std::string t = *tok;
    TrimTrailingNewlines(&t);
    call.headers.emplace_back("Authorization", t);
  } else if (auto tok = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    call.headers.emplace_back("Authorization", *tok);
  }
  // A line break would end the header early and begin another (or the
  // body), a NUL cut it short (botocore refuses CR and LF, even a file's
  // trailing newline, which phas trims). Says which, never the value.
  if (!call.headers.empty() &&
      call.headers.back().second.find_first_of(std::string_view("\r\n\0", 3)) !=
          std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("container authorization token ({}) holds a line break or "
                    "a NUL: not a legal header value",
                    env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
                        ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                        : "AWS_CONTAINER_AUTHORIZATION_TOKEN"));
  }
  PHAS_ASSIGN_OR_RETURN(HttpReply reply, transport_->Send(call));
  if (reply.status != 200) {
    return Status::Unavailable(
        fmt::format("container credentials {}: HTTP {}", url, reply.status),
        reply.status >= 500);
  }
  return ParseCredentialsJson(reply.body,
                              "container credentials (" + url + ")");
}

Result<Credentials> ImdsCredentialsProvider::Get(TimePoint) {
  if (imds_->disabled()) return NotConfigured("instance metadata is disabled");
  auto roles = imds_->Get("meta-data/iam/security-credentials/");
  if (!roles.ok()) {
    if (roles.status().IsNotFound()) {
      return Status::NotFound(
          "instance metadata: this instance has no instance profile");
    }
    // Not on EC2 (nothing answers at the endpoint): the chain reports this as
    // "no source found" with the reason.
    return Status::NotFound("instance metadata at " + imds_->endpoint() +
                            " unavailable: " + roles.status().message());
  }
  std::string role = roles->substr(0, roles->find('\n'));
  TrimTrailingNewlines(&role);
  if (role.empty())
    return Status::NotFound("instance metadata: no role attached");
  auto body = imds_->Get("meta-data/iam/security-credentials/" + role);
  if (!body.ok())
    return body.status().WithContext("instance metadata role " + role);
  return ParseCredentialsJson(*body,
                              "instance metadata (IMDSv2, role " + role + ")");
}

Result<Credentials> CachingCredentialsProvider::Get(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  // Credentials that came expired or near expiry by this clock: used until
  // the source is asked again.
  if (cached_ && hold_until_ && now >= asked_at_ && now < *hold_until_) {
    return *cached_;
  }
  const bool valid =
      cached_ && (!cached_->expiration || now < *cached_->expiration);
  // Inside a failed ask's wait. A call before that ask (the wall clock
  // stepped back) asks again: the wait would last as long as the step.
  const bool waiting = retry_at_ && now >= asked_at_ && now < *retry_at_;
  if (valid && (!cached_->expiration ||
                now < *cached_->expiration - kRefreshWindow || waiting)) {
    return *cached_;
  }
  if (!valid && waiting) return failed_;
  asked_at_ = now;
  hold_until_.reset();
  auto fresh = source_->Get(now);
  if (fresh.ok()) {
    if (Status st = CheckPrintable(*fresh); !st.ok()) fresh = st;
  }
  // Credentials that expire within the refresh window, or have expired, by
  // this host's clock: a helper handing out what it cached, a broken
  // endpoint, or this clock ahead of AWS's (then they are good: the
  // signer corrects the skew, and refusing them would stop phas until the
  // clock is fixed). Used, unless those held expire later; the source is
  // asked again in half their time left, kRetryAfter at most (kRetryAfter
  // once expired), not at every call. AWS refuses them if they have
  // expired (ExpiredToken).
  const bool short_lived = fresh.ok() && fresh->expiration &&
                           now >= *fresh->expiration - kRefreshWindow;
  if (short_lived && valid && cached_->expiration &&
      *cached_->expiration > *fresh->expiration) {
    // The credentials held outlive the new ones: kept, as after a failed
    // refresh.
    fresh = Status::Unavailable(
        fmt::format("{}: the credentials it gave expire at {}, before those "
                    "held",
                    fresh->source, FormatIso8601(*fresh->expiration)),
        false);
  }
  if (fresh.ok()) {
    cached_ = *fresh;
    retry_at_.reset();
    failures_ = 0;
    if (!short_lived) {
      told_short_ = false;
      return *cached_;
    }
    const Duration left = *cached_->expiration - now;
    hold_until_ =
        now + (left <= Duration::zero()
                   ? Duration(kRetryAfter)
                   : std::clamp<Duration>(left / 2, std::chrono::seconds(1),
                                          kRetryAfter));
    // Told once until credentials of a normal lifetime come (a clock ahead
    // would say it every 30 s).
    if (!told_short_) {
      spdlog::warn(
          "{}: the credentials it gave expire at {}, and this host's clock "
          "says {}: used, and asked again at {}, every 30 s at most until it "
          "gives longer ones (if this clock is ahead, set it right)",
          cached_->source, FormatIso8601(*cached_->expiration),
          FormatIso8601(now), FormatIso8601(*hold_until_));
      told_short_ = true;
    }
    return *cached_;
  }
  // The answer until the source is asked again (with valid credentials:
  // the calls between their expiry and a retry set after it).
  failed_ =
      cached_
          ? fresh.status().WithContext("credentials expired and refresh failed")
          : fresh.status();
  if (valid) {
    // Sooner as expiry nears: half the time left, a second at least.
    retry_at_ = now + std::max<Duration>(
                          std::chrono::seconds(1),
                          std::min<Duration>(kRetryAfter,
                                             (*cached_->expiration - now) / 2));
    spdlog::warn(
        "credentials refresh from {} failed ({}); the current ones stay valid "
        "until {} (asked again at {})",
        cached_->source, fresh.status().message(),
        FormatIso8601(*cached_->expiration), FormatIso8601(*retry_at_));
    return *cached_;
  }
  // 1, 2, 4, ... seconds, kRetryAfter at most.
  retry_at_ =
      now + std::min<Duration>(
                kRetryAfter, std::chrono::seconds(1 << std::min(failures_, 5)));
  ++failures_;
  return failed_;
}

CredentialChain::CredentialChain(
    std::vector<std::shared_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

Result<Credentials> CredentialChain::Get(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  // Once a source has answered, or failed as configured but broken, it
  // alone is asked again, through its cache: a broken one after the cache's
  // wait, not at every call (each ask waits out STS's retries, or a
  // credential_process's run).
  if (chosen_) {
    auto c = chosen_->Get(now);
    if (c.ok()) return c;
    return c.status().WithContext("credentials (" + chosen_->name() + ")");
  }
  std::string tried;
  for (const auto& provider : providers_) {
    auto cache = std::make_shared<CachingCredentialsProvider>(provider);
    auto c = cache->Get(now);
    if (c.ok()) {
      chosen_ = std::move(cache);
      spdlog::info("AWS credentials from {}", c->source);
      return *c;
    }
    if (!c.status().IsNotFound()) {
      chosen_ = std::move(cache);
      return c.status().WithContext("credentials (" + provider->name() + ")");
    }
    tried += (tried.empty() ? "" : "; ") + provider->name() + ": " +
             c.status().message();
  }
  return Status::PermissionDenied("no AWS credentials found (" + tried + ")");
}

}  // namespace phas::aws
