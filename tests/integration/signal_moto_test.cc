// A group behind an ALB target group scales on request count per target, not
// CPU (issue 12), against moto with IAM enforced, as the least-privilege user
// of deploy/iam-policy.json: the Scaler in process on AwsCloud, its cycles
// driven in virtual minutes (RunOnce(now) with the datapoints of each minute
// published just before), so that nothing waits on the wall clock. CPU stays
// flat at 20 % throughout; the requests go 100 -> 300 -> 100 per minute at a
// target of 100 per instance: 1 -> 3 -> 1 instances. Every cycle costs one
// DescribeAutoScalingGroups and one GetMetricData, whatever the signal.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "aws/environment.h"
#include "aws/services.h"
#include "aws/session.h"
#include "cloud/aws_cloud.h"
#include "moto_fixture.h"
#include "scaler/config.h"
#include "scaler/scaler.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using phas::testing::MotoServer;

constexpr const char* kLabel =
    "app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/73e2d6bc24d8a067";

class SignalMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    home_ = fs::temp_directory_path() /
            ("phas_signal_moto_" + std::to_string(::getpid()));
    fs::create_directories(home_);
    world_ = moto_.BuildWorld(testing::DeployPolicyPath(), "web",
                              {"--min", "1", "--max", "4", "--desired", "1"});
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    admin_ = Session("admin");
    phas_ = Session("phas");
    ASSERT_NE(admin_, nullptr);
    ASSERT_NE(phas_, nullptr);
  }
  void TearDown() override { fs::remove_all(home_); }

  std::unique_ptr<aws::AwsSession> Session(const char* who) {
    auto s = aws::AwsSession::Create(
        {}, aws::MapEnvironment(moto_.EnvFor(world_[who], home_)), &real_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::vector<std::string> InService() {
    auto g = aws::AutoScalingApi(admin_->client(aws::Service::kAutoScaling))
                 .DescribeAutoScalingGroups({"web"});
    std::vector<std::string> ids;
    if (g.ok() && !g->empty()) {
      for (const auto& i : (*g)[0].instances) {
        if (i.lifecycle_state == "InService") ids.push_back(i.id);
      }
    }
    return ids;
  }
  // What CloudWatch would hold for minute `m`: the target group's requests
  // and each InService instance's (flat) CPU.
  void Publish(TimePoint m, double requests) {
    auto cw = admin_->client(aws::Service::kCloudWatch);
    aws::QueryParams alb = {
        {"Namespace", "AWS/ApplicationELB"},
        {"MetricData.member.1.MetricName", "RequestCount"},
        {"MetricData.member.1.Value", std::to_string(requests)},
        {"MetricData.member.1.Timestamp", FormatIso8601(m)}};
    auto dims = AlbDimensions(kLabel);
    ASSERT_TRUE(dims.ok());
    for (size_t d = 0; d < dims->size(); ++d) {
      std::string pre =
          "MetricData.member.1.Dimensions.member." + std::to_string(d + 1);
      alb.push_back({pre + ".Name", (*dims)[d].name});
      alb.push_back({pre + ".Value", (*dims)[d].value});
    }
    ASSERT_TRUE(cw->Call("PutMetricData", alb).ok());
    aws::QueryParams cpu = {{"Namespace", "AWS/EC2"}};
    int k = 0;
    for (const std::string& id : InService()) {
      std::string pre = "MetricData.member." + std::to_string(++k);
      cpu.push_back({pre + ".MetricName", "CPUUtilization"});
      cpu.push_back({pre + ".Value", "20"});
      cpu.push_back({pre + ".Timestamp", FormatIso8601(m)});
      cpu.push_back({pre + ".Dimensions.member.1.Name", "InstanceId"});
      cpu.push_back({pre + ".Dimensions.member.1.Value", id});
    }
    if (k > 0) {
      ASSERT_TRUE(cw->Call("PutMetricData", cpu).ok());
    }
  }

  MotoServer moto_;
  fs::path home_;
  nlohmann::json world_;
  SystemClock real_;  // signing
  std::unique_ptr<aws::AwsSession> admin_, phas_;
};

TEST_F(SignalMotoTest, ScalesOnRequestsPerTargetWithFlatCpu) {
  auto config = ParseScalerConfig(
      std::string("groups:\n"
                  "  - name: web\n"
                  "    policy: hpa\n"
                  "    hpa: {stabilization_seconds: 0}\n"
                  "    target: 100\n"
                  "    memory_metric: {enabled: false}\n"
                  "    signal: {type: alb_requests, resource_label: ") +
          kLabel + "}\n",
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  std::map<std::string, int> calls;
  phas_->set_observer([&](const aws::CallRecord& r) { ++calls[r.action]; });
  AwsCloud cloud(phas_.get());
  // Virtual minutes, an hour back: the datapoints of each are published
  // before the cycle that reads them.
  auto minute = std::chrono::minutes(1);
  TimePoint start =
      FromUnixSeconds(std::floor(ToUnixSeconds(real_.Now()) / 60) * 60) -
      std::chrono::hours(1);
  ManualClock clock(start);
  Scaler scaler(config->groups, {}, {.cloud = &cloud, .clock = &clock});
  ASSERT_TRUE(scaler.Init(clock.Now()).ok());

  struct Phase {
    double requests;
    int minutes;
    int want;  // desired capacity at the end
  };
  std::vector<int> desired;
  int cycles = 0;
  for (const Phase& p :
       {Phase{100, 3, 1}, Phase{300, 3, 3}, Phase{100, 3, 1}}) {
    SCOPED_TRACE(p.requests);
    for (int i = 0; i < p.minutes; ++i) {
      Publish(clock.Now() - minute, p.requests);
      CycleReport r = scaler.RunOnce(clock.Now());
      ++cycles;
      ASSERT_EQ(r.groups.size(), 1u);
      const GroupOutcome& o = r.groups[0];
      ASSERT_TRUE(o.found);
      ASSERT_TRUE(o.metrics_status.ok()) << o.metrics_status.ToString();
      ASSERT_FALSE(o.observation.signal.empty());
      // The signal is requests per target; CPU has not moved.
      EXPECT_NEAR(o.observation.signal.back().value,
                  p.requests / o.observation.signal.back().instances, 1e-6);
      ASSERT_TRUE(o.metrics);
      EXPECT_DOUBLE_EQ(o.metrics->aggregate.at("cpu_utilization").value, 20);
      EXPECT_TRUE(o.decision.acts() ? o.act_status.ok() : true)
          << o.act_status.ToString();
      desired.push_back(o.decision.target);
      clock.Advance(minute);
    }
    EXPECT_EQ(static_cast<int>(InService().size()), p.want);
  }
  EXPECT_EQ(desired, (std::vector<int>{1, 1, 1, 3, 3, 3, 1, 1, 1}));
  // API economy: the ALB signal rides in the one GetMetricData per cycle;
  // the group is described once a cycle, and again right before each action.
  EXPECT_EQ(calls["DescribeAutoScalingGroups"], cycles + 2);
  EXPECT_EQ(calls["GetMetricData"], cycles);
  EXPECT_EQ(calls["SetDesiredCapacity"], 2);
}

}  // namespace
}  // namespace phas
