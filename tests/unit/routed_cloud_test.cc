// Groups read through several Clouds (an IAM role per group:
// cloud/routed_cloud.h, cloud/aws_fleet.h): names split by Cloud, actions
// to the group's Cloud, the loop's describe and metric requests one per
// Cloud per cycle (one in all without roles), and a Cloud that refuses
// (a role that cannot be assumed) holds only its own groups.
#include "cloud/routed_cloud.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "scaler/scaler.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

using testing::FlatDemand;

// One account's groups as one role sees them: counts the calls, and
// refuses every one while `refused` (as a role whose AssumeRole is denied).
class AccountCloud final : public ForwardingCloud {
 public:
  explicit AccountCloud(Cloud* target, Duration latency = seconds(1))
      : ForwardingCloud(target), latency_(latency) {}
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    described.push_back(names);
    if (refused) return Refusal();
    return ForwardingCloud::DescribeGroups(names);
  }
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    ++metric_requests;
    if (refused) return Refusal();
    return ForwardingCloud::GetMetricData(queries, start, end);
  }
  Status SetDesiredCapacity(const std::string& group, int desired) override {
    set.push_back(group);
    if (refused) return Refusal();
    return ForwardingCloud::SetDesiredCapacity(group, desired);
  }
  Duration MaxActionLatency() const override { return latency_; }

  bool refused = false;
  std::vector<std::vector<std::string>> described;
  int metric_requests = 0;
  std::vector<std::string> set;

 private:
  static Status Refusal() {
    return Status::PermissionDenied(
               "autoscaling DescribeAutoScalingGroups: role_arn of group "
               "batch: assume role arn:aws:iam::210987654321:role/phas: sts "
               "AssumeRole: AccessDenied: not authorized. Fix: the role's "
               "trust policy must allow the principal phas runs as")
        .WithDetail("AccessDenied");
  }
  Duration latency_;
};

