// The credential chain: each source, the order between them, and IMDSv2
// against a fake metadata server that enforces the token flow, with expiry
// and refresh on a manual clock.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/credential_providers.h"
#include "aws/session.h"
#include "aws/sigv4.h"
#include "fake_server.h"
#include "test_util.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;
using phas::testing::FakeServer;
using phas::testing::RecordedRequest;

TimePoint T0() {
  TimePoint t;
  ParseIso8601("2026-01-01T00:00:00Z", &t);
  return t;
}

// A metadata server that implements IMDSv2 only: GETs need a token that a
// PUT /latest/api/token issued (with a TTL header), else 401.
class FakeImds {
 public:
  explicit FakeImds(ManualClock* clock)
      : clock_(clock), server_([this](auto& q, auto& r) { Handle(q, r); }) {}
  std::string url() const { return server_.url(); }
  void Revoke() { valid_token_.clear(); }
  void set_down(bool down) { down_ = down; }
  int credential_fetches() const { return fetches_; }
  int token_puts() const { return puts_; }
  int unauthorized() const { return unauthorized_; }

 private:
  void Handle(const RecordedRequest& q, HttpResponse& r) {
    r.content_type = "text/plain";
    if (q.method == "PUT" && q.path == "/latest/api/token") {
      if (q.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) {
        r.status = 400;
        return;
      }
      ++puts_;
      valid_token_ = "token-" + std::to_string(puts_);
      r.body = valid_token_;
      return;
    }
    if (q.method != "GET" || valid_token_.empty() ||
        q.Header("x-aws-ec2-metadata-token") != valid_token_) {
      ++unauthorized_;
      r.status = 401;
      return;
    }
    if (down_) {
      r.status = 503;
      return;
    }
    if (q.path == "/latest/meta-data/iam/security-credentials/") {
      r.body = "web-role";
    } else if (q.path ==
               "/latest/meta-data/iam/security-credentials/web-role") {
      ++fetches_;
      r.content_type = "application/json";
      r.body = fmt::format(
          R"({{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS{:04d}",
              "SecretAccessKey": "imds-secret-{}", "Token": "imds-token-{}",
              "Expiration": "{}"}})",
          fetches_, fetches_, fetches_,
          FormatIso8601(clock_->Now() + std::chrono::hours(1)));
    } else if (q.path == "/latest/meta-data/placement/region") {
      r.body = "eu-west-3";
    } else {
      r.status = 404;
    }
  }

  ManualClock* clock_;
  FakeServer server_;
  std::string valid_token_;
  std::atomic<int> puts_{0}, fetches_{0}, unauthorized_{0};
  std::atomic<bool> down_{false};
};

class CredentialsTest : public phas::testing::TempDirTest {
 protected:
  // The chain as AwsSession builds it, over `vars`.
  std::shared_ptr<CredentialsProvider> Chain(
      std::map<std::string, std::string> vars) {
    vars.emplace("HOME", dir_.string());  // no real ~/.aws
    vars.emplace("AWS_REGION", "us-east-1");
    AwsOptions opts;
    auto session = AwsSession::Create(opts, MapEnvironment(vars), &clock_);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    session_ = std::move(session).value();
    return session_->credentials();
  }

  ManualClock clock_{T0()};
  std::unique_ptr<AwsSession> session_;
};

TEST_F(CredentialsTest, Environment) {
  auto c = Chain({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                  {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                  {"AWS_SESSION_TOKEN", "env-token"},
                  {"AWS_EC2_METADATA_DISABLED", "true"}})
               ->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_EQ(c->session_token, "env-token");
  EXPECT_NE(c->source.find("environment"), std::string::npos);
}

TEST_F(CredentialsTest, PartialEnvironmentIsAnErrorNotAFallThrough) {
  std::string creds = Write("credentials",
                            "[default]\naws_access_key_id = AKIAFILE\n"
                            "aws_secret_access_key = file-secret\n");
  auto c = Chain({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                  {"AWS_SHARED_CREDENTIALS_FILE", creds}})
               ->Get(clock_.Now());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY is not set"),
            std::string::npos);
}

