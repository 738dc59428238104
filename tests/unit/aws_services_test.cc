// The typed AWS clients over a fake transport: parsing of recorded response
// documents, batching at the APIs' limits, pagination, and both error
// layouts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/asg_controls.h"
#include "aws/services.h"
#include "aws_fakes.h"

namespace phas::aws {
namespace {

using fake::CountPrefix;
using fake::FakeTransport;
using fake::FormValue;
using fake::Recorded;
using fake::ServicesTest;

TEST_F(ServicesTest, DescribeAutoScalingGroupsParsesAndPaginates) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    HttpReply r{200, {}, ""};
    r.body = FormValue(body, "NextToken") == "page-2"
                 ? Recorded("describe_asg_page2.xml")
                 : Recorded("describe_asg_page1.xml");
    return r;
  });
  AutoScalingApi api(Client("autoscaling", t));
  auto groups = api.DescribeAutoScalingGroups({"web", "batch"});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ(t->bodies.size(), 2u);
  const AutoScalingGroupInfo& web = (*groups)[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.min_size, 2);
  EXPECT_EQ(web.max_size, 10);
  EXPECT_EQ(web.desired_capacity, 3);
  ASSERT_EQ(web.instances.size(), 2u);
  EXPECT_EQ(web.instances[0].lifecycle_state, "InService");
  EXPECT_EQ(web.instances[1].lifecycle_state, "Pending");
  EXPECT_TRUE(web.instances[1].protected_from_scale_in);
  EXPECT_EQ(web.suspended_processes, std::vector<std::string>{"AZRebalance"});
  EXPECT_EQ((*groups)[1].status, "Delete in progress");
  EXPECT_EQ(FormValue(t->bodies[0], "Action"), "DescribeAutoScalingGroups");
  EXPECT_EQ(FormValue(t->bodies[0], "AutoScalingGroupNames.member.2"), "batch");
}

TEST_F(ServicesTest, DescribeAutoScalingGroupsBatchesFiftyNamesPerRequest) {
  auto t = std::make_shared<FakeTransport>([](const std::string&) {
    return HttpReply{200, {}, Recorded("describe_asg_page2.xml")};
  });
  AutoScalingApi api(Client("autoscaling", t));
  std::vector<std::string> names;
  for (int i = 0; i < 120; ++i) names.push_back("g" + std::to_string(i));
  ASSERT_TRUE(api.DescribeAutoScalingGroups(names).ok());
  ASSERT_EQ(t->bodies.size(), 3u);
  EXPECT_EQ(CountPrefix(t->bodies[0], "AutoScalingGroupNames.member."), 50u);
  EXPECT_EQ(CountPrefix(t->bodies[1], "AutoScalingGroupNames.member."), 50u);
  EXPECT_EQ(CountPrefix(t->bodies[2], "AutoScalingGroupNames.member."), 20u);
  EXPECT_EQ(FormValue(t->bodies[2], "AutoScalingGroupNames.member.1"), "g100");
}

TEST_F(ServicesTest, DescribeInstances) {
  auto t = std::make_shared<FakeTransport>([](const std::string&) {
    return HttpReply{200, {}, Recorded("describe_instances.xml")};
  });
  Ec2Api api(Client("ec2", t));
  auto r = api.DescribeInstances({"i-0aaa"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].state, "running");
  EXPECT_EQ((*r)[0].availability_zone, "us-east-1a");
  ASSERT_TRUE((*r)[0].launch_time.has_value());
  EXPECT_EQ(FormatIso8601(*(*r)[0].launch_time), "2025-12-31T23:50:00Z");
  EXPECT_EQ(FormValue(t->bodies[0], "InstanceId.1"), "i-0aaa");
}