// Three accounts: the process's own (web), role A's (api, jobs) and role
// B's (batch), each a simulated world with its own groups, all overloaded
// (2.5 instance-units of demand on one instance).
class RoutedCloudTest : public ::testing::Test {
 protected:
  RoutedCloudTest()
      : clock_(FromUnixSeconds(1'700'000'000)),
        own_sim_(World({"web"})),
        a_sim_(World({"api", "jobs"})),
        b_sim_(World({"batch"})),
        all_sim_(World({"web", "api", "jobs", "batch"})),
        own_(own_sim_.get(), seconds(1)),
        a_(a_sim_.get(), seconds(3)),
        b_(b_sim_.get(), seconds(2)) {
    // Metrics from before phas started.
    clock_.Advance(minutes(30));
  }
  std::unique_ptr<SimCloud> World(const std::vector<std::string>& groups) {
    std::vector<SimGroupSpec> specs;
    for (const std::string& g : groups) {
      specs.push_back(
          {g, 1, 10, 1, seconds(300), std::make_shared<FlatDemand>(2.5)});
    }
    return std::make_unique<SimCloud>(&clock_, specs);
  }
  // The process's Cloud with routes for api and jobs (role A) and batch
  // (role B), or none.
  std::unique_ptr<RoutedCloud> Routed(bool roles) {
    auto r = std::make_unique<RoutedCloud>(&own_);
    if (roles) {
      r->Route("api", &a_);
      r->Route("jobs", &a_);
      r->Route("batch", &b_);
    }
    return r;
  }
  static std::vector<GroupConfig> Groups(
      const std::vector<std::string>& names) {
    std::vector<GroupConfig> out;
    for (const std::string& n : names) {
      GroupConfig g;
      g.name = n;
      EXPECT_TRUE(g.policy.Select("hpa").ok());
      g.memory.enabled = false;
      out.push_back(std::move(g));
    }
    return out;
  }
  int Desired(SimCloud* sim, const std::string& group) {
    auto d = sim->DescribeGroups({group});
    return d.ok() && !d->empty() ? (*d)[0].desired_capacity : -1;
  }

  ManualClock clock_;
  std::unique_ptr<SimCloud> own_sim_, a_sim_, b_sim_;
  // Every group in the process's own account (no roles).
  std::unique_ptr<SimCloud> all_sim_;
  AccountCloud own_, a_, b_;
};

TEST_F(RoutedCloudTest, SplitsNamesAndRoutesActions) {
  auto routed = Routed(true);
  auto d = routed->DescribeGroups({"web", "api", "batch", "jobs"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 4u);
  using Names = std::vector<std::vector<std::string>>;
  EXPECT_EQ(own_.described, (Names{{"web"}}));
  EXPECT_EQ(a_.described, (Names{{"api", "jobs"}}));
  EXPECT_EQ(b_.described, (Names{{"batch"}}));

  EXPECT_TRUE(routed->SetDesiredCapacity("jobs", 2).ok());
  EXPECT_TRUE(routed->SetDesiredCapacity("web", 3).ok());
  EXPECT_EQ(a_.set, std::vector<std::string>{"jobs"});
  EXPECT_EQ(own_.set, std::vector<std::string>{"web"});
  EXPECT_TRUE(b_.set.empty());
  EXPECT_EQ(Desired(a_sim_.get(), "jobs"), 2);
  EXPECT_EQ(Desired(own_sim_.get(), "web"), 3);

  EXPECT_EQ(routed->ForGroup("api"), &a_);
  EXPECT_EQ(routed->ForGroup("web"), &own_);
  EXPECT_EQ(routed->ForGroup("unknown"), &own_);
  // The actuator stamps actions as late as the slowest Cloud could act.
  EXPECT_EQ(routed->MaxActionLatency(), seconds(3));
  // No partial answer: one part refused fails the whole describe.
  b_.refused = true;
  EXPECT_FALSE(routed->DescribeGroups({"web", "batch"}).ok());
}

// The API economy per role: one DescribeGroups and one GetMetricData per
// Cloud per cycle, for all of its groups.
TEST_F(RoutedCloudTest, TheLoopReadsEachCloudOncePerCycle) {
  struct Case {
    const char* name;
    bool roles;
    // expected per cycle: (describes, metric requests) of own, A, B
    int own_calls, a_calls, b_calls;
  };
  const Case cases[] = {
      {"no roles: one of each in all", false, 1, 0, 0},
      {"two roles: one of each per role", true, 1, 1, 1},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    for (AccountCloud* c : {&own_, &a_, &b_}) {
      c->described.clear();
      c->metric_requests = 0;
    }
    // Without roles, the process's own account holds every group.
    AccountCloud own_all(all_sim_.get());
    std::unique_ptr<RoutedCloud> routed =
        tc.roles ? Routed(true) : std::make_unique<RoutedCloud>(&own_all);
    AccountCloud& own = tc.roles ? own_ : own_all;
    ScalerOptions o;
    o.dry_run = true;
    Scaler scaler(Groups({"web", "api", "jobs", "batch"}), o,
                  {.cloud = routed.get(), .clock = &clock_});
    ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
    constexpr int kCycles = 3;
    for (int k = 0; k < kCycles; ++k) {
      CycleReport r = scaler.RunOnce(clock_.Now());
      for (const GroupOutcome& out : r.groups) {
        SCOPED_TRACE(out.group);
        EXPECT_TRUE(out.found) << out.describe_status.ToString();
        EXPECT_TRUE(out.observation.metrics_ok)
            << out.metrics_status.ToString();
      }
      clock_.Advance(seconds(60));  // metrics due again every cycle
    }
    EXPECT_EQ(own.described.size(), size_t(kCycles * tc.own_calls));
    EXPECT_EQ(own.metric_requests, kCycles * tc.own_calls);
    EXPECT_EQ(a_.described.size(), size_t(kCycles * tc.a_calls));
    EXPECT_EQ(a_.metric_requests, kCycles * tc.a_calls);
    EXPECT_EQ(b_.described.size(), size_t(kCycles * tc.b_calls));
    EXPECT_EQ(b_.metric_requests, kCycles * tc.b_calls);
    if (tc.roles) {
      using Names = std::vector<std::string>;
      EXPECT_EQ(own_.described[0], (Names{"web"}));
      EXPECT_EQ(a_.described[0], (Names{"api", "jobs"}));
      EXPECT_EQ(b_.described[0], (Names{"batch"}));
    }
  }
}

// A role that cannot be assumed fails every call of its Cloud: its groups
// hold with the reason (the fix in words), the others keep scaling.
TEST_F(RoutedCloudTest, ARefusedRoleHoldsOnlyItsGroups) {
  b_.refused = true;
  auto routed = Routed(true);
  Scaler scaler(Groups({"web", "api", "batch", "jobs"}), {},
                {.cloud = routed.get(), .clock = &clock_});
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  CycleReport r = scaler.RunOnce(clock_.Now());
  ASSERT_EQ(r.groups.size(), 4u);
  for (const GroupOutcome& out : r.groups) {
    SCOPED_TRACE(out.group);
    if (out.group == "batch") {
      EXPECT_FALSE(out.found);
      EXPECT_TRUE(out.describe_status.IsPermissionDenied());
      EXPECT_NE(out.describe_status.message().find("trust policy"),
                std::string::npos)
          << out.describe_status.message();
      EXPECT_FALSE(out.acted);
      continue;
    }
    EXPECT_TRUE(out.found) << out.describe_status.ToString();
    EXPECT_TRUE(out.describe_status.ok());
    EXPECT_TRUE(out.acted) << out.decision.reason;
  }
  EXPECT_GT(Desired(own_sim_.get(), "web"), 1);
  EXPECT_GT(Desired(a_sim_.get(), "api"), 1);
  EXPECT_GT(Desired(a_sim_.get(), "jobs"), 1);
  EXPECT_EQ(Desired(b_sim_.get(), "batch"), 1);
  // The refused role was asked once (its describe), not for metrics.
  EXPECT_EQ(b_.described.size(), 1u);
  EXPECT_EQ(b_.metric_requests, 0);
  EXPECT_FALSE(r.describe_status.ok());
}

}  // namespace
}  // namespace phas
