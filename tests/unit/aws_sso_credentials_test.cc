// SSO profiles as the AWS CLI v2 leaves them (sso_session and the legacy
// form), the token read from the CLI's cache, GetRoleCredentials against a
// fake portal; every failure names `aws sso login --profile NAME` or the
// key, and never the token.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "aws/session.h"
#include "aws/sso_credentials.h"
#include "fake_server.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;
using phas::testing::FakeServer;
using phas::testing::RecordedRequest;

constexpr char kToken[] = "aoaAAAAAGsecret-bearer-token";

TimePoint T0() {
  TimePoint t;
  EXPECT_TRUE(ParseIso8601("2026-01-01T00:00:00Z", &t));
  return t;
}

const char kSessionProfile[] =
    "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
    "sso_role_name = ReadOnly\nregion = us-east-1\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n";
const char kLegacyProfile[] =
    "[profile dev]\nsso_start_url = https://legacy.awsapps.com/start\n"
    "sso_region = eu-west-1\nsso_account_id = 111122223333\n"
    "sso_role_name = ReadOnly\n";
// The CLI's cache file names: SHA-1 of the session name, or of the start
// URL in the legacy form (computed with Python's hashlib).
const char kSessionCacheFile[] =
    "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
const char kLegacyCacheFile[] = "79e435d7a515078e81c9dffc35f38d5687ebd3a7.json";

// The portal: GetRoleCredentials for account 111122223333 / ReadOnly with
// the bearer token; 401 for any other token, 403 for another role.
class FakePortal {
 public:
  FakePortal()
      : server_([this](const RecordedRequest& q, HttpResponse& r) {
          r.content_type = "application/json";
          if (q.path != "/federation/credentials" ||
              q.Header("x-amz-sso_bearer_token") != token_) {
            r.status = 401;
            r.headers.emplace_back("x-amzn-ErrorType",
                                   "UnauthorizedException:http://internal");
            r.body = R"({"message":"Session token not found or invalid"})";
            return;
          }
          if (q.query != "account_id=111122223333&role_name=ReadOnly") {
            r.status = 403;
            r.headers.emplace_back("x-amzn-ErrorType", "ForbiddenException");
            r.body = R"({"message":"No access"})";
            return;
          }
          r.body = fmt::format(
              R"({{"roleCredentials":{{"accessKeyId":"ASIASSO",
            "secretAccessKey":"sso-secret","sessionToken":"sso-session-token"
            {}}}}})",
              expiration_);
        }) {}
  std::string url() const { return server_.url(); }
  std::vector<RecordedRequest> requests() { return server_.requests(); }
  void set_token(std::string t) { token_ = std::move(t); }
  // The answer's expiration member, after a comma; "" for none.
  void set_expiration(std::string e) { expiration_ = std::move(e); }

 private:
  std::string token_ = kToken;
  std::string expiration_ =
      R"(, "expiration":1767229200000)";  // 2026-01-01T01:00:00Z
  FakeServer server_;
};

class SsoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_sso_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / ".aws/sso/cache");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void WriteToken(const std::string& file, const std::string& expires_at) {
    std::ofstream(dir_ / ".aws/sso/cache" / file) << fmt::format(
        R"({{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "{}", "expiresAt": "{}",
            "refreshToken": "refresh-secret"}})",
        kToken, expires_at);
  }
  Result<Credentials> Get(const std::string& config) {
    std::ofstream(dir_ / ".aws/config") << config;
    std::map<std::string, std::string> vars = {
        {"HOME", dir_.string()},
        {"AWS_PROFILE", "dev"},
        {"AWS_REGION", "us-east-1"},
        {"AWS_ENDPOINT_URL_SSO", portal_.url()},
        {"AWS_EC2_METADATA_DISABLED", "true"}};
    auto session = AwsSession::Create({}, MapEnvironment(vars), &clock_);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return session.status();
    return (*session)->credentials()->Get(clock_.Now());
  }

  fs::path dir_;
  ManualClock clock_{T0()};
  FakePortal portal_;
};

TEST_F(SsoTest, BothProfileFormsReadTheCliCacheAndCallThePortal) {
  struct Case {
    const char* name;
    const char* config;
    const char* cache_file;
    const char* expires_at;
  };
  const Case cases[] = {
      {"sso-session", kSessionProfile, kSessionCacheFile,
       "2026-01-01T08:00:00Z"},
      {"legacy, older CLI's expiresAt", kLegacyProfile, kLegacyCacheFile,
       "2026-01-01T08:00:00UTC"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    fs::remove_all(dir_ / ".aws/sso/cache");
    fs::create_directories(dir_ / ".aws/sso/cache");
    WriteToken(tc.cache_file, tc.expires_at);
    size_t before = portal_.requests().size();
    auto c = Get(tc.config);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key_id, "ASIASSO");
    EXPECT_EQ(c->secret_access_key, "sso-secret");
    EXPECT_EQ(c->session_token, "sso-session-token");
    ASSERT_TRUE(c->expiration.has_value());
    EXPECT_EQ(FormatIso8601(*c->expiration), "2026-01-01T01:00:00Z");
    EXPECT_NE(c->source.find("profile 'dev': SSO role ReadOnly in account "
                             "111122223333"),
              std::string::npos)
        << c->source;
    EXPECT_EQ(c->source.find(kToken), std::string::npos);
    auto reqs = portal_.requests();
    ASSERT_EQ(reqs.size(), before + 1);
    EXPECT_EQ(reqs.back().method, "GET");
    EXPECT_EQ(reqs.back().Header("authorization"), "") << "not SigV4-signed";
  }
}

