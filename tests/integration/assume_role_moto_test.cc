// A profile that assumes a role with source_profile, against moto's STS with
// IAM enforced: the laptop's own key may only call sts:AssumeRole; the role
// holds deploy/iam-policy.json. phas's calls succeed as the role, and fail
// as the key alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aws/services.h"
#include "aws/session.h"
#include "moto_fixture.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::MotoServer;
using phas::testing::RunProcess;

TEST(MotoAssumeRoleTest, SourceProfileAssumesTheRole) {
  MotoServer moto;
  ASSERT_TRUE(moto.error().empty()) << moto.error();
  fs::path home = fs::temp_directory_path() /
                  ("phas_moto_role_" + std::to_string(::getpid()));
  fs::create_directories(home / ".aws");
  json w = moto.BuildWorld(phas::testing::DeployPolicyPath(), "web");
  ASSERT_FALSE(w.is_null()) << moto.error();
  auto r = RunProcess(
      {"python3",
       std::string(PHAS_SOURCE_DIR) + "/tests/integration/assume_role_world.py",
       moto.url(), w["admin"].dump(), phas::testing::DeployPolicyPath()},
      {{"AWS_ENDPOINT_URL", ""}, {"AWS_PROFILE", ""}}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json extra = json::parse(r.out);
  std::string role_arn = extra["role_arn"];
  std::ofstream(home / ".aws/credentials")
      << "[sre]\naws_access_key_id = "
      << extra["sre"]["AccessKeyId"].get<std::string>()
      << "\naws_secret_access_key = "
      << extra["sre"]["SecretAccessKey"].get<std::string>() << "\n";
  std::ofstream(home / ".aws/config")
      << "[profile ops]\nrole_arn = " << role_arn
      << "\nsource_profile = sre\nrole_session_name = sre-laptop\n"
         "duration_seconds = 900\n";

  SystemClock clock;
  struct Case {
    const char* profile;
    // expected
    bool describe_ok;
    std::string source;
  };
  const Case cases[] = {
      {"ops", true, "role " + role_arn + " (profile 'ops', assumed with "},
      {"sre", false, "shared files, profile 'sre'"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.profile);
    std::map<std::string, std::string> env = {
        {"HOME", home.string()},
        {"AWS_PROFILE", tc.profile},
        {"AWS_REGION", "us-east-1"},
        {"AWS_ENDPOINT_URL", moto.url()},
        {"AWS_EC2_METADATA_DISABLED", "true"}};
    auto s = AwsSession::Create({}, MapEnvironment(env), &clock);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto creds = (*s)->credentials()->Get(clock.Now());
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    EXPECT_EQ(creds->source.rfind(tc.source, 0), 0u) << creds->source;
    auto groups = AutoScalingApi((*s)->client(Service::kAutoScaling))
                      .DescribeAutoScalingGroups({"web"});
    EXPECT_EQ(groups.ok(), tc.describe_ok) << groups.status().ToString();
    if (tc.describe_ok) {
      EXPECT_FALSE(creds->session_token.empty());
      ASSERT_TRUE(creds->expiration.has_value());
      EXPECT_GT(*creds->expiration, clock.Now());
      EXPECT_LE(*creds->expiration, clock.Now() + std::chrono::seconds(901));
      ASSERT_TRUE(groups.ok());
      EXPECT_EQ(groups->size(), 1u);
    } else {
      EXPECT_EQ(groups.status().detail(), "AccessDenied")
          << groups.status().ToString();
    }
  }

  // The doctor says where the credentials came from.
  auto doctor = RunProcess({PHAS_BINARY, "doctor", "--asg", "web"},
                           {{"HOME", home.string()},
                            {"AWS_PROFILE", "ops"},
                            {"AWS_REGION", "us-east-1"},
                            {"AWS_ENDPOINT_URL", moto.url()},
                            {"AWS_ACCESS_KEY_ID", ""},
                            {"AWS_SECRET_ACCESS_KEY", ""},
                            {"AWS_EC2_METADATA_DISABLED", "true"}},
                           120);
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out << doctor.err;
  EXPECT_NE(doctor.out.find("credentials: role " + role_arn), std::string::npos)
      << doctor.out;
  EXPECT_EQ((doctor.out + doctor.err)
                .find(extra["sre"]["SecretAccessKey"].get<std::string>()),
            std::string::npos);
  fs::remove_all(home);
}

}  // namespace
}  // namespace phas::aws
