// Tuning (sim/tune.h): the pure rules in tables (frontier, recommendation,
// window split, knobs and snippets), the backtest's warm-up window it relies
// on, and short end-to-end runs showing that nothing after the split is read
// before the choice.
#include "sim/tune.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "decision/predictive_policy.h"
#include "decision/step_policy.h"
#include "scaler/config.h"
#include "sim/tune_report.h"

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr double kStart = 1'700'000'040;  // on a minute

// Per-minute load for `h` hours: a wave of period 2 h; from `burst_from`
// hours on, a 3x burst of 20 minutes every hour.
Trace Synthetic(double h, double burst_from = 1e9) {
  Trace t;
  t.name = "synthetic";
  int n = static_cast<int>(h * 60);
  for (int m = 0; m < n; ++m) {
    double v = 100 + 50 * std::sin(2 * std::numbers::pi * m / 120.0);
    if (m >= burst_from * 60 && m % 60 < 20) v *= 3;
    t.samples.push_back({FromUnixSeconds(kStart + 60.0 * m), v});
  }
  t.median_step = minutes(1);
  t.max_gap = minutes(3);
  return t;
}

double HoursAfterStart(TimePoint t) {
  return std::chrono::duration<double>(t - FromUnixSeconds(kStart)).count() /
         3600;
}