TEST_F(ServicesTest, DescribePoliciesParsesEveryKindAndPaginates) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    return HttpReply{200,
                     {},
                     FormValue(body, "NextToken") == "policies-page-2"
                         ? Recorded("describe_policies_page2.xml")
                         : Recorded("describe_policies_page1.xml")};
  });
  AutoScalingApi api(Client("autoscaling", t));
  auto r = api.DescribePolicies("web");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(t->bodies.size(), 2u);
  EXPECT_EQ(FormValue(t->bodies[0], "Action"), "DescribePolicies");
  EXPECT_EQ(FormValue(t->bodies[0], "AutoScalingGroupName"), "web");
  EXPECT_EQ(FormValue(t->bodies[0], "MaxRecords"), "100");
  EXPECT_EQ(FormValue(t->bodies[0], "NextToken"), "");
  EXPECT_EQ(FormValue(t->bodies[1], "NextToken"), "policies-page-2");
  ASSERT_EQ(r->size(), 6u);
  const std::string tg =
      "app/web-lb/0123456789abcdef/targetgroup/web-tg/fedcba9876543210";

  const ScalingPolicy& cpu = (*r)[0];
  EXPECT_EQ(cpu.name, "cpu50");
  EXPECT_EQ(cpu.type, ScalingPolicyType::kTargetTracking);
  EXPECT_TRUE(cpu.enabled);
  // Its empty <PredictiveScalingConfiguration/> (moto's shape) is not read.
  EXPECT_FALSE(cpu.predictive.has_value());
  ASSERT_TRUE(cpu.target_tracking.has_value());
  EXPECT_EQ(cpu.target_tracking->target_value, 50.0);
  EXPECT_EQ(cpu.target_tracking->predefined_metric_type,
            "ASGAverageCPUUtilization");
  EXPECT_FALSE(cpu.target_tracking->customized);
  EXPECT_FALSE(cpu.target_tracking->disable_scale_in);
  EXPECT_FALSE(cpu.estimated_instance_warmup.has_value());

  const ScalingPolicy& alb = (*r)[1];
  ASSERT_TRUE(alb.target_tracking.has_value());
  EXPECT_EQ(alb.target_tracking->predefined_metric_type,
            "ALBRequestCountPerTarget");
  EXPECT_EQ(alb.target_tracking->resource_label, tg);
  EXPECT_EQ(alb.target_tracking->target_value, 1000.0);
  EXPECT_TRUE(alb.target_tracking->disable_scale_in);
  EXPECT_EQ(alb.estimated_instance_warmup, 180);

  const ScalingPolicy& custom = (*r)[2];
  EXPECT_FALSE(custom.enabled);
  ASSERT_TRUE(custom.target_tracking.has_value());
  EXPECT_TRUE(custom.target_tracking->customized);
  EXPECT_EQ(custom.target_tracking->predefined_metric_type, "");
  EXPECT_EQ(custom.target_tracking->target_value, 100.0);

  const ScalingPolicy& pair = (*r)[3];
  EXPECT_EQ(pair.type, ScalingPolicyType::kPredictive);
  EXPECT_EQ(pair.type_name, "PredictiveScaling");
  EXPECT_FALSE(pair.target_tracking.has_value());
  ASSERT_TRUE(pair.predictive.has_value());
  EXPECT_EQ(pair.predictive->mode, PredictiveMode::kForecastAndScale);
  EXPECT_EQ(pair.predictive->target_value, 40.0);
  EXPECT_EQ(pair.predictive->metric_pair_type, "ASGCPUUtilization");
  EXPECT_EQ(pair.predictive->load_metric_type, "");
  EXPECT_EQ(pair.predictive->scheduling_buffer, std::chrono::seconds(600));
  EXPECT_EQ(pair.predictive->max_capacity_breach,
            MaxCapacityBreach::kIncreaseMaxCapacity);
  EXPECT_EQ(pair.predictive->max_capacity_buffer, 10);
  EXPECT_FALSE(pair.predictive->customized);

  // Without Mode, SchedulingBufferTime, MaxCapacityBreachBehavior: AWS's
  // defaults.
  const ScalingPolicy& load = (*r)[4];
  ASSERT_TRUE(load.predictive.has_value());
  EXPECT_EQ(load.predictive->mode, PredictiveMode::kForecastOnly);
  EXPECT_EQ(load.predictive->load_metric_type, "ALBTargetGroupRequestCount");
  EXPECT_EQ(load.predictive->scaling_metric_type, "ALBRequestCountPerTarget");
  EXPECT_EQ(load.predictive->metric_pair_type, "");
  EXPECT_EQ(load.predictive->resource_label, tg);
  EXPECT_EQ(load.predictive->target_value, 1000.0);
  EXPECT_EQ(load.predictive->scheduling_buffer, std::chrono::seconds(300));
  EXPECT_EQ(load.predictive->max_capacity_breach,
            MaxCapacityBreach::kHonorMaxCapacity);
  EXPECT_FALSE(load.predictive->max_capacity_buffer.has_value());

  const ScalingPolicy& step = (*r)[5];
  EXPECT_EQ(step.type, ScalingPolicyType::kStepScaling);
  EXPECT_FALSE(step.target_tracking.has_value());
  EXPECT_FALSE(step.predictive.has_value());
}

