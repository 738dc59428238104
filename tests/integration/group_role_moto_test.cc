// Groups in other accounts (issue 12): each group's calls go out as the role
// its config names (groups[].role_arn), assumed with the process's own key,
// against moto with IAM enforced. The platform key may only call
// sts:AssumeRole. web and jobs name one role (with an ExternalId): one
// session, one AssumeRole, one describe and one GetMetricData for both, and
// both scale. api's role may read but not act: its action alone is refused.
// batch's role does not trust the platform: batch alone holds, with the fix
// in words. No secret in any message. `phas doctor --config` says the same.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "aws/services.h"
#include "aws/session.h"
#include "cloud/aws_fleet.h"
#include "moto_fixture.h"
#include "scaler/config.h"
#include "scaler/scaler.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::MotoServer;
using phas::testing::RunProcess;

TEST(MotoGroupRoleTest, EachGroupCallsAsItsRole) {
  MotoServer moto;
  ASSERT_TRUE(moto.error().empty()) << moto.error();
  fs::path dir = fs::temp_directory_path() /
                 ("phas_moto_group_role_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string policy = phas::testing::DeployPolicyPath();
  json world;
  for (const char* g : {"web", "jobs", "api", "batch"}) {
    world = moto.BuildWorld(
        policy, g,
        {"--min", "1", "--max", "4", "--desired", "1", "--cpu", "90"});
    ASSERT_FALSE(world.is_null()) << moto.error();
  }
  auto r = RunProcess(
      {"python3",
       std::string(PHAS_SOURCE_DIR) + "/tests/integration/group_role_world.py",
       moto.url(), world["admin"].dump(), policy},
      {{"AWS_ENDPOINT_URL", ""}, {"AWS_PROFILE", ""}}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json extra = json::parse(r.out);
  const json& roles = extra["roles"];
  const std::string secret = extra["platform"]["SecretAccessKey"];
  std::string config_text =
      "groups:\n"
      "  - {name: web, policy: hpa, target: 50, role_arn: " +
      roles["phas-scale"].get<std::string>() +
      ", external_id: ext-42, memory_metric: {enabled: false}}\n"
      "  - {name: jobs, policy: hpa, target: 50, role_arn: " +
      roles["phas-scale"].get<std::string>() +
      ", external_id: ext-42, memory_metric: {enabled: false}}\n"
      "  - {name: api, policy: hpa, target: 50, role_arn: " +
      roles["phas-readonly"].get<std::string>() +
      ", memory_metric: {enabled: false}}\n"
      "  - {name: batch, policy: hpa, target: 50, role_arn: " +
      roles["phas-locked"].get<std::string>() +
      ", memory_metric: {enabled: false}}\n";
  auto config = ParseScalerConfig(config_text, "phas.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();

  // The daemon's wiring (cmd/scaler_cmd.cc), as the platform key.
  SystemClock clock;
  auto env = moto.EnvFor(extra["platform"], dir.string());
  auto session = aws::AwsSession::Create({}, aws::MapEnvironment(env), &clock);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  GroupRoles group_roles;
  for (const GroupConfig& g : config->groups) {
    group_roles.emplace_back(g.name, g.role);
  }
  AwsFleet fleet(session->get(), group_roles);
  EXPECT_EQ(fleet.roles().size(), 3u);
  std::map<std::string, int> ok_calls, failed_calls;
  fleet.set_observer([&](const aws::CallRecord& c) {
    (c.status.ok() ? ok_calls : failed_calls)[c.service + " " + c.action]++;
  });
  Scaler scaler(config->groups, {}, {.cloud = fleet.cloud(), .clock = &clock});
  ASSERT_TRUE(scaler.Init(clock.Now()).ok());
  CycleReport report = scaler.RunOnce(clock.Now());

  std::map<std::string, const GroupOutcome*> out;
  for (const GroupOutcome& o : report.groups) out[o.group] = &o;
  for (const char* g : {"web", "jobs"}) {
    SCOPED_TRACE(g);
    EXPECT_TRUE(out[g]->found) << out[g]->describe_status.ToString();
    EXPECT_TRUE(out[g]->acted)
        << out[g]->act_status.ToString() << " " << out[g]->decision.reason;
  }
  EXPECT_TRUE(out["api"]->found) << out["api"]->describe_status.ToString();
  EXPECT_FALSE(out["api"]->acted);
  EXPECT_EQ(out["api"]->act_status.detail(), "AccessDenied")
      << out["api"]->act_status.ToString();
  const Status& batch = out["batch"]->describe_status;
  EXPECT_FALSE(out["batch"]->found);
  EXPECT_EQ(batch.detail(), "AccessDenied") << batch.ToString();
  for (const std::string& words :
       {std::string("role_arn of group batch"), std::string("trust policy"),
        "sts:AssumeRole on " + roles["phas-locked"].get<std::string>()}) {
    EXPECT_NE(batch.message().find(words), std::string::npos)
        << words << " in " << batch.message();
  }
  for (const GroupOutcome& o : report.groups) {
    EXPECT_EQ(o.describe_status.message().find(secret), std::string::npos);
    EXPECT_EQ(o.act_status.message().find(secret), std::string::npos);
  }

  // What AWS saw: the groups moved as their roles allow.
  auto admin = aws::AwsSession::Create(
      {}, aws::MapEnvironment(moto.EnvFor(world["admin"], dir.string())),
      &clock);
  ASSERT_TRUE(admin.ok());
  auto groups =
      aws::AutoScalingApi((*admin)->client(aws::Service::kAutoScaling))
          .DescribeAutoScalingGroups({"web", "jobs", "api", "batch"});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  std::map<std::string, int> desired;
  for (const auto& g : *groups) desired[g.name] = g.desired_capacity;
  EXPECT_EQ(desired, (std::map<std::string, int>{
                         {"web", 2}, {"jobs", 2}, {"api", 1}, {"batch", 1}}));
  // Requests: per role one AssumeRole, one describe and one GetMetricData
  // for all its groups, and a describe of the group right before each of
  // the three actions (web, jobs, and api's that is refused); the refused
  // role's AssumeRole fails and nothing else of it goes out.
  EXPECT_EQ(ok_calls["sts AssumeRole"], 2);
  EXPECT_EQ(failed_calls["sts AssumeRole"], 1);
  EXPECT_EQ(ok_calls["autoscaling DescribeAutoScalingGroups"], 2 + 3);
  EXPECT_EQ(ok_calls["cloudwatch GetMetricData"], 2);
  EXPECT_EQ(ok_calls["autoscaling SetDesiredCapacity"], 2);
  EXPECT_EQ(failed_calls["autoscaling SetDesiredCapacity"], 1);

  // The doctor checks each role before its groups.
  std::string path = (dir / "phas.yaml").string();
  std::ofstream(path) << config_text;
  auto doctor = RunProcess({PHAS_BINARY, "doctor", "--config", path}, env, 120);
  EXPECT_EQ(doctor.exit_code, 1) << doctor.out << doctor.err;
  for (const std::string& line :
       {std::string("  web (region"),
        std::string("    ok   role   role " +
                    roles["phas-scale"].get<std::string>()),
        std::string("    FAIL role   "), std::string("trust policy")}) {
    EXPECT_NE(doctor.out.find(line), std::string::npos)
        << line << " in " << doctor.out;
  }
  EXPECT_EQ((doctor.out + doctor.err).find(secret), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
