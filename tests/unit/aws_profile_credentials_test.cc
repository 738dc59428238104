// Profiles that assume roles (source_profile, credential_source,
// web_identity_token_file) against a fake STS that checks who signed each
// AssumeRole, on a manual clock; and every configuration error, which must
// name the profile and key and never fall through to another identity.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "aws/profile_credentials.h"
#include "aws/session.h"
#include "fake_server.h"
#include "test_util.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;
using phas::testing::FakeServer;
using phas::testing::RecordedRequest;

TimePoint T0() {
  TimePoint t;
  EXPECT_TRUE(ParseIso8601("2026-01-01T00:00:00Z", &t));
  return t;
}

// The text of `key` in a form body, after `marker` ("role%2F" for the role
// name of a RoleArn).
std::string After(const std::string& text, const std::string& marker,
                  char stop) {
  size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  std::string rest = text.substr(at + marker.size());
  return rest.substr(0, rest.find(stop));
}

// STS that answers AssumeRole (signed only) and AssumeRoleWithWebIdentity
// with credentials named after the role ("ASIA-dev-1"), valid for
// DurationSeconds (default 3600) from the clock's now. The role "denied"
// is refused.
class FakeSts {
 public:
  struct Call {
    std::string action, role, signer, session_name, external_id, duration;
  };
  explicit FakeSts(ManualClock* clock)
      : clock_(clock), server_([this](auto& q, auto& r) { Handle(q, r); }) {}
  std::string url() const { return server_.url(); }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  void Handle(const RecordedRequest& q, HttpResponse& r) {
    Call c;
    c.action = q.Form("Action");
    c.role = After(q.Form("RoleArn"), "role%2F", '&');
    c.signer = After(q.Header("authorization"), "Credential=", '/');
    c.session_name = q.Form("RoleSessionName");
    c.external_id = q.Form("ExternalId");
    c.duration = q.Form("DurationSeconds");
    int n;
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(c);
      n = static_cast<int>(calls_.size());
    }
    if ((c.action == "AssumeRole" && c.signer.empty()) || c.role == "denied") {
      r.status = 403;
      r.body =
          R"(<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
        <Message>not authorized to perform: sts:AssumeRole</Message></Error>
        <RequestId>req-1</RequestId></ErrorResponse>)";
      return;
    }
    int seconds = c.duration.empty() ? 3600 : std::stoi(c.duration);
    r.body = fmt::format(
        R"(<{0}Response><{0}Result><Credentials>
        <AccessKeyId>ASIA-{1}-{2}</AccessKeyId><SecretAccessKey>secret-{1}</SecretAccessKey>
        <SessionToken>token-{1}</SessionToken><Expiration>{3}</Expiration>
        </Credentials></{0}Result></{0}Response>)",
        c.action, c.role, n,
        FormatIso8601(clock_->Now() + std::chrono::seconds(seconds)));
  }

  ManualClock* clock_;
  FakeServer server_;
  std::mutex mu_;
  std::vector<Call> calls_;
};

class ProfileCredentialsTest : public phas::testing::TempDirTest {
 protected:
  // The session's chain with `config` as ~/.aws/config, `credentials` as
  // ~/.aws/credentials and `profile` active.
  std::shared_ptr<CredentialsProvider> Chain(
      const std::string& config, const std::string& credentials,
      const std::string& profile,
      std::map<std::string, std::string> vars = {}) {
    vars["AWS_CONFIG_FILE"] = Write("config", config);
    vars["AWS_SHARED_CREDENTIALS_FILE"] = Write("credentials", credentials);
    vars["AWS_PROFILE"] = profile;
    vars["HOME"] = dir_.string();
    vars["AWS_REGION"] = "us-east-1";
    vars["AWS_ENDPOINT_URL_STS"] = sts_.url();
    vars.emplace("AWS_EC2_METADATA_DISABLED", "true");
    auto session = AwsSession::Create({}, MapEnvironment(vars), &clock_);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    session_ = std::move(session).value();
    return session_->credentials();
  }

  ManualClock clock_{T0()};
  FakeSts sts_{&clock_};
  std::unique_ptr<AwsSession> session_;
};

