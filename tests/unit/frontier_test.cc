// The frontier's reading of target tracking's curve and its verdicts, on
// synthetic curves: bracketing, outside the curve either way, zero tau_U, a
// losing policy, a one-point curve (the report's default comparison).
#include "sim/frontier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace phas {
namespace {

Scores S(double instance_hours, double tau_u, double theta_u = 0) {
  Scores s;
  s.instance_hours = instance_hours;
  s.tau_u = tau_u;
  s.theta_u = theta_u;
  return s;
}

// Target tracking at 70 .. 40 %: cost up, shortfall down.
std::vector<CurvePoint> Curve() {
  return {{70, S(900, 30, 8)},
          {60, S(1000, 20, 6)},
          {50, S(1200, 8, 2)},
          {40, S(1500, 2, 0.5)}};
}

TEST(FrontierTest, ReadsTheCurveAtEqualCostAndEqualShortfall) {
  struct Case {
    std::string name;
    std::vector<CurvePoint> curve;
    Scores policy;
    std::optional<Scores> oracle;
    // Expected.
    CurveSide cost_side;
    double tt_target, tt_tau_u, tt_theta_u;
    std::optional<double> tau_ratio;
    CurveSide shortfall_side;
    double tt_cost_at_tau;  // when inside
    std::optional<double> vs_oracle;
    std::vector<std::string> verdict_has;
  } cases[] = {
      {"bracketed: between 60 and 50, winning both ways",
       Curve(),
       S(1100, 5, 1),
       S(1000, 0),
       CurveSide::kInside,
       55,
       14,
       4,
       5.0 / 14,
       CurveSide::kInside,
       1350,  // tau 5 between 8 (1200) and 2 (1500): 1200 + 0.5 * 300
       10,
       {"at the cost of target tracking at 55 %, p is short of capacity "
        "2.8x less often (τ_U 5.00 % vs 14.0 %)",
        "at equal shortfall (target tracking at 45 %) it costs 19 % less",
        "it uses 10 % more instance-hours than perfect foresight"}},
      {"on a point of the curve exactly",
       Curve(),
       S(1200, 4, 1),
       std::nullopt,
       CurveSide::kInside,
       50,
       8,
       2,
       0.5,
       CurveSide::kInside,
       1400,
       std::nullopt,
       {"target tracking at 50 %", "2.0x less often"}},
      {"a losing policy: short more often at the same cost",
       Curve(),
       S(1000, 30, 9),
       S(950, 0),
       CurveSide::kInside,
       60,
       20,
       6,
       1.5,
       CurveSide::kInside,
       900,  // target tracking at 70 % is short as often: cheaper
       5.263,
       {"is short of capacity 1.5x MORE often (τ_U 30.0 % vs 20.0 %)",
        "at equal shortfall (target tracking at 70 %) it costs 11 % more",
        "5 % more instance-hours"}},
      {"zero tau_U where the curve is never zero",
       Curve(),
       S(1300, 0, 0),
       S(1250, 0),
       CurveSide::kInside,
       46.667,
       6,
       1.5,
       0,
       CurveSide::kBelow,
       0,
       4,
       {"is never short of capacity, where target tracking is short 6.00 % "
        "of the time",
        "no target tried makes target tracking short that rarely (at best "
        "τ_U 2.00 % at 40 %)"}},
      {"zero tau_U on both",
       {{60, S(1000, 5)}, {40, S(1500, 0)}},
       S(1600, 0),
       std::nullopt,
       CurveSide::kAbove,
       40,
       0,
       0,
       std::nullopt,
       CurveSide::kInside,
       1500,
       std::nullopt,
       {"p costs more than target tracking at any target tried (7 % more "
        "than at 40 %) and is never short of capacity, nor is target "
        "tracking",
        "at equal shortfall (target tracking at 40 %) it costs 7 % more"}},
      {"cheaper than the whole curve and less often short",
       Curve(),
       S(850, 10, 3),
       S(800, 0),
       CurveSide::kBelow,
       70,
       30,
       8,
       1.0 / 3,
       CurveSide::kInside,
       1000 + 200 * 10.0 / 12,
       6.25,
       {"p costs less than target tracking at any target tried (6 % less "
        "than at 70 %) and is short of capacity 3.0x less often",
        "it costs 27 % less"}},
      {"dearer than the whole curve and short more often than all of it",
       Curve(),
       S(1600, 40, 10),
       std::nullopt,
       CurveSide::kAbove,
       40,
       2,
       0.5,
       20,
       CurveSide::kAbove,
       0,
       std::nullopt,
       {"p costs more than target tracking at any target tried (7 % more "
        "than at 40 %) and is short of capacity 20x MORE often",
        "target tracking is short less often at every target tried"}},
      {"one point: the default comparison",
       {{60, S(1000, 20)}},
       S(1100, 5),
       S(1000, 0),
       CurveSide::kAbove,
       60,
       20,
       0,
       0.25,
       CurveSide::kBelow,
       0,
       10,
       {"p costs 10 % more than target tracking at 60 % and is short of "
        "capacity 4.0x less often"}},
      {"unsorted curve, ties in cost",
       {{50, S(1200, 8)}, {70, S(900, 30)}, {55, S(1200, 7)}},
       S(1000, 10),
       std::nullopt,
       CurveSide::kInside,
       65,
       30 - 23.0 / 3,
       0,
       10 / (30 - 23.0 / 3),
       CurveSide::kInside,
       900 + 300 * 20.0 / 23,
       std::nullopt,
       {"at the cost of target tracking at 65 %"}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FrontierComparison c = CompareToCurve(tc.curve, "p", tc.policy, tc.oracle);
    EXPECT_EQ(c.cost_side, tc.cost_side);
    EXPECT_NEAR(c.tt_target, tc.tt_target, 1e-3);
    EXPECT_NEAR(c.tt_tau_u, tc.tt_tau_u, 1e-9);
    EXPECT_NEAR(c.tt_theta_u, tc.tt_theta_u, 1e-9);
    ASSERT_EQ(c.tau_u_ratio.has_value(), tc.tau_ratio.has_value());
    if (tc.tau_ratio) {
      EXPECT_NEAR(*c.tau_u_ratio, *tc.tau_ratio, 1e-9);
    }
    EXPECT_EQ(c.shortfall_side, tc.shortfall_side);
    if (tc.shortfall_side == CurveSide::kInside) {
      EXPECT_NEAR(c.tt_instance_hours_at_tau_u, tc.tt_cost_at_tau, 1e-3);
      EXPECT_NEAR(c.cost_vs_tt_pct,
                  100 * (tc.policy.instance_hours / tc.tt_cost_at_tau - 1),
                  1e-6);
    }
    ASSERT_EQ(c.vs_oracle_pct.has_value(), tc.vs_oracle.has_value());
    if (tc.vs_oracle) {
      EXPECT_NEAR(*c.vs_oracle_pct, *tc.vs_oracle, 1e-3);
    }
    for (const std::string& words : tc.verdict_has) {
      EXPECT_NE(c.verdict.find(words), std::string::npos)
          << "verdict: " << c.verdict << "\nlacks: " << words;
    }
  }
}

TEST(FrontierTest, RunsAreTheCurveThePoliciesAndTheOracle) {
  BacktestOptions world;
  auto runs = FrontierRuns({70, 60, 50},
                           {"target-tracking", "seed", "predictive"}, world);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  std::vector<std::string> labels;
  for (const BacktestRun& r : *runs) {
    labels.push_back(r.label.empty() ? r.policy : r.label);
  }
  EXPECT_EQ(labels, (std::vector<std::string>{
                        "predictive", "seed", "target-tracking@70",
                        "target-tracking@60", "target-tracking@50", "oracle"}));
  // The curve's targets in the world's signal (CPU %); only the default
  // target's run keeps its minutes.
  ASSERT_TRUE((*runs)[2].config.has_value());
  EXPECT_DOUBLE_EQ((*runs)[2].config->target.value, 70);
  EXPECT_FALSE((*runs)[2].keep_minutes);
  EXPECT_TRUE((*runs)[3].keep_minutes);

  const std::pair<std::vector<double>, const char*> bad[] = {
      {{}, "none given"},
      {{60, 0}, "0 is not a target in (0, 100] %"},
      {{120}, "120 is not a target in (0, 100] %"},
      {{60, 50, 60}, "60 given twice"},
      // Said "60 given twice" of two targets that were not.
      {{60, 60.0000001}, "60 and 60.0000001 are one target once rounded (60)"},
  };
  for (const auto& [targets, says] : bad) {
    EXPECT_EQ(CheckFrontierTargets(targets).message(), says);
    auto r = FrontierRuns(targets, {}, world);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), std::string("frontier targets: ") + says);
  }
}

