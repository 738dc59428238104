// `phas doctor --config` against moto (IAM enforced, as a user holding only
// the doctor's statements of deploy/iam-policy.json, Doctor* and the lease
// table's Replica*): a group with detailed monitoring and the memory
// metric, one with basic monitoring (CPU every 5 minutes), no memory metric
// and a warm pool, one that does not exist. Metrics are seeded by
// doctor_world.py.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aws/doctor.h"
#include "aws/session.h"
#include "moto_fixture.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::MotoServer;
using phas::testing::RunProcess;

class DoctorMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    home_ = fs::temp_directory_path() /
            ("phas_doctor_moto_" + std::to_string(::getpid()));
    fs::create_directories(home_);
    // The doctor's own statements: each call it makes must be in them.
    std::string path = phas::testing::WriteDeployStatements(
        {"Doctor", "Replica"}, (home_ / "doctor-policy.json").string());
    // fast carries a target tracking and a predictive policy of AWS's.
    world_ = moto_.BuildWorld(path, "fast", {"--scaling-policies"});
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    auto r = RunProcess(
        {"python3",
         std::string(PHAS_SOURCE_DIR) + "/tests/integration/doctor_world.py",
         moto_.url(), world_["admin"].dump(), "fast", "slow"},
        {{"AWS_ENDPOINT_URL", ""}, {"AWS_PROFILE", ""}}, 120);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    instances_ = json::parse(r.out);
  }
  void TearDown() override { fs::remove_all(home_); }

  MotoServer moto_;
  fs::path home_;
  json world_, instances_;
};

TEST_F(DoctorMotoTest, EveryConfiguredGroup) {
  std::string config = (home_ / "phas.yaml").string();
  std::ofstream(config) << "region: us-east-1\n"
                           "ha: {dynamodb_table: phas-leases}\n"
                           "groups:\n"
                           "  - name: fast\n"
                           "    target: 1000\n"
                           "    signal: {type: alb_requests, resource_label: "
                           "app/web/50dc6c49/targetgroup/fast-tg/73e2d6bc}\n"
                           "  - name: slow\n"
                           "  - name: missing\n"
                           "    memory_metric: {enabled: false}\n";
  auto r = RunProcess({PHAS_BINARY, "doctor", "--config", config},
                      moto_.EnvFor(world_["phas"], home_.string()), 120);
  // The missing group fails the doctor; warnings do not.
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string& out = r.out;
  std::string slow_ids = instances_["slow"][0].get<std::string>() + ", " +
                         instances_["slow"][1].get<std::string>();
  const std::vector<std::string> wants = {
      "region:      us-east-1 (from " + config + ": region)",
      // Replicas: the lease table the config names does not exist.
      "FAIL dynamodb:DescribeTable",
      "ha.dynamodb_table: table phas-leases not found in us-east-1 (create "
      "it: aws dynamodb create-table --table-name phas-leases",
      "groups of " + config + ":",
      "  fast (region us-east-1, from " + config + ": region)",
      "    ok   group  found: min 1 max 5 desired 2, 2 InService",
      "    ok   tag    phas=managed: deploy/iam-policy.json lets phas set its "
      "capacity",
      "    warn aws    AWS scaling policies fast-cpu50 "
      "(TargetTrackingScaling), fast-predict (PredictiveScaling) scale it: "
      "phas will not act on the group (aws_policy_conflict)",
      "    ok   controls all read: 0 scheduled capacity change(s), no warm "
      "pool, no instance refresh, 0 lifecycle hook(s)",
      "    ok   cpu    CPUUtilization every minute (detailed "
      "monitoring) on all 2 InService instances",
      "    ok   signal alb_requests: ",
      "one-minute datapoints in the last 15 minutes (latest 1200)",
      "    ok   memory CWAgent/mem_used_percent [InstanceId] present on "
      "all 2 InService instances",
      "  slow (region us-east-1",
      "    warn tag    no tag phas=managed: under deploy/iam-policy.json "
      "(statement ScalerSetCapacity) SetDesiredCapacity is AccessDenied; tag "
      "it: aws autoscaling create-or-update-tags --tags ResourceId=slow,",
      "    ok   aws    no AWS scaling policy changes its capacity (0 read)",
      "    ok   controls all read: 0 scheduled capacity change(s), warm pool "
      "of 0 (Stopped, min 1), no launch from it yet, no instance refresh, 0 "
      "lifecycle hook(s)",
      "    warn cpu    basic monitoring on 2 of 2 InService instances (" +
          slow_ids + ")",
      "Monitoring.Enabled: true",
      "    warn memory CWAgent/mem_used_percent [InstanceId] has no "
      "datapoints in the last 15 minutes on any of the 2",
      "    warn history AWS/ApplicationELB RequestCount Sum by LoadBalancer, "
      "TargetGroup: ",
      // The last 15 minutes: in one hour, or two across an hour's start.
      " of the last 336 hours have data: the forecasting policies restore "
      "that much at start",
      "    warn history AWS/EC2 CPUUtilization Sum by AutoScalingGroupName: no "
      "datapoint in the last 14 days",
      "  missing (region us-east-1",
      "    FAIL group  no group called missing",
      "result: FAILED",
  };
  for (const std::string& want : wants) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\nin:\n" << out;
  }
}