TEST_F(CredentialsTest, SharedFilesProfileSectionsAndPrecedence) {
  std::string creds = Write(
      "credentials",
      "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n"
      "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = "
      "dev-secret\n");
  std::string config = Write(
      "config",
      "[default]\nregion = us-west-1\n"
      "[profile dev]\nregion = ap-south-1\n"
      "aws_access_key_id = AKIACONFIG\naws_secret_access_key = config-secret\n"
      "aws_session_token = dev-token\n");
  std::map<std::string, std::string> vars = {
      {"AWS_SHARED_CREDENTIALS_FILE", creds},
      {"AWS_CONFIG_FILE", config},
      {"AWS_PROFILE", "dev"},
      {"HOME", dir_.string()},
      {"AWS_EC2_METADATA_DISABLED", "true"}};
  auto session = AwsSession::Create({}, MapEnvironment(vars), &clock_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ((*session)->region().region, "ap-south-1");  // from [profile dev]
  auto c = (*session)->credentials()->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIADEV");  // credentials file wins
  EXPECT_EQ(c->secret_access_key, "dev-secret");
  EXPECT_EQ(c->session_token, "dev-token");  // only in the config file
  EXPECT_NE(c->source.find("profile 'dev'"), std::string::npos);

  // An AWS_PROFILE that exists nowhere is a configuration error, not a
  // reason to fall through to another identity.
  vars["AWS_PROFILE"] = "nope";
  vars["AWS_REGION"] = "us-east-1";
  auto missing = AwsSession::Create({}, MapEnvironment(vars), &clock_);
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  auto m = (*missing)->credentials()->Get(clock_.Now());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("AWS_PROFILE names profile 'nope'"),
            std::string::npos)
      << m.status().message();
}

// A profile that holds no credentials (a region only) is no source: the
// chain moves on.
TEST_F(CredentialsTest, ProfileWithoutCredentialsFallsThrough) {
  FakeImds imds(&clock_);
  std::string config = Write("config", "[default]\nregion = eu-west-1\n");
  auto c = Chain({{"AWS_CONFIG_FILE", config},
                  {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}})
               ->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS0001");
}

TEST_F(CredentialsTest, ContainerCredentialsWithAuthorizationToken) {
  FakeServer ecs([](const RecordedRequest& q, HttpResponse& r) {
    if (q.Header("authorization") != "secret-auth") {
      r.status = 401;
      return;
    }
    r.content_type = "application/json";
    r.body =
        R"({"AccessKeyId": "ASIAECS", "SecretAccessKey": "ecs-secret", "Token": "ecs-token",
                 "Expiration": "2026-01-01T06:00:00Z"})";
  });
  std::string token_file = Write("auth", "secret-auth\n");
  auto c = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                   ecs.url() + "/v2/credentials/x"},
                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}})
               ->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAECS");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(FormatIso8601(*c->expiration), "2026-01-01T06:00:00Z");
  EXPECT_EQ(ecs.requests().at(0).path, "/v2/credentials/x");

  auto bad = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                     "http://example.com/creds"}})
                 ->Get(clock_.Now());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be https"), std::string::npos);
}

// A container credentials endpoint that answers every request.
void AnswerContainerCredentials(const RecordedRequest&, HttpResponse& r) {
  r.content_type = "application/json";
  r.body =
      R"({"AccessKeyId": "ASIAECS", "SecretAccessKey": "ecs-secret", "Token": "ecs-token",
                 "Expiration": "2026-01-01T06:00:00Z"})";
}

