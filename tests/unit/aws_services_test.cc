// The typed AWS clients over a fake transport: parsing of recorded response
// documents, batching at the APIs' limits, pagination, and both error
// layouts.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <mutex>

#include "aws/asg_controls.h"
#include "aws/services.h"
#include "common/file_util.h"
#include "test_util.h"

namespace phas::aws {
namespace {

std::string Recorded(const std::string& name) {
  return *ReadFile(phas::testing::TestData("aws/" + name));
}

std::string FormField(const std::string& body, const std::string& key) {
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string kv = body.substr(pos, amp - pos);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) return kv.substr(eq + 1);
    pos = amp + 1;
  }
  return "";
}

size_t CountPrefix(const std::string& body, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while ((pos = body.find(prefix, pos)) != std::string::npos) {
    ++n;
    pos += prefix.size();
  }
  return n;
}

// Answers each request through a function of its form body.
class FakeTransport final : public HttpTransport {
 public:
  using Fn = std::function<HttpReply(const std::string& body)>;
  explicit FakeTransport(Fn fn) : fn_(std::move(fn)) {}
  Result<HttpReply> Send(const HttpCall& call) override {
    std::lock_guard<std::mutex> lock(mu_);
    bodies.push_back(call.body);
    return fn_(call.body);
  }
  std::vector<std::string> bodies;

 private:
  std::mutex mu_;
  Fn fn_;
};

class ServicesTest : public ::testing::Test {
 protected:
  std::shared_ptr<QueryClient> Client(const std::string& service,
                                      std::shared_ptr<FakeTransport> t) {
    ServiceEndpoint ep{
        service,     service == "cloudwatch" ? "monitoring" : service,
        "v",         "https://example.test",
        "us-east-1", "test"};
    auto creds = std::make_shared<StaticCredentialsProvider>(
        Credentials{"AKIDEXAMPLE", "s", "", std::nullopt, "static"});
    return std::make_shared<QueryClient>(ep, t, creds, &clock_, RetryOptions{},
                                         [] { return 0.0; });
  }
  ManualClock clock_{FromUnixSeconds(1767225600)};  // 2026-01-01T00:00:00Z
};

TEST_F(ServicesTest, DescribeAutoScalingGroupsParsesAndPaginates) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    HttpReply r{200, {}, ""};
    r.body = FormField(body, "NextToken") == "page-2"
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
  EXPECT_EQ(web.default_instance_warmup, 120);
  ASSERT_EQ(web.instances.size(), 2u);
  EXPECT_EQ(web.instances[0].lifecycle_state, "InService");
  EXPECT_EQ(web.instances[1].lifecycle_state, "Pending");
  EXPECT_TRUE(web.instances[1].protected_from_scale_in);
  EXPECT_EQ(web.suspended_processes, std::vector<std::string>{"AZRebalance"});
  EXPECT_EQ((*groups)[1].status, "Delete in progress");
  EXPECT_EQ(FormField(t->bodies[0], "Action"), "DescribeAutoScalingGroups");
  EXPECT_EQ(FormField(t->bodies[0], "AutoScalingGroupNames.member.2"), "batch");
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
  EXPECT_EQ(FormField(t->bodies[2], "AutoScalingGroupNames.member.1"), "g100");
}

TEST_F(ServicesTest, GetMetricDataMergesPagesInTimeOrder) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    return HttpReply{200,
                     {},
                     FormField(body, "NextToken") == "cw-page-2"
                         ? Recorded("get_metric_data_page2.xml")
                         : Recorded("get_metric_data_page1.xml")};
  });
  CloudWatchApi api(Client("cloudwatch", t));
  std::vector<MetricQuery> q = {{"cpu_0",
                                 "AWS/EC2",
                                 "CPUUtilization",
                                 {{"InstanceId", "i-0aaa"}},
                                 60,
                                 "Average",
                                 ""},
                                {"mem_0",
                                 "CWAgent",
                                 "mem_used_percent",
                                 {{"InstanceId", "i-0aaa"}},
                                 60,
                                 "Average",
                                 ""}};
  auto r = api.GetMetricData(q, clock_.Now(),
                             clock_.Now() + std::chrono::minutes(3));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].values, (std::vector<double>{40, 42.5, 47.25}));
  EXPECT_EQ(FormatIso8601((*r)[0].timestamps[0]), "2026-01-01T00:01:00Z");
  EXPECT_TRUE((*r)[1].values.empty());
  ASSERT_EQ(t->bodies.size(), 2u);
  const std::string& b = t->bodies[0];
  EXPECT_EQ(
      FormField(b, "MetricDataQueries.member.1.MetricStat.Metric.Namespace"),
      "AWS%2FEC2");
  EXPECT_EQ(FormField(b,
                      "MetricDataQueries.member.2.MetricStat.Metric.Dimensions."
                      "member.1.Value"),
            "i-0aaa");
  EXPECT_EQ(FormField(b, "StartTime"), "2026-01-01T00%3A00%3A00Z");
}

