#include "sim/group_world.h"

#include <gtest/gtest.h>

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

GroupHistory History(int rows, double load, double in_service,
                     std::optional<double> cpu) {
  GroupHistory h;
  h.group = "web";
  h.signal = "alb_requests";
  h.load_unit = "requests per minute";
  h.load_metric = "AWS/ApplicationELB RequestCount";
  TimePoint t0 = FromUnixSeconds(1'790'000'000);
  h.start = t0;
  h.end = t0 + minutes(rows);
  h.segments = {{h.start, h.end, 60}};
  for (int i = 0; i < rows; ++i) {
    h.rows.push_back({t0 + minutes(i), 60, load, in_service, cpu});
  }
  return h;
}

TEST(InferCapacityTest, Table) {
  struct Case {
    const char* name;
    SignalKind signal;
    GroupHistory h;
    double want;  // <0: an error
  };
  std::vector<Case> cases = {
      {"cpu is 100 % a instance", SignalKind::kCpu, History(10, 150, 3, 50),
       100},
      // 3000 requests per instance at 50 % CPU: 6000 fully used.
      {"requests at observed CPU", SignalKind::kAlbRequests,
       History(120, 9000, 3, 50), 6000},
      {"too few minutes", SignalKind::kAlbRequests, History(30, 9000, 3, 50),
       -1},
      {"idle CPU does not count", SignalKind::kAlbRequests,
       History(120, 900, 3, 5), -1},
      {"no CPU column", SignalKind::kNetworkIn,
       History(120, 9000, 3, std::nullopt), -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string how;
    auto got = InferCapacityPerInstance(c.h, c.signal, &how);
    if (c.want < 0) {
      ASSERT_FALSE(got.ok());
      EXPECT_NE(got.status().message().find("--capacity-per-instance"),
                std::string::npos);
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_DOUBLE_EQ(*got, c.want);
      EXPECT_FALSE(how.empty());
    }
  }
}

TEST(GroupWorldTest, MatchesTheGroup) {
  GroupFacts f;
  f.history = History(180, 9000, 3, 50);
  f.min_size = 2;
  f.max_size = 9;
  f.signal.kind = SignalKind::kAlbRequests;
  f.signal.resource_label = "app/web/1/targetgroup/tg/2";
  f.boot_time = seconds(95);
  f.boot_samples = 7;
  f.aws_policy = AwsPolicyRow{"aws:requests-3000", "target-tracking", 3000,
                              "TargetTrackingScaling requests-3000"};
  BacktestOptions base;
  auto w = MakeGroupWorld(f, base, {"predictive", "target-tracking"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->options.min_size, 2);
  EXPECT_EQ(w->options.max_size, 9);
  EXPECT_EQ(w->options.boot_time, seconds(95));
  EXPECT_EQ(w->options.mapping.smoothing, Duration::zero());
  EXPECT_DOUBLE_EQ(w->options.mapping.capacity_per_instance, 6000);
  EXPECT_DOUBLE_EQ(*w->options.signal.full, 6000);
  EXPECT_EQ(w->trace.samples.size(), 180u);
  ASSERT_EQ(w->runs.size(), 3u);
  EXPECT_EQ(w->runs[0].policy, "predictive");
  EXPECT_FALSE(w->runs[0].config.has_value());
  EXPECT_EQ(w->runs[2].policy, "target-tracking");
  EXPECT_EQ(w->runs[2].label, "aws:requests-3000");
  ASSERT_TRUE(w->runs[2].config.has_value());
  EXPECT_DOUBLE_EQ(w->runs[2].config->target.value, 3000);
  std::string notes;
  for (const auto& n : w->notes) notes += n + "\n";
  for (const char* want :
       {"MinSize 2, MaxSize 9", "boot time 95 s: the median of its last 7",
        "row aws:requests-3000: its AWS policy today",
        "one instance fully used serves 6000 requests per minute"}) {
    EXPECT_NE(notes.find(want), std::string::npos) << want << "\n" << notes;
  }
}

TEST(GroupWorldTest, SaysWhatIsMissing) {
  GroupFacts f;
  f.history = History(180, 150, 3, 50);
  f.history.signal = "cpu";
  f.min_size = 1;
  f.max_size = 4;
  f.boot_time_note =
      "no successful launch among its last 0 scaling "
      "activities";
  f.aws_policy_note = "no AWS scaling policy on the group: no row for it";
  auto w = MakeGroupWorld(f, BacktestOptions{}, {"predictive"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->options.boot_time, BacktestOptions{}.boot_time);
  ASSERT_EQ(w->runs.size(), 1u);
  EXPECT_EQ(w->runs[0].policy, "predictive");
  std::string notes;
  for (const auto& n : w->notes) notes += n + "\n";
  EXPECT_NE(notes.find("boot time 300 s (the default: no successful launch"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("no AWS scaling policy"), std::string::npos);
  EXPECT_NE(notes.find("100 % CPU"), std::string::npos);
}

}  // namespace
}  // namespace phas