// dev assumes its role with base's credentials, which base assumes with
// root's static keys; each hop's credentials are cached and refreshed on
// their own schedule.
TEST_F(ProfileCredentialsTest, RoleChainSignsEachHopWithItsSource) {
  auto chain = Chain(
      "[profile dev]\nrole_arn = arn:aws:iam::111:role/dev\n"
      "source_profile = base\nrole_session_name = sre-laptop\n"
      "external_id = ext-42\n"
      "[profile base]\nrole_arn = arn:aws:iam::222:role/base\n"
      "source_profile = root\nduration_seconds = 7200\n",
      "[root]\naws_access_key_id = AKIAROOT\naws_secret_access_key = r\n",
      "dev");
  auto c = chain->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIA-dev-2");
  EXPECT_EQ(c->session_token, "token-dev");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(*c->expiration, T0() + std::chrono::hours(1));
  EXPECT_NE(c->source.find("role arn:aws:iam::111:role/dev (profile 'dev'"),
            std::string::npos)
      << c->source;
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].role, "base");
  EXPECT_EQ(calls[0].signer, "AKIAROOT");
  EXPECT_EQ(calls[0].duration, "7200");
  EXPECT_EQ(calls[0].session_name, "phas");
  EXPECT_EQ(calls[1].role, "dev");
  EXPECT_EQ(calls[1].signer, "ASIA-base-1");
  EXPECT_EQ(calls[1].session_name, "sre-laptop");
  EXPECT_EQ(calls[1].external_id, "ext-42");
  EXPECT_EQ(calls[1].duration, "");

  // Cached until 5 minutes before dev's expiry.
  clock_.Advance(std::chrono::minutes(54));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIA-dev-2");
  EXPECT_EQ(sts_.calls().size(), 2u);
  // Then dev is assumed again, with base's cached credentials (2 h).
  clock_.Advance(std::chrono::minutes(2));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIA-dev-3");
  calls = sts_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].signer, "ASIA-base-1");
  // Past base's own refresh point, both hops are renewed.
  clock_.Advance(std::chrono::minutes(60));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIA-dev-5");
  calls = sts_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[3].role, "base");
  EXPECT_EQ(calls[4].signer, "ASIA-base-4");
}

TEST_F(ProfileCredentialsTest, WhereTheSourceCredentialsComeFrom) {
  FakeServer ecs([](const RecordedRequest&, HttpResponse& r) {
    r.content_type = "application/json";
    r.body = R"({"AccessKeyId": "ASIAECS", "SecretAccessKey": "s",
                 "Token": "t", "Expiration": "2026-01-01T06:00:00Z"})";
  });
  struct Case {
    const char* name;
    // input
    std::string config, credentials, profile;
    std::map<std::string, std::string> env;
    // expected: who signed the one AssumeRole
    std::string signer;
  };
  const Case cases[] = {
      {"a source profile's static keys win over its own role",
       "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\n"
       "source_profile = base\n"
       "[profile base]\nrole_arn = arn:aws:iam::1:role/base\n"
       "source_profile = root\n",
       "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n",
       "dev",
       {},
       "AKIABASE"},
      {"a profile names itself as its source",
       "[profile self]\nrole_arn = arn:aws:iam::1:role/self\n"
       "source_profile = self\n",
       "[self]\naws_access_key_id = AKIASELF\naws_secret_access_key = s\n",
       "self",
       {},
       "AKIASELF"},
      // The environment's keys are the role's source, not an identity of
      // their own that the chain would pick first.
      {"credential_source Environment",
       "[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\n"
       "credential_source = Environment\n",
       "",
       "ops",
       {{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}},
       "AKIAENV"},
      {"credential_source EcsContainer",
       "[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\n"
       "credential_source = EcsContainer\n",
       "",
       "ops",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"}},
       "ASIAECS"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    size_t before = sts_.calls().size();
    auto c =
        Chain(tc.config, tc.credentials, tc.profile, tc.env)->Get(clock_.Now());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key_id.rfind("ASIA-", 0), 0u) << c->access_key_id;
    auto calls = sts_.calls();
    ASSERT_EQ(calls.size(), before + 1);
    EXPECT_EQ(calls.back().signer, tc.signer);
  }
}

TEST_F(ProfileCredentialsTest, WebIdentityInAProfile) {
  std::string token = Write("token", "eyJ.jwt\n");
  auto c = Chain(
               "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\n"
               "web_identity_token_file = " +
                   token + "\nrole_session_name = build-7\n",
               "", "ci")
               ->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIA-ci-1");
  auto calls = sts_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].action, "AssumeRoleWithWebIdentity");
  EXPECT_EQ(calls[0].signer, "") << "sent unsigned";
  EXPECT_EQ(calls[0].session_name, "build-7");
}