TEST_F(ServicesTest, GetMetricDataBatchesFiveHundredQueriesPerRequest) {
  auto t = std::make_shared<FakeTransport>([](const std::string&) {
    return HttpReply{200, {}, Recorded("get_metric_data_page2.xml")};
  });
  CloudWatchApi api(Client("cloudwatch", t));
  std::vector<MetricQuery> q;
  for (int i = 0; i < 1001; ++i) {
    q.push_back({"q" + std::to_string(i),
                 "AWS/EC2",
                 "CPUUtilization",
                 {},
                 60,
                 "Average",
                 ""});
  }
  ASSERT_TRUE(api.GetMetricData(q, clock_.Now(), clock_.Now()).ok());
  ASSERT_EQ(t->bodies.size(), 3u);
  EXPECT_EQ(CountPrefix(t->bodies[0], ".Id="), 500u);
  EXPECT_EQ(CountPrefix(t->bodies[2], ".Id="), 1u);
}

// One GetMetricData result: its status, its first message's code (none:
// no message; "-": a message without a code), one datapoint.
struct Answer {
  std::string id, status, code;
  std::string minute = "00:01";
  double value = 40;
  std::string label = "CPUUtilization";  // an expression's series, each
};

// One GetMetricData page, with its NextToken if any.
std::string MetricPage(const std::vector<Answer>& rs,
                       const std::string& token = "") {
  std::string x =
      "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>";
  for (const Answer& a : rs) {
    x += "<member><Id>" + a.id + "</Id><Label>" + a.label + "</Label>";
    x += "<StatusCode>" + a.status + "</StatusCode>";
    if (!a.code.empty()) {
      x += "<Messages><member><Code>" + (a.code == "-" ? "" : a.code) +
           "</Code><Value>it went wrong</Value></member></Messages>";
    }
    x += "<Timestamps><member>2026-01-01T" + a.minute +
         ":00Z</member></Timestamps><Values><member>" +
         fmt::format("{}", a.value) + "</member></Values></member>";
  }
  x += "</MetricDataResults>";
  if (!token.empty()) x += "<NextToken>" + token + "</NextToken>";
  return x + "</GetMetricDataResult></GetMetricDataResponse>";
}