// A policy document around one member's inner XML.
std::string PoliciesAnswer(const std::string& member) {
  return "<DescribePoliciesResponse><DescribePoliciesResult><ScalingPolicies>"
         "<member><PolicyName>p</PolicyName>" +
         member +
         "</member></ScalingPolicies></DescribePoliciesResult>"
         "</DescribePoliciesResponse>";
}

TEST_F(ServicesTest, AnswersThatDoNotParseAreErrorsNamingTheElement) {
  struct Case {
    const char* name;
    std::string action, answer;
    // expected: all of these in the message
    std::vector<std::string> said;
  };
  const std::string pred = "<PolicyType>PredictiveScaling</PolicyType>";
  const Case cases[] = {
      {"target value",
       "policies",
       PoliciesAnswer("<PolicyType>TargetTrackingScaling</PolicyType>"
                      "<TargetTrackingConfiguration><TargetValue>fifty"
                      "</TargetValue></TargetTrackingConfiguration>"),
       {"policy 'p'", "TargetTrackingConfiguration", "TargetValue 'fifty'",
        "not a finite number"}},
      {"target value missing",
       "policies",
       PoliciesAnswer("<PolicyType>TargetTrackingScaling</PolicyType>"
                      "<TargetTrackingConfiguration><DisableScaleIn>false"
                      "</DisableScaleIn></TargetTrackingConfiguration>"),
       {"policy 'p'", "TargetTrackingConfiguration", "TargetValue is missing"}},
      {"target value NaN",
       "policies",
       PoliciesAnswer("<PolicyType>TargetTrackingScaling</PolicyType>"
                      "<TargetTrackingConfiguration><TargetValue>NaN"
                      "</TargetValue></TargetTrackingConfiguration>"),
       {"policy 'p'", "TargetValue 'NaN'", "not a finite number"}},
      {"target value infinite",
       "policies",
       PoliciesAnswer("<PolicyType>TargetTrackingScaling</PolicyType>"
                      "<TargetTrackingConfiguration><TargetValue>inf"
                      "</TargetValue></TargetTrackingConfiguration>"),
       {"policy 'p'", "TargetValue 'inf'", "not a finite number"}},
      {"mode",
       "policies",
       PoliciesAnswer(pred +
                      "<PredictiveScalingConfiguration><Mode>Sometimes</Mode>"
                      "</PredictiveScalingConfiguration>"),
       {"policy 'p'", "Mode 'Sometimes'", "ForecastOnly, ForecastAndScale"}},
      {"buffer time",
       "policies",
       PoliciesAnswer(pred +
                      "<PredictiveScalingConfiguration><SchedulingBufferTime>"
                      "5m</SchedulingBufferTime>"
                      "</PredictiveScalingConfiguration>"),
       {"SchedulingBufferTime '5m'", "not an integer"}},
      {"predictive target",
       "policies",
       PoliciesAnswer(pred +
                      "<PredictiveScalingConfiguration><MetricSpecifications>"
                      "<member><TargetValue>x</TargetValue></member>"
                      "</MetricSpecifications>"
                      "</PredictiveScalingConfiguration>"),
       {"MetricSpecifications", "TargetValue 'x'"}},
      {"predictive target infinite",
       "policies",
       PoliciesAnswer(pred +
                      "<PredictiveScalingConfiguration><MetricSpecifications>"
                      "<member><TargetValue>-infinity</TargetValue></member>"
                      "</MetricSpecifications>"
                      "</PredictiveScalingConfiguration>"),
       {"MetricSpecifications", "TargetValue '-infinity'", "finite"}},
      {"activity start",
       "activities",
       "<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult>"
       "<Activities><member><ActivityId>a-1</ActivityId>"
       "<StartTime>yesterday</StartTime></member></Activities>"
       "</DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>",
       {"activity 'a-1'", "StartTime 'yesterday'", "ISO 8601"}},
      {"activity without start",
       "activities",
       "<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult>"
       "<Activities><member><ActivityId>a-2</ActivityId></member></Activities>"
       "</DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>",
       {"activity 'a-2'", "StartTime is missing"}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, tc.answer};
    });
    AutoScalingApi api(Client("autoscaling", t));
    Status st = tc.action == "policies"
                    ? api.DescribePolicies("web").status()
                    : api.DescribeScalingActivities("web", 10).status();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    for (const std::string& s : tc.said)
      EXPECT_NE(st.message().find(s), std::string::npos) << st.message();
  }
}

