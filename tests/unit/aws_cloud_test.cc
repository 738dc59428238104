// AwsCloud (cloud/aws_cloud.h) on a fake transport: what a start without
// saved state reads of AWS's record of the group.
#include "cloud/aws_cloud.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "aws_fakes.h"

namespace phas::aws {
namespace {

class AwsCloudTest : public fake::ServicesTest {
 protected:
  std::unique_ptr<AwsSession> Open(std::shared_ptr<HttpTransport> t) {
    auto s = Session(std::move(t));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
};

// The newest activity caused by "a user request explicitly set group
// desired capacity" (as phas's own SetDesiredCapacity is recorded), not
// the newest activity: on page 1 a constraints update and a replacement
// are newer (2025-12-31T23:58 and 22:00), the set is on page 2 (20:00:03).
// None such: nullopt; the call failing: its error.
TEST_F(AwsCloudTest, LastDesiredCapacitySetIsTheNewestSetByRequest) {
  auto pages = std::make_shared<fake::FakeTransport>([](const std::string& b) {
    if (b.find("NextToken=activities-page-3") != std::string::npos) {
      return HttpReply{200, {}, "<DescribeScalingActivitiesResponse/>"};
    }
    return HttpReply{
        200,
        {},
        fake::Recorded(b.find("NextToken=activities-page-2") !=
                               std::string::npos
                           ? "describe_scaling_activities_page2.xml"
                           : "describe_scaling_activities_page1.xml")};
  });
  auto session = Open(pages);
  AwsCloud cloud(session.get());
  auto set = cloud.LastDesiredCapacitySet("web");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_TRUE(set->has_value());
  EXPECT_EQ(FormatIso8601(**set), "2025-12-31T20:00:03Z");

  auto none =
      Open(std::make_shared<fake::FakeTransport>([](const std::string&) {
        return HttpReply{
            200,
            {},
            fake::Recorded("describe_scaling_activities_warm_pool.xml")};
      }));
  AwsCloud quiet(none.get());
  auto unset = quiet.LastDesiredCapacitySet("web");
  ASSERT_TRUE(unset.ok()) << unset.status().ToString();
  EXPECT_FALSE(unset->has_value());

  auto refused =
      Open(std::make_shared<fake::FakeTransport>([](const std::string&) {
        return HttpReply{400, {}, fake::Recorded("query_error.xml")};
      }));
  AwsCloud denied(refused.get());
  EXPECT_FALSE(denied.LastDesiredCapacitySet("web").ok());
}

// An instance's protection from scale-in reaches the loop (the guard keeps
// the desired capacity at the protected instances).
TEST_F(AwsCloudTest, DescribeGroupsKeepsTheProtectionFromScaleIn) {
  auto session =
      Open(std::make_shared<fake::FakeTransport>([](const std::string& b) {
        return HttpReply{
            200,
            {},
            fake::Recorded(fake::FormValue(b, "NextToken") == "page-2"
                               ? "describe_asg_page2.xml"
                               : "describe_asg_page1.xml")};
      }));
  AwsCloud cloud(session.get());
  auto groups = cloud.DescribeGroups({"web", "batch"});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_FALSE(groups->empty());
  const GroupDescription& web = (*groups)[0];
  ASSERT_EQ(web.name, "web");
  ASSERT_EQ(web.instances.size(), 2u);
  EXPECT_FALSE(web.instances[0].protected_from_scale_in);
  EXPECT_TRUE(web.instances[1].protected_from_scale_in);
}

// An InService instance AWS marks Unhealthy is not counted as serving (nor
// read): it is out of the load balancer, being replaced.
TEST_F(AwsCloudTest, AnUnhealthyInstanceIsNotInService) {
  auto session = Open(std::make_shared<
                      fake::FakeTransport>([](const std::string&) {
    auto member = [](const char* id, const char* state, const char* health) {
      return std::string("<member><InstanceId>") + id +
             "</InstanceId><LifecycleState>" + state +
             "</LifecycleState><HealthStatus>" + health +
             "</HealthStatus></member>";
    };
    return HttpReply{
        200,
        {},
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
        "<AutoScalingGroups><member><AutoScalingGroupName>web"
        "</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>9</MaxSize>"
        "<DesiredCapacity>3</DesiredCapacity><Instances>" +
            member("i-1", "InService", "Healthy") +
            member("i-2", "InService", "Unhealthy") +
            member("i-3", "Pending", "Healthy") +
            "</Instances></member></AutoScalingGroups>"
            "</DescribeAutoScalingGroupsResult>"
            "</DescribeAutoScalingGroupsResponse>"};
  }));
  AwsCloud cloud(session.get());
  auto groups = cloud.DescribeGroups({"web"});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 1u);
  const std::vector<Instance>& in = (*groups)[0].instances;
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].lifecycle, Lifecycle::kInService);
  EXPECT_EQ(in[1].lifecycle, Lifecycle::kUnhealthy);
  EXPECT_EQ(in[2].lifecycle, Lifecycle::kPending);
  EXPECT_STREQ(LifecycleName(in[1].lifecycle), "Unhealthy");
}