// A query CloudWatch could not answer has its own status, naming it: the
// others' answers stand. An InternalError answered again on the next page
// (AWS asks to retry through the NextToken) takes that page's word; a
// Forbidden stays; an expression's PartialData (no NextToken) is data; a
// minute answered twice is kept once, as last answered.
TEST_F(ServicesTest, GetMetricDataGivesEachQueryItsOwnStatus) {
  struct Row {
    std::string name;
    std::vector<std::string> pages;  // answered in turn
    Status::Code want;               // cpu_1's status
    std::string names;               // in its message
    std::vector<double> values;      // cpu_1's
  };
  const std::vector<Row> rows = {
      {"every query complete",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "Complete", ""}})},
       Status::Code::kOk,
       "",
       {40}},
      {"one query's internal error",
       {MetricPage({{"cpu_0", "Complete", ""},
                    {"cpu_1", "InternalError", "InternalServiceError"}})},
       Status::Code::kUnavailable,
       "query cpu_1 (AWS/EC2 CPUUtilization Average InstanceId=i-1) "
       "answered InternalError (InternalServiceError: it went wrong)",
       {40}},
      {"one query forbidden",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "Forbidden", "-"}})},
       Status::Code::kPermissionDenied,
       "query cpu_1 (AWS/EC2 CPUUtilization Average InstanceId=i-1) "
       "answered Forbidden (it went wrong)",
       {40}},
      {"an internal error answered by the next page",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "InternalError", ""}},
                   "retry"),
        MetricPage({{"cpu_1", "Complete", "", "00:02", 41}})},
       Status::Code::kOk,
       "",
       {40, 41}},
      {"forbidden, then complete on the next page",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "Forbidden", ""}},
                   "retry"),
        MetricPage({{"cpu_1", "Complete", "", "00:02", 41}})},
       Status::Code::kPermissionDenied,
       "answered Forbidden",
       {40, 41}},
      {"a minute answered again by the next page",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "InternalError", ""}},
                   "retry"),
        MetricPage({{"cpu_1", "Complete", "", "00:01", 42}})},
       Status::Code::kOk,
       "",
       {42}},
      {"one page's two values for a minute (an expression's series)",
       {MetricPage({{"cpu_0", "Complete", ""},
                    {"cpu_1", "Complete", "", "00:01", 40},
                    {"cpu_1", "Complete", "", "00:01", 2}})},
       Status::Code::kOk,
       "",
       {40, 2}},
      {"a retried minute that had two values",
       {MetricPage({{"cpu_0", "Complete", ""},
                    {"cpu_1", "InternalError", "", "00:01", 40},
                    {"cpu_1", "InternalError", "", "00:01", 2}},
                   "retry"),
        MetricPage({{"cpu_1", "Complete", "", "00:01", 42},
                    {"cpu_1", "Complete", "", "00:01", 3}})},
       Status::Code::kOk,
       "",
       {42, 3}},
      {"an expression's two series, a page break between them",
       {MetricPage({{"cpu_0", "Complete", ""},
                    {"cpu_1", "PartialData", "", "00:01", 10, "a"},
                    {"cpu_1", "PartialData", "", "00:02", 20, "a"},
                    {"cpu_1", "PartialData", "", "00:01", 11, "b"}},
                   "retry"),
        MetricPage({{"cpu_1", "Complete", "", "00:02", 21, "b"}})},
       Status::Code::kOk,
       "",
       {10, 11, 20, 21}},
      {"a query the answer never mentions",
       {MetricPage({{"cpu_0", "Complete", ""}})},
       Status::Code::kUnavailable,
       "query cpu_1 (AWS/EC2 CPUUtilization Average InstanceId=i-1) not "
       "answered: no result for it",
       {}},
      {"an expression's partial data, no next token",
       {MetricPage({{"cpu_0", "Complete", ""}, {"cpu_1", "PartialData", ""}})},
       Status::Code::kOk,
       "",
       {40}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    size_t n = 0;
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, row.pages[std::min(n++, row.pages.size() - 1)]};
    });
    CloudWatchApi api(Client("cloudwatch", t));
    std::vector<MetricQuery> q;
    for (const char* i : {"0", "1"}) {
      q.push_back({std::string("cpu_") + i,
                   "AWS/EC2",
                   "CPUUtilization",
                   {{"InstanceId", std::string("i-") + i}},
                   60,
                   "Average",
                   ""});
    }
    auto r = api.GetMetricData(q, clock_.Now(),
                               clock_.Now() + std::chrono::minutes(3));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(t->bodies.size(), row.pages.size());
    if (row.pages.size() > 1) {
      EXPECT_EQ(FormField(t->bodies[1], "NextToken"), "retry");
    }
    EXPECT_TRUE((*r)[0].status.ok()) << (*r)[0].status.ToString();
    EXPECT_EQ((*r)[0].values, std::vector<double>{40});
    EXPECT_EQ((*r)[1].values, row.values);
    const Status& st = (*r)[1].status;
    EXPECT_EQ(st.code(), row.want) << st.ToString();
    EXPECT_NE(st.message().find(row.names), std::string::npos) << st.ToString();
    if (!st.ok()) {
      const std::string& code = (*r)[1].status_code;
      EXPECT_EQ(st.detail(), code.empty() ? "Incomplete" : code);
    }
  }
}