// What would send the authorization token elsewhere than the container
// endpoint, or split its header, is refused before any request, naming the
// variable and never the token: a FULL_URI whose user name looks like a
// loopback address ("http://127.0.0.1:x@host/" is a request to host, in
// plain text), a RELATIVE_URI that is not a path ("@host/x"), a token with
// a line break (as botocore). Before, each was sent.
TEST_F(CredentialsTest, ContainerCredentialsGoOnlyWhereTheyShould) {
  FakeServer ecs(AnswerContainerCredentials);
  std::string authority = ecs.url().substr(ecs.url().find("://") + 3);
  std::string split_file = Write("split", "tok-one\nX-Injected: 1\n");
  std::string nul_file = Write("nul", std::string("tok-one\0rest\n", 13));
  struct Case {
    const char* name;
    std::map<std::string, std::string> env;
    const char* says;
  };
  const Case cases[] = {
      {"user name like a loopback address",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
         "http://127.0.0.1:hunter2@" + authority + "/creds"}},
       "must not hold a user name or password"},
      {"relative uri that is not a path",
       {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@" + authority + "/creds"}},
       "RELATIVE_URI must be a path"},
      {"token with a line break",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-one\r\nX-Injected: 1"}},
       "(AWS_CONTAINER_AUTHORIZATION_TOKEN) holds a line break"},
      {"token file with a line break inside",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", split_file}},
       "(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) holds a line break"},
      {"token file with a NUL",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", nul_file}},
       "(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) holds a line break or a NUL"},
      // A name, not an address: it resolves anywhere (botocore refuses it).
      {"a host name that begins like a loopback address",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
         "http://127.0.0.1.attacker.example/creds"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-one"}},
       "must be https, or http to a loopback"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = Chain(tc.env)->Get(clock_.Now());
    if (c.ok()) {
      ADD_FAILURE() << "accepted";
      continue;
    }
    EXPECT_NE(c.status().message().find(tc.says), std::string::npos)
        << c.status().message();
    EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);
    EXPECT_EQ(c.status().message().find("tok-one"), std::string::npos);
  }
  EXPECT_EQ(ecs.count(), 0u) << "no request was sent";
}

// The FULL_URI's scheme and host are compared case-blind, as botocore's
// urlparse lowers them (and curl reads them): "HTTP://" and "LOCALHOST"
// were refused. A token file that is a FIFO is refused at once; it was
// waited on for a writer, without end, on every refresh.
TEST_F(CredentialsTest, ContainerUrlIsCaseBlindAndTheTokenFileMustBeAFile) {
  FakeServer ecs(AnswerContainerCredentials);
  std::string authority = ecs.url().substr(ecs.url().find("://") + 3);
  std::string port = authority.substr(authority.rfind(':') + 1);
  for (const std::string& url : {"HTTP://" + authority + "/creds",
                                 "Http://LocalHost:" + port + "/creds"}) {
    SCOPED_TRACE(url);
    auto c =
        Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}})->Get(clock_.Now());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key_id, "ASIAECS");
  }
  auto remote = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "HTTP://example.com/creds"}})
                    ->Get(clock_.Now());
  EXPECT_NE(remote.status().message().find("must be https"), std::string::npos)
      << remote.status().ToString();

  std::string fifo = (dir_ / "token.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto c = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", fifo}})
               ->Get(clock_.Now());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not a regular file"), std::string::npos)
      << c.status().message();
  auto web = Chain({{"AWS_WEB_IDENTITY_TOKEN_FILE", fifo},
                    {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"}})
                 ->Get(clock_.Now());
  ASSERT_FALSE(web.ok());
  EXPECT_NE(web.status().message().find("not a regular file"),
            std::string::npos)
      << web.status().message();
  EXPECT_EQ(ecs.count(), 2u) << "the two case-blind fetches only";
}

TEST_F(CredentialsTest, WebIdentityCallsStsUnsigned) {
  FakeServer sts([](const RecordedRequest& q, HttpResponse& r) {
    r.body =
        R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult><Credentials>
    <AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey>
    <SessionToken>web-token</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration>
  </Credentials></AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>)";
    if (q.Form("Action") != "AssumeRoleWithWebIdentity" ||
        !q.Header("authorization").empty()) {
      r.status = 400;
    }
  });
  std::string token = Write("token", "eyJhbGciOi.jwt.token\n");
  auto c = Chain({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                  {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/phas"},
                  {"AWS_ENDPOINT_URL_STS", sts.url()}})
               ->Get(clock_.Now());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAWEB");
  EXPECT_EQ(c->session_token, "web-token");
  auto req = sts.requests().at(0);
  EXPECT_EQ(req.Form("WebIdentityToken"), "eyJhbGciOi.jwt.token");
  EXPECT_EQ(req.Form("RoleArn"),
            "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fphas");
  EXPECT_EQ(req.Header("authorization"), "");
}

TEST_F(CredentialsTest, ChainOrder) {
  FakeImds imds(&clock_);
  FakeServer ecs([](const RecordedRequest&, HttpResponse& r) {
    r.body = R"({"AccessKeyId": "ASIAECS", "SecretAccessKey": "s", "Token": "t",
                 "Expiration": "2026-01-01T06:00:00Z"})";
  });
  FakeServer sts([](const RecordedRequest&, HttpResponse& r) {
    r.body =
        R"(<AssumeRoleWithWebIdentityResponse><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>s</SecretAccessKey>
      <SessionToken>t</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResponse>)";
  });
  std::string token = Write("token", "jwt");
  std::string creds = Write("credentials",
                            "[default]\naws_access_key_id = AKIAFILE\n"
                            "aws_secret_access_key = f\n");
  std::map<std::string, std::string> all = {
      {"AWS_ACCESS_KEY_ID", "AKIAENV"},
      {"AWS_SECRET_ACCESS_KEY", "e"},
      {"AWS_SHARED_CREDENTIALS_FILE", creds},
      {"AWS_WEB_IDENTITY_TOKEN_FILE", token},
      {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
      {"AWS_ENDPOINT_URL_STS", sts.url()},
      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/c"},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}};
  struct Step {
    const char* remove;      // the variable removed before this step
    const char* expect_key;  // who answers
  };
  // The SDKs' order: environment, web identity, profile, container, IMDS.
  const Step steps[] = {{nullptr, "AKIAENV"},
                        {"AWS_ACCESS_KEY_ID", "ASIAWEB"},
                        {"AWS_WEB_IDENTITY_TOKEN_FILE", "AKIAFILE"},
                        {"AWS_SHARED_CREDENTIALS_FILE", "ASIAECS"},
                        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "ASIAIMDS0001"}};
  for (const Step& s : steps) {
    SCOPED_TRACE(s.expect_key);
    if (s.remove) all.erase(s.remove);
    if (s.remove && std::string(s.remove) == "AWS_ACCESS_KEY_ID")
      all.erase("AWS_SECRET_ACCESS_KEY");
    if (s.remove && std::string(s.remove) == "AWS_WEB_IDENTITY_TOKEN_FILE")
      all.erase("AWS_ROLE_ARN");
    auto c = Chain(all)->Get(clock_.Now());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key_id, s.expect_key);
  }
}

