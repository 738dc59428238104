// CloudWatch's GetMetricData over a fake transport: pages merged in time
// order, 500 queries per request, each query's own status, a NextToken
// that never ends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/services.h"
#include "aws_fakes.h"

namespace phas::aws {
namespace {

using fake::CountPrefix;
using fake::FakeTransport;
using fake::FormValue;
using fake::MetricPage;
using fake::Recorded;
using fake::ServicesTest;

TEST_F(ServicesTest, GetMetricDataMergesPagesInTimeOrder) {
  auto t = std::make_shared<FakeTransport>([](const std::string& body) {
    return HttpReply{200,
                     {},
                     FormValue(body, "NextToken") == "cw-page-2"
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
      FormValue(b, "MetricDataQueries.member.1.MetricStat.Metric.Namespace"),
      "AWS%2FEC2");
  EXPECT_EQ(FormValue(b,
                      "MetricDataQueries.member.2.MetricStat.Metric.Dimensions."
                      "member.1.Value"),
            "i-0aaa");
  EXPECT_EQ(FormValue(b, "StartTime"), "2026-01-01T00%3A00%3A00Z");
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
      EXPECT_EQ(FormValue(t->bodies[1], "NextToken"), "retry");
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
    auto r = api.GetMetricData(q, clock_.Now(),
                               clock_.Now() + std::chrono::minutes(3));
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

// A query's datapoints that do not read (Timestamps and Values of different
// lengths, a time or value that does not parse, NaN or infinity) fail that
// query, naming it: they were dropped, and the series read as complete.
TEST_F(ServicesTest, GetMetricDataDatapointsThatDoNotReadFailTheirQuery) {
  struct Case {
    const char* name;
    std::string timestamps, values;  // <member>s of cpu_0's answer
    // expected
    std::string said;
  };
  auto members = [](const std::vector<std::string>& xs) {
    std::string x;
    for (const std::string& v : xs) x += "<member>" + v + "</member>";
    return x;
  };
  const std::string t1 = "2026-01-01T00:01:00Z", t2 = "2026-01-01T00:02:00Z";
  const Case cases[] = {
      {"a value short", members({t1, t2}), members({"40"}),
       "2 Timestamps and 1 Values"},
      {"a timestamp short", members({t1}), members({"40", "41"}),
       "1 Timestamps and 2 Values"},
      {"a value that is no number", members({t1, t2}), members({"40", "abc"}),
       "'abc' at '" + t2 + "'"},
      {"NaN", members({t1, t2}), members({"NaN", "41"}),
       "'NaN' at '" + t1 + "'"},
      {"infinity", members({t1, t2}), members({"40", "inf"}), "'inf'"},
      {"a number with junk after it", members({t1, t2}),
       members({"40", "41abc"}), "'41abc'"},
      {"1e400", members({t1, t2}), members({"40", "1e400"}), "'1e400'"},
      {"a time that does not parse", members({"yesterday", t2}),
       members({"40", "41"}), "'40' at 'yesterday'"},
      // The window asked ends at 00:03 (exclusive: CloudWatch never
      // answers a minute after it).
      {"a time after the window", members({t1, "2100-01-01T00:00:00Z"}),
       members({"40", "41"}),
       "after the window's end 2026-01-01T00:03:00Z (at "
       "'2100-01-01T00:00:00Z')"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    const std::string answer =
        "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>"
        "<member><Id>cpu_0</Id><StatusCode>Complete</StatusCode><Timestamps>" +
        tc.timestamps + "</Timestamps><Values>" + tc.values +
        "</Values></member>"
        "<member><Id>cpu_1</Id><StatusCode>Complete</StatusCode><Timestamps>" +
        members({t1}) + "</Timestamps><Values>" + members({"7"}) +
        "</Values></member></MetricDataResults></GetMetricDataResult>"
        "</GetMetricDataResponse>";
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, answer};
    });
    std::vector<MetricQuery> q = {
        {"cpu_0", "AWS/EC2", "CPUUtilization", {}, 60, "Average", ""},
        {"cpu_1", "AWS/EC2", "CPUUtilization", {}, 60, "Average", ""}};
    auto r = CloudWatchApi(Client("cloudwatch", t))
                 .GetMetricData(q, clock_.Now(),
                                clock_.Now() + std::chrono::minutes(3));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Status& st = (*r)[0].status;
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.detail(), "malformed_response");
    for (const std::string& said : {std::string("query cpu_0"), tc.said})
      EXPECT_NE(st.message().find(said), std::string::npos) << st.message();
    // The other query's answer stands.
    EXPECT_TRUE((*r)[1].status.ok()) << (*r)[1].status.ToString();
    EXPECT_EQ((*r)[1].values, std::vector<double>{7});
  }
}

// GetMetricStatistics (phas doctor's check of a group's metrics) holds the
// same rule: a datapoint that does not read fails the answer; it was
// dropped (a time) or read in part ('41abc', NaN).
TEST_F(ServicesTest, GetMetricStatisticsDatapointsThatDoNotReadFailIt) {
  struct Case {
    const char* name;
    std::string datapoint;  // one <member>'s elements
    std::string said;       // "" = reads
  };
  const std::string t1 = "<Timestamp>2026-01-01T00:01:00Z</Timestamp>";
  const Case cases[] = {
      {"reads", t1 + "<Average>40</Average><Unit>Percent</Unit>", ""},
      {"a statistic not asked for is absent", t1 + "<Maximum>7</Maximum>", ""},
      {"a time that does not parse",
       "<Timestamp>yesterday</Timestamp><Average>40</Average>",
       "Timestamp 'yesterday'"},
      {"no time", "<Average>40</Average>", "Timestamp ''"},
      {"junk after a number", t1 + "<Average>41abc</Average>",
       "Average '41abc'"},
      {"NaN", t1 + "<Maximum>NaN</Maximum>", "Maximum 'NaN'"},
      {"infinity", t1 + "<Sum>inf</Sum>", "Sum 'inf'"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    const std::string answer =
        "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints>"
        "<member>" +
        tc.datapoint +
        "</member></Datapoints></GetMetricStatisticsResult>"
        "</GetMetricStatisticsResponse>";
    auto t = std::make_shared<FakeTransport>([&](const std::string&) {
      return HttpReply{200, {}, answer};
    });
    auto r =
        CloudWatchApi(Client("cloudwatch", t))
            .GetMetricStatistics("AWS/EC2", "CPUUtilization", {}, clock_.Now(),
                                 clock_.Now(), 60, {"Average"});
    if (tc.said.empty()) {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->size(), 1u);
      const Datapoint& d = (*r)[0];
      EXPECT_EQ(d.timestamp, FromUnixSeconds(1767225660));
      // Each statistic as given, the others absent.
      EXPECT_EQ(d.average, tc.datapoint.find("Average") == std::string::npos
                               ? std::nullopt
                               : std::optional<double>(40));
      EXPECT_EQ(d.maximum, tc.datapoint.find("Maximum") == std::string::npos
                               ? std::nullopt
                               : std::optional<double>(7));
      continue;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().detail(), "malformed_response");
    for (const std::string& said :
         {std::string("GetMetricStatistics AWS/EC2 CPUUtilization"), tc.said})
      EXPECT_NE(r.status().message().find(said), std::string::npos)
          << r.status().message();
  }
}

}  // namespace
}  // namespace phas::aws