TEST(TuneTest, ParetoFrontier) {
  struct Case {
    const char* name;
    std::vector<CostShortfall> points;  // (instance-hours, tau_U)
    std::vector<bool> on;
  };
  const Case cases[] = {
      {"a trade-off: all on it",
       {{10, 5}, {12, 3}, {15, 1}},
       {true, true, true}},
      {"dearer and worse: off",
       {{10, 5}, {12, 6}, {15, 1}},
       {true, false, true}},
      {"same cost, more shortfall: off", {{10, 5}, {10, 4}}, {false, true}},
      {"equal points both stay", {{10, 5}, {10, 5}}, {true, true}},
      {"one point", {{7, 70}}, {true}},
      {"none", {}, {}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(ParetoFrontier(tc.points), tc.on);
  }
}

TunePolicy Points(const char* policy,
                  std::vector<std::pair<double, double>> cost_tau) {
  TunePolicy p;
  p.knob.policy = policy;
  for (auto [cost, tau] : cost_tau) {
    TunePoint pt;
    pt.fit.instance_hours = cost;
    pt.fit.tau_u = tau;
    p.points.push_back(pt);
  }
  return p;
}

TEST(TuneTest, RecommendsTheCheapestWithinTheSlo) {
  struct Case {
    const char* name;
    std::vector<TunePolicy> policies;
    double slo;
    TuneChoice want;  // policy, point, meets_slo
  };
  const Case cases[] = {
      {"cheapest within, across policies",
       {Points("a", {{100, 9}, {120, 4}, {150, 1}}),
        Points("b", {{110, 4.5}, {130, 0.5}})},
       5,
       {1, 0, true}},
      {"the SLO's edge counts as within",
       {Points("a", {{100, 5}, {120, 1}})},
       5,
       {0, 0, true}},
      {"equal cost: less shortfall",
       {Points("a", {{100, 4}}), Points("b", {{100, 2}})},
       5,
       {1, 0, true}},
      {"a full tie keeps the first",
       {Points("a", {{100, 2}}), Points("b", {{100, 2}})},
       5,
       {0, 0, true}},
      {"none meets it: the least shortfall, said so",
       {Points("a", {{100, 30}, {200, 12}}),
        Points("b", {{150, 12}, {90, 40}})},
       5,
       {1, 0, false}},
      {"SLO 0: only a never-short setting",
       {Points("a", {{100, 0.1}, {300, 0}})},
       0,
       {0, 1, true}},
      {"no points", {Points("a", {})}, 5, {-1, -1, false}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    TuneChoice c = Recommend(tc.policies, tc.slo);
    EXPECT_EQ(c.policy, tc.want.policy);
    EXPECT_EQ(c.point, tc.want.point);
    EXPECT_EQ(c.meets_slo, tc.want.meets_slo);
  }
}

TEST(TuneTest, SplitsTheRangeOnAMinute) {
  Trace t = Synthetic(12);  // [0 h, 12 h)
  struct Case {
    const char* name;
    double skip_hours, hours, fraction;
    double start, split, end;  // hours after the first sample
  };
  const Case cases[] = {
      {"whole trace, 2/3", 0, 0, 2.0 / 3, 0, 8, 12},
      {"a range", 2, 6, 0.5, 2, 5, 8},
      {"split floored to the minute", 0, 1, 0.5083, 0, 30.0 / 60, 1},
      {"hours beyond the trace: to its end", 6, 100, 0.5, 6, 9, 12},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    BacktestOptions w;
    w.skip_hours = tc.skip_hours;
    w.hours = tc.hours;
    auto s = SplitWindows(t, w, tc.fraction);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_DOUBLE_EQ(HoursAfterStart(s->start), tc.start);
    EXPECT_DOUBLE_EQ(HoursAfterStart(s->split), tc.split);
    EXPECT_DOUBLE_EQ(HoursAfterStart(s->end), tc.end);
    EXPECT_DOUBLE_EQ(s->fit_hours() + s->score_hours(), tc.end - tc.start);
  }
  struct Bad {
    const char* name;
    double hours, fraction;
    const char* says;
  };
  const Bad bad[] = {
      {"fraction 0", 0, 0, "fit fraction"},
      {"fraction 1", 0, 1, "fit fraction"},
      {"no whole minute to fit", 1.0 / 120, 0.5, "too short"},
  };
  for (const Bad& tc : bad) {
    SCOPED_TRACE(tc.name);
    BacktestOptions w;
    w.hours = tc.hours;
    auto s = SplitWindows(t, w, tc.fraction);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.status().message().find(tc.says), std::string::npos)
        << s.status().message();
  }
}

// A trace near the last time a TimePoint holds (2262): --hours and
// --skip-hours far past its end overflowed ("1000000.00 h to replay is too
// short", "-99999.97 h").
TEST(TuneTest, ARangePastTheEndOfATraceIn2255StaysInIt) {
  Trace t = Synthetic(12);
  for (auto& s : t.samples) s.time += std::chrono::seconds(7'299'999'960);
  BacktestOptions whole;
  whole.hours = 1e6;
  auto s = SplitWindows(t, whole, 0.5);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->fit_hours() + s->score_hours(), 12);
  for (double skip : {1e5, 1e6}) {
    SCOPED_TRACE(skip);
    BacktestOptions past;
    past.skip_hours = skip;
    auto e = SplitWindows(t, past, 0.5);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.status().message().find(": 0.00 h to replay is too short"),
              std::string::npos)
        << e.status().message();
  }
}