TEST(SsoEndpointTest, PortalPerSsoRegionAndOverrides) {
  struct Case {
    const char* name;
    std::map<std::string, std::string> env;
    std::string url;
  };
  const Case cases[] = {
      {"standard", {}, "https://portal.sso.eu-west-1.amazonaws.com"},
      {"service variable",
       {{"AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9/"},
        {"AWS_ENDPOINT_URL", "http://all:1"}},
       "http://127.0.0.1:9"},
      {"ignored",
       {{"AWS_ENDPOINT_URL_SSO", "http://x"},
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}},
       "https://portal.sso.eu-west-1.amazonaws.com"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(
        ResolveEndpoint(Service::kSso, "eu-west-1", MapEnvironment(tc.env), {})
            .url,
        tc.url);
  }
}

TEST_F(SsoTest, FailuresNameTheWayOutAndNeverTheToken) {
  struct Case {
    const char* name;
    // input
    std::string config;
    const char* cache_file;  // null: no cached token
    const char* expires_at;
    std::string portal_token;  // what the portal accepts
    // expected in the message
    std::vector<std::string> want;
    // the portal's expiration member (after a comma)
    std::string expiration = R"(, "expiration":1767229200000)";
  };
  const std::string kLogin = "aws sso login --profile dev";
  const Case cases[] = {
      {"never signed in",
       kSessionProfile,
       nullptr,
       "",
       kToken,
       {"profile 'dev': SSO token: no cached token", kSessionCacheFile,
        kLogin}},
      {"token expired",
       kSessionProfile,
       kSessionCacheFile,
       "2025-12-31T23:59:59Z",
       kToken,
       {"the cached token expired at 2025-12-31T23:59:59Z", kLogin}},
      {"portal refuses the token",
       kSessionProfile,
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       "another-token",
       {"the portal refused the cached token (HTTP 401 "
        "UnauthorizedException)",
        kLogin}},
      {"no such role",
       "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
       "sso_role_name = Admin\n"
       "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
       "sso_region = eu-west-1\n",
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"SSO role Admin in account 111122223333: no such role for this SSO "
        "user (HTTP 403 ForbiddenException)",
        "sso_role_name"}},
      {"role name missing",
       "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
       "[sso-session corp]\nsso_start_url = https://x\nsso_region = r\n",
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"profile 'dev' / [sso-session corp]: sso_role_name is not set",
        "aws configure sso --profile dev"}},
      {"session section missing",
       "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
       "sso_role_name = R\n",
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"profile 'dev': sso_session 'corp' has no [sso-session corp] "
        "section"}},
      {"profile disagrees with its session",
       "[profile dev]\nsso_start_url = https://other/start\n"
       "sso_session = corp\nsso_account_id = 111122223333\n"
       "sso_role_name = ReadOnly\n"
       "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
       "sso_region = eu-west-1\n",
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"profile 'dev': sso_start_url differs from the one in [sso-session "
        "corp]"}},
      // The role's credentials: an expiry that is missing (they would never
      // be asked for again), past what a time holds, or past.
      {"credentials without an expiration",
       kSessionProfile,
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"SSO role ReadOnly in account 111122223333: "
        "roleCredentials.expiration: missing"},
       ""},
      {"an expiration in the year 2286",
       kSessionProfile,
       kSessionCacheFile,
       "2026-01-01T08:00:00Z",
       kToken,
       {"roleCredentials.expiration: must be a number in [1, 9000000000000], "
        "got "
        "a number"},
       R"(, "expiration":10000000000000)"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    fs::remove_all(dir_ / ".aws/sso/cache");
    fs::create_directories(dir_ / ".aws/sso/cache");
    if (tc.cache_file) WriteToken(tc.cache_file, tc.expires_at);
    portal_.set_token(tc.portal_token);
    portal_.set_expiration(tc.expiration);
    auto c = Get(tc.config);
    ASSERT_FALSE(c.ok());
    const std::string& msg = c.status().message();
    EXPECT_EQ(msg.find("no AWS credentials found"), std::string::npos) << msg;
    for (const std::string& w : tc.want) {
      EXPECT_NE(msg.find(w), std::string::npos) << w << "\nin: " << msg;
    }
    EXPECT_EQ(msg.find(kToken), std::string::npos) << msg;
    EXPECT_EQ(msg.find("refresh-secret"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace phas::aws
