// The simulated world (cloud/sim_cloud.h) read through its Cloud interface:
// when a launched instance turns InService, which minutes each instance has
// datapoints for, what a termination and the retention leave.
#include "cloud/sim_cloud.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

using testing::FlatDemand;

const TimePoint kT0 = FromUnixSeconds(1'700'000'000 / 60 * 60);

class SimCloudTest : public ::testing::Test {
 protected:
  // A group of 2 (min 1, max 10), metric delay 60 s.
  std::unique_ptr<SimCloud> Make(int retention_minutes = 120,
                                 Duration boot = seconds(300)) {
    SimGroupSpec g;
    g.name = "web";
    g.min_size = 1;
    g.max_size = 10;
    g.desired = 2;
    g.boot_time = boot;
    g.demand = std::make_shared<FlatDemand>(1.5);  // instance-units
    SimOptions o;
    o.retention_minutes = retention_minutes;
    return std::make_unique<SimCloud>(&clock_, std::vector<SimGroupSpec>{g}, o);
  }
  std::vector<Instance> Instances(SimCloud* c) {
    auto d = c->DescribeGroups({"web"});
    EXPECT_TRUE(d.ok());
    return d.ok() && !d->empty() ? d->front().instances
                                 : std::vector<Instance>{};
  }
  // The CPU datapoints of `id` over the last `window`.
  MetricSeries Cpu(SimCloud* c, const std::string& id, Duration window) {
    MetricQuery q;
    q.id = "q0";
    q.ns = "AWS/EC2";
    q.metric_name = "CPUUtilization";
    q.stat = "Average";
    q.dimensions = {{"InstanceId", id}};
    auto r = c->GetMetricData({q}, clock_.Now() - window, clock_.Now());
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->front() : MetricSeries{};
  }
  ManualClock clock_{kT0};
};

// A launched instance is Pending for its boot time, then InService with no
// other call in between; it has datapoints from the first minute whose
// middle it served, with the demand spread over the instances serving.
TEST_F(SimCloudTest, ALaunchedInstanceServesAfterItsBootTime) {
  auto c = Make(120, seconds(270));
  clock_.Advance(minutes(10));
  ASSERT_TRUE(c->SetDesiredCapacity("web", 3).ok());  // at 10:00
  std::vector<Instance> at_launch = Instances(c.get());
  ASSERT_EQ(at_launch.size(), 3u);
  EXPECT_EQ(at_launch[2].lifecycle, Lifecycle::kPending);
  std::string id = at_launch[2].id;
  clock_.Advance(seconds(269));
  EXPECT_EQ(Instances(c.get())[2].lifecycle, Lifecycle::kPending);
  clock_.Advance(seconds(1));  // 14:30: InService
  EXPECT_EQ(Instances(c.get())[2].lifecycle, Lifecycle::kInService);

  // At 24:30 the minutes up to 22:00 are visible (60 s + 60 s delay).
  clock_.Advance(minutes(10));
  MetricSeries fresh = Cpu(c.get(), id, minutes(30));
  ASSERT_FALSE(fresh.timestamps.empty());
  // InService at 14:30, the middle of minute 14:00: it served that minute.
  EXPECT_EQ(fresh.timestamps.front(), kT0 + minutes(14));
  EXPECT_EQ(fresh.timestamps.back(), kT0 + minutes(22));
  EXPECT_DOUBLE_EQ(fresh.values.back(), 100.0 * 1.5 / 3);
  MetricSeries old = Cpu(c.get(), at_launch[0].id, minutes(30));
  ASSERT_FALSE(old.timestamps.empty());
  EXPECT_EQ(old.timestamps.front(), kT0);
  EXPECT_DOUBLE_EQ(old.values.front(), 100.0 * 1.5 / 2);  // two served then
  EXPECT_EQ(old.timestamps.back(), fresh.timestamps.back());
  EXPECT_DOUBLE_EQ(old.values.back(), fresh.values.back());
}

// A terminated instance has no datapoints any more; a pending one is
// terminated first; the retention keeps the last minutes only.
TEST_F(SimCloudTest, TerminationAndRetention) {
  auto c = Make(/*retention_minutes=*/5);
  clock_.Advance(minutes(20));
  std::vector<Instance> before = Instances(c.get());
  ASSERT_EQ(before.size(), 2u);
  // Minutes 0-19 simulated, 15-19 kept, up to 18:00 visible.
  MetricSeries kept = Cpu(c.get(), before[1].id, minutes(60));
  ASSERT_EQ(kept.timestamps.size(), 4u);
  EXPECT_EQ(kept.timestamps.front(), kT0 + minutes(15));
  ASSERT_TRUE(c->SetDesiredCapacity("web", 3).ok());
  ASSERT_TRUE(c->SetDesiredCapacity("web", 2).ok());  // the pending one goes
  std::vector<Instance> after = Instances(c.get());
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[1].id, before[1].id);
  ASSERT_TRUE(c->SetDesiredCapacity("web", 1).ok());
  std::vector<Instance> one = Instances(c.get());
  ASSERT_EQ(one.size(), 1u);
  const std::string& gone =
      one[0].id == before[0].id ? before[1].id : before[0].id;
  EXPECT_TRUE(Cpu(c.get(), gone, minutes(60)).timestamps.empty());
  clock_.Advance(minutes(3));
  MetricSeries left = Cpu(c.get(), one[0].id, minutes(60));
  ASSERT_EQ(left.timestamps.size(), 4u);  // 18-21 of 18-22 kept
  EXPECT_EQ(left.timestamps.back(), kT0 + minutes(21));
  EXPECT_DOUBLE_EQ(left.values.back(), 100.0);  // 1.5 units on 1: capped
  EXPECT_DOUBLE_EQ(left.values.front(), 100.0 * 1.5 / 2);  // 18:00: two
}

// CloudWatch refuses a request whose query ids are not unique: so does the
// simulator (two groups' queries in one request must differ).
TEST_F(SimCloudTest, AQueryIdTwiceIsRefused) {
  auto c = Make();
  MetricQuery q;
  q.id = "q0";
  q.ns = "AWS/EC2";
  q.metric_name = "CPUUtilization";
  q.stat = "Average";
  q.dimensions = {{"AutoScalingGroupName", "web"}};
  MetricQuery other = q;
  other.id = "q1";
  EXPECT_TRUE(c->GetMetricData({q, other}, clock_.Now(), clock_.Now()).ok());
  auto r = c->GetMetricData({q, other, q}, clock_.Now(), clock_.Now());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'q0' appears twice"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace phas
