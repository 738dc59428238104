// Answers AWS does not give, as a broken proxy or endpoint might: each is an
// error naming the call and what is wrong, never a default the loop would
// act on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/services.h"
#include "aws_fakes.h"

namespace phas::aws {
namespace {

using fake::FakeTransport;
using fake::ServicesTest;

// A DescribeAutoScalingGroups answer of these groups' inner XML.
std::string GroupsAnswer(const std::vector<std::string>& members) {
  std::string x =
      "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
      "<AutoScalingGroups>";
  for (const std::string& m : members) x += "<member>" + m + "</member>";
  return x +
         "</AutoScalingGroups></DescribeAutoScalingGroupsResult>"
         "</DescribeAutoScalingGroupsResponse>";
}

std::string Group(const std::string& name, const std::string& sizes,
                  const std::string& instances = "") {
  return "<AutoScalingGroupName>" + name + "</AutoScalingGroupName>" + sizes +
         "<Instances>" + instances + "</Instances>";
}

std::string Instance(const std::string& id) {
  return "<member><InstanceId>" + id +
         "</InstanceId><LifecycleState>InService</LifecycleState></member>";
}

// A group's sizes bound every action: one that does not read fails the
// describe (a MaxSize read as 0 scaled a group with MinSize 0 to nothing).
TEST_F(ServicesTest, GroupSizesThatDoNotReadFailTheDescribe) {
  const std::string ok_sizes =
      "<MinSize>1</MinSize><MaxSize>4</MaxSize>"
      "<DesiredCapacity>2</DesiredCapacity>";
  struct Case {
    const char* name;
    std::string answer;
    // expected: all of these in the message
    std::vector<std::string> said;
  };
  const Case cases[] = {
      {"MaxSize missing",
       GroupsAnswer({Group(
           "web", "<MinSize>0</MinSize><DesiredCapacity>2</DesiredCapacity>")}),
       {"group 'web'", "MaxSize is missing"}},
      {"MinSize missing",
       GroupsAnswer({Group(
           "web", "<MaxSize>4</MaxSize><DesiredCapacity>2</DesiredCapacity>")}),
       {"group 'web'", "MinSize is missing"}},
      {"DesiredCapacity missing",
       GroupsAnswer({Group("web", "<MinSize>0</MinSize><MaxSize>4</MaxSize>")}),
       {"DesiredCapacity is missing"}},
      {"MaxSize not a number",
       GroupsAnswer({Group("web",
                           "<MinSize>0</MinSize><MaxSize>abc</MaxSize>"
                           "<DesiredCapacity>2</DesiredCapacity>")}),
       {"MaxSize 'abc' is not an integer"}},
      {"MaxSize 1e400",
       GroupsAnswer({Group("web",
                           "<MinSize>0</MinSize><MaxSize>1e400</MaxSize>"
                           "<DesiredCapacity>0</DesiredCapacity>")}),
       {"MaxSize '1e400' is not an integer"}},
      {"DesiredCapacity 2.5",
       GroupsAnswer({Group("web",
                           "<MinSize>0</MinSize><MaxSize>4</MaxSize>"
                           "<DesiredCapacity>2.5</DesiredCapacity>")}),
       {"DesiredCapacity '2.5' is not an integer"}},
      {"MinSize negative",
       GroupsAnswer({Group("web",
                           "<MinSize>-5</MinSize><MaxSize>4</MaxSize>"
                           "<DesiredCapacity>2</DesiredCapacity>")}),
       {"MinSize '-5' is not a size (0 or more)"}},
      {"MinSize above MaxSize",
       GroupsAnswer({Group("web",
                           "<MinSize>5</MinSize><MaxSize>2</MaxSize>"
                           "<DesiredCapacity>2</DesiredCapacity>")}),
       {"group 'web'", "MinSize 5 is above MaxSize 2"}},
      {"a group twice",
       GroupsAnswer({Group("web", ok_sizes), Group("web", ok_sizes)}),
       {"group 'web' is in the answer twice"}},
      {"an instance twice",
       GroupsAnswer(
           {Group("web", ok_sizes, Instance("i-1") + Instance("i-1"))}),
       {"group 'web'", "instance 'i-1' is listed twice"}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, tc.answer};
    });
    auto r = AutoScalingApi(Client("autoscaling", t))
                 .DescribeAutoScalingGroups({"web"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    EXPECT_NE(r.status().message().find("DescribeAutoScalingGroups"),
              std::string::npos)
        << r.status().message();
    for (const std::string& s : tc.said)
      EXPECT_NE(r.status().message().find(s), std::string::npos)
          << r.status().message();
  }
  // A desired capacity past MaxSize reads as it is: the guard bounds what
  // phas sets.
  auto t = std::make_shared<FakeTransport>([&](const std::string&) {
    return HttpReply{200,
                     {},
                     GroupsAnswer({Group("web",
                                         "<MinSize>0</MinSize><MaxSize>4"
                                         "</MaxSize><DesiredCapacity>6"
                                         "</DesiredCapacity>",
                                         Instance("i-1") + Instance("i-2"))})};
  });
  auto r =
      AutoScalingApi(Client("autoscaling", t)).DescribeAutoScalingGroups({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].min_size, 0);
  EXPECT_EQ((*r)[0].max_size, 4);
  EXPECT_EQ((*r)[0].desired_capacity, 6);
  EXPECT_EQ((*r)[0].instances.size(), 2u);
}

}  // namespace
}  // namespace phas::aws