// Every knob's snippet, at every grid value, is a group entry the scaler's
// own parser accepts, and sets exactly that knob.
TEST(TuneTest, SnippetsParseAsScalerGroupEntries) {
  struct World {
    const char* name;
    SignalKind kind;
    const char* signal_yaml;  // the group's signal key, as deployed
  };
  const World worlds[] = {
      {"cpu", SignalKind::kCpu, ""},
      {"alb", SignalKind::kAlbRequests,
       "    signal: {type: alb_requests, resource_label: "
       "app/sim/0/targetgroup/trace/0}\n"},
  };
  for (const World& wc : worlds) {
    BacktestOptions w;
    w.signal.kind = wc.kind;
    w.boot_time = std::chrono::seconds(240);
    for (const TuneKnob& k : TuneKnobs()) {
      if (k.cpu_only && wc.kind != SignalKind::kCpu) continue;
      for (double v : k.grid) {
        double setting = KnobSetting(k, v, w);
        std::string snippet = TuneSnippet(k, setting, w);
        SCOPED_TRACE(std::string(wc.name) + "\n" + snippet);
        std::string entry;
        size_t pos = 0;
        while (pos < snippet.size()) {
          size_t nl = snippet.find('\n', pos);
          entry += "    " + snippet.substr(pos, nl + 1 - pos);
          pos = nl + 1;
        }
        auto c = ParseScalerConfig(
            "groups:\n  - name: web\n" + std::string(wc.signal_yaml) + entry,
            "phas.yaml");
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        const PolicyConfig& p = c->groups[0].policy;
        EXPECT_EQ(p.name(), k.policy);
        // What the backtests run is the same text read for the simulated
        // signal (whose `full` the scaler does not know for an ALB).
        auto sc = SnippetConfig(snippet, w);
        ASSERT_TRUE(sc.ok()) << sc.status().ToString();
        EXPECT_EQ(sc->name(), k.policy);
        EXPECT_DOUBLE_EQ(sc->target.value, p.target.value);
        EXPECT_TRUE(sc->settings == p.settings);
        if (k.key == "target") {
          EXPECT_DOUBLE_EQ(p.target.value, setting);
          EXPECT_NEAR(sc->target.utilization(), v / 100, 1e-12);
        } else if (k.policy == "predictive") {
          ASSERT_NE(p.settings_as<PredictiveConfig>(), nullptr);
          EXPECT_DOUBLE_EQ(
              p.settings_as<PredictiveConfig>()->slo.max_underprovisioned_pct,
              v);
          EXPECT_EQ(p.settings_as<PredictiveConfig>()->boot_time, w.boot_time);
          EXPECT_NEAR(sc->target.utilization(), 0.6, 1e-12);
        } else {
          ASSERT_EQ(k.policy, "step");
          ASSERT_NE(p.settings_as<StepPolicyConfig>(), nullptr);
          EXPECT_DOUBLE_EQ(p.settings_as<StepPolicyConfig>()->high_threshold,
                           v);
        }
      }
    }
  }
}

