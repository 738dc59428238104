// The backtest's HTML report opens in headless Chromium with its script
// run: the DOM after the script (--dump-dom) holds the verdict, the
// frontier chart with target tracking's points, and the time charts drawn
// (capacity and demand paths); a screenshot is not blank and shows the
// predictive policy's and the demand's colours.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/file_util.h"
#include "process_util.h"
#include "sim/backtest.h"
#include "sim/frontier.h"
#include "sim/report.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using phas::testing::RunProcess;

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + 1))
    ++n;
  return n;
}

std::vector<std::string> ChromiumArgs(const std::string& chromium,
                                      const fs::path& dir) {
  return phas::testing::HeadlessChromiumArgs(chromium, dir.string());
}

TEST(ReportBrowserTest, VerdictFrontierAndTimeChartsRenderInChromium) {
  std::string chromium = phas::testing::FindExecutable("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (make test installs it)";
  fs::path dir =
      fs::temp_directory_path() / ("phas_report_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  auto trace = LoadTrace(std::string(PHAS_SOURCE_DIR) +
                         "/data/traces/nasa_http_1995_1min.csv");
  ASSERT_TRUE(trace.ok());
  // Six hours after 14 days of history, preloaded: predictive forecasts
  // from the first minute.
  BacktestOptions o;
  o.skip_hours = 14 * 24;
  o.history_hours = 14 * 24;
  o.hours = 6;
  const std::vector<double> targets = {70, 60, 50};
  auto runs = FrontierRuns(targets, {"predictive"}, o);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  auto r = RunBacktestRuns(*trace, *runs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  TraceFrontier f = AnalyzeFrontier(*r, targets);
  ASSERT_EQ(f.policies.size(), 1u);
  std::string html = (dir / "report.html").string();
  ASSERT_TRUE(WriteFileAtomic(html, BacktestHtml({*r}, {f})).ok());

  std::vector<std::string> args = ChromiumArgs(chromium, dir);
  args.push_back("--dump-dom");
  args.push_back("file://" + html);
  auto dom = RunProcess(args, {}, 120);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& d = dom.out;
  // The verdict, as the frontier wrote it (HTML-escaped, capitalised).
  std::string verdict = f.policies[0].verdict.substr(1);
  EXPECT_NE(d.find(verdict.substr(0, verdict.find(" ("))), std::string::npos)
      << "verdict in the DOM: " << f.policies[0].verdict;
  EXPECT_EQ(Count(d, "class=\"tt-point\""), targets.size());
  EXPECT_EQ(Count(d, "class=\"tt-curve\""), 1u);
  EXPECT_EQ(Count(d, "class=\"oracle-point\""), 1u);
  // The script ran: two time charts (the range, the worst day), each with
  // its paths drawn.
  EXPECT_EQ(Count(d, "class=\"tc-svg\""), 2u) << d.substr(0, 4000);
  std::smatch m;
  std::regex drawn(
      "d=\"M[0-9.]+,[0-9.]+[HL][^\"]*\" "
      "[^>]*class=\"tc-(cap|demand|forecast)\"");
  size_t paths = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), drawn);
       it != std::sregex_iterator(); ++it)
    ++paths;
  // Per chart: capacity of target tracking at 60 %, predictive and the
  // oracle, the demand, predictive's forecast.
  EXPECT_GE(paths, 2u * 5) << "paths drawn: " << paths;

  auto stats = phas::testing::ScreenshotStats(
      ChromiumArgs(chromium, dir), "file://" + html,
      (dir / "shot.png").string(), {"#1f6fb2", "#e4572e", "#2a9d3f"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["width"], 1100);
  EXPECT_GT(s["non_background"].get<double>(), 0.03) << stats.out;
  EXPECT_GT(s["near"]["#1f6fb2"].get<int>(), 200)
      << "predictive drawn: " << stats.out;
  EXPECT_GT(s["near"]["#e4572e"].get<int>(), 200)
      << "demand drawn: " << stats.out;
  EXPECT_GT(s["near"]["#2a9d3f"].get<int>(), 200)
      << "target tracking drawn: " << stats.out;
  fs::remove_all(dir);
}

// A run's name is text wherever the report shows it: the time chart's
// tooltip put it into innerHTML as it was, so an AWS scaling policy named
// with markup (`backtest --asg` labels its row "aws:<its name>") ran its
// script in the report, and a name holding "<!--<script>" turned the rest
// of the report into script data (no chart drawn). The tooltip is shown by
// a mousemove over the chart.
TEST(ReportBrowserTest, NamesInTheTimeChartTooltipAreText) {
  std::string chromium = phas::testing::FindExecutable("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (make test installs it)";
  fs::path dir = fs::temp_directory_path() /
                 ("phas_report_names_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto trace = LoadTrace(std::string(PHAS_SOURCE_DIR) +
                         "/data/traces/nasa_http_1995_1min.csv");
  ASSERT_TRUE(trace.ok());
  BacktestOptions o;
  o.skip_hours = 14 * 24;
  o.history_hours = 14 * 24;
  o.hours = 2;
  const std::string tracking =
      "aws:<img src=x onerror=\"document.title='tracking'\">";
  const std::string forecast = "aws:<!--<script><img src=x onerror=a>'";
  auto r = RunBacktestRuns(*trace,
                           {{"target-tracking", std::nullopt, tracking},
                            {"predictive", std::nullopt, forecast}},
                           o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string html = BacktestHtml({*r});
  const std::string hover =
      "<script>var s = document.querySelector('.tc-svg');"
      "var b = s.getBoundingClientRect();"
      "s.dispatchEvent(new MouseEvent('mousemove', {clientX: b.left + "
      "b.width / 2, clientY: b.top + 40}));</script></body>";
  html.replace(html.rfind("</body>"), 7, hover);
  std::string path = (dir / "report.html").string();
  ASSERT_TRUE(WriteFileAtomic(path, html).ok());

  std::vector<std::string> args = ChromiumArgs(chromium, dir);
  args.push_back("--dump-dom");
  args.push_back("file://" + path);
  auto dom = RunProcess(args, {}, 120);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& d = dom.out;
  size_t tip = d.find("class=\"tc-tip\"");
  ASSERT_NE(tip, std::string::npos);
  std::string shown = d.substr(tip, d.find("</div>", tip) - tip);
  EXPECT_NE(shown.find("aws:&lt;img src=x onerror=\"document.title="),
            std::string::npos)
      << shown;
  EXPECT_NE(shown.find("forecast (aws:&lt;!--&lt;script&gt;&lt;img"),
            std::string::npos)
      << shown;
  // No element made of a name: not in the tooltip, nor in the chart's data
  // (the script drew the chart; its onerror did not run).
  EXPECT_EQ(Count(d, "<img"), 0u) << shown;
  EXPECT_EQ(Count(d, "<title>tracking"), 0u);
  EXPECT_GE(Count(d, "class=\"tc-svg\""), 1u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