// A web identity configured with a token file that is not there is a broken
// source, not an absent one: the chain stops on it (on EKS it went on to
// the node's role, and kept it).
TEST_F(CredentialsTest, AMissingWebIdentityTokenFileDoesNotFallThrough) {
  FakeServer ecs([](const RecordedRequest&, HttpResponse& r) {
    r.body = R"({"AccessKeyId": "ASIAECS", "SecretAccessKey": "s", "Token": "t",
                 "Expiration": "2026-01-01T06:00:00Z"})";
  });
  auto c =
      Chain({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir_ / "no-such-token").string()},
             {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
             {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/c"},
             {"AWS_EC2_METADATA_DISABLED", "true"}})
          ->Get(clock_.Now());
  ASSERT_FALSE(c.ok()) << "answered by " << c->source;
  EXPECT_FALSE(c.status().IsNotFound());
  EXPECT_NE(c.status().message().find(
                "AWS_WEB_IDENTITY_TOKEN_FILE: web identity token file"),
            std::string::npos)
      << c.status().ToString();
  EXPECT_EQ(ecs.count(), 0u);
}

TEST_F(CredentialsTest, NothingConfiguredListsWhatWasTried) {
  auto c = Chain({{"AWS_EC2_METADATA_DISABLED", "true"}})->Get(clock_.Now());
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsPermissionDenied());
  for (const char* src :
       {"environment", "shared-files", "web-identity", "container", "imds"}) {
    EXPECT_NE(c.status().message().find(src), std::string::npos) << src;
  }
}

