// What an on-call engineer sees of the scaler (issue 14, "Health an on-call
// engineer can see"): conditions from outcomes (scaler/conditions.h), the
// per-group Prometheus series (scaler/scaler_metrics.h, checked by
// promtool), process_* parsing and the JSON log format. The status board
// and the listener's routes: status_board_test.cc.
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <nlohmann/json.hpp>

#include "common/log_format.h"
#include "common/process_metrics.h"
#include "health_test_util.h"
#include "scaler/conditions.h"
#include "scaler/scaler_metrics.h"
#include "test_util.h"

namespace phas {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::AtMax;
using testing::Find;
using testing::Healthy;
using testing::kT0;
using testing::NotFound;

TEST(ConditionsTest, FromOutcomes) {
  struct Case {
    const char* name;
    GroupOutcome outcome;
    const char* able;
    const char* active;
    const char* limited;
  };
  GroupOutcome acted = Healthy();
  acted.decision.kind = Decision::Kind::kScaleUp;
  acted.decision.target = acted.decision.proposed = 4;
  acted.acted = true;
  GroupOutcome failed = acted;
  failed.acted = false;
  failed.act_status = Status::Unavailable("throttled").WithDetail("Throttling");
  GroupOutcome cooldown = Healthy();
  cooldown.decision.proposed = 4;
  cooldown.decision.held_by = GuardRule::kCooldown;
  GroupOutcome stepped = acted;
  stepped.decision.proposed = 6;
  stepped.decision.clamped_by = {GuardClamp::kStepUp};
  GroupOutcome no_metrics = Healthy();
  no_metrics.metrics_status = Status::Unavailable("GetMetricData timed out");
  GroupOutcome describe_failed = NotFound();
  describe_failed.describe_status =
      Status::PermissionDenied("not authorized").WithDetail("AccessDenied");
  GroupOutcome dry = Healthy();
  dry.dry_run = true;
  // Not acted: another actor changed the group during the cycle.
  GroupOutcome changed = failed;
  changed.act_status = Status::FailedPrecondition("desired capacity changed")
                           .WithDetail(kActChangedMeanwhile);
  // Read, and empty: no datapoint from any instance in service (it showed
  // ValidMetricFound); with none in service there is none to publish; with
  // every instance warming (datapoints, no signal yet) it is read.
  GroupOutcome no_data = Healthy();
  no_data.decision.policy_code = {Reason::kNoMetrics, Via::kPredictiveFallback};
  no_data.metrics =
      std::make_shared<GroupMetrics>(GroupMetrics{.instances_with_data = 0});
  GroupOutcome warming = no_data;
  warming.metrics =
      std::make_shared<GroupMetrics>(GroupMetrics{.instances_with_data = 3});
  GroupOutcome none_in_service = no_data;
  none_in_service.observation.group.desired =
      none_in_service.observation.group.in_service = 0;
  Case cases[] = {
      // name, outcome, AbleToScale, ScalingActive, ScalingLimited
      {"holding", Healthy(), "True ReadyForNewScale", "True ValidMetricFound",
       "False DesiredWithinRange"},
      {"acted", acted, "True SucceededRescale", "True ValidMetricFound",
       "False DesiredWithinRange"},
      {"action failed", failed, "False FailedUpdateScale",
       "True ValidMetricFound", "False DesiredWithinRange"},
      {"cooldown", cooldown, "False BackoffCooldown", "True ValidMetricFound",
       "True cooldown"},
      {"at max", AtMax(), "True ReadyForNewScale", "True ValidMetricFound",
       "True at_max"},
      {"step cap", stepped, "True SucceededRescale", "True ValidMetricFound",
       "True step_cap"},
      {"no metrics", no_metrics, "True ReadyForNewScale",
       "False FailedGetMetrics", "False DesiredWithinRange"},
      {"not found", NotFound(), "False FailedGetScale", "False FailedGetScale",
       "Unknown FailedGetScale"},
      {"describe failed", describe_failed, "False FailedGetScale",
       "False FailedGetScale", "Unknown FailedGetScale"},
      {"dry run", dry, "False DryRun", "True ValidMetricFound",
       "False DesiredWithinRange"},
      {"changed meanwhile", changed, "False ChangedMeanwhile",
       "True ValidMetricFound", "False DesiredWithinRange"},
      {"no datapoint", no_data, "True ReadyForNewScale", "False NoMetricData",
       "False DesiredWithinRange"},
      {"every instance warming", warming, "True ReadyForNewScale",
       "True ValidMetricFound", "False DesiredWithinRange"},
      {"no datapoint, none in service", none_in_service,
       "True ReadyForNewScale", "True ValidMetricFound",
       "False DesiredWithinRange"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto cs = GroupConditions(tc.outcome);
    EXPECT_EQ(Find(cs, "AbleToScale"), tc.able);
    EXPECT_EQ(Find(cs, "ScalingActive"), tc.active);
    EXPECT_EQ(Find(cs, "ScalingLimited"), tc.limited);
    // Not read: not found, or its metrics not read (phas_scaler_group_up,
    // /readyz); no datapoint is shown, not a failed read.
    EXPECT_EQ(ReadFailure(tc.outcome).empty(),
              !std::string(tc.active).ends_with("FailedGetScale") &&
                  !std::string(tc.active).ends_with("FailedGetMetrics"))
        << ReadFailure(tc.outcome);
  }
}

TEST(ConditionsTest, FailedGroupsNameWhyAndSkipTheHealthy) {
  CycleReport r;
  r.groups = {Healthy(), NotFound()};
  GroupOutcome failed = Healthy("api");
  failed.decision.kind = Decision::Kind::kScaleUp;
  failed.act_status = Status::Unavailable("throttled");
  r.groups.push_back(failed);
  auto f = FailedGroups(r);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].first, "ghost");
  EXPECT_EQ(f[0].second, "group ghost not found");
  EXPECT_EQ(f[1].first, "api");
  EXPECT_NE(f[1].second.find("SetDesiredCapacity failed"), std::string::npos);
  r.groups = {Healthy()};
  EXPECT_TRUE(FailedGroups(r).empty());
  // Not acted because another actor changed the group meanwhile: no
  // failure (--once exits 0), and no attempt (actions_total, the status).
  GroupOutcome changed = Healthy("web");
  changed.decision.kind = Decision::Kind::kScaleUp;
  changed.act_status = Status::FailedPrecondition("desired capacity changed")
                           .WithDetail(kActChangedMeanwhile);
  r.groups = {changed};
  EXPECT_TRUE(FailedGroups(r).empty());
  EXPECT_FALSE(ActionAttempted(changed));
}