TEST_F(ServicesTest, DescribeScalingActivitiesPaginatesUpToMax) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    std::string token = FormValue(body, "NextToken");
    if (token == "activities-page-3") {  // the last page: empty, no token
      return HttpReply{200, {}, "<DescribeScalingActivitiesResponse/>"};
    }
    return HttpReply{200,
                     {},
                     token == "activities-page-2"
                         ? Recorded("describe_scaling_activities_page2.xml")
                         : Recorded("describe_scaling_activities_page1.xml")};
  });
  AutoScalingApi api(Client("autoscaling", t));
  auto r = api.DescribeScalingActivities("web", 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 3 of the 4 there are: page 2 is asked for one record, page 3 not at all.
  ASSERT_EQ(r->size(), 3u);
  ASSERT_EQ(t->bodies.size(), 2u);
  EXPECT_EQ(FormValue(t->bodies[0], "Action"), "DescribeScalingActivities");
  EXPECT_EQ(FormValue(t->bodies[0], "AutoScalingGroupName"), "web");
  EXPECT_EQ(FormValue(t->bodies[0], "MaxRecords"), "3");
  EXPECT_EQ(FormValue(t->bodies[1], "MaxRecords"), "1");
  EXPECT_EQ(FormValue(t->bodies[1], "NextToken"), "activities-page-2");

  const ScalingActivity& running = (*r)[0];
  EXPECT_EQ(running.id, "act-4");
  EXPECT_EQ(running.description, "Launching a new EC2 instance: i-0ddd");
  EXPECT_EQ(running.status_code, "InProgress");
  EXPECT_EQ(running.progress, 30);
  EXPECT_EQ(FormatIso8601(running.start_time), "2025-12-31T23:58:10Z");
  EXPECT_FALSE(running.end_time.has_value());
  EXPECT_NE(running.cause.find("increasing the capacity from 3 to 4"),
            std::string::npos);

  const ScalingActivity& done = (*r)[1];
  EXPECT_EQ(done.status_code, "Successful");
  ASSERT_TRUE(done.end_time.has_value());
  EXPECT_EQ(*done.end_time - done.start_time, std::chrono::seconds(135));
  EXPECT_EQ((*r)[2].description, "Terminating EC2 instance: i-0bbb");

  // Many: 100 a request, and every page until AWS has no more.
  t->bodies.clear();
  auto all = api.DescribeScalingActivities("web", 250);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(t->bodies.size(), 3u);
  EXPECT_EQ(FormValue(t->bodies[0], "MaxRecords"), "100");
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->back().status_code, "Failed");
  EXPECT_EQ(all->back().status_message.substr(0, 25),
            "We currently do not have ");
}

TEST_F(ServicesTest, BothErrorLayoutsBecomeTypedErrors) {
  struct Case {
    const char* name;
    std::string service, file;
    int http;
    // expected
    Status::Code code;
    std::string detail, request_id;
  };
  const Case cases[] = {
      {"ec2 layout", "ec2", "ec2_error.xml", 403,
       Status::Code::kPermissionDenied, "UnauthorizedOperation", "ec2-err-1"},
      {"query layout", "autoscaling", "query_error.xml", 400,
       Status::Code::kInvalidArgument, "ValidationError", "q-err-1"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{tc.http, {}, Recorded(tc.file)};
    });
    auto r = Client(tc.service, t)->Call("Anything", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), tc.code);
    EXPECT_EQ(r.status().detail(), tc.detail);
    EXPECT_NE(r.status().message().find(tc.request_id), std::string::npos)
        << r.status().message();
    EXPECT_EQ(t->bodies.size(), 1u) << "not retried";
  }
}

// The reads of a group's controls (aws/asg_controls.h) on recorded answers:
// moto has no instance refreshes at all, and lists no warm pool instances.
TEST_F(ServicesTest, InstanceRefreshesParseAndPaginate) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    return HttpReply{200,
                     {},
                     Recorded(FormValue(body, "NextToken") == "refreshes-page-2"
                                  ? "describe_instance_refreshes_page2.xml"
                                  : "describe_instance_refreshes_in_progress."
                                    "xml")};
  });
  AutoScalingControlsApi api(Client("autoscaling", t));
  auto r = api.DescribeInstanceRefreshes("web");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(t->bodies.size(), 2u);
  EXPECT_EQ(FormValue(t->bodies[0], "Action"), "DescribeInstanceRefreshes");
  EXPECT_EQ(FormValue(t->bodies[0], "AutoScalingGroupName"), "web");
  const InstanceRefreshInfo& now = (*r)[0];
  EXPECT_EQ(now.id, "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b");
  EXPECT_EQ(now.status, "InProgress");
  EXPECT_TRUE(now.in_progress());
  EXPECT_EQ(now.percentage_complete, 40);
  EXPECT_EQ(now.instances_to_update, 3);
  EXPECT_EQ(now.start_time, FromUnixSeconds(1767225600));
  EXPECT_FALSE(now.end_time.has_value());
  EXPECT_FALSE((*r)[1].in_progress());  // Successful
  EXPECT_FALSE((*r)[2].in_progress());  // RollbackSuccessful
  // At most `max`: no second page.
  t->bodies.clear();
  r = api.DescribeInstanceRefreshes("web", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
  EXPECT_EQ(t->bodies.size(), 1u);
  EXPECT_EQ(FormValue(t->bodies[0], "MaxRecords"), "1");
}

