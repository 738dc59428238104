#include "scaler/history_pull.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "sim/trace.h"

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(const char* iso) {
  TimePoint t;
  EXPECT_TRUE(ParseIso8601(iso, &t)) << iso;
  return t;
}

TEST(PlanHistoryTest, FinestPeriodPerAge) {
  const TimePoint now = At("2026-12-01T10:00:30Z");
  const TimePoint end = At("2026-12-01T10:00:00Z");
  struct Case {
    double days;
    std::vector<HistorySegment> want;
  };
  const auto d = [](double n) {
    return std::chrono::duration_cast<Duration>(hours(24) * n);
  };
  std::vector<Case> cases = {
      {1, {{end - d(1), end, 60}}},
      {15, {{end - d(15), end, 60}}},
      {30, {{end - d(30), end - d(15), 300}, {end - d(15), end, 60}}},
      {100,
       {{end - d(100), end - d(63), 3600},
        {end - d(63), end - d(15), 300},
        {end - d(15), end, 60}}},
      {455,
       {{end - d(455), end - d(63), 3600},
        {end - d(63), end - d(15), 300},
        {end - d(15), end, 60}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.days);
    auto got = PlanHistory(now, d(c.days));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), c.want.size());
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(FormatIso8601((*got)[i].start), FormatIso8601(c.want[i].start));
      EXPECT_EQ(FormatIso8601((*got)[i].end), FormatIso8601(c.want[i].end));
      EXPECT_EQ((*got)[i].period_seconds, c.want[i].period_seconds);
    }
  }
  EXPECT_FALSE(PlanHistory(now, Duration::zero()).ok());
  auto too_long = PlanHistory(now, d(456));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("455 days"), std::string::npos);
}

TEST(PlanHistoryTest, AlignsEachSegmentToItsPeriod) {
  // 16.5 days back from an odd minute: the 300 s segment starts and ends on
  // 5-minute boundaries, inside its age.
  const TimePoint now = At("2026-12-01T10:03:00Z");
  auto got = PlanHistory(now, hours(24 * 16) + hours(12));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  const HistorySegment& old = (*got)[0];
  EXPECT_EQ(old.period_seconds, 300);
  EXPECT_EQ(static_cast<long long>(ToUnixSeconds(old.start)) % 300, 0);
  EXPECT_EQ(static_cast<long long>(ToUnixSeconds(old.end)) % 300, 0);
  EXPECT_LE(old.end, (*got)[1].start);
  EXPECT_EQ(FormatIso8601((*got)[1].start), "2026-11-16T10:03:00Z");
}

// Serves GetMetricData from functions of (query, period start): absent when
// the function returns nullopt; records every request.
class FakeHistoryCloud : public Cloud {
 public:
  using Series =
      std::function<std::optional<double>(const MetricQuery&, TimePoint)>;
  std::map<std::string, Series> by_metric_stat;  // "CPUUtilization/Average"
  struct Request {
    TimePoint start, end;
    std::vector<MetricQuery> queries;
  };
  std::vector<Request> requests;

  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>&) override {
    return std::vector<GroupDescription>{};
  }
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    requests.push_back({start, end, queries});
    std::vector<MetricSeries> out;
    for (const MetricQuery& q : queries) {
      MetricSeries s;
      s.id = q.id;
      auto it = by_metric_stat.find(q.metric_name + "/" + q.stat);
      if (it != by_metric_stat.end()) {
        for (TimePoint t = start; t < end; t += seconds(q.period_seconds)) {
          if (auto v = it->second(q, t)) {
            s.timestamps.push_back(t);
            s.values.push_back(*v);
          }
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }
  Status SetDesiredCapacity(const std::string&, int) override {
    return Status::Internal("read only");
  }
};

TEST(PullHistoryTest, CpuGroupCountsInstancesFromDatapoints) {
  FakeHistoryCloud cloud;
  // 4 instances at 50 %, detailed monitoring: 1 datapoint each a minute.
  cloud.by_metric_stat["CPUUtilization/Average"] =
      [](const MetricQuery&, TimePoint) { return 50.0; };
  cloud.by_metric_stat["CPUUtilization/SampleCount"] = [](const MetricQuery& q,
                                                          TimePoint) {
    return 4.0 * q.period_seconds / 60;
  };
  const TimePoint now = At("2026-12-01T10:00:00Z");
  auto h = PullHistory(&cloud, "web", SignalSource{}, now, hours(24 * 20));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  // One request per period segment, every column's query in it.
  ASSERT_EQ(cloud.requests.size(), 2u);
  for (const auto& r : cloud.requests) {
    ASSERT_EQ(r.queries.size(), 4u);
    for (const MetricQuery& q : r.queries) {
      EXPECT_EQ(q.dimensions.front().name, "AutoScalingGroupName");
      EXPECT_EQ(q.dimensions.front().value, "web");
    }
  }
  EXPECT_EQ(h->rows.size(), 5u * 24 * 12 + 15u * 24 * 60);
  for (const HistoryRow& r : h->rows) {
    ASSERT_TRUE(r.in_service.has_value());
    EXPECT_DOUBLE_EQ(*r.in_service, 4);
    EXPECT_DOUBLE_EQ(r.load, 200);  // CPU % summed over the instances
  }
  EXPECT_EQ(h->rows.front().period_seconds, 300);
  EXPECT_EQ(h->rows.back().period_seconds, 60);
  EXPECT_FALSE(h->basic_monitoring);
  EXPECT_NE(h->in_service_from.find("group metrics collection is off"),
            std::string::npos);
}

TEST(PullHistoryTest, BasicMonitoringRowsCoverFiveMinutes) {
  FakeHistoryCloud cloud;
  auto every5 = [](TimePoint t) {
    return static_cast<long long>(ToUnixSeconds(t)) % 300 == 0;
  };
  cloud.by_metric_stat["CPUUtilization/Average"] =
      [&](const MetricQuery&, TimePoint t) -> std::optional<double> {
    if (!every5(t)) return std::nullopt;
    return 30.0;
  };
  cloud.by_metric_stat["CPUUtilization/SampleCount"] =
      [&](const MetricQuery&, TimePoint t) -> std::optional<double> {
    if (!every5(t)) return std::nullopt;
    return 3.0;  // 3 instances, one datapoint each per 5 minutes
  };
  auto h = PullHistory(&cloud, "web", SignalSource{},
                       At("2026-12-01T10:00:00Z"), hours(24));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->basic_monitoring);
  ASSERT_EQ(h->rows.size(), 24u * 12);
  EXPECT_EQ(h->rows.front().period_seconds, 300);
  EXPECT_DOUBLE_EQ(*h->rows.front().in_service, 3);
  EXPECT_DOUBLE_EQ(h->rows.front().load, 90);
  EXPECT_NE(HistoryCsv(*h).find("# basic monitoring"), std::string::npos);
}

