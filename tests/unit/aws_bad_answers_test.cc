// Answers AWS does not give, as a broken proxy or endpoint might: each is an
// error naming the call and what is wrong, never a default the loop would
// act on, never a request that does not end.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aws/asg_controls.h"
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
    // the whole answer's fault, not the group's alone
    bool whole = false;
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
       {"group 'web' is in the answer twice"},
       true},
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
    // Asked for each group's error apart (the loop does): the group's
    // alone, the others stand.
    std::map<std::string, Status> unreadable;
    std::string with_api = tc.answer;
    with_api.insert(with_api.find("</AutoScalingGroups>"),
                    "<member>" + Group("api", ok_sizes) + "</member>");
    auto t2 = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, with_api};
    });
    auto each = AutoScalingApi(Client("autoscaling", t2))
                    .DescribeAutoScalingGroups({"web", "api"}, &unreadable);
    if (tc.whole) {
      EXPECT_FALSE(each.ok());
      continue;
    }
    ASSERT_TRUE(each.ok()) << each.status().ToString();
    ASSERT_EQ(each->size(), 1u);
    EXPECT_EQ((*each)[0].name, "api");
    EXPECT_EQ((*each)[0].max_size, 4);
    ASSERT_EQ(unreadable.count("web"), 1u);
    for (const std::string& s : tc.said)
      EXPECT_NE(unreadable["web"].message().find(s), std::string::npos)
          << unreadable["web"].message();
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

// An empty page of `action`'s list with NextToken `token`.
std::string ListPage(const std::string& action, const std::string& token) {
  if (action == "DescribeInstances") {  // EC2: no Result element
    return "<DescribeInstancesResponse><reservationSet/><nextToken>" + token +
           "</nextToken></DescribeInstancesResponse>";
  }
  return "<" + action + "Response><" + action + "Result><NextToken>" + token +
         "</NextToken></" + action + "Result></" + action + "Response>";
}

// A list whose NextToken comes back as sent, or never ends, is an error
// after that page, or after Paging::kMaxPages: each of these calls looped
// forever, holding the loop's thread.
TEST_F(ServicesTest, AListThatPagesForeverIsAnError) {
  struct Case {
    const char* name;
    std::string action;
    bool same;  // the token sent comes back; else a new one each page
    // expected
    size_t requests;
  };
  const size_t most = Paging::kMaxPages;
  const Case cases[] = {
      {"groups, the same token", "DescribeAutoScalingGroups", true, 2},
      {"groups, tokens without end", "DescribeAutoScalingGroups", false, most},
      {"policies, the same token", "DescribePolicies", true, 2},
      {"policies, tokens without end", "DescribePolicies", false, most},
      {"activities, the same token", "DescribeScalingActivities", true, 2},
      {"activities, tokens without end", "DescribeScalingActivities", false,
       most},
      {"scheduled, the same token", "DescribeScheduledActions", true, 2},
      {"scheduled, tokens without end", "DescribeScheduledActions", false,
       most},
      {"instances, the same token", "DescribeInstances", true, 2},
      {"instances, tokens without end", "DescribeInstances", false, most},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    int n = 0;
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      ++n;
      // Without the limit, end the list anyway: a failure, not a hang.
      if (n > static_cast<int>(2 * most)) {
        ADD_FAILURE() << "still paging after " << n << " pages";
        return HttpReply{200, {}, ListPage(tc.action, "")};
      }
      return HttpReply{
          200, {}, ListPage(tc.action, tc.same ? "again" : std::to_string(n))};
    });
    Status st;
    if (tc.action == "DescribeInstances") {
      st = Ec2Api(Client("ec2", t)).DescribeInstances({"i-1"}).status();
    } else if (tc.action == "DescribeScheduledActions") {
      st = AutoScalingControlsApi(Client("autoscaling", t))
               .DescribeScheduledActions("web")
               .status();
    } else {
      AutoScalingApi api(Client("autoscaling", t));
      st = tc.action == "DescribePolicies"
               ? api.DescribePolicies("web").status()
           : tc.action == "DescribeScalingActivities"
               ? api.DescribeScalingActivities("web", 10).status()
               : api.DescribeAutoScalingGroups({"web"}).status();
    }
    EXPECT_EQ(t->bodies.size(), tc.requests);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), Status::Code::kUnavailable);
    EXPECT_EQ(st.detail(), "Incomplete");
    for (const std::string& said :
         {tc.action, std::string("paging does not end"),
          std::string(tc.same ? "the one sent"
                              : fmt::format("after {} pages", most))}) {
      EXPECT_NE(st.message().find(said), std::string::npos) << st.message();
    }
  }
}

}  // namespace
}  // namespace phas::aws