// Each mistake is an error naming the profile and the key (and the way out
// when phas cannot solve it); none falls through to another identity (the
// environment holds keys that a fall-through would pick up... if the
// chain looked there after the profile: it does not, so IMDS is what a
// fall-through would reach, and it is disabled: "no AWS credentials found").
TEST_F(ProfileCredentialsTest, ConfigurationErrorsNameProfileAndKey) {
  const std::string kRoot =
      "[root]\naws_access_key_id = AKIAROOT\naws_secret_access_key = r\n";
  struct Case {
    const char* name;
    // input
    std::string config, credentials, profile;
    // expected in the message
    std::vector<std::string> want;
    bool sts_called = false;
  };
  const Case cases[] = {
      {"mfa_serial",
       "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\n"
       "source_profile = root\nmfa_serial = arn:aws:iam::1:mfa/me\n",
       kRoot,
       "dev",
       {"profile 'dev' sets mfa_serial", "cannot ask for an MFA code",
        "aws configure export-credentials --profile dev --format env"}},
      {"mfa_serial further down the chain names the active profile",
       "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\n"
       "source_profile = mid\n"
       "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\n"
       "source_profile = root\nmfa_serial = arn:aws:iam::1:mfa/me\n",
       kRoot,
       "dev",
       {"profile 'mid' sets mfa_serial", "--profile dev"}},
      {"cycle",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
       "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
       "",
       "a",
       {"source_profile cycle: a -> b -> a"}},
      {"names itself without keys",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n",
       "",
       "a",
       {"profile 'a' names itself as source_profile but has no "
        "aws_access_key_id"}},
      {"too many roles",
       "[profile p0]\nrole_arn = arn:aws:iam::1:role/0\nsource_profile = p1\n"
       "[profile p1]\nrole_arn = arn:aws:iam::1:role/1\nsource_profile = p2\n"
       "[profile p2]\nrole_arn = arn:aws:iam::1:role/2\nsource_profile = p3\n"
       "[profile p3]\nrole_arn = arn:aws:iam::1:role/3\nsource_profile = p4\n"
       "[profile p4]\nrole_arn = arn:aws:iam::1:role/4\nsource_profile = p5\n"
       "[profile p5]\nrole_arn = arn:aws:iam::1:role/5\n"
       "source_profile = root\n",
       kRoot,
       "p0",
       {"more than 5 roles chained through source_profile "
        "(p0 -> p1 -> p2 -> p3 -> p4 -> p5)"}},
      {"two sources",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = root\n"
       "credential_source = Environment\n",
       kRoot,
       "a",
       {"profile 'a': role_arn needs exactly one of source_profile, "
        "credential_source or web_identity_token_file (2 set)"}},
      {"no source",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n",
       "",
       "a",
       {"(0 set)"}},
      {"source without role",
       "[profile a]\nsource_profile = root\n",
       kRoot,
       "a",
       {"profile 'a': source_profile is set but role_arn is not"}},
      {"unknown credential_source",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
       "credential_source = Ec2Metadata\n",
       "",
       "a",
       {"profile 'a': credential_source must be Environment, "
        "Ec2InstanceMetadata or EcsContainer, got 'Ec2Metadata'"}},
      {"credential_source Environment with an empty environment",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
       "credential_source = Environment\n",
       "",
       "a",
       {"profile 'a': the credentials to assume role arn:aws:iam::1:role/a",
        "AWS_ACCESS_KEY_ID is not set"}},
      {"credential_source Ec2InstanceMetadata with metadata disabled",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
       "credential_source = Ec2InstanceMetadata\n",
       "",
       "a",
       {"profile 'a': the credentials to assume role",
        "instance metadata is disabled"}},
      {"duration_seconds",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = root\n"
       "duration_seconds = 1h\n",
       kRoot,
       "a",
       {"profile 'a': duration_seconds must be a whole number of seconds from "
        "900 to 43200, got '1h'"}},
      {"missing source profile",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = gone\n",
       "",
       "a",
       {"profile 'gone' (source_profile of profile 'a') is in neither"}},
      {"source profile without credentials",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
       "[profile b]\nregion = eu-west-1\n",
       "",
       "a",
       {"profile 'b'",
        "has no credentials, so profile 'a' cannot use it as "
        "source_profile"}},
      {"partial keys in the source",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n",
       "[b]\naws_access_key_id = AKIAB\n",
       "a",
       {"profile 'b': partial credentials (aws_secret_access_key missing)"}},
      {"STS refuses",
       "[profile a]\nrole_arn = arn:aws:iam::1:role/denied\n"
       "source_profile = root\n",
       kRoot,
       "a",
       {"profile 'a': assume role arn:aws:iam::1:role/denied", "AccessDenied"},
       true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    size_t before = sts_.calls().size();
    auto c = Chain(tc.config, tc.credentials, tc.profile)->Get(clock_.Now());
    ASSERT_FALSE(c.ok()) << c->source;
    const std::string& msg = c.status().message();
    EXPECT_EQ(msg.find("no AWS credentials found"), std::string::npos) << msg;
    for (const std::string& w : tc.want) {
      EXPECT_NE(msg.find(w), std::string::npos) << w << "\nin: " << msg;
    }
    EXPECT_EQ(msg.find("AKIAROOT"), std::string::npos);
    EXPECT_EQ(sts_.calls().size(), before + (tc.sts_called ? 1 : 0));
  }
}

}  // namespace
}  // namespace phas::aws