TEST_F(CredentialsTest, ImdsV2TokenFlowExpiryAndRefresh) {
  FakeImds imds(&clock_);
  auto chain = Chain({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}});
  auto c1 = chain->Get(clock_.Now());
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->access_key_id, "ASIAIMDS0001");
  EXPECT_NE(c1->source.find("IMDSv2, role web-role"), std::string::npos);
  EXPECT_EQ(imds.token_puts(), 1);
  EXPECT_EQ(imds.unauthorized(), 0)
      << "never a GET without a token (no IMDSv1)";

  // Cached until 5 minutes before expiry.
  clock_.Advance(std::chrono::minutes(50));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIAIMDS0001");
  EXPECT_EQ(imds.credential_fetches(), 1);

  // Inside the refresh window: refreshed, with the cached token.
  clock_.Advance(std::chrono::minutes(6));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIAIMDS0002");
  EXPECT_EQ(imds.token_puts(), 1);

  // The service revokes the token: one 401, a new token, success.
  imds.Revoke();
  clock_.Advance(std::chrono::minutes(56));
  EXPECT_EQ(chain->Get(clock_.Now())->access_key_id, "ASIAIMDS0003");
  EXPECT_EQ(imds.token_puts(), 2);
  EXPECT_EQ(imds.unauthorized(), 1);

  // Refresh fails while the credentials are still valid: keep them.
  clock_.Advance(std::chrono::minutes(56));
  imds.set_down(true);
  auto kept = chain->Get(clock_.Now());
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->access_key_id, "ASIAIMDS0003");

  // ...and once they have expired, fail clearly.
  clock_.Advance(std::chrono::minutes(10));
  auto expired = chain->Get(clock_.Now());
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);

  // The IMDS token itself is renewed before its 6-hour TTL ends.
  imds.set_down(false);
  clock_.Advance(std::chrono::hours(6));
  ASSERT_TRUE(chain->Get(clock_.Now()).ok());
  EXPECT_EQ(imds.token_puts(), 3);
}

TEST_F(CredentialsTest, RegionFromInstanceMetadata) {
  FakeImds imds(&clock_);
  std::map<std::string, std::string> vars = {
      {"HOME", dir_.string()},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}};
  auto s = AwsSession::Create({}, MapEnvironment(vars), &clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->region().region, "eu-west-3");
  EXPECT_EQ((*s)->region().source, "instance metadata");
}

// The daemon waits, for a bounded time, for instance metadata that does not
// answer yet (late at boot); then the usage error as before. Metadata that
// answers "no region", or is disabled, is not waited for.
TEST_F(CredentialsTest, CreateWaitsBoundedForUnansweredMetadata) {
  FakeImds imds(&clock_);
  imds.set_down(true);
  std::map<std::string, std::string> vars = {
      {"HOME", dir_.string()},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}};
  int waits = 0, told = 0;
  auto wait = [&](Duration d) {
    ++waits;
    clock_.Advance(d);
    if (waits == 3) imds.set_down(false);  // answers at the fourth try
  };
  auto tell = [&](const Status& st, Duration) {
    ++told;
    EXPECT_NE(st.message().find("no AWS region"), std::string::npos);
  };
  auto s = CreateWaitingForRegion({}, MapEnvironment(vars), &clock_,
                                  std::chrono::seconds(60),
                                  std::chrono::seconds(5), wait, tell);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->region().region, "eu-west-3");
  EXPECT_EQ(waits, 3);
  EXPECT_EQ(told, 3);

  // Never answers: 60 s of 5 s waits, then the usage error.
  imds.set_down(true);
  waits = 0;
  auto never = [&](Duration d) {
    ++waits;
    clock_.Advance(d);
  };
  s = CreateWaitingForRegion({}, MapEnvironment(vars), &clock_,
                             std::chrono::seconds(60), std::chrono::seconds(5),
                             never);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.status().detail(), kRegionMetadataUnanswered);
  EXPECT_EQ(waits, 12);

  // Disabled: a usage error at once.
  vars["AWS_EC2_METADATA_DISABLED"] = "true";
  waits = 0;
  s = CreateWaitingForRegion({}, MapEnvironment(vars), &clock_,
                             std::chrono::seconds(60), std::chrono::seconds(5),
                             never);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(waits, 0);
}