// In process: one DescribeAutoScalingGroups for all groups, one
// GetMetricData per group (CPU and memory of every instance at once), one
// DescribePolicies per group, and one of each control read the scaler
// makes.
TEST_F(DoctorMotoTest, OneMetricsCallPerGroup) {
  SystemClock clock;
  auto s = AwsSession::Create(
      {}, MapEnvironment(moto_.EnvFor(world_["phas"], home_.string())), &clock);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::map<std::string, int> calls;
  (*s)->set_observer([&](const CallRecord& c) { ++calls[c.action]; });
  AutoScalingApi asg((*s)->client(Service::kAutoScaling));
  CloudWatchApi cw((*s)->client(Service::kCloudWatch));
  DoctorGroup fast, slow;
  fast.name = "fast";
  slow.name = "slow";
  auto reports = CheckGroups(asg, cw, {fast, slow}, clock.Now());
  EXPECT_EQ(calls["DescribeAutoScalingGroups"], 1);
  EXPECT_EQ(calls["GetMetricData"], 2);
  EXPECT_EQ(calls["DescribePolicies"], 2);  // AWS's own policies, per group
  for (const char* c :
       {"DescribeScheduledActions", "DescribeWarmPool",
        "DescribeInstanceRefreshes", "DescribeLifecycleHooks"}) {
    EXPECT_EQ(calls[c], 2) << c;
  }
  // slow's warm pool: its launch time.
  EXPECT_EQ(calls["DescribeScalingActivities"], 1);
  ASSERT_EQ(reports.size(), 2u);
  using R = DoctorCheck::Result;
  struct Want {
    const char* what;
    R fast, slow;
  };
  const Want wants[] = {
      {"group", R::kOk, R::kOk},    {"tag", R::kOk, R::kWarning},
      {"aws", R::kWarning, R::kOk}, {"controls", R::kOk, R::kOk},
      {"cpu", R::kOk, R::kWarning}, {"memory", R::kOk, R::kWarning}};
  for (size_t i = 0; i < std::size(wants); ++i) {
    SCOPED_TRACE(wants[i].what);
    ASSERT_EQ(reports[0].checks.size(), std::size(wants));
    ASSERT_EQ(reports[1].checks.size(), std::size(wants));
    EXPECT_EQ(reports[0].checks[i].what, wants[i].what);
    EXPECT_EQ(reports[0].checks[i].result, wants[i].fast)
        << reports[0].checks[i].detail;
    EXPECT_EQ(reports[1].checks[i].result, wants[i].slow)
        << reports[1].checks[i].detail;
  }
}

}  // namespace
}  // namespace phas::aws