TEST(FrontierTest, AnalyzesRunsByTheirLabels) {
  BacktestResult r;
  r.trace = "t";
  auto run = [](const std::string& label, Scores s) {
    PolicyRun p;
    p.policy = label;
    p.scores = s;
    return p;
  };
  r.runs = {run("predictive", S(1100, 3.5)), run(CurveLabel(60), S(1000, 20)),
            run(CurveLabel(50), S(1200, 8)), run("oracle", S(1000, 0))};
  TraceFrontier f = AnalyzeFrontier(r, {60, 50});
  ASSERT_EQ(f.curve.size(), 2u);
  ASSERT_TRUE(f.oracle.has_value());
  ASSERT_EQ(f.policies.size(), 1u);
  EXPECT_EQ(f.policies[0].policy, "predictive");
  EXPECT_NEAR(f.policies[0].tt_target, 55, 1e-9);
  std::string table = FrontierTable(f);
  EXPECT_NE(table.find("verdict: at the cost of target tracking at 55 %"),
            std::string::npos)
      << table;
  nlohmann::json j = FrontierJson(f);
  EXPECT_EQ(j["curve"].size(), 2u);
  EXPECT_EQ(j["policies"][0]["equal_cost"]["side"], "inside");
  EXPECT_NEAR(j["policies"][0]["equal_cost"]["tau_u"].get<double>(), 14, 1e-9);
  EXPECT_EQ(j["policies"][0]["verdict"], f.policies[0].verdict);

  // Without a curve: target tracking at its default is the one point.
  r.runs[1].policy = "target-tracking";
  TraceFrontier d = DefaultComparison(r);
  ASSERT_EQ(d.curve.size(), 1u);
  EXPECT_EQ(d.curve[0].target, 60);
  ASSERT_EQ(d.policies.size(), 2u);  // predictive, and the label left over
  EXPECT_NE(d.policies[0].verdict.find(
                "predictive costs 10 % more than target tracking at 60 %"),
            std::string::npos)
      << d.policies[0].verdict;
}

}  // namespace
}  // namespace phas