TEST(PullHistoryTest, AlbRequestsPerMinuteAtEveryPeriod) {
  FakeHistoryCloud cloud;
  // 600 requests a minute, summed per period; 3 instances in service.
  cloud.by_metric_stat["RequestCount/Sum"] = [](const MetricQuery& q,
                                                TimePoint) {
    return 600.0 * q.period_seconds / 60;
  };
  cloud.by_metric_stat["GroupInServiceInstances/Average"] =
      [](const MetricQuery&, TimePoint) { return 3.0; };
  SignalSource s;
  s.kind = SignalKind::kAlbRequests;
  s.resource_label = "app/web/1/targetgroup/tg/2";
  auto h =
      PullHistory(&cloud, "web", s, At("2026-12-01T10:00:00Z"), hours(24 * 70));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(cloud.requests.size(), 3u);
  std::map<int, int> rows_per_period;
  for (const HistoryRow& r : h->rows) {
    ++rows_per_period[r.period_seconds];
    EXPECT_DOUBLE_EQ(r.load, 600) << r.period_seconds;
    EXPECT_DOUBLE_EQ(*r.in_service, 3);
    EXPECT_FALSE(r.cpu.has_value());
  }
  EXPECT_EQ(rows_per_period[3600], 7 * 24);
  EXPECT_EQ(rows_per_period[300], 48 * 24 * 12);
  EXPECT_EQ(rows_per_period[60], 15 * 24 * 60);
  EXPECT_EQ(h->in_service_from, "AWS/AutoScaling GroupInServiceInstances");
}

TEST(PullHistoryTest, RequestSpanSplitsRequestsNotRows) {
  FakeHistoryCloud cloud;
  cloud.by_metric_stat["CPUUtilization/Average"] =
      [](const MetricQuery&, TimePoint) { return 10.0; };
  cloud.by_metric_stat["GroupInServiceInstances/Average"] =
      [](const MetricQuery&, TimePoint) { return 2.0; };
  auto h = PullHistory(&cloud, "web", SignalSource{},
                       At("2026-12-01T10:00:00Z"), hours(24), hours(3));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(cloud.requests.size(), 8u);
  EXPECT_EQ(h->rows.size(), 24u * 60);
}

TEST(PullHistoryTest, GapsStayGapsAndNoDataIsAnError) {
  FakeHistoryCloud cloud;
  const TimePoint now = At("2026-12-01T10:00:00Z");
  const TimePoint hole = now - hours(5);
  cloud.by_metric_stat["CPUUtilization/Average"] =
      [&](const MetricQuery&, TimePoint t) -> std::optional<double> {
    if (t >= hole && t < hole + minutes(30)) return std::nullopt;
    return 20.0;
  };
  cloud.by_metric_stat["GroupInServiceInstances/Average"] =
      [](const MetricQuery&, TimePoint) { return 1.0; };
  auto h = PullHistory(&cloud, "web", SignalSource{}, now, hours(24));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rows.size(), 24u * 60 - 30);
  // Read back as a trace: one gap, left out of scores.
  auto trace = ParseTrace(HistoryCsv(*h), "web.csv");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->gaps, 1);
  // AWS allows line breaks in a group's name: on its '#' line they are
  // written as \n, and the file still reads back (before, the name's second
  // line was read as the CSV's header).
  h->group = "web\r\ntimestamp,load\nx";
  std::string csv = HistoryCsv(*h);
  EXPECT_NE(csv.find("group web\\r\\ntimestamp,load\\nx\n"), std::string::npos);
  trace = ParseTrace(csv, "web.csv");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->gaps, 1);

  FakeHistoryCloud empty;
  auto none = PullHistory(&empty, "web", SignalSource{}, now, hours(24));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no datapoint"), std::string::npos);
  EXPECT_NE(none.status().message().find("group web"), std::string::npos);
}

}  // namespace
}  // namespace phas