TEST_F(ServicesTest, InstanceRefreshStatusesInProgress) {
  for (const char* s : {"Pending", "InProgress", "Cancelling",
                        "RollbackInProgress", "Baking"}) {
    EXPECT_TRUE((InstanceRefreshInfo{"r", s}.in_progress())) << s;
  }
  for (const char* s : {"Successful", "Failed", "Cancelled", "RollbackFailed",
                        "RollbackSuccessful", ""}) {
    EXPECT_FALSE((InstanceRefreshInfo{"r", s}.in_progress())) << s;
  }
}

TEST_F(ServicesTest, ScheduledActionsWarmPoolAndHooksParse) {
  std::map<std::string, std::string> files = {
      {"DescribeScheduledActions", "describe_scheduled_actions.xml"},
      {"DescribeWarmPool", "describe_warm_pool.xml"},
      {"DescribeLifecycleHooks", "describe_lifecycle_hooks.xml"}};
  auto t = std::make_shared<FakeTransport>([&](const std::string& body) {
    return HttpReply{200, {}, Recorded(files[FormValue(body, "Action")])};
  });
  AutoScalingControlsApi api(Client("autoscaling", t));
  auto scheduled = api.DescribeScheduledActions("web");
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  ASSERT_EQ(scheduled->size(), 2u);
  const ScheduledAction& morning = (*scheduled)[0];
  EXPECT_EQ(morning.name, "morning");
  EXPECT_EQ(morning.recurrence, "0 7 * * MON-FRI");
  EXPECT_EQ(morning.start_time, FromUnixSeconds(1767225600 + 7 * 3600));
  EXPECT_EQ(morning.min_size, 2);
  EXPECT_EQ(morning.desired_capacity, 6);
  EXPECT_FALSE(morning.max_size.has_value());
  EXPECT_EQ((*scheduled)[1].max_size, 20);
  EXPECT_TRUE((*scheduled)[1].end_time.has_value());

  auto pool = api.DescribeWarmPool("web");
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  ASSERT_TRUE(pool->has_value());
  EXPECT_EQ((*pool)->min_size, 2);
  EXPECT_EQ((*pool)->max_group_prepared_capacity, 8);
  EXPECT_EQ((*pool)->pool_state, "Stopped");
  EXPECT_EQ((*pool)->instance_states,
            (std::vector<std::string>{"Warmed:Stopped", "Warmed:Pending"}));
  files["DescribeWarmPool"] = "describe_warm_pool_none.xml";
  pool = api.DescribeWarmPool("web");
  ASSERT_TRUE(pool.ok());
  EXPECT_FALSE(pool->has_value());

  auto hooks = api.DescribeLifecycleHooks("web");
  ASSERT_TRUE(hooks.ok()) << hooks.status().ToString();
  ASSERT_EQ(hooks->size(), 1u);
  EXPECT_EQ((*hooks)[0].name, "drain");
  EXPECT_EQ((*hooks)[0].transition, "autoscaling:EC2_INSTANCE_TERMINATING");
  EXPECT_EQ((*hooks)[0].heartbeat_timeout, 300);
  EXPECT_EQ((*hooks)[0].default_result, "CONTINUE");
}

TEST_F(ServicesTest, ControlsThatDoNotParseAreErrorsNamingTheElement) {
  auto t = std::make_shared<FakeTransport>([](const std::string&) {
    return HttpReply{
        200, {}, Recorded("describe_instance_refreshes_bad_time.xml")};
  });
  auto r = AutoScalingControlsApi(Client("autoscaling", t))
               .DescribeInstanceRefreshes("web");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  for (const char* said :
       {"DescribeInstanceRefreshes", "0badc0de-0000-4000-8000-000000000000",
        "StartTime 'yesterday'", "not an ISO 8601 time"}) {
    EXPECT_NE(r.status().message().find(said), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace phas::aws