TEST(TuneTest, BadOptionsNameTheProblem) {
  Trace t = Synthetic(3);
  struct Case {
    const char* name;
    std::vector<std::string> policies;
    SignalKind signal;
    double slo;
    bool world_policies;
    const char* says;
  };
  const Case cases[] = {
      {"no knob", {"oracle"}, SignalKind::kCpu, 5, false, "no knob"},
      {"step needs CPU", {"step"}, SignalKind::kNetworkIn, 5, false, "step"},
      {"twice", {"hpa", "hpa"}, SignalKind::kCpu, 5, false, "twice"},
      {"SLO out of range", {"hpa"}, SignalKind::kCpu, 101, false, "SLO"},
      {"world with policies", {"hpa"}, SignalKind::kCpu, 5, true, "policies"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    BacktestOptions w;
    w.signal.kind = tc.signal;
    if (tc.world_policies) w.policies["hpa"] = PolicyConfig();
    TuneOptions o;
    o.policies = tc.policies;
    o.slo_tau_u = tc.slo;
    auto r = Tune(t, w, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(tc.says), std::string::npos)
        << r.status().message();
  }
}

// A warm-up is replayed, not scored: a 6-hour run scored from hour 4 and
// the same world's first 4 hours add up to the whole 6 hours, and its
// scores cover the last 2 hours only.
TEST(TuneTest, BacktestWarmupIsReplayedNotScored) {
  Trace t = Synthetic(6, 2);
  BacktestOptions o;
  o.threads = 1;
  auto run = [&](double hours, double warmup) {
    BacktestOptions w = o;
    w.hours = hours;
    w.warmup_hours = warmup;
    auto r = RunBacktest(t, {"target-tracking"}, w);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->runs[0].scores : Scores{};
  };
  Scores whole = run(6, 0), first = run(4, 0), last = run(6, 4);
  EXPECT_EQ(last.minutes, 120);
  EXPECT_EQ(first.minutes + last.minutes, whole.minutes);
  EXPECT_NEAR(first.instance_hours + last.instance_hours, whole.instance_hours,
              1e-9);
  EXPECT_EQ(first.actions + last.actions, whole.actions);
  EXPECT_GT(last.actions, 0) << "the bursts are in the scored part";
}

TuneOptions Quick() {
  TuneOptions o;
  o.policies = {"target-tracking", "hpa"};
  o.threads = 2;
  return o;
}

// Two traces alike for their first 6 hours; one bursts from hour 6 on. With
// the split at hour 6, every fit-window score and the choice are the same,
// and only the check on the score window sees the bursts.
TEST(TuneTest, TheScoreWindowIsNotUsedToChoose) {
  Trace calm = Synthetic(9), bursty = Synthetic(9, 6);
  TuneOptions o = Quick();
  BacktestOptions w;
  auto a = Tune(calm, w, o);
  auto b = Tune(bursty, w, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_DOUBLE_EQ(HoursAfterStart(a->windows.split), 6);
  ASSERT_EQ(a->policies.size(), 2u);
  for (size_t i = 0; i < a->policies.size(); ++i) {
    const auto& pa = a->policies[i].points;
    const auto& pb = b->policies[i].points;
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t j = 0; j < pa.size(); ++j) {
      SCOPED_TRACE(a->policies[i].knob.policy + " " +
                   TuneNumber(pa[j].setting));
      EXPECT_EQ(pa[j].fit.minutes, 6 * 60);
      EXPECT_EQ(pa[j].fit.instance_hours, pb[j].fit.instance_hours);
      EXPECT_EQ(pa[j].fit.tau_u, pb[j].fit.tau_u);
    }
  }
  EXPECT_EQ(a->label, b->label);
  EXPECT_EQ(a->snippet, b->snippet);
  // The check is on the last 3 hours only, and sees the bursts there.
  EXPECT_EQ(a->score_choice.minutes, 3 * 60);
  EXPECT_EQ(b->score_choice.minutes, 3 * 60);
  EXPECT_GT(b->score_untuned.tau_u, a->score_untuned.tau_u);
  EXPECT_GT(b->score_choice.instance_hours, a->score_choice.instance_hours);
  EXPECT_EQ(a->runs, 7 + 7 + 2);
}

// The recommendation is the cheapest fit-window point within the SLO, its
// snippet is what was run, and the report says where each window is.
TEST(TuneTest, RecommendationIsReportedWithItsSnippet) {
  Trace t = Synthetic(6, 0);
  TuneOptions o = Quick();
  o.slo_tau_u = 10;
  auto r = Tune(t, BacktestOptions(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GE(r->choice.policy, 0);
  const TunePolicy& p = r->policies[r->choice.policy];
  const TunePoint& chosen = p.points[r->choice.point];
  EXPECT_TRUE(chosen.on_frontier);
  if (r->choice.meets_slo) {
    EXPECT_LE(chosen.fit.tau_u, 10);
    for (const TunePolicy& q : r->policies) {
      for (const TunePoint& pt : q.points) {
        if (pt.fit.tau_u <= 10) {
          EXPECT_GE(pt.fit.instance_hours, chosen.fit.instance_hours);
        }
      }
    }
  }
  EXPECT_EQ(r->snippet, TuneSnippet(p.knob, chosen.setting, r->world));
  std::string text = TuneText(*r);
  for (const char* want :
       {"fit window:", "score window:", "not used for any choice",
        "recommendation:", "paste into the group's entry", "policy: "}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  nlohmann::json j = TuneJson(*r);
  EXPECT_EQ(j["recommendation"]["snippet"], r->snippet);
  EXPECT_DOUBLE_EQ(j["fit_window"]["hours"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(j["score_window"]["hours"].get<double>(), 2);
}

}  // namespace
}  // namespace phas