// An error answer may quote what the request carried: a proxy or a broken
// endpoint echoing it, AWS's SignatureDoesNotMatch quoting its canonical
// request. No message shows the session token, the signature or STS's web
// identity token; the code and the rest of the answer stay.
// `s` with each of `escapes`' characters written as its escape.
std::string Escape(const std::string& s,
                   const std::map<char, std::string>& escapes) {
  std::string out;
  for (char c : s) {
    auto it = escapes.find(c);
    out += it == escapes.end() ? std::string(1, c) : it->second;
  }
  return out;
}

TEST_F(CredentialsTest, NoErrorQuotesASecretTheRequestCarried) {
  const std::string kToken =
      "IQoJb3JpZ2luX2VjEP//////////wEaCXVzLWVhc3QtMSJHMEUCIQsess+tok/en==";
  const std::string kJwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwaGFzIn0.c2lnbmF0";
  auto signature = [](const RecordedRequest& q) {
    std::string auth = q.Header("authorization");
    size_t at = auth.find("Signature=");
    return at == std::string::npos ? "" : auth.substr(at + 10);
  };
  struct Case {
    const char* name;
    // input: the call, signed with kToken, or STS's web identity
    bool web_identity;
    bool dynamodb;
    // world: the answer, from the request
    std::function<void(const RecordedRequest&, HttpResponse&)> answer;
    // expected in the message
    const char* want;
  };
  const Case cases[] = {
      {"web identity: a proxy echoing the body", true, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 400;
         r.content_type = "text/plain";
         r.body = "bad request: " + q.body;
       },
       "HTTP400: bad request: Action=AssumeRoleWithWebIdentity"},
      {"a gateway echoing the headers", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.content_type = "text/html";
         r.body = "<p>denied: x-amz-security-token " +
                  q.Header("x-amz-security-token") + " signature " +
                  signature(q) + "</p>";
       },
       "HTTP403: <p>denied: x-amz-security-token [redacted] signature "
       "[redacted]</p>"},
      {"a gateway echoing the token form-encoded", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.content_type = "text/plain";
         r.body = "token=" + UriEncode(q.Header("x-amz-security-token"));
       },
       "HTTP403: token=[redacted]"},
      // Escaped as other programs escape it: every form begins with the
      // token's leading letters and digits.
      {"a gateway echoing the token JSON-escaped", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.content_type = "application/json";
         r.body = R"({"token": ")" +
                  Escape(q.Header("x-amz-security-token"),
                         {{'/', "\\/"}, {'+', "\\u002B"}}) +
                  R"(", "why": "denied"})";
       },
       R"(HTTP403: {"token": "[redacted]", "why": "denied"})"},
      {"a gateway echoing the token HTML-escaped", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.content_type = "text/html";
         r.body = "<p>" +
                  Escape(q.Header("x-amz-security-token"),
                         {{'/', "&#x2F;"}, {'+', "&#43;"}, {'=', "&#61;"}}) +
                  " denied</p>";
       },
       "HTTP403: <p>[redacted] denied</p>"},
      {"a gateway echoing the token percent-encoded, '/' as is", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.content_type = "text/plain";
         r.body = "token=" +
                  Escape(q.Header("x-amz-security-token"),
                         {{'+', "%2b"}, {'=', "%3d"}}) +
                  " denied";
       },
       "HTTP403: token=[redacted] denied"},
      {"SignatureDoesNotMatch quoting the canonical request", false, false,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 403;
         r.body =
             "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
             "<Message>The Canonical String for this request should have "
             "been 'POST\n/\n\nx-amz-security-token:" +
             q.Header("x-amz-security-token") +
             "'</Message></Error></ErrorResponse>";
       },
       "SignatureDoesNotMatch: The Canonical String"},
      {"DynamoDB's InvalidSignatureException", false, true,
       [&](const RecordedRequest& q, HttpResponse& r) {
         r.status = 400;
         r.content_type = "application/x-amz-json-1.0";
         r.body =
             nlohmann::json{
                 {"__type",
                  "com.amazon.coral.service#InvalidSignatureException"},
                 {"message", "should have been x-amz-security-token:" +
                                 q.Header("x-amz-security-token") +
                                 " signature " + signature(q)}}
                 .dump();
       },
       "InvalidSignatureException: should have been x-amz-security-token:"},
  };
  std::string token_file = Write("token", kJwt + "\n");
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeServer server(tc.answer);
    ServiceEndpoint ep{"sts",        "sts",       "2011-06-15",
                       server.url(), "us-east-1", "test"};
    RetryOptions once;
    once.max_attempts = 1;
    auto transport = std::make_shared<CurlTransport>();
    auto signer = std::make_shared<StaticCredentialsProvider>(Credentials{
        "ASIAEXAMPLE", "the-secret-key", kToken, std::nullopt, "static"});
    auto client = std::make_shared<QueryClient>(
        ep, transport,
        tc.web_identity ? nullptr
                        : std::shared_ptr<CredentialsProvider>(signer),
        &clock_, once);
    Status st;
    if (tc.web_identity) {
      WebIdentityCredentialsProvider p(
          {token_file, "arn:aws:iam::123456789012:role/phas", "", "test"},
          client);
      st = p.Get(clock_.Now()).status();
    } else if (tc.dynamodb) {
      st =
          client->CallJson("DynamoDB_20120810", "GetItem", {{"a", 1}}).status();
    } else {
      st = client->Call("GetCallerIdentity", {}).status();
    }
    ASSERT_FALSE(st.ok());
    ASSERT_EQ(server.requests().size(), 1u);
    const std::string msg = st.message();
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
    for (const std::string& secret :
         {kToken, UriEncode(kToken), kJwt, signature(server.requests()[0])}) {
      if (!secret.empty()) {
        EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
      }
    }
    // Not even a recognizable part.
    EXPECT_EQ(msg.find(kToken.substr(0, 20)), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wEaCXVzLWVhc3Qt"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(kJwt.substr(0, 20)), std::string::npos) << msg;
  }
}

