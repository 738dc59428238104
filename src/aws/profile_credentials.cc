#include "aws/profile_credentials.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "aws/process_credentials.h"
#include "aws/session.h"
#include "aws/sso_credentials.h"
#include "common/file_util.h"

namespace phas::aws {
namespace {

// Run as an operator would: `aws configure export-credentials` asks for
// whatever phas cannot (an MFA code, a browser sign-in) and hands the result
// over in the environment, which the chain reads first.
std::string ExportWorkaround(const std::string& profile) {
  return fmt::format(
      "run phas with credentials obtained beforehand: eval \"$(aws configure "
      "export-credentials --profile {} --format env)\"",
      profile);
}

std::string Quoted(const std::string& profile) {
  return "profile '" + profile + "'";
}

// Walks source_profile links from the active profile, building each
// profile's provider.
class Resolver {
 public:
  Resolver(const SharedConfig& files, const ProfileSources& sources)
      : files_(files), sources_(sources) {}

  // `as_source`: reached through another profile's source_profile.
  Result<std::shared_ptr<CredentialsProvider>> Resolve(const std::string& name,
                                                       bool as_source) {
    Profile p = files_.Find(name);
    if (!p.found) {
      return Status::InvalidArgument(
          fmt::format("{} (source_profile of {}) is in neither {} nor {}",
                      Quoted(name), Quoted(path_.empty() ? "?" : path_.back()),
                      files_.config_path, files_.credentials_path));
    }
    path_.push_back(name);
    bool has_static = !p.Get("aws_access_key_id").empty() ||
                      !p.Get("aws_secret_access_key").empty();
    // The CLI's rule: a source profile's static keys win over its own role.
    if (as_source && has_static) return Static(p);
    if (!p.Get("role_arn").empty()) return Role(p);
    if (UsesSso(p)) return Sso(p);
    if (has_static) return Static(p);
    if (std::string cmd = p.Get("credential_process"); !cmd.empty()) {
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<ProcessCredentialsProvider>(
              p.name, cmd, sources_.process_timeout));
    }
    for (const char* key :
         {"source_profile", "credential_source", "web_identity_token_file"}) {
      if (!p.Get(key).empty()) {
        return Status::InvalidArgument(fmt::format(
            "{}: {} is set but role_arn is not", Quoted(p.name), key));
      }
    }
    return Status::NotFound(fmt::format("{} ({}, {}) has no credentials",
                                        Quoted(p.name), files_.credentials_path,
                                        files_.config_path));
  }

 private:
  Result<std::shared_ptr<CredentialsProvider>> Static(const Profile& p) {
    std::string id = p.Get("aws_access_key_id");
    std::string secret = p.Get("aws_secret_access_key");
    if (id.empty() || secret.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: partial credentials ({} missing)", Quoted(p.name),
          id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
    }
    Credentials c;
    c.access_key_id = id;
    c.secret_access_key = secret;
    c.session_token = p.Get("aws_session_token");
    c.source = fmt::format("shared files, {} ({}, {})", Quoted(p.name),
                           p.credentials_path, p.config_path);
    return std::shared_ptr<CredentialsProvider>(
        std::make_shared<StaticCredentialsProvider>(std::move(c)));
  }

  Result<std::shared_ptr<CredentialsProvider>> Sso(const Profile& p) {
    PHAS_ASSIGN_OR_RETURN(SsoConfig config, SsoConfigOf(p, files_));
    ServiceEndpoint portal = ResolveEndpoint(Service::kSso, config.region,
                                             sources_.env, sources_.endpoints);
    PHAS_RETURN_IF_ERROR(CheckEndpointUrl(portal));
    std::string home = sources_.env("HOME").value_or("");
    return std::shared_ptr<CredentialsProvider>(
        std::make_shared<SsoCredentialsProvider>(
            std::move(config), JoinPath(home, ".aws/sso/cache"),
            std::move(portal), sources_.transport));
  }

