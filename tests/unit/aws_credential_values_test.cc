// Values a source gives that cannot sign a request: refused when they
// come, naming the source and the field, never the value.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "aws/session.h"
#include "test_util.h"

namespace phas::aws {
namespace {

class CredentialValuesTest : public phas::testing::TempDirTest {
 protected:
  // The chain as AwsSession builds it, over `vars`.
  std::shared_ptr<CredentialsProvider> Chain(
      std::map<std::string, std::string> vars) {
    vars.emplace("HOME", dir_.string());  // no real ~/.aws
    vars.emplace("AWS_REGION", "us-east-1");
    auto session = AwsSession::Create({}, MapEnvironment(vars), &clock_);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    session_ = std::move(session).value();
    return session_->credentials();
  }

  ManualClock clock_{FromUnixSeconds(1767225600)};  // 2026-01-01T00:00:00Z
  std::unique_ptr<AwsSession> session_;
};

// A key or token holding a space, a line break or a byte outside printable
// ASCII (a file's trailing newline in a variable or a Kubernetes secret)
// is an error naming the source, the field and where, not a signature
// AWS refuses without saying why, nor a line break in a header.
TEST_F(CredentialValuesTest, KeysWithWhitespaceOrControlBytesAreRefused) {
  struct Case {
    const char* name;
    // input
    std::map<std::string, std::string> env;
    std::string credentials_file;  // "": none
    // expected in the message
    const char* want;
  };
  const Case cases[] = {
      {"a secret's trailing newline",
       {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
        {"AWS_SECRET_ACCESS_KEY", "env-s3cr3t-value\n"}},
       "",
       "environment (AWS_ACCESS_KEY_ID): the secret access key it gave holds "
       "a space, a line break or a byte outside printable ASCII at its end"},
      {"a key id's leading space",
       {{"AWS_ACCESS_KEY_ID", " AKIAENV"},
        {"AWS_SECRET_ACCESS_KEY", "env-s3cr3t-value"}},
       "",
       "the access key id it gave holds a space, a line break or a byte "
       "outside printable ASCII inside it"},
      {"a header in the token",
       {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
        {"AWS_SECRET_ACCESS_KEY", "env-s3cr3t-value"},
        {"AWS_SESSION_TOKEN", "s3cr3t-token\r\nX-Injected: 1"}},
       "",
       "the session token it gave holds a space, a line break or a byte "
       "outside printable ASCII inside it"},
      {"a secret that is not ASCII",
       {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
        {"AWS_SECRET_ACCESS_KEY", "env-s3cr3t-vülue"}},
       "",
       "the secret access key it gave holds"},
      {"a space inside a profile's secret",
       {},
       "[default]\naws_access_key_id = AKIAFILE\n"
       "aws_secret_access_key = file-s3cr3t value\n",
       "profile 'default' (" /* the files */},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::map<std::string, std::string> env = tc.env;
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    if (!tc.credentials_file.empty()) {
      env["AWS_SHARED_CREDENTIALS_FILE"] =
          Write("credentials", tc.credentials_file);
    }
    auto c = Chain(env)->Get(clock_.Now());
    ASSERT_FALSE(c.ok());
    const std::string& msg = c.status().message();
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
    EXPECT_NE(msg.find("printable ASCII"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cr3t"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace phas::aws
