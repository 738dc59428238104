// The HTML report's parts on synthetic runs: the time chart's downsampling
// (the highest value per bucket, forecasts in instances needed), the worst
// day, the frontier chart, the document's order (verdict, frontier, time
// chart, worst day, scores) and that it fetches nothing.
#include "sim/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/report_charts.h"

namespace phas {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kStart{hours(24 * 9000)};

// `days` of minutes, demand 1.2 instance-units (2 instances needed at
// 60 %), 2 in service, except where `shape` changes a minute.
PolicyRun Run(const std::string& policy, int days, Scores s,
              const std::function<void(int, SimMinute*)>& shape = {}) {
  PolicyRun p;
  p.policy = policy;
  p.scores = s;
  for (int i = 0; i < days * 1440; ++i) {
    SimMinute m;
    m.start = kStart + minutes(i);
    m.demand = 1.2;
    m.in_service = 2;
    if (shape) shape(i, &m);
    p.result.minutes.push_back(m);
  }
  return p;
}

Scores S(double instance_hours, double tau_u) {
  Scores s;
  s.instance_hours = instance_hours;
  s.tau_u = tau_u;
  return s;
}

BacktestResult Synthetic(int days) {
  BacktestResult r;
  r.trace = "syn<1>";
  r.start = r.scored_from = kStart;
  r.end = kStart + hours(24 * days);
  // Target tracking short (1 in service) for 100 minutes of day 2.
  r.runs.push_back(Run("target-tracking", days, S(100, 5), [](int i, auto* m) {
    if (i >= 1440 + 600 && i < 1440 + 700) m->in_service = 1;
  }));
  PolicyRun pred = Run("predictive", days, S(110, 1), [](int i, auto* m) {
    if (i == 7) m->in_service = 9;
    if (i == 8) m->demand = std::nan("");
  });
  pred.forecasts.push_back({kStart, {kStart + minutes(5), 1.2, 1.8}});
  r.runs.push_back(pred);
  r.runs.push_back(Run("oracle", days, S(95, 0)));
  return r;
}

TEST(ReportTest, TimeChartKeepsTheHighestValuePerBucket) {
  struct Case {
    std::string name;
    int days;
    int step;  // expected minutes per bucket
  } cases[] = {{"3 days: every minute", 3, 1},
               {"20 days: 5 minutes", 20, 5},
               {"60 days: 15 minutes", 60, 15}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    BacktestResult r = Synthetic(tc.days);
    nlohmann::json d = TimeChartData(r, r.start, r.end);
    EXPECT_EQ(d["step"], tc.step);
    size_t n = d["n"];
    EXPECT_LE(n, static_cast<size_t>(kMaxChartPoints));
    EXPECT_EQ(n, static_cast<size_t>((tc.days * 1440 + tc.step - 1) / tc.step));
    ASSERT_EQ(d["runs"].size(), 3u);
    const auto& pred = d["runs"][1];
    EXPECT_EQ(pred["name"], "predictive");
    EXPECT_EQ(pred["cap"].size(), n);
    // Minute 7's 9 instances are its bucket's highest.
    EXPECT_EQ(pred["cap"][7 / tc.step], 9);
    EXPECT_EQ(d["demand"][0], 2);
    // Utilisation: 1.2 over 2 in service, 60 %.
    EXPECT_DOUBLE_EQ(pred["util"][n - 1].get<double>(), 60);
    // The forecast, in instances needed at 60 %, at the minute it is for.
    ASSERT_EQ(d["forecasts"].size(), 1u);
    EXPECT_DOUBLE_EQ(d["forecasts"][0]["mean"][5 / tc.step].get<double>(), 2);
    EXPECT_DOUBLE_EQ(d["forecasts"][0]["upper"][5 / tc.step].get<double>(), 3);
  }
  // At one minute a bucket, a minute without data is null.
  BacktestResult r = Synthetic(1);
  nlohmann::json d = TimeChartData(r, r.start, r.end);
  EXPECT_TRUE(d["runs"][1]["util"][8].is_null());
  EXPECT_TRUE(d["forecasts"][0]["mean"][6].is_null());
}

TEST(ReportTest, WorstDayHoldsTheMostShortMinutes) {
  BacktestResult r = Synthetic(4);
  WorstDay w = FindWorstDay(r, r.runs[0]);
  EXPECT_EQ(w.short_minutes, 100);
  EXPECT_LE(w.from, kStart + minutes(1440 + 600));
  EXPECT_GE(w.to, kStart + minutes(1440 + 700));
  EXPECT_EQ(w.to - w.from, hours(24));
  // Shorter than a day: the whole range.
  BacktestResult short_range = Synthetic(4);
  short_range.end = kStart + hours(6);
  for (auto& p : short_range.runs) p.result.minutes.resize(360);
  WorstDay all = FindWorstDay(short_range, short_range.runs[0]);
  EXPECT_EQ(all.from, kStart);
  EXPECT_EQ(all.to, kStart + hours(6));
  EXPECT_EQ(all.short_minutes, 0);
}

TEST(ReportTest, FrontierChartDrawsTheCurveThePointsAndTheOracle) {
  TraceFrontier f;
  f.trace = "t";
  f.curve = {{70, S(900, 30)}, {60, S(1000, 20)}, {50, S(1200, 8)}};
  f.oracle = S(950, 0);
  f.policies.push_back(
      CompareToCurve(f.curve, "predictive", S(1100, 3), f.oracle));
  std::string svg = FrontierSvg(f);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = svg.find(what); at != std::string::npos;
         at = svg.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("class='tt-point'"), 3u);
  EXPECT_EQ(count("class='tt-curve'"), 1u);
  EXPECT_EQ(count("class='oracle-point'"), 1u);
  EXPECT_EQ(count("data-policy='predictive'"), 1u);
  EXPECT_NE(svg.find("data-target='70'"), std::string::npos);
  EXPECT_EQ(FrontierSvg(TraceFrontier{}), "");
  EXPECT_EQ(PolicyTitle("target-tracking@57.5"), "target tracking at 57.5 %");
  EXPECT_EQ(PolicyColor("target-tracking@40"), PolicyColor("target-tracking"));
}