// A desired capacity that counts vCPUs or weighted units is named, so that
// the loop holds the group (decision/coexist.h): phas sizes in instances.
TEST_F(AwsCloudTest, ACapacityNotCountedInInstancesIsNamed) {
  struct Case {
    const char* name;
    std::string group_extra;  // inside the group's member
    std::string weight;       // each instance's WeightedCapacity, or none
    std::string want;
  };
  const Case cases[] = {
      {"instances", "", "", ""},
      {"units, unweighted", "<DesiredCapacityType>units</DesiredCapacityType>",
       "1", ""},
      {"vcpu", "<DesiredCapacityType>vcpu</DesiredCapacityType>", "",
       "DesiredCapacityType vcpu"},
      {"weighted", "", "4", "instance i-1 weighs 4 units"},
      {"weighted 1.0", "", "1.0", ""},
      {"a weighted policy, its weight-1 type running",
       "<MixedInstancesPolicy><LaunchTemplate><Overrides>"
       "<member><InstanceType>m5.large</InstanceType>"
       "<WeightedCapacity>1</WeightedCapacity></member>"
       "<member><InstanceType>m5.2xlarge</InstanceType>"
       "<WeightedCapacity>4</WeightedCapacity></member>"
       "</Overrides></LaunchTemplate></MixedInstancesPolicy>",
       "1", "a mixed instances policy weighs instance types 4 units"},
      {"a policy without weights",
       "<MixedInstancesPolicy><LaunchTemplate><Overrides>"
       "<member><InstanceType>m5.large</InstanceType></member>"
       "</Overrides></LaunchTemplate></MixedInstancesPolicy>",
       "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string body =
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
        "<AutoScalingGroups><member><AutoScalingGroupName>web"
        "</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>9</MaxSize>"
        "<DesiredCapacity>1</DesiredCapacity>" +
        c.group_extra +
        "<Instances><member><InstanceId>i-1</InstanceId><LifecycleState>"
        "InService</LifecycleState>" +
        (c.weight.empty()
             ? std::string()
             : "<WeightedCapacity>" + c.weight + "</WeightedCapacity>") +
        "</member></Instances></member></AutoScalingGroups>"
        "</DescribeAutoScalingGroupsResult>"
        "</DescribeAutoScalingGroupsResponse>";
    auto session =
        Open(std::make_shared<fake::FakeTransport>([body](const std::string&) {
          return HttpReply{200, {}, body};
        }));
    AwsCloud cloud(session.get());
    auto groups = cloud.DescribeGroups({"web"});
    ASSERT_TRUE(groups.ok()) << groups.status().ToString();
    ASSERT_EQ(groups->size(), 1u);
    EXPECT_EQ((*groups)[0].capacity_units, c.want);
  }
}

}  // namespace
}  // namespace phas::aws