// The JSON the container endpoint and IMDS answer may be malformed: each
// error names the source and the field, never echoes a value (they are
// secrets), and is final (not retried); nothing is thrown.
TEST(ParseCredentialsJsonTest, MalformedAnswersNameTheField) {
  struct Case {
    const char* name;
    // input
    std::string body;
    // expected in the error
    const char* want;
  };
  const Case cases[] = {
      {"not an object", "[]",
       "imds: (top level): must be a JSON object, got an array"},
      {"key id is a number",
       R"({"AccessKeyId": 5, "SecretAccessKey": "s3cr3t-value"})",
       "imds: AccessKeyId: must be a string, got a number"},
      {"secret is a number",
       R"({"AccessKeyId": "ASIA", "SecretAccessKey": 918273645})",
       "imds: SecretAccessKey: must be a string, got a number"},
      {"token is an array",
       R"({"AccessKeyId": "ASIA", "SecretAccessKey": "s3cr3t-value",
           "Token": ["s3cr3t-value"]})",
       "imds: Token: must be a string, got an array"},
      {"expiration is a number",
       R"({"AccessKeyId": "ASIA", "SecretAccessKey": "s3cr3t-value",
           "Expiration": 1767225600})",
       "imds: Expiration: must be a string, got a number"},
      {"expiration is not a time",
       R"({"AccessKeyId": "ASIA", "SecretAccessKey": "s3cr3t-value",
           "Expiration": "soon"})",
       "imds: unreadable Expiration 'soon'"},
      {"code is an object", R"({"Code": {"x": 1}})",
       "imds: Code: must be a string, got an object"},
      {"code says no", R"({"Code": "AssumeRoleUnauthorizedAccess"})",
       "imds: credentials not available (Code AssumeRoleUnauthorizedAccess)"},
      {"truncated", R"({"AccessKeyId": "ASIA", "SecretAccessKey": "s3cr3t-val)",
       "imds: credentials response is not JSON"},
      {"number overflow",
       R"({"AccessKeyId": "ASIA", "SecretAccessKey": "s3cr3t-value",
           "Expiration": 1e999})",
       "imds: credentials response is not JSON"},
      {"keys missing", R"({"Code": "Success"})",
       "imds: response lacks AccessKeyId or SecretAccessKey"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Result<Credentials> c = Status::Internal("not run");
    EXPECT_NO_THROW(c = ParseCredentialsJson(tc.body, "imds"));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), Status::Code::kUnavailable);
    EXPECT_FALSE(c.status().retryable());
    const std::string& msg = c.status().message();
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cr3t"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("918273645"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace phas::aws
