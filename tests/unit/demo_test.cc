// `phas demo` on a short window of the shipped trace: every policy ran,
// predictive forecast from the first minutes (its 14 days of history were
// preloaded: a cold start has no forecast for hours), the verdict printed,
// the report written.
#include "sim/demo.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace phas {
namespace {

std::string ReadAll(FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
  return s;
}

TEST(DemoTest, FlagshipWithHistoryAgainstTheCurveAndTheOriginal) {
  std::string out_dir = std::filesystem::temp_directory_path() /
                        ("phas_demo_" + std::to_string(::getpid()));
  struct Case {
    std::string name;
    double history_days;
    bool forecasts_at_once;
  } cases[] = {{"history preloaded", 14, true}, {"cold start", 0, false}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    DemoOptions o;
    o.history_days = tc.history_days;
    o.hours = 3;
    o.targets = {60, 50};
    o.output_dir = out_dir;
    o.out = std::tmpfile();
    auto r = RunDemo(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ran;
    for (const PolicyRun& p : r->backtest.runs) ran.push_back(p.policy);
    EXPECT_EQ(ran, (std::vector<std::string>{"predictive", "seed",
                                             "target-tracking@60",
                                             "target-tracking@50", "oracle"}));
    // The replayed window starts after the history.
    EXPECT_EQ(r->backtest.start - FloorMinute(r->backtest.start),
              Duration::zero());
    const PolicyRun& pred = r->backtest.runs[0];
    bool early = !pred.forecasts.empty() &&
                 pred.forecasts.front().made - r->backtest.start <
                     std::chrono::minutes(5);
    EXPECT_EQ(early, tc.forecasts_at_once);
    ASSERT_EQ(r->frontier.policies.size(), 2u);  // predictive, seed
    std::string printed = ReadAll(o.out);
    std::fclose(o.out);
    EXPECT_NE(printed.find("verdict:\n  " + r->frontier.policies[0].verdict),
              std::string::npos)
        << printed;
    EXPECT_NE(printed.find("report: " + r->report_path), std::string::npos);
    std::ifstream report(r->report_path);
    std::stringstream html;
    html << report.rdbuf();
    EXPECT_NE(html.str().find("<svg class='frontier'"), std::string::npos);
  }
  std::filesystem::remove_all(out_dir);
}

TEST(DemoTest, TraceShorterThanTheHistoryIsRefused) {
  // Two days of a trace: less than the 14 days of history asked.
  std::string path = std::filesystem::temp_directory_path() /
                     ("phas_demo_short_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream csv(path);
    csv << "timestamp,value\n";
    for (int h = 0; h <= 48; ++h) csv << h * 3600 << ",100\n";
  }
  DemoOptions o;
  o.trace_path = path;
  o.out = std::tmpfile();
  auto r = RunDemo(o);
  std::fclose(o.out);
  std::filesystem::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("48 hours of trace, the demo needs the "
                                      "14 days of history"),
            std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace phas
