// `phas scaler` beside AWS's own scaling, against moto (IAM enforced, as
// the user holding deploy/iam-policy.json): each coexistence rule of
// decision/coexist.h holds a group that the reactive policy would scale
// (CPU 55 % against a target of 30 %: +1), with its code and reason in the
// log line and the JSON record, and SetDesiredCapacity not called (the
// group stays at 2); what is only reported (a scheduled action about to
// run, a warm pool, lifecycle hooks) does not hold it; pause and
// forecast-only by tag change between cycles of one process, without a
// restart. moto has no DescribeInstanceRefreshes: it answers recorded AWS
// responses (moto_server_ext.py, testdata/aws/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "aws/services.h"
#include "aws/session.h"
#include "moto_fixture.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::ChildProcess;
using phas::testing::MotoServer;
using phas::testing::ProcessResult;
using phas::testing::RunProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

class CoexistMotoTest : public phas::testing::TempDirTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    TempDirTest::SetUp();
  }

  // Group `name`: min 1, max 4, desired 2, CPU 55 % on its instances; the
  // phas user holds `policy`.
  void BuildWorld(
      const std::string& name, std::vector<std::string> extra = {},
      const std::string& policy = phas::testing::DeployPolicyPath()) {
    extra.insert(extra.end(), {"--min", "1", "--max", "4", "--desired", "2"});
    world_ = moto_.BuildWorld(policy, name, extra);
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    auto s = aws::AwsSession::Create(
        {}, aws::MapEnvironment(moto_.EnvFor(world_["admin"], dir_)), &clock_);
    ASSERT_TRUE(s.ok());
    admin_ = std::move(s).value();
  }
  // deploy/iam-policy.json's daemon statements only (Sid Scaler*), each
  // passed through `edit`, written to `name` in the test's directory: a
  // permission the daemon needs must be in its own statements.
  std::string ScalerPolicy(const std::string& name,
                           const std::function<void(json&)>& edit = {}) {
    return phas::testing::WriteDeployStatements({"Scaler"},
                                                (dir_ / name).string(), edit);
  }
  // An Auto Scaling call as the admin (the operator, or AWS's console).
  void Admin(const std::string& action, aws::QueryParams params) {
    auto r = admin_->client(aws::Service::kAutoScaling)->Call(action, params);
    ASSERT_TRUE(r.ok()) << action << ": " << r.status().ToString();
  }
  void Tag(const std::string& group, const std::string& key,
           const std::string& value) {
    Admin("CreateOrUpdateTags",
          {{"Tags.member.1.ResourceId", group},
           {"Tags.member.1.ResourceType", "auto-scaling-group"},
           {"Tags.member.1.Key", key},
           {"Tags.member.1.Value", value},
           {"Tags.member.1.PropagateAtLaunch", "false"}});
  }
  void Untag(const std::string& group, const std::string& key) {
    Admin("DeleteTags", {{"Tags.member.1.ResourceId", group},
                         {"Tags.member.1.ResourceType", "auto-scaling-group"},
                         {"Tags.member.1.Key", key}});
  }
  int Desired(const std::string& group) {
    auto g = aws::AutoScalingApi(admin_->client(aws::Service::kAutoScaling))
                 .DescribeAutoScalingGroups({group});
    return g.ok() && !g->empty() ? (*g)[0].desired_capacity : -1;
  }

  std::string WriteConfig(const std::string& group,
                          const std::string& extra_group_keys = "") {
    std::string path = (dir_ / "phas.yaml").string();
    std::ofstream(path) << "interval_seconds: 1\n"
                        << "metrics_refresh_seconds: 0\n"
                        << "output_dir: " << (dir_ / "output").string() << "\n"
                        << "state_path: "
                        << (dir_ / "state" / "phas.db").string() << "\n"
                        << "metrics_listen: off\n"
                        << "groups:\n  - name: " << group << "\n"
                        << "    policy: reactive\n    target: 30\n"
                        << "    cooldown_seconds: 1\n"
                        << extra_group_keys;
    return path;
  }
  std::map<std::string, std::string> Env() {
    return moto_.EnvFor(world_["phas"], dir_.string());
  }
  ProcessResult Once(const std::string& config,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {PHAS_BINARY, "scaler", "--config", config,
                                     "--once"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv, Env(), 60);
  }
  std::string Read(const std::string& file) {
    std::ifstream in(dir_ / "output" / file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string Log() { return Read("ec2_monitor.log"); }
  // The complete JSON records of `group`, in order.
  std::vector<json> Records(const std::string& group) {
    std::istringstream lines(Read("ec2_metrics_data.jsonl"));
    std::vector<json> out;
    for (std::string line; std::getline(lines, line);) {
      if (lines.eof()) break;  // no newline yet: still being written
      json rec = json::parse(line, nullptr, false);
      if (!rec.is_discarded() && rec.value("asg_name", "") == group) {
        out.push_back(rec);
      }
    }
    return out;
  }
  // One --once run holds `group` at 2 by `code`, whose words are `words`.
  void ExpectHeldOnce(const std::string& group, const std::string& config,
                      const std::string& code, const std::string& words) {
    ProcessResult r = Once(config);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Desired(group), 2) << "SetDesiredCapacity was called";
    std::string log = Log();
    EXPECT_NE(log.find("DECISION: hold 2 -> 2 [" + code + "]"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find(words), std::string::npos) << log;
    EXPECT_EQ(log.find("SCALING UP"), std::string::npos) << log;
    std::vector<json> recs = Records(group);
    ASSERT_EQ(recs.size(), 1u);
    const json& d = recs[0]["decision"];
    EXPECT_EQ(d["code"], code);
    EXPECT_EQ(d["acted"], false);
    EXPECT_NE(d["reason"].get<std::string>().find("wanted 2 -> 3"),
              std::string::npos)
        << d.dump();
    EXPECT_NE(d["reason"].get<std::string>().find(words), std::string::npos)
        << d.dump();
  }

  MotoServer moto_;
  json world_;
  SystemClock clock_;
  std::unique_ptr<aws::AwsSession> admin_;
};

// The rules' baseline: nothing beside phas, and the reactive policy scales
// 2 -> 3 in one cycle (so a hold below is the rule's, not the policy's).
TEST_F(CoexistMotoTest, AloneItScales) {
  BuildWorld("web");
  ProcessResult r = Once(WriteConfig("web"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Desired("web"), 3) << Log();
  EXPECT_NE(Log().find("AWS controls: scaling policies none"),
            std::string::npos)
      << Log();
}

TEST_F(CoexistMotoTest, AwsPolicyRefusedUnlessSharedScaleOutOnly) {
  BuildWorld("web", {"--scaling-policies"});
  ExpectHeldOnce("web", WriteConfig("web"), "aws_policy_conflict",
                 "web-cpu50 (TargetTrackingScaling), web-predict "
                 "(PredictiveScaling) on the group");
  // Shared: phas raises capacity (and would leave scale-in to AWS).
  ProcessResult r =
      Once(WriteConfig("web", "    aws_policies: scale_out_only\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Desired("web"), 3) << Log();
}

TEST_F(CoexistMotoTest, SuspendedLaunchHolds) {
  BuildWorld("web");
  Admin("SuspendProcesses", {{"AutoScalingGroupName", "web"},
                             {"ScalingProcesses.member.1", "Launch"}});
  ExpectHeldOnce("web", WriteConfig("web"), "suspended",
                 "process Launch suspended on the group");
}

// moto has no instance refreshes: DescribeInstanceRefreshes answers the
// recorded response of a refresh at 40 % (and a second page).
TEST_F(CoexistMotoTest, InstanceRefreshInProgressHolds) {
  BuildWorld("web");
  ASSERT_TRUE(
      moto_.AnswerRecorded("DescribeInstanceRefreshes", "web",
                           "aws/describe_instance_refreshes_in_progress.xml"));
  ASSERT_TRUE(moto_.AnswerRecorded("DescribeInstanceRefreshes", "web",
                                   "aws/describe_instance_refreshes_page2.xml",
                                   "refreshes-page-2"));
  ExpectHeldOnce("web", WriteConfig("web"), "instance_refresh",
                 "instance refresh 08b91cf7-8fa6-48af-b6a6-d227f40f1b9b "
                 "(InProgress, 40 % done)");
}

// Without the new read permissions (an upgrade that kept the old policy),
// the controls cannot be read: phas holds rather than act blind, and says
// what is missing.
TEST_F(CoexistMotoTest, UnreadableControlsHold) {
  BuildWorld("web", {}, ScalerPolicy("old-policy.json", [](json& st) {
               if (st["Sid"] != "ScalerRead") return;
               st["Action"] = {"autoscaling:DescribeAutoScalingGroups",
                               "cloudwatch:GetMetricData"};
             }));
  ExpectHeldOnce("web", WriteConfig("web"), "controls_unreadable",
                 "autoscaling:DescribePolicies");
}

// Reported, not held for: a scheduled action starting in 5 minutes, a warm
// pool, a lifecycle hook. The group scales.
TEST_F(CoexistMotoTest, ScheduledActionWarmPoolAndHooksAreReported) {
  BuildWorld("web");
  Admin("PutScheduledUpdateGroupAction",
        {{"AutoScalingGroupName", "web"},
         {"ScheduledActionName", "evening"},
         {"StartTime", FormatIso8601(clock_.Now() + std::chrono::minutes(5))},
         {"DesiredCapacity", "4"}});
  Admin("PutWarmPool", {{"AutoScalingGroupName", "web"},
                        {"MinSize", "1"},
                        {"PoolState", "Stopped"}});
  Admin("PutLifecycleHook",
        {{"AutoScalingGroupName", "web"},
         {"LifecycleHookName", "drain"},
         {"LifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING"},
         {"HeartbeatTimeout", "300"}});
  ProcessResult r = Once(WriteConfig("web"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Desired("web"), 3) << Log();
  std::string log = Log();
  for (const char* want :
       {"WARNING - [web] - scheduled action evening sets desired 4 at ",
        // moto lists no scaling activity.
        "the group has a warm pool, but no launch from it among its recent "
        "scaling activities yet: the forecasting policies keep their "
        "boot_seconds",
        // moto lists no instance in a warm pool.
        "warm pool 0 instance(s), min 1, Stopped",
        "lifecycle hooks drain (autoscaling:EC2_INSTANCE_TERMINATING, "
        "300 s)"}) {
    EXPECT_NE(log.find(want), std::string::npos) << want << "\n" << log;
  }
  std::vector<json> recs = Records("web");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(recs[0]["warnings"].dump().find("scheduled action evening"),
            std::string::npos)
      << recs[0].dump();
}

// A warm pool's launch time is measured from the group's launches from it
// (moto lists no activity: recorded AWS responses, three launches from the
// pool of 50, 40 and 35 s beside a cold one and one into the pool).
TEST_F(CoexistMotoTest, WarmPoolLaunchTimeIsMeasured) {
  // The daemon's statements only: the activities must be allowed by
  // ScalerRead itself, not by another command's statement.
  BuildWorld("web", {}, ScalerPolicy("scaler-policy.json"));
  Admin("PutWarmPool", {{"AutoScalingGroupName", "web"},
                        {"MinSize", "1"},
                        {"PoolState", "Stopped"}});
  ASSERT_TRUE(
      moto_.AnswerRecorded("DescribeScalingActivities", "web",
                           "aws/describe_scaling_activities_warm_pool.xml"));
  ProcessResult r = Once(WriteConfig("web"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want =
      "the group has a warm pool: its launches take 40 s (median; 50 s at "
      "the 90th percentile, of its last 3 launches from the pool): the "
      "forecasting policies take 50 s as their boot time while the pool "
      "holds the instances they would launch";
  EXPECT_NE(Log().find(want), std::string::npos) << Log();
}

// --forecast-only covers a group whatever its policy (here reactive), and
// is announced at start.
TEST_F(CoexistMotoTest, ForecastOnlyFlagCoversEveryPolicy) {
  BuildWorld("web");
  std::string config = WriteConfig("web");
  ProcessResult r = Once(config, {"--forecast-only"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--forecast-only: every group (1) decides and logs"),
            std::string::npos)
      << r.err;
  EXPECT_NE(Log().find("forecast-only: decides and logs, never acts"),
            std::string::npos)
      << Log();
  EXPECT_EQ(Desired("web"), 2);
  std::vector<json> recs = Records("web");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["decision"]["code"], "forecast_only");
}

// One process: paused by tag, then forecast-only by tag, then neither, read
// every cycle: it acts only after the last change.
TEST_F(CoexistMotoTest, PauseAndForecastOnlyByTagWithoutRestart) {
  BuildWorld("web");
  Tag("web", "phas:paused", "true");
  ChildProcess proc({PHAS_BINARY, "scaler", "--config", WriteConfig("web")},
                    Env(), (dir_ / "stderr.log").string());
  // Waits until a record of `code` follows the last one seen.
  size_t seen = 0;
  auto wait_code = [&](const std::string& code) {
    auto end = std::chrono::steady_clock::now() + seconds(30);
    while (std::chrono::steady_clock::now() < end) {
      std::vector<json> recs = Records("web");
      for (; seen < recs.size(); ++seen) {
        if (recs[seen]["decision"]["code"] == code) return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(wait_code("paused_by_tag")) << Log();
  EXPECT_NE(Log().find("paused by tag phas:paused=true"), std::string::npos);
  // Two more paused cycles: it does not act while paused.
  ASSERT_TRUE(wait_code("paused_by_tag"));
  ASSERT_TRUE(wait_code("paused_by_tag"));
  EXPECT_EQ(Desired("web"), 2);

  Tag("web", "phas:forecast-only", "true");
  Untag("web", "phas:paused");
  ASSERT_TRUE(wait_code("forecast_only")) << Log();
  ASSERT_TRUE(wait_code("forecast_only"));
  EXPECT_NE(Log().find("forecast-only by tag phas:forecast-only=true"),
            std::string::npos);
  EXPECT_EQ(Desired("web"), 2);

  Untag("web", "phas:forecast-only");
  auto end = std::chrono::steady_clock::now() + seconds(30);
  while (Desired("web") != 3 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(Desired("web"), 3) << Log();
  EXPECT_EQ(proc.Terminate(), 0);
}

}  // namespace
}  // namespace phas