TEST(ScalerMetricsTest, AnUnreadableGroupIsSeenWhileCyclesAdvance) {
  MetricsRegistry m;
  MetricsReporter r(&m);
  r.Report(kT0, Healthy());
  r.Report(kT0, NotFound());
  r.EndCycle(kT0);
  GroupOutcome gone = NotFound();
  gone.describe_status =
      Status::PermissionDenied("not authorized").WithDetail("AccessDenied");
  r.Report(kT0 + seconds(10), gone);
  r.EndCycle(kT0 + seconds(10));
  std::string text = m.Render();
  for (const char* want : {
           "phas_scaler_group_up{group=\"web\"} 1",
           "phas_scaler_group_up{group=\"ghost\"} 0",
           "phas_scaler_group_last_successful_read_timestamp_seconds{group="
           "\"web\"} 1764306600",
           "phas_scaler_group_errors_total{group=\"ghost\",stage=\"describe\","
           "code=\"not_found\"} 1",
           "phas_scaler_group_errors_total{group=\"ghost\",stage=\"describe\","
           "code=\"AccessDenied\"} 1",
           "phas_scaler_last_cycle_timestamp_seconds 1764306610",
           "phas_scaler_group_desired_capacity{group=\"web\"} 3",
           "phas_scaler_group_in_service_instances{group=\"web\"} 3",
           "phas_scaler_group_pending_instances{group=\"web\"} 0",
           "phas_scaler_group_min_size{group=\"web\"} 1",
           "phas_scaler_group_max_size{group=\"web\"} 5",
           "phas_scaler_group_signal{group=\"web\"} 55",
           "phas_scaler_group_load{group=\"web\"} 1.65",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  EXPECT_EQ(text.find("last_successful_read_timestamp_seconds{group=\"ghost"),
            std::string::npos);
  EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
}

// A group no longer described (deleted, or the describe failing) keeps no
// gauge of what was read of it: they stood at their last values (a
// dashboard summing in-service instances counted a deleted group's), and
// a forecast or a signal that stopped keeps none either.
TEST(ScalerMetricsTest, WhatIsNoLongerReadIsNotShown) {
  MetricsRegistry m;
  MetricsReporter r(&m);
  GroupOutcome web = Healthy();
  web.observation.forecast = {{kT0 + std::chrono::minutes(5), 2.0, 2.5}};
  r.Report(kT0, web);
  std::string before = m.Render();
  for (const char* want :
       {"phas_scaler_group_in_service_instances{group=\"web\"} 3",
        "phas_scaler_forecast_load{group=\"web\",bound=\"mean\"} 2"}) {
    EXPECT_NE(before.find(want), std::string::npos) << want << "\n" << before;
  }
  GroupOutcome no_forecast = Healthy();
  no_forecast.observation.signal.clear();
  r.Report(kT0 + seconds(10), no_forecast);
  std::string after = m.Render();
  EXPECT_EQ(after.find("phas_scaler_forecast_load{"), std::string::npos)
      << after;
  EXPECT_EQ(after.find("phas_scaler_group_signal{"), std::string::npos)
      << after;
  // A describe that failed (throttled now and then) keeps them, as it keeps
  // scaling_limited: PhasGroupStuckAtMaxWhileShort joins the two.
  GroupOutcome throttled = NotFound("web");
  throttled.describe_status = Status::Unavailable("throttled");
  r.Report(kT0 + seconds(15), throttled);
  EXPECT_NE(m.Render().find(
                "phas_scaler_group_in_service_instances{group=\"web\"} 3"),
            std::string::npos);
  // Read again in between: the 10 minutes start again.
  r.Report(kT0 + minutes(5), Healthy());
  r.Report(kT0 + minutes(6), throttled);
  r.Report(kT0 + minutes(15) + seconds(59), throttled);
  EXPECT_NE(m.Render().find(
                "phas_scaler_group_in_service_instances{group=\"web\"} 3"),
            std::string::npos)
      << "9 min 59 s of failing describes";
  // ... for 10 minutes: failing that long (a role revoked), they go.
  r.Report(kT0 + minutes(16), throttled);
  EXPECT_EQ(m.Render().find("phas_scaler_group_in_service_instances{"),
            std::string::npos);
  r.Report(kT0 + minutes(17), no_forecast);
  GroupOutcome gone = NotFound("web");
  r.Report(kT0 + minutes(18), gone);
  std::string text = m.Render();
  for (const char* absent :
       {"phas_scaler_group_desired_capacity{",
        "phas_scaler_group_in_service_instances{",
        "phas_scaler_group_min_size{", "phas_scaler_group_load{"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent << "\n" << text;
  }
  EXPECT_NE(text.find("phas_scaler_group_up{group=\"web\"} 0"),
            std::string::npos)
      << text;
}

// A label value that is not UTF-8 (an error code quoted from outside phas)
// is written with its bytes replaced: it broke the whole scrape (promtool:
// "invalid label value"), every series with it.
TEST(ScalerMetricsTest, ALabelThatIsNotUtf8DoesNotBreakTheScrape) {
  MetricsRegistry m;
  MetricsReporter r(&m);
  GroupOutcome gone = NotFound();
  gone.describe_status =
      Status::Unavailable("broken").WithDetail("Bad\xff\"Code\\");
  r.Report(kT0, gone);
  r.EndCycle(kT0);
  std::string text = m.Render();
  EXPECT_NE(text.find("code=\"Bad\xef\xbf\xbd\\\"Code\\\\\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
}

TEST(ScalerMetricsTest, LimitsForecastAndModelSeries) {
  MetricsRegistry m;
  MetricsReporter r(&m);
  GroupOutcome o = AtMax();
  o.forecast_model = "seasonal_naive (held-out MAE 0.100)";
  o.forecast_model_name = "seasonal_naive";
  o.observation.forecast = {{kT0 + minutes(5), 5.0, 6.0}};
  r.Report(kT0, o);
  // Five minutes on: the load for the forecast minute is in, 4 instead of
  // 5 (error 25 %), and the model changed; the group is no longer at max.
  GroupOutcome later = Healthy();
  later.forecast_model = "holt_winters (held-out MAE 0.090)";
  later.forecast_model_name = "holt_winters";
  later.metrics = std::make_shared<GroupMetrics>(
      GroupMetrics{.load = {{kT0 + minutes(5), 4.0, 3}}});
  later.observation.forecast = {{kT0 + minutes(10), 4.5, 5.5}};
  r.Report(kT0 + minutes(5), later);
  r.EndCycle(kT0 + minutes(5));
  std::string text = m.Render();
  for (const char* want : {
           "phas_scaler_scaling_limited{group=\"web\",reason=\"at_max\"} 0",
           "phas_scaler_scaling_limited{group=\"web\",reason=\"cooldown\"} 0",
           "phas_scaler_scaling_limited{group=\"web\",reason=\"step_cap\"} 0",
           "phas_scaler_forecast_load{group=\"web\",bound=\"upper\"} 5.5",
           "phas_scaler_forecast_abs_error_ratio{group=\"web\"} 0.25",
           "phas_scaler_forecast_model_info{group=\"web\",model=\"holt_"
           "winters\"} 1",
           "phas_scaler_forecast_model_info{group=\"web\",model=\"seasonal_"
           "naive\"} 0",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  MetricsRegistry m2;
  MetricsReporter r2(&m2);
  r2.Report(kT0, AtMax());
  text = m2.Render();
  EXPECT_NE(
      text.find(
          "phas_scaler_scaling_limited{group=\"web\",reason=\"at_max\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("phas_scaler_group_wanted_capacity{group=\"web\"} 7"),
            std::string::npos);
  EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
}

// The SLO's counters count the minutes the policy's state counted while
// phas set the group's capacity, from one report to the next that are both
// counted: nothing while a standby (the holder counts), a dry run,
// forecast-only, or a cycle the group was not read; counting starts again
// after one of those, after the state was read from the store (another
// replica counted meanwhile), and from counts that went back. The SLO and
// margin gauges are removed while it does not count.
TEST(ScalerMetricsTest, TheSloCountersCountWhilePhasSetsTheCapacity) {
  MetricsRegistry registry;
  MetricsReporter reporter(&registry);
  auto counter = [&](const char* name) {
    return registry.GetCounter(name, "", {{"group", "web"}}).Value();
  };
  enum Cycle { kActs, kStandby, kDryRun, kForecastOnly, kNotFound, kRead };
  struct Step {
    double minutes, short_minutes;
    Cycle cycle;
    double want_counted, want_short;  // the counters (seconds) after it
  };
  const Step steps[] = {
      {10, 1, kActs, 0, 0},        // the first report: the counting starts
      {15, 2, kActs, 300, 60},     // five more minutes, one of them short
      {15, 2, kActs, 300, 60},     // no new minute
      {30, 3, kStandby, 300, 60},  // the holder counts these
      {40, 4, kActs, 300, 60},     // counting again, from here
      {45, 6, kActs, 600, 180},
      {50, 7, kDryRun, 600, 180},
      {55, 8, kActs, 600, 180},
      {60, 9, kForecastOnly, 600, 180},
      {65, 10, kActs, 600, 180},
      {70, 11, kNotFound, 600, 180},
      {75, 12, kActs, 600, 180},
      {80, 13, kActs, 900, 240},
      {120, 20, kRead, 900, 240},  // the lease taken back, the state read
      {125, 21, kActs, 1200, 300},
      {2, 0, kActs, 1200, 300},  // counts that went back
      {3, 1, kActs, 1260, 360},
  };
  TimePoint now = kT0;
  for (const Step& s : steps) {
    SCOPED_TRACE(s.minutes);
    GroupOutcome o;
    o.group = "web";
    o.found = s.cycle != kNotFound;
    // Twice as many minutes undelivered as short, to follow them apart.
    o.decision.slo =
        SloStatus{0.03, s.minutes, s.short_minutes, 1.5, 2 * s.short_minutes};
    if (s.cycle == kStandby) o.standby = "another replica holds the lease";
    o.dry_run = s.cycle == kDryRun;
    if (s.cycle == kForecastOnly) {
      o.decision.policy_code = {Reason::kForecastOnly};
    }
    o.state_read = s.cycle == kRead;
    reporter.Report(now, o);
    EXPECT_EQ(counter("phas_scaler_slo_counted_seconds_total"), s.want_counted);
    EXPECT_EQ(counter("phas_scaler_slo_short_seconds_total"), s.want_short);
    EXPECT_EQ(counter("phas_scaler_slo_undelivered_seconds_total"),
              2 * s.want_short);
    // The SLO and the margin are shown by the replica that counts (a group
    // not read keeps what it showed); the counters stay.
    const bool shown =
        s.cycle == kActs || s.cycle == kRead || s.cycle == kNotFound;
    std::string text = registry.Render();
    EXPECT_EQ(text.find("phas_scaler_slo_max_underprovisioned_ratio{") !=
                  std::string::npos,
              shown);
    EXPECT_EQ(text.find("phas_scaler_slo_margin_spreads{") != std::string::npos,
              shown);
    if (s.cycle == kStandby) {
      EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
    }
    now += std::chrono::minutes(1);
  }
  std::string text = registry.Render();
  EXPECT_NE(
      text.find("phas_scaler_slo_max_underprovisioned_ratio{group=\"web\"} "
                "0.03"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("phas_scaler_slo_margin_spreads{group=\"web\"} 1.5"),
            std::string::npos);
  EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
}

// Held off the whole group beside AWS's own scaling (the loop tells the
// policy so), phas does not count; with scale-in left to AWS, or in a
// cooldown, it still sets the capacity and counts.
TEST(ScalerMetricsTest, HoldsBesideAwsScalingAreNotCounted) {
  for (GuardRule rule :
       {GuardRule::kPausedByTag, GuardRule::kSuspended,
        GuardRule::kControlsUnknown, GuardRule::kInstanceRefresh,
        GuardRule::kAwsPolicyConflict, GuardRule::kForecastOnly,
        GuardRule::kAwsScaleIn, GuardRule::kCooldown}) {
    SCOPED_TRACE(GuardRuleName(rule));
    MetricsRegistry registry;
    MetricsReporter reporter(&registry);
    for (double minutes : {10, 20}) {
      GroupOutcome o;
      o.group = "web";
      o.found = true;
      o.decision.slo = SloStatus{0.03, minutes, 0, 1};
      o.decision.held_by = rule;
      // What the loop told the policy (coexist_test checks the loop).
      o.observation.phas_sets_capacity =
          rule == GuardRule::kAwsScaleIn || rule == GuardRule::kCooldown;
      reporter.Report(kT0, o);
    }
    bool counts =
        rule == GuardRule::kAwsScaleIn || rule == GuardRule::kCooldown;
    EXPECT_EQ(registry.Render().find("phas_scaler_slo_") != std::string::npos,
              counts);
    if (counts) {
      EXPECT_EQ(registry
                    .GetCounter("phas_scaler_slo_counted_seconds_total", "",
                                {{"group", "web"}})
                    .Value(),
                600);
    }
  }
}

// A policy without an SLO has none of its series.
TEST(ScalerMetricsTest, APolicyWithoutAnSloHasNoSloSeries) {
  MetricsRegistry registry;
  MetricsReporter reporter(&registry);
  GroupOutcome o;
  o.group = "web";
  o.found = true;
  reporter.Report(kT0, o);
  EXPECT_EQ(registry.Render().find("phas_scaler_slo_"), std::string::npos);
}

TEST(ProcessMetricsTest, ParsesProcStatWithParenthesesInTheName) {
  // Fields 14/15 (utime, stime) 250 + 50 ticks, 22 (starttime) 1000 ticks,
  // 23 (vsize) 8 MiB, 24 (rss) 100 pages.
  std::string stat =
      "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 "
      "20 0 3 0 1000 8388608 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
      "0 17 1 0 0 0 0 0";
  auto s = ParseProcStat(stat, 100, 1700000000.0, 4096);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1700000010.0);
  EXPECT_DOUBLE_EQ(s->virtual_bytes, 8388608.0);
  EXPECT_DOUBLE_EQ(s->resident_bytes, 409600.0);
  EXPECT_FALSE(ParseProcStat("garbage", 100, 0, 4096).ok());
  auto bt = ParseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n");
  ASSERT_TRUE(bt.ok());
  EXPECT_DOUBLE_EQ(*bt, 1700000000.0);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
}

TEST(ProcessMetricsTest, TheLiveProcessHasItsSeries) {
  MetricsRegistry m;
  UpdateProcessMetrics(&m);
  SetBuildInfo(&m);
  std::string text = m.Render();
  for (const char* want :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_start_time_seconds ", "process_open_fds ",
        "phas_build_info{version=\""}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  EXPECT_EQ(phas::testing::PromtoolCheck(text), "");
}

TEST(LogFormatTest, JsonLinesCarryLevelGroupAndMessage) {
  auto f = MakeJsonLogFormatter();
  spdlog::details::log_msg msg(
      "phas", spdlog::level::warn,
      "[asg-prod] Scale up \"needed\" but in cooldown");
  msg.time = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(1764306600123));
  spdlog::memory_buf_t buf;
  f->format(msg, buf);
  std::string line(buf.data(), buf.size());
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  json j = json::parse(line);
  EXPECT_EQ(j["time"], "2025-11-28T05:10:00.123Z");
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["group"], "asg-prod");
  EXPECT_EQ(j["msg"], "Scale up \"needed\" but in cooldown");
  EXPECT_FALSE(SetLogFormat("xml").ok());
}

// The text format writes one line without escape sequences: an AWS error
// body or a group's name with a line break or an ESC went raw to the
// journal and the terminal (every spdlog call, not only the recorder's).
TEST(LogFormatTest, TextLinesAreOneLineWithoutEscapes) {
  auto f = MakeTextLogFormatter();
  spdlog::details::log_msg msg("phas", spdlog::level::warn,
                               "lease not renewed: \x1b[2Jgone\r\nFAKE é");
  msg.time = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(1764306600123));
  spdlog::memory_buf_t buf;
  f->format(msg, buf);
  std::string line(buf.data(), buf.size());
  EXPECT_EQ(line,
            "2025-11-28T05:10:00.123Z warning lease not renewed: "
            "\\x1b[2Jgone\\x0d\\x0aFAKE é\n");
}

}  // namespace
}  // namespace phas
