// No secret in any log line or error: runs `phas doctor` at the most verbose
// log level against moto (IAM enforced) in the three situations that produce
// the most output (success with a write, a wrong secret, a missing
// permission) and greps every line of stdout and stderr for the secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "moto_fixture.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::MotoServer;
using phas::testing::RunProcess;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST(NoSecretInLogsTest, DoctorAtTraceLevel) {
  MotoServer moto;
  ASSERT_TRUE(moto.error().empty()) << moto.error();
  fs::path home = fs::temp_directory_path() /
                  ("phas_secret_home_" + std::to_string(::getpid()));
  fs::create_directories(home);

  json ok_world = moto.BuildWorld(phas::testing::DeployPolicyPath(), "web");
  ASSERT_FALSE(ok_world.is_null()) << moto.error();
  std::string limited = (home / "limited.json").string();
  std::ofstream(limited)
      << R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": ["autoscaling:DescribeAutoScalingGroups"], "Resource": "*"}]})";
  json limited_world = moto.BuildWorld(limited, "limited");
  ASSERT_FALSE(limited_world.is_null()) << moto.error();

  json wrong = ok_world["phas"];
  wrong["SecretAccessKey"] = "WRONGsecretWRONGsecretWRONGsecret1234567";
  struct Case {
    const char* name;
    json key;
    std::string asg;
    // expected
    int exit_code;
    std::string must_say;
  };
  const Case cases[] = {
      {"success with a write", ok_world["phas"], "web", 0, "result: ok"},
      {"wrong secret", wrong, "web", 1, "SignatureDoesNotMatch"},
      {"missing permissions", limited_world["phas"], "limited", 1,
       "missing permission cloudwatch:GetMetricData"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string secret = tc.key["SecretAccessKey"];
    auto r = RunProcess({PHAS_BINARY, "--log-level", "trace", "doctor", "--asg",
                         tc.asg, "--check-write"},
                        moto.EnvFor(tc.key, home.string()), 120);
    EXPECT_EQ(r.exit_code, tc.exit_code) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(tc.must_say), std::string::npos)
        << r.out << r.err;
    auto lines = Lines(r.out);
    auto err_lines = Lines(r.err);
    lines.insert(lines.end(), err_lines.begin(), err_lines.end());
    ASSERT_GT(lines.size(), 10u);
    for (const std::string& line : lines) {
      EXPECT_EQ(line.find(secret), std::string::npos)
          << "secret leaked in: " << line;
      // Not even a recognizable part of it.
      EXPECT_EQ(line.find(secret.substr(0, 12)), std::string::npos) << line;
    }
  }
  fs::remove_all(home);
}

}  // namespace
}  // namespace phas
