// The observer's reading of CloudWatch (scaler/observer.h): a group on EC2
// basic monitoring (one datapoint per 5 minutes, published minutes late)
// gets a wider window and decisions on what there is, never "no metrics"
// forever; a group on detailed monitoring keeps the narrow window; a group
// whose queries are not answered keeps the window it had.
#include "scaler/observer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "loop_test_util.h"
#include "scaler/conditions.h"
#include "scaler/scaler.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

using testing::FlatDemand;

// SimCloud as EC2 basic monitoring shows it: only the datapoints of minutes
// divisible by 5, each visible 7 minutes after it starts. Counts the reads
// and their windows.
class BasicMonitoringCloud final : public ForwardingCloud {
 public:
  BasicMonitoringCloud(Cloud* target, Clock* clock, bool basic)
      : ForwardingCloud(target), clock_(clock), basic_(basic) {}
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    windows.push_back(end - start);
    auto r = ForwardingCloud::GetMetricData(queries, start, end);
    if (r.ok() && failing) {
      for (MetricSeries& s : *r) {
        s.timestamps.clear();
        s.values.clear();
        s.status = Status::Unavailable("GetMetricData query " + s.id +
                                       " answered InternalError");
      }
    }
    if (!r.ok() || !basic_) return r;
    for (MetricSeries& s : *r) {
      MetricSeries kept;
      kept.id = s.id;
      for (size_t k = 0; k < s.timestamps.size(); ++k) {
        auto minute =
            static_cast<long long>(ToUnixSeconds(s.timestamps[k])) / 60;
        if (minute % 5 == 0 && s.timestamps[k] <= clock_->Now() - minutes(7)) {
          kept.timestamps.push_back(s.timestamps[k]);
          kept.values.push_back(s.values[k]);
        }
      }
      kept.status = s.status;
      s = std::move(kept);
    }
    return r;
  }
  std::vector<Duration> windows;
  bool failing = false;  // no query answered (the request went through)

 private:
  Clock* clock_;
  bool basic_;
};

struct Observed {
  int cycles_without_metrics_after_15_min = 0;
  int warnings = 0;
  std::vector<Duration> windows;
};