// A NextToken that comes back as sent asks to retry the page: a few times;
// one that never ends stops at kMaxPages. The queries not answered in full
// by then are not answered; the others' answers stand.
TEST_F(ServicesTest, GetMetricDataStopsATokenThatNeverEnds) {
  for (bool same : {true, false}) {
    SCOPED_TRACE(same ? "the same token" : "a new token each page");
    int n = 0;
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      ++n;
      return HttpReply{200,
                       {},
                       MetricPage({{"cpu_0", "InternalError", ""},
                                   {"cpu_1", "Complete", ""}},
                                  same ? "again" : std::to_string(n))};
    });
    CloudWatchApi api(Client("cloudwatch", t));
    std::vector<MetricQuery> q = {
        {"cpu_0", "AWS/EC2", "CPUUtilization", {}, 60, "Average", ""},
        {"cpu_1", "AWS/EC2", "CPUUtilization", {}, 60, "Average", ""}};
    auto r = api.GetMetricData(q, clock_.Now(), clock_.Now());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const size_t sent = same ? 2u + CloudWatchApi::kSameTokenRetries
                             : static_cast<size_t>(CloudWatchApi::kMaxPages);
    EXPECT_EQ(t->bodies.size(), sent);
    EXPECT_EQ((*r)[0].status.code(), Status::Code::kUnavailable);
    EXPECT_NE((*r)[0].status.message().find(
                  fmt::format("not answered in full: still a NextToken after "
                              "{} pages",
                              sent)),
              std::string::npos)
        << (*r)[0].status.ToString();
    EXPECT_TRUE((*r)[1].status.ok()) << (*r)[1].status.ToString();
    EXPECT_EQ((*r)[1].values, std::vector<double>{40});
  }
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
  EXPECT_EQ(FormField(t->bodies[0], "InstanceId.1"), "i-0aaa");
}

TEST_F(ServicesTest, DescribePoliciesParsesEveryKindAndPaginates) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    return HttpReply{200,
                     {},
                     FormField(body, "NextToken") == "policies-page-2"
                         ? Recorded("describe_policies_page2.xml")
                         : Recorded("describe_policies_page1.xml")};
  });
  AutoScalingApi api(Client("autoscaling", t));
  auto r = api.DescribePolicies("web");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(t->bodies.size(), 2u);
  EXPECT_EQ(FormField(t->bodies[0], "Action"), "DescribePolicies");
  EXPECT_EQ(FormField(t->bodies[0], "AutoScalingGroupName"), "web");
  EXPECT_EQ(FormField(t->bodies[0], "MaxRecords"), "100");
  EXPECT_EQ(FormField(t->bodies[0], "NextToken"), "");
  EXPECT_EQ(FormField(t->bodies[1], "NextToken"), "policies-page-2");
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
        "not a number"}},
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
    std::string token = FormField(body, "NextToken");
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
  EXPECT_EQ(FormField(t->bodies[0], "Action"), "DescribeScalingActivities");
  EXPECT_EQ(FormField(t->bodies[0], "AutoScalingGroupName"), "web");
  EXPECT_EQ(FormField(t->bodies[0], "MaxRecords"), "3");
  EXPECT_EQ(FormField(t->bodies[1], "MaxRecords"), "1");
  EXPECT_EQ(FormField(t->bodies[1], "NextToken"), "activities-page-2");

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
  EXPECT_EQ(FormField(t->bodies[0], "MaxRecords"), "100");
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
                     Recorded(FormField(body, "NextToken") == "refreshes-page-2"
                                  ? "describe_instance_refreshes_page2.xml"
                                  : "describe_instance_refreshes_in_progress."
                                    "xml")};
  });
  AutoScalingControlsApi api(Client("autoscaling", t));
  auto r = api.DescribeInstanceRefreshes("web");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(t->bodies.size(), 2u);
  EXPECT_EQ(FormField(t->bodies[0], "Action"), "DescribeInstanceRefreshes");
  EXPECT_EQ(FormField(t->bodies[0], "AutoScalingGroupName"), "web");
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
  EXPECT_EQ(FormField(t->bodies[0], "MaxRecords"), "1");
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
    return HttpReply{200, {}, Recorded(files[FormField(body, "Action")])};
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
