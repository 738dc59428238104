#include "aws/sso_credentials.h"

#include <fmt/format.h>

#include "aws/crypto.h"
#include "aws/sigv4.h"
#include "common/file_util.h"
#include "common/json_util.h"

namespace phas::aws {
namespace {

// Older CLI versions wrote "2026-01-01T00:00:00UTC".
bool ParseExpiresAt(std::string text, TimePoint* out) {
  if (text.size() > 3 && text.compare(text.size() - 3, 3, "UTC") == 0) {
    text.replace(text.size() - 3, 3, "Z");
  }
  return ParseIso8601(text, out);
}

}  // namespace

bool UsesSso(const Profile& p) {
  for (const char* key :
       {"sso_session", "sso_start_url", "sso_account_id", "sso_role_name"}) {
    if (!p.Get(key).empty()) return true;
  }
  return false;
}

Result<SsoConfig> SsoConfigOf(const Profile& p, const SharedConfig& files) {
  std::string where = "profile '" + p.name + "'";
  SsoConfig c;
  c.profile = p.name;
  c.session_name = p.Get("sso_session");
  c.start_url = p.Get("sso_start_url");
  c.region = p.Get("sso_region");
  c.account_id = p.Get("sso_account_id");
  c.role_name = p.Get("sso_role_name");
  if (!c.session_name.empty()) {
    const IniSection* s = files.SsoSession(c.session_name);
    if (s == nullptr) {
      return Status::InvalidArgument(fmt::format(
          "{}: sso_session '{}' has no [sso-session {}] section in {}", where,
          c.session_name, c.session_name, files.config_path));
    }
    // The CLI accepts the profile's own copy only when it agrees.
    for (auto [key, value] : {std::pair{"sso_start_url", &c.start_url},
                              {"sso_region", &c.region}}) {
      auto it = s->find(key);
      std::string session_value = it == s->end() ? "" : it->second;
      if (!value->empty() && !session_value.empty() &&
          *value != session_value) {
        return Status::InvalidArgument(fmt::format(
            "{}: {} differs from the one in [sso-session {}]; remove it from "
            "the profile",
            where, key, c.session_name));
      }
      if (value->empty()) *value = session_value;
    }
  }
  std::string in = c.session_name.empty()
                       ? where
                       : where + " / [sso-session " + c.session_name + "]";
  for (auto [key, value] : {std::pair{"sso_start_url", &c.start_url},
                            {"sso_region", &c.region},
                            {"sso_account_id", &c.account_id},
                            {"sso_role_name", &c.role_name}}) {
    if (value->empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: {} is not set (an SSO profile needs sso_start_url, "
          "sso_region, sso_account_id and sso_role_name; `aws configure sso "
          "--profile {}` writes them)",
          in, key, p.name));
    }
  }
  return c;
}

std::string SsoCacheFileName(const SsoConfig& c) {
  return HexEncode(
             Sha1(c.session_name.empty() ? c.start_url : c.session_name)) +
         ".json";
}

std::string SsoCredentialsProvider::Relogin() const {
  return "sign in again with `aws sso login --profile " + config_.profile +
         "` (phas reads the token the AWS CLI caches; it cannot open a "
         "browser)";
}