TEST(ReportTest, DocumentAnswersWhichPolicyInOrderAndFetchesNothing) {
  BacktestResult r = Synthetic(3);
  std::string html = BacktestHtml({r});
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  // Without a frontier: predictive against target tracking at its default.
  size_t verdict = html.find(
      "Predictive costs 10 % more than target tracking at 60 % and is short "
      "of capacity 5.0x less often");
  size_t frontier = html.find("<svg class='frontier'");
  size_t time = html.find("data-src='tc-0-all'");
  size_t worst = html.find("data-src='tc-0-worst'");
  size_t scores = html.find("<table class='scores'>");
  ASSERT_NE(verdict, std::string::npos) << html.substr(0, 3000);
  ASSERT_NE(frontier, std::string::npos);
  ASSERT_NE(time, std::string::npos);
  ASSERT_NE(worst, std::string::npos);
  ASSERT_NE(scores, std::string::npos);
  EXPECT_LT(verdict, frontier);
  EXPECT_LT(frontier, time);
  EXPECT_LT(time, worst);
  EXPECT_LT(worst, scores);
  // Worst day of predictive (the flagship): none short, whole first day.
  EXPECT_NE(html.find("most minutes predictive was short of capacity (0 "
                      "minutes)"),
            std::string::npos);
  EXPECT_NE(html.find("short of capacity, % of time (&tau;<sub>U</sub>)"),
            std::string::npos);
  EXPECT_NE(html.find("syn&lt;1&gt;"), std::string::npos) << "escaped";
  EXPECT_EQ(html.find("syn<1>"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos) << "nothing fetched";
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_LT(html.size(), 2u << 20);
}

// A run's name reaches the time chart's JSON (an AWS scaling policy's,
// "aws:<its name>", in `backtest --asg`): "<!--<script>" there made the
// parser take the element's end for script text, and the rest of the
// report, its script included, was swallowed. No '<' of a name is left in
// the document (the tooltip's escaping: ReportBrowserTest).
TEST(ReportTest, NamesInTheChartsDataAreNotMarkup) {
  BacktestResult r = Synthetic(1);
  r.runs[1].policy = "aws:</script><!--<script><img src=x onerror=a>";
  std::string html = BacktestHtml({r});
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_EQ(html.find("aws:<"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  size_t opened = 0, closed = 0;
  for (size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1))
    ++opened;
  for (size_t at = html.find("</script>"); at != std::string::npos;
       at = html.find("</script>", at + 1))
    ++closed;
  EXPECT_EQ(opened, closed);
  EXPECT_NE(html.find("aws:\\u003c/script>\\u003c!--"), std::string::npos);
}

}  // namespace
}  // namespace phas
