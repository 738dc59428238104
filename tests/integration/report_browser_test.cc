// The backtest's HTML report opens in headless Chromium with its charts
// drawn: a screenshot is taken and its pixels checked (not blank; the
// capacity and demand lines' colours present).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "process_util.h"
#include "sim/backtest.h"
#include "sim/report.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using phas::testing::RunProcess;

TEST(ReportBrowserTest, ChartsAreDrawnInHeadlessChromium) {
  std::string chromium = phas::testing::FindExecutable("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (make test installs it)";
  fs::path dir =
      fs::temp_directory_path() / ("phas_report_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  auto trace = LoadTrace(std::string(PHAS_SOURCE_DIR) +
                         "/data/traces/nasa_http_1995_1min.csv");
  ASSERT_TRUE(trace.ok());
  BacktestOptions o;
  o.hours = 36;
  auto r = RunBacktest(*trace, {"target-tracking", "oracle"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string html = (dir / "report.html").string();
  ASSERT_TRUE(WriteFileAtomic(html, BacktestHtml({*r})).ok());

  std::string png = (dir / "shot.png").string();
  auto shot = RunProcess(
      {chromium, "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-quic", "--no-first-run", "--disable-background-networking",
       "--disable-component-update", "--disable-sync", "--hide-scrollbars",
       "--user-data-dir=" + (dir / "profile").string(),
       "--window-size=1100,900", "--screenshot=" + png, "file://" + html},
      {}, 120);
  ASSERT_TRUE(fs::exists(png)) << shot.out << shot.err;
  auto stats = RunProcess(
      {"python3",
       std::string(PHAS_SOURCE_DIR) + "/tests/integration/png_stats.py", png,
       "#1f6fb2", "#e4572e"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["width"], 1100);
  EXPECT_GT(s["non_background"].get<double>(), 0.03) << stats.out;
  EXPECT_GT(s["near"]["#1f6fb2"].get<int>(), 500)
      << "capacity lines drawn: " << stats.out;
  EXPECT_GT(s["near"]["#e4572e"].get<int>(), 500)
      << "demand lines drawn: " << stats.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