// `fail_from` .. `fail_to` after the start: no query answered.
Observed RunFor(bool basic, Duration length, Duration fail_from = {},
                Duration fail_to = {}) {
  TimePoint start = FromUnixSeconds(1'700'000'000);
  ManualClock clock(start);
  SimOptions so;
  so.retention_minutes = 60;
  SimCloud sim(
      &clock,
      {{"web", 1, 10, 2, seconds(300), std::make_shared<FlatDemand>(1.2)}}, so);
  // Data from before phas started.
  clock.Advance(minutes(30));
  BasicMonitoringCloud cloud(&sim, &clock, basic);
  GroupConfig g;
  g.name = "web";
  EXPECT_TRUE(g.policy.Select("hpa").ok());
  g.memory.enabled = false;
  ScalerOptions o;
  o.observe.metrics_refresh = seconds(60);
  Scaler scaler({g}, o, {.cloud = &cloud, .clock = &clock});
  EXPECT_TRUE(scaler.Init(clock.Now()).ok());
  Observed run;
  for (TimePoint end = clock.Now() + length; clock.Now() < end;
       clock.Advance(seconds(10))) {
    cloud.failing =
        clock.Now() - start >= fail_from && clock.Now() - start < fail_to;
    CycleReport r = scaler.RunOnce(clock.Now());
    const GroupOutcome& out = r.groups[0];
    run.warnings += static_cast<int>(out.warnings.size());
    if (clock.Now() - start >= minutes(30 + 16) &&
        !out.observation.metrics_ok && !cloud.failing) {
      ++run.cycles_without_metrics_after_15_min;
    }
  }
  run.windows = cloud.windows;
  return run;
}

TEST(ObserverTest, BasicMonitoringWidensTheWindowOnce) {
  Observed basic = RunFor(true, minutes(60));
  // Told once; from 15 minutes on (the instances, first seen at start,
  // count as InService from then: 4 minutes to be expected to publish, then
  // 10 minutes without a datapoint in the 3-minute window), every cycle
  // decides on the latest 5-minute datapoint.
  EXPECT_EQ(basic.warnings, 1);
  EXPECT_EQ(basic.cycles_without_metrics_after_15_min, 0);
  ASSERT_FALSE(basic.windows.empty());
  EXPECT_EQ(basic.windows.front(), minutes(3));
  EXPECT_EQ(basic.windows.back(), minutes(15));
  // One read a minute, and one more when it widened.
  EXPECT_EQ(basic.windows.size(), 60u + 1u);
}

// A group whose queries are not answered (its read fails, the request
// went through) keeps the window it had: no narrow read while it fails, no
// extra read to widen again after.
TEST(ObserverTest, AGroupWhoseQueriesFailKeepsItsWindow) {
  Observed basic = RunFor(true, minutes(60));
  Observed failing =
      RunFor(true, minutes(60), minutes(30 + 25), minutes(30 + 35));
  EXPECT_EQ(failing.windows, basic.windows);
  EXPECT_EQ(failing.warnings, 1);
  EXPECT_EQ(failing.cycles_without_metrics_after_15_min, 0);
}

TEST(ObserverTest, DetailedMonitoringKeepsTheNarrowWindow) {
  Observed detailed = RunFor(false, minutes(60));
  EXPECT_EQ(detailed.warnings, 0);
  EXPECT_EQ(detailed.cycles_without_metrics_after_15_min, 0);
  for (Duration w : detailed.windows) EXPECT_EQ(w, minutes(3));
  EXPECT_EQ(detailed.windows.size(), 60u);
}

// Describes as the target does, but one group's description did not read
// (AwsCloud: a size missing from the answer).
class OneUnreadableCloud final : public ForwardingCloud {
 public:
  OneUnreadableCloud(Cloud* target, std::string bad)
      : ForwardingCloud(target), bad_(std::move(bad)) {}
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    auto r = ForwardingCloud::DescribeGroups(names);
    if (!r.ok()) return r;
    for (GroupDescription& d : *r) {
      if (d.name == bad_) {
        d = GroupDescription{.name = bad_,
                             .unreadable = Status::Corruption(
                                 "group 'api': MaxSize is missing")};
      }
    }
    return r;
  }

 private:
  std::string bad_;
};

