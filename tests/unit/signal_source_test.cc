// Load signals (scaler/signal_source.h): names, the ALB resource label, the
// group-level and history queries, metric-math ids.
#include "scaler/signal_source.h"

#include <gtest/gtest.h>

namespace phas {
namespace {

TEST(SignalSourceTest, NamesRoundTrip) {
  for (SignalKind k : kSignalKinds) {
    auto back = SignalKindFromName(SignalKindName(k));
    ASSERT_TRUE(back.has_value()) << SignalKindName(k);
    EXPECT_EQ(*back, k);
  }
  EXPECT_FALSE(SignalKindFromName("memory").has_value());
}

TEST(SignalSourceTest, AlbResourceLabel) {
  struct Case {
    const char* label;
    const char* lb;  // null: an error
    const char* tg;
  };
  const Case cases[] = {
      {"app/web/778d41231b141a0f/targetgroup/web-tg/943f017f100becff",
       "app/web/778d41231b141a0f", "targetgroup/web-tg/943f017f100becff"},
      {"app/a/1/targetgroup/b/2", "app/a/1", "targetgroup/b/2"},
      {"net/a/1/targetgroup/b/2", nullptr, nullptr},  // not an ALB
      {"app/a/1", nullptr, nullptr},                  // no target group
      {"app/a/targetgroup/b/2", nullptr, nullptr},    // no load balancer id
      {"app/a/1/targetgroup/b/", nullptr, nullptr},   // no target group id
      {"", nullptr, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    auto dims = AlbDimensions(c.label);
    if (!c.lb) {
      ASSERT_FALSE(dims.ok());
      EXPECT_NE(dims.status().message().find("resource label"),
                std::string::npos);
      continue;
    }
    ASSERT_TRUE(dims.ok()) << dims.status().ToString();
    ASSERT_EQ(dims->size(), 2u);
    EXPECT_EQ((*dims)[0].name, "LoadBalancer");
    EXPECT_EQ((*dims)[0].value, c.lb);
    EXPECT_EQ((*dims)[1].name, "TargetGroup");
    EXPECT_EQ((*dims)[1].value, c.tg);
  }
}

TEST(SignalSourceTest, PrefixIdsTouchesOnlyTheIds) {
  std::vector<std::string> ids = {"m1", "errors"};
  EXPECT_EQ(PrefixIds("m1", ids, "g0_"), "g0_m1");
  EXPECT_EQ(PrefixIds("SUM(METRICS()) + m1 * 2 - errors/m10", ids, "g0_"),
            "SUM(METRICS()) + g0_m1 * 2 - g0_errors/m10");
  EXPECT_EQ(PrefixIds("FILL(m1, 0) + 'm1'", ids, "p_"), "FILL(p_m1, 0) + 'm1'");
}

TEST(SignalSourceTest, PerInstanceSignalsNeedNoGroupQuery) {
  for (SignalKind k :
       {SignalKind::kCpu, SignalKind::kNetworkIn, SignalKind::kNetworkOut}) {
    SignalSource s;
    s.kind = k;
    EXPECT_TRUE(s.per_instance());
    EXPECT_TRUE(s.GroupQueries("g0_", 60).queries.empty());
    SignalQueries h = s.HistoryQueries("web", 60);
    ASSERT_EQ(h.queries.size(), 1u);
    EXPECT_EQ(h.queries[0].metric_name, Info(s.instance_metric()).name);
    EXPECT_EQ(h.queries[0].stat, "Sum");
    EXPECT_EQ(h.queries[0].dimensions[0].name, "AutoScalingGroupName");
    EXPECT_EQ(h.load_id, h.queries[0].id);
  }
}

TEST(SignalSourceTest, AlbRequestsIsOneSumPerTargetGroup) {
  SignalSource s;
  s.kind = SignalKind::kAlbRequests;
  s.resource_label = "app/a/1/targetgroup/b/2";
  SignalQueries q = s.GroupQueries("g3_", 60);
  ASSERT_EQ(q.queries.size(), 2u);
  EXPECT_EQ(q.queries[0].ns, "AWS/ApplicationELB");
  EXPECT_EQ(q.queries[0].metric_name, "RequestCount");
  EXPECT_EQ(q.queries[0].stat, "Sum");
  EXPECT_EQ(q.queries[0].dimensions.size(), 2u);
  EXPECT_EQ(q.load_id, q.queries[0].id);
  EXPECT_EQ(q.queries[0].id.rfind("g3_", 0), 0u);
  EXPECT_EQ(q.queries[1].metric_name, "RequestCountPerTarget");
  EXPECT_EQ(q.per_instance_id, q.queries[1].id);
  // The history is the load alone.
  SignalQueries h = s.HistoryQueries("web", 60);
  ASSERT_EQ(h.queries.size(), 1u);
  EXPECT_EQ(h.queries[0].metric_name, "RequestCount");
  EXPECT_EQ(h.load_id, h.queries[0].id);
  EXPECT_TRUE(h.per_instance_id.empty());
  // The load per instance is the target; the signal's name says what it is.
  LoadSignal d = s.Describe(1000);
  EXPECT_EQ(d.name, "alb_requests");
  EXPECT_DOUBLE_EQ(d.full, 1000);
  s.full = 4000;
  EXPECT_DOUBLE_EQ(s.Describe(1000).full, 4000);
}

TEST(SignalSourceTest, CustomMetricsAndExpressionShareARequest) {
  SignalSource s;
  s.kind = SignalKind::kCustom;
  MetricQuery a, b;
  a.id = "m1";
  a.ns = "App";
  a.metric_name = "Requests";
  a.stat = "Sum";
  b = a;
  b.id = "m2";
  b.metric_name = "Jobs";
  s.metrics = {a, b};
  s.expression = "m1 + 10 * m2";
  SignalQueries q = s.GroupQueries("g1_", 60);
  ASSERT_EQ(q.queries.size(), 3u);
  EXPECT_EQ(q.queries[0].id, "g1_m1");
  EXPECT_EQ(q.queries[1].id, "g1_m2");
  EXPECT_EQ(q.queries[2].expression, "g1_m1 + 10 * g1_m2");
  EXPECT_EQ(q.load_id, q.queries[2].id);
  // Without an expression, the one metric is the load.
  s.metrics = {a};
  s.expression.clear();
  q = s.GroupQueries("g1_", 60);
  ASSERT_EQ(q.queries.size(), 1u);
  EXPECT_EQ(q.load_id, "g1_m1");
}

}  // namespace
}  // namespace phas