Result<std::string> SsoCredentialsProvider::Token(TimePoint now) const {
  std::string where = "profile '" + config_.profile + "': SSO token";
  std::string path = JoinPath(cache_dir_, SsoCacheFileName(config_));
  auto text = ReadRegularFile(path, 1 << 20);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::FailedPrecondition(
          fmt::format("{}: no cached token ({}): {}", where, path, Relogin()));
    }
    return text.status().WithContext(where);
  }
  // The file holds the token (and a refresh token): errors never echo it.
  auto parsed = ParseJson(*text);
  if (!parsed.ok()) {
    return Status::FailedPrecondition(
        fmt::format("{}: {} is not JSON: {}", where, path, Relogin()));
  }
  JsonReader r(*parsed, "");
  r.set_echo_values(false);
  std::string token, expires_at;
  for (auto [key, out] :
       {std::pair{"accessToken", &token}, {"expiresAt", &expires_at}}) {
    if (Status st = r.RequiredStr(key, out); !st.ok()) {
      return Status::FailedPrecondition(
          fmt::format("{}: {}: {}: {}", where, path, st.message(), Relogin()));
    }
  }
  TimePoint expiry;
  if (!ParseExpiresAt(expires_at, &expiry)) {
    return Status::FailedPrecondition(fmt::format(
        "{}: {}: expiresAt is not a time: {}", where, path, Relogin()));
  }
  if (expiry <= now) {
    return Status::FailedPrecondition(
        fmt::format("{}: the cached token expired at {}: {}", where,
                    FormatIso8601(expiry), Relogin()));
  }
  return token;
}

Result<Credentials> SsoCredentialsProvider::Get(TimePoint now) {
  PHAS_ASSIGN_OR_RETURN(std::string token, Token(now));
  std::string where =
      fmt::format("profile '{}': SSO role {} in account {}", config_.profile,
                  config_.role_name, config_.account_id);
  HttpCall call;
  call.url = fmt::format("{}/federation/credentials?account_id={}&role_name={}",
                         portal_.url, UriEncode(config_.account_id),
                         UriEncode(config_.role_name));
  call.headers = {{"x-amz-sso_bearer_token", token}};
  auto reply = transport_->Send(call);
  if (!reply.ok()) {
    return reply.status().WithContext(where + " (" + portal_.url + ")");
  }
  std::string type = reply->Header("x-amzn-errortype");
  type = Abbreviate(type.substr(0, type.find(':')), 40);
  std::string http =
      fmt::format("HTTP {}{}", reply->status, type.empty() ? "" : " " + type);
  if (reply->status == 401) {
    return Status::FailedPrecondition(
        fmt::format("{}: the portal refused the cached token ({}): {}", where,
                    http, Relogin()));
  }
  if (reply->status == 403 || reply->status == 404) {
    return Status::PermissionDenied(fmt::format(
        "{}: no such role for this SSO user ({}): check sso_account_id and "
        "sso_role_name (`aws sso list-account-roles` lists them), or ask for "
        "the assignment",
        where, http));
  }
  if (reply->status != 200) {
    bool transient = reply->status == 429 || reply->status >= 500;
    return Status::Unavailable(
        fmt::format("{}: {} from {}", where, http, portal_.url), transient);
  }
  auto parsed = ParseJson(reply->body);
  if (!parsed.ok()) {
    return Status::Unavailable(where + ": the portal's answer is not JSON",
                               false);
  }
  JsonReader top(*parsed, "");
  JsonReader r(top.Child("roleCredentials"), "roleCredentials");
  r.set_echo_values(false);
  Credentials c;
  c.source = where + " (SSO portal " + portal_.url + ")";
  double expiration_ms = 0;
  Status st =
      r.IsObject() ? Status::OK() : top.Bad("roleCredentials", "missing");
  for (auto [key, out] : {std::pair{"accessKeyId", &c.access_key_id},
                          {"secretAccessKey", &c.secret_access_key}}) {
    if (st.ok()) st = r.RequiredStr(key, out);
  }
  if (st.ok()) st = r.Str("sessionToken", &c.session_token);
  // Required: the role's credentials are temporary, and without their
  // expiry they would never be asked for again. Milliseconds since 1970,
  // up to the year 2255 (a TimePoint ends in 2262).
  if (st.ok() && !r.Has("expiration")) st = r.Bad("expiration", "missing");
  if (st.ok()) st = r.Num("expiration", &expiration_ms, 1, 9e12);
  if (!st.ok()) return Status::Unavailable(where + ": " + st.message(), false);
  c.expiration = FromUnixSeconds(expiration_ms / 1000);
  return c;
}

}  // namespace phas::aws