  Result<std::shared_ptr<CredentialsProvider>> Role(const Profile& p) {
    std::string where = Quoted(p.name);
    if (++roles_ > kMaxRoles) {
      return Status::InvalidArgument(fmt::format(
          "{}: more than {} roles chained through source_profile ({})", where,
          kMaxRoles, Chain()));
    }
    if (!p.Get("mfa_serial").empty()) {
      return Status::FailedPrecondition(fmt::format(
          "{} sets mfa_serial: phas runs unattended and cannot ask for an MFA "
          "code; {}, or assume a role that does not require MFA",
          where, ExportWorkaround(path_.front())));
    }
    std::string source_profile = p.Get("source_profile");
    std::string credential_source = p.Get("credential_source");
    std::string token_file = p.Get("web_identity_token_file");
    int set = !source_profile.empty() + !credential_source.empty() +
              !token_file.empty();
    if (set != 1) {
      return Status::InvalidArgument(
          fmt::format("{}: role_arn needs exactly one of source_profile, "
                      "credential_source or web_identity_token_file ({} set)",
                      where, set));
    }
    if (!token_file.empty()) {
      WebIdentityConfig w{token_file, p.Get("role_arn"),
                          p.Get("role_session_name"), where};
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<WebIdentityCredentialsProvider>(std::move(w),
                                                           Sts(nullptr)));
    }
    AssumeRoleConfig role;
    role.role_arn = p.Get("role_arn");
    role.session_name = p.Get("role_session_name");
    role.external_id = p.Get("external_id");
    role.origin = where;
    if (std::string d = p.Get("duration_seconds"); !d.empty()) {
      int v = 0;
      auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
      if (ec != std::errc() || end != d.data() + d.size() || v < 900 ||
          v > 43200) {
        return Status::InvalidArgument(fmt::format(
            "{}: duration_seconds must be a whole number of seconds from 900 "
            "to 43200, got '{}'",
            where, d));
      }
      role.duration_seconds = v;
    }
    std::shared_ptr<CredentialsProvider> source;
    if (!credential_source.empty()) {
      PHAS_ASSIGN_OR_RETURN(source, CredentialSource(where, credential_source));
    } else {
      PHAS_ASSIGN_OR_RETURN(source, SourceProfile(p, source_profile));
    }
    // The source's credentials are cached and refreshed on their own.
    source = std::make_shared<CachingCredentialsProvider>(std::move(source));
    return std::shared_ptr<CredentialsProvider>(
        std::make_shared<AssumeRoleCredentialsProvider>(std::move(role), source,
                                                        Sts(source)));
  }

  Result<std::shared_ptr<CredentialsProvider>> SourceProfile(
      const Profile& p, const std::string& source) {
    if (source == p.name) {
      // A profile may assume its role with its own static keys.
      if (p.Get("aws_access_key_id").empty()) {
        return Status::InvalidArgument(
            fmt::format("{} names itself as source_profile but has no "
                        "aws_access_key_id",
                        Quoted(p.name)));
      }
      return Static(p);
    }
    if (std::find(path_.begin(), path_.end(), source) != path_.end()) {
      path_.push_back(source);
      return Status::InvalidArgument(
          fmt::format("source_profile cycle: {}", Chain()));
    }
    auto r = Resolve(source, /*as_source=*/true);
    if (!r.ok() && r.status().IsNotFound()) {
      return Status::InvalidArgument(r.status().message() + ", so " +
                                     Quoted(p.name) +
                                     " cannot use it as source_profile");
    }
    return r;
  }

  Result<std::shared_ptr<CredentialsProvider>> CredentialSource(
      const std::string& where, const std::string& value) {
    if (value == "Environment") {
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<EnvironmentCredentialsProvider>(sources_.env));
    }
    if (value == "Ec2InstanceMetadata") {
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<ImdsCredentialsProvider>(sources_.imds));
    }
    if (value == "EcsContainer") {
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<ContainerCredentialsProvider>(sources_.env,
                                                         sources_.transport));
    }
    return Status::InvalidArgument(fmt::format(
        "{}: credential_source must be Environment, Ec2InstanceMetadata or "
        "EcsContainer, got '{}'",
        where, value));
  }

  std::shared_ptr<QueryClient> Sts(
      std::shared_ptr<CredentialsProvider> signer) {
    return std::make_shared<QueryClient>(sources_.sts, sources_.transport,
                                         std::move(signer), sources_.clock,
                                         sources_.retry);
  }

  std::string Chain() const {
    std::string out;
    for (const std::string& n : path_) out += (out.empty() ? "" : " -> ") + n;
    return out;
  }

  const SharedConfig& files_;
  const ProfileSources& sources_;
  std::vector<std::string> path_;  // profiles visited, the active one first
  int roles_ = 0;
};

}  // namespace

Result<std::shared_ptr<CredentialsProvider>> ResolveProfileCredentials(
    const SharedConfig& files, const std::string& name,
    const ProfileSources& sources) {
  Profile p = files.Find(name);
  if (!p.found) {
    return Status::NotFound(fmt::format("no {} ({}, {})", Quoted(name),
                                        files.credentials_path,
                                        files.config_path));
  }
  return Resolver(files, sources).Resolve(name, /*as_source=*/false);
}

Result<std::shared_ptr<CredentialsProvider>>
ProfileCredentialsProvider::Resolve() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!resolved_) {
    resolved_ = ResolveProfileCredentials(files_, files_.active, sources_);
    if (!resolved_->ok() && resolved_->status().IsNotFound() &&
        !files_.Find(files_.active).found && sources_.env("AWS_PROFILE")) {
      resolved_ = Status::InvalidArgument(fmt::format(
          "AWS_PROFILE names {} ({}, {}), which is in neither file",
          Quoted(files_.active), files_.credentials_path, files_.config_path));
    }
  }
  return *resolved_;
}

Result<Credentials> ProfileCredentialsProvider::Get(TimePoint now) {
  PHAS_ASSIGN_OR_RETURN(std::shared_ptr<CredentialsProvider> provider,
                        Resolve());
  auto c = provider->Get(now);
  // The profile is configured: whatever fails in it must not let the chain
  // move on to another identity.
  if (!c.ok() && c.status().IsNotFound()) {
    return Status::FailedPrecondition(c.status().message());
  }
  return c;
}

}  // namespace phas::aws