// A group whose own description does not read is held, saying why (not
// "not found"); the other groups of the same describe go on, whichever
// comes first.
TEST(ObserverTest, AGroupWhoseDescriptionDoesNotReadIsHeldAlone) {
  for (const std::string bad : {"api", "web"}) {
    SCOPED_TRACE(bad);
    ManualClock clock(FromUnixSeconds(1'700'000'000));
    SimCloud sim(
        &clock,
        {{"web", 1, 10, 2, seconds(300), std::make_shared<FlatDemand>(1.2)},
         {"api", 1, 10, 2, seconds(300), std::make_shared<FlatDemand>(1.2)}});
    clock.Advance(minutes(30));
    OneUnreadableCloud cloud(&sim, bad);
    std::vector<GroupConfig> groups(2);
    groups[0].name = "web";
    groups[1].name = "api";
    for (GroupConfig& g : groups) {
      EXPECT_TRUE(g.policy.Select("hpa").ok());
      g.memory.enabled = false;
    }
    Scaler scaler(groups, {}, {.cloud = &cloud, .clock = &clock});
    ASSERT_TRUE(scaler.Init(clock.Now()).ok());
    for (int cycle = 0; cycle < 2; ++cycle) {
      CycleReport r = scaler.RunOnce(clock.Now());
      for (const GroupOutcome& o : r.groups) {
        SCOPED_TRACE(o.group);
        if (o.group != bad) {
          EXPECT_TRUE(o.found);
          EXPECT_TRUE(o.describe_status.ok());
          EXPECT_TRUE(o.observation.metrics_ok);
          EXPECT_EQ(o.observation.group.name, o.group);
          continue;
        }
        EXPECT_FALSE(o.found);
        EXPECT_FALSE(o.acted);
        EXPECT_NE(o.describe_status.message().find("MaxSize is missing"),
                  std::string::npos)
            << "not 'not found': " << o.describe_status.ToString();
      }
      clock.Advance(seconds(10));
    }
  }
}

// SimCloud with the first `n` instances it lists protected from scale-in,
// and a Pending and a Standby instance flagged.
class ProtectingCloud final : public ForwardingCloud {
 public:
  ProtectingCloud(Cloud* target, int n) : ForwardingCloud(target), n_(n) {}
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    auto r = ForwardingCloud::DescribeGroups(names);
    if (!r.ok()) return r;
    for (GroupDescription& d : *r) {
      for (size_t k = 0; k < d.instances.size(); ++k) {
        d.instances[k].protected_from_scale_in = static_cast<int>(k) < n_;
      }
      // Flagged, but not protected yet (Pending), or not in the desired
      // capacity (Standby): AWS's protection is an InService instance's.
      d.instances.push_back({"i-launching", Lifecycle::kPending, "", true});
      d.instances.push_back({"i-aside", Lifecycle::kStandby, "", true});
    }
    return r;
  }

 private:
  int n_;
};

// A "web" group on `cloud` (a SimCloud on `clock`, or a wrapper of one)
// scaled by `policy` (memory not read), one cycle every 10 s for `span`;
// `each` sees every cycle's outcome. Returns the actions taken (from, to).
std::vector<std::pair<int, int>> RunWeb(
    Cloud* cloud, ManualClock* clock, const char* policy, Duration span,
    const ScalerOptions& options = {},
    const std::function<void(const GroupOutcome&)>& each = {},
    Predictor* predictor = nullptr) {
  GroupConfig g;
  g.name = "web";
  EXPECT_TRUE(g.policy.Select(policy).ok());
  g.memory.enabled = false;
  Scaler scaler({g}, options,
                {.cloud = cloud, .clock = clock, .predictor = predictor});
  EXPECT_TRUE(scaler.Init(clock->Now()).ok());
  std::vector<std::pair<int, int>> actions;
  for (TimePoint end = clock->Now() + span; clock->Now() < end;
       clock->Advance(seconds(10))) {
    CycleReport r = scaler.RunOnce(clock->Now());
    const GroupOutcome& o = r.groups[0];
    if (o.acted) actions.emplace_back(o.decision.current, o.decision.target);
    if (each) each(o);
  }
  return actions;
}

// Instances protected from scale-in are counted from the description, and
// the loop lowers the desired capacity to them and no further (AWS would
// terminate none of them): hpa wants 1 instance for the load, 3 are
// protected.
TEST(ObserverTest, ScaleInStopsAtTheInstancesProtectedFromIt) {
  for (int protected_n : {0, 3}) {
    SCOPED_TRACE(protected_n);
    ManualClock clock(FromUnixSeconds(1'700'000'000));
    SimCloud sim(&clock, {{"web", 1, 10, 6, seconds(60),
                           std::make_shared<FlatDemand>(0.3)}});
    clock.Advance(minutes(30));
    ProtectingCloud cloud(&sim, protected_n);
    int lowest = 6;
    GroupOutcome last;
    RunWeb(&cloud, &clock, "hpa", minutes(30), {}, [&](const GroupOutcome& o) {
      last = o;
      lowest = std::min(lowest, o.observation.group.desired);
      if (o.acted) lowest = std::min(lowest, o.decision.target);
    });
    EXPECT_EQ(last.observation.group.protected_from_scale_in, protected_n);
    if (protected_n == 0) {
      EXPECT_EQ(lowest, 1);
      continue;
    }
    EXPECT_EQ(lowest, protected_n);
    EXPECT_EQ(last.decision.held_by, GuardRule::kScaleInProtected);
    EXPECT_EQ(LimitedReasons(last.decision),
              std::vector<std::string>{"scale_in_protected"});
  }
}

// AWS accepting every desired capacity and launching nothing (a broken
// launch template, no capacity in the zone, a quota): the group keeps the
// instances it had, none Pending, and says the desired capacity asked.
class NotLaunchingCloud final : public ForwardingCloud {
 public:
  using ForwardingCloud::ForwardingCloud;
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    auto r = ForwardingCloud::DescribeGroups(names);
    if (r.ok() && asked_) {
      for (GroupDescription& d : *r) d.desired_capacity = *asked_;
    }
    return r;
  }
  Status SetDesiredCapacity(const std::string& group, int desired) override {
    if (delivering_) return ForwardingCloud::SetDesiredCapacity(group, desired);
    asked_ = desired;
    return Status::OK();
  }
  // Launches work again: what was asked is launched.
  void Deliver(const std::string& group) {
    if (asked_) {
      EXPECT_TRUE(ForwardingCloud::SetDesiredCapacity(group, *asked_).ok());
    }
    asked_.reset();
    delivering_ = true;
  }

 private:
  std::optional<int> asked_;
  bool delivering_ = false;
};

// The seed policy adds one to the desired capacity on every "scale up"
// answer, a cooldown (300 s) apart: with launches failing it went 3 -> 10
// (MaxSize) in 35 minutes, all of it to launch at once when they work
// again. It stops adding once AWS has not delivered for 15 minutes (guard
// rule 1c), and goes on once AWS delivers.
TEST(ObserverTest, ScaleOutStopsWhileAwsDeliversNothing) {
  ManualClock clock(FromUnixSeconds(1'700'000'000));
  SimCloud sim(&clock, {{"web", 1, 10, 3, seconds(60),
                         std::make_shared<FlatDemand>(2.7)}});
  clock.Advance(minutes(30));
  NotLaunchingCloud cloud(&sim);
  testing::ScriptedPredictor always_up;  // the original model's answer
  const TimePoint fixed = clock.Now() + minutes(45);  // launches work again
  const TimePoint start = clock.Now();
  std::optional<GroupOutcome> before_fixed;
  std::vector<Duration> at;  // when each action was taken
  auto actions = RunWeb(
      &cloud, &clock, "seed", minutes(65), {},
      [&](const GroupOutcome& o) {
        if (o.acted) at.push_back(clock.Now() - start);
        if (clock.Now() + seconds(10) < fixed) return;
        if (!before_fixed) {
          before_fixed = o;
          cloud.Deliver("web");
        }
      },
      &always_up);
  // 3 -> 4 at the first answer (2 min), then one a cooldown apart until
  // 15 minutes after the first went undelivered; from 45 min, on again.
  EXPECT_EQ(actions,
            (std::vector<std::pair<int, int>>{
                {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}}));
  ASSERT_EQ(at.size(), 7u);
  EXPECT_LT(at[3], minutes(18));
  EXPECT_GE(at[4], minutes(45));
  ASSERT_TRUE(before_fixed);
  EXPECT_EQ(before_fixed->observation.group.in_service, 3);
  EXPECT_EQ(before_fixed->decision.held_by, GuardRule::kNotDelivered)
      << before_fixed->decision.reason;
  EXPECT_EQ(LimitedReasons(before_fixed->decision),
            std::vector<std::string>{"capacity_not_delivered"});
}

// The group's first instance InService and marked Unhealthy, kept (the
// ReplaceUnhealthy process suspended): launched, not serving.
class KeptUnhealthyCloud final : public ForwardingCloud {
 public:
  using ForwardingCloud::ForwardingCloud;
  Result<std::vector<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& names) override {
    auto r = ForwardingCloud::DescribeGroups(names);
    if (r.ok()) {
      for (GroupDescription& d : *r) {
        if (!d.instances.empty())
          d.instances[0].lifecycle = Lifecycle::kUnhealthy;
      }
    }
    return r;
  }
};

// An Unhealthy instance AWS keeps is delivered: the desired capacity is
// never held as not delivered for it (it was, and scale-out stopped 15
// minutes after the first).
TEST(ObserverTest, AnUnhealthyInstanceKeptIsDelivered) {
  ManualClock clock(FromUnixSeconds(1'700'000'000));
  SimCloud sim(&clock, {{"web", 1, 20, 4, seconds(60),
                         std::make_shared<FlatDemand>(2.7)}});
  clock.Advance(minutes(30));
  KeptUnhealthyCloud cloud(&sim);
  testing::ScriptedPredictor always_up;
  int held = 0;
  auto actions = RunWeb(
      &cloud, &clock, "seed", minutes(40), {},
      [&](const GroupOutcome& o) {
        held += o.decision.held_by == GuardRule::kNotDelivered;
        EXPECT_EQ(o.observation.group.unhealthy, 1);
      },
      &always_up);
  EXPECT_EQ(held, 0);
  EXPECT_GE(actions.size(), 7u);  // one a cooldown (300 s) from 2 min
}

// CloudWatch read while the group's instances publish their minutes one by
// one: of the per-instance series, only those of the first `published`
// instances (by id) have the answer's newest `lag` minutes.
class PartlyPublishedCloud final : public ForwardingCloud {
 public:
  PartlyPublishedCloud(Cloud* target, size_t published, int lag)
      : ForwardingCloud(target), published_(published), lag_(lag) {}
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    auto r = ForwardingCloud::GetMetricData(queries, start, end);
    if (!r.ok()) return r;
    const TimePoint newest = testing::NewestTimestamp(*r);
    auto instance = [&](size_t q) {
      for (const MetricDimension& d : queries[q].dimensions) {
        if (d.name == "InstanceId") return d.value;
      }
      return std::string();
    };
    std::set<std::string> ids;
    for (size_t q = 0; q < queries.size(); ++q) ids.insert(instance(q));
    ids.erase("");
    for (size_t q = 0; q < queries.size(); ++q) {
      const std::string id = instance(q);
      MetricSeries& s = (*r)[q];
      if (id.empty() || std::distance(ids.begin(), ids.find(id)) <
                            static_cast<long>(published_)) {
        continue;
      }
      while (!s.timestamps.empty() &&
             s.timestamps.back() > newest - minutes(lag_)) {
        s.timestamps.pop_back();
        s.values.pop_back();
      }
    }
    return r;
  }

 private:
  size_t published_;
  int lag_;
};

// Minutes only some instances have published are not the group: 6
// instances at 20 %, 2 of them published the newest minute (or the newest
// two). Every minute the policies see, from the first cycle, counts the 6
// at 20 %, and target tracking and hpa at 60 % go to 2 instances, not 1
// (ceil(2 x 20 / 60) before; hpa then 1 -> 2).
TEST(ObserverTest, MinutesSomeInstancesHaveNotPublishedCountThemAll) {
  for (auto [policy, lag] :
       {std::pair{"target-tracking", 1}, std::pair{"target-tracking", 2},
        std::pair{"hpa", 1}, std::pair{"hpa", 2}}) {
    SCOPED_TRACE(::testing::Message() << policy << " lag " << lag);
    ManualClock clock(FromUnixSeconds(1'700'000'000));
    SimCloud sim(&clock, {{"web", 1, 10, 6, seconds(60),
                           std::make_shared<FlatDemand>(1.2)}});
    clock.Advance(minutes(30));
    PartlyPublishedCloud cloud(&sim, 2, lag);
    int decided = 0;
    auto actions = RunWeb(
        &cloud, &clock, policy, minutes(40), {}, [&](const GroupOutcome& o) {
          if (!o.observation.metrics_ok) return;
          ++decided;
          // (From the first cycle: instances first seen count as serving
          // the whole window read.)
          if (o.observation.group.in_service != 6) return;
          for (const MetricSample& minute : o.observation.signal) {
            EXPECT_EQ(minute.instances, 6);
            EXPECT_NEAR(minute.value, 20, 0.5);
          }
        });
    EXPECT_EQ(decided, 240);  // every cycle
    EXPECT_EQ(actions, (std::vector<std::pair<int, int>>{{6, 2}}));
  }
}

// After a scale-in the window's older minutes are read on the instances
// that stayed: 6 instances served 1.2 instance-units at 20 %, and after
// 6 -> 2 the 2 still read 20 % for those minutes. They count the 6 that
// served them, and not the minute the 4 left in (they served part of it):
// target tracking (60 s cooldown) stays at 2, where it went on 2 -> 1
// (ceil(2 x 20 / 60)) a minute later, short, then back to 2; hpa stays
// where it went (counting the instances gone in the minute they left, at
// the mean of those that stayed, took it back up two minutes later).
TEST(ObserverTest, MinutesBeforeAScaleInCountTheInstancesThatServedThem) {
  struct Case {
    const char* policy;
    int from;
    double load;
    std::pair<int, int> action;
  };
  for (const Case& c :
       {Case{"target-tracking", 6, 1.2, {6, 2}}, Case{"hpa", 6, 1.2, {6, 2}},
        Case{"hpa", 4, 1.7, {4, 3}}}) {
    const char* policy = c.policy;
    SCOPED_TRACE(::testing::Message() << policy << " from " << c.from);
    ManualClock clock(FromUnixSeconds(1'700'000'000));
    SimCloud sim(&clock, {{"web", 1, 10, c.from, seconds(60),
                           std::make_shared<FlatDemand>(c.load)}});
    clock.Advance(minutes(30));
    auto actions = RunWeb(&sim, &clock, policy, minutes(60));
    EXPECT_EQ(actions, (std::vector<std::pair<int, int>>{c.action}));
  }
}

// EC2 basic monitoring's datapoints: each series' whole 5 minutes
// averaged, stamped at their start, visible 8 minutes after it.
class FiveMinuteMeansCloud final : public ForwardingCloud {
 public:
  FiveMinuteMeansCloud(Cloud* target, Clock* clock)
      : ForwardingCloud(target), clock_(clock) {}
  Result<std::vector<MetricSeries>> GetMetricData(
      const std::vector<MetricQuery>& queries, TimePoint start,
      TimePoint end) override {
    auto r = ForwardingCloud::GetMetricData(queries, start - minutes(5), end);
    if (!r.ok()) return r;
    for (MetricSeries& s : *r) {
      std::map<long long, std::pair<double, int>> buckets;
      for (size_t k = 0; k < s.values.size(); ++k) {
        long long minute =
            static_cast<long long>(ToUnixSeconds(s.timestamps[k])) / 60;
        auto& b = buckets[minute - minute % 5];
        b.first += s.values[k];
        ++b.second;
      }
      s.timestamps.clear();
      s.values.clear();
      for (const auto& [minute, b] : buckets) {
        TimePoint t = FromUnixSeconds(minute * 60.0);
        // Published minutes after their end, as EC2 does.
        if (b.second < 5 || t < start || t + minutes(8) > clock_->Now()) {
          continue;
        }
        s.timestamps.push_back(t);
        s.values.push_back(b.first / b.second);
      }
    }
    return r;
  }

 private:
  Clock* clock_;
};

// On basic monitoring a datapoint is the mean of 5 minutes, stamped at
// their start: instances that left during those 5 minutes served part of
// it and are not counted for it. hpa (6 at 20 %) goes 6 -> 2 and stays;
// counted for the whole datapoint they made it go up again.
TEST(ObserverTest, OnBasicMonitoringAnInstanceGoneCountsForWholeDatapoints) {
  ManualClock clock(FromUnixSeconds(1'700'000'000));
  SimOptions so;
  so.retention_minutes = 60;
  SimCloud sim(
      &clock,
      {{"web", 1, 10, 6, seconds(60), std::make_shared<FlatDemand>(1.2)}}, so);
  clock.Advance(minutes(30));
  FiveMinuteMeansCloud cloud(&sim, &clock);
  ScalerOptions o;
  o.observe.metrics_refresh = seconds(60);
  auto actions = RunWeb(&cloud, &clock, "hpa", minutes(90), o);
  EXPECT_EQ(actions, (std::vector<std::pair<int, int>>{{6, 2}}));
}

}  // namespace
}  // namespace phas
