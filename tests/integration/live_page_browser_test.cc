// The scaler's live page (GET / on the metrics listener) in headless
// Chromium, served by the real HttpServer with the real handler
// (scaler/status_http.h) from a StatusBoard fed three hours of outcomes:
// the script fetched /status and drew it (the DOM after the script holds
// the group's name, its conditions and a time chart with capacity, demand
// and forecast paths), and a screenshot is not blank and shows the
// capacity's, the demand's and the forecast's colours.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "common/clock.h"
#include "common/file_util.h"
#include "common/metrics.h"
#include "common/time_chart_script.h"
#include "http/http_server.h"
#include "process_util.h"
#include "scaler/status_board.h"
#include "scaler/status_http.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using phas::testing::RunProcess;
using std::chrono::minutes;

// Virtual time lets the page's fetch of /status finish before the DOM is
// dumped or the screenshot taken.
std::vector<std::string> ChromiumArgs(const std::string& chromium,
                                      const fs::path& dir) {
  auto args = phas::testing::HeadlessChromiumArgs(chromium, dir.string());
  args.push_back("--virtual-time-budget=5000");
  return args;
}

// Three hours of a group following a daily-ish wave: load, capacity that
// follows it, a forecast 10 minutes ahead, an action now and then.
void Feed(StatusBoard* board, TimePoint start, int mins) {
  int desired = 4;
  for (int i = 0; i < mins; ++i) {
    TimePoint now = start + minutes(i);
    double load = 3 + 2 * std::sin(i / 30.0);
    GroupOutcome o;
    o.group = "web-prod";
    o.policy = "predictive";
    o.found = true;
    o.forecast_model = "seasonal_naive";
    o.metrics = std::make_shared<GroupMetrics>(
        GroupMetrics{.load = {{FloorMinute(now), load, desired}}});
    o.observation.signal = {{now, 100 * load / desired, desired}};
    double ahead = 3 + 2 * std::sin((i + 10) / 30.0);
    o.observation.forecast = {{now + minutes(10), ahead, ahead * 1.2}};
    int want = static_cast<int>(std::ceil(ahead * 1.2 / 0.6));
    o.observation.group = {"web-prod", 2, 12, desired, desired, 0, 0};
    o.decision.current = desired;
    o.decision.proposed = o.decision.wanted = want;
    o.decision.target = desired;
    o.decision.reason = "forecast";
    o.decision.policy_code = {Reason::kPredHold, Via::kSelf};
    if (want != desired && i % 10 == 0) {
      o.decision.kind = want > desired ? Decision::Kind::kScaleUp
                                       : Decision::Kind::kScaleDown;
      o.decision.target = want;
      o.acted = true;
      desired = want;
    }
    board->CycleStarted(now);
    board->Report(now, o);
    board->EndCycle(now);
  }
}

TEST(LivePageBrowserTest, DrawsTheGroupFromStatusInChromium) {
  std::string chromium = phas::testing::FindExecutable("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (make test installs it)";
  fs::path dir =
      fs::temp_directory_path() / ("phas_live_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  const TimePoint start = FromUnixSeconds(1764306600);
  const int kMinutes = 180;
  ManualClock clock(start + minutes(kMinutes - 1));
  StatusBoardOptions bo;
  bo.interval = std::chrono::seconds(60);
  bo.started = start;
  StatusBoard board({{"web-prod", 0.6}}, bo);
  Feed(&board, start, kMinutes);
  MetricsRegistry registry;
  HttpServerOptions so;
  so.port = 0;
  so.threads = 1;
  HttpServer server(so, ScalerHttpHandler(&registry, &board, &clock));
  ASSERT_TRUE(server.Start().ok());
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";

  std::vector<std::string> args = ChromiumArgs(chromium, dir);
  args.push_back("--dump-dom");
  args.push_back(url);
  auto dom = RunProcess(args, {}, 120);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& d = dom.out;
  EXPECT_NE(d.find("<h2>web-prod"), std::string::npos) << d.substr(0, 3000);
  for (const char* want :
       {"AbleToScale", "ScalingActive", "ScalingLimited", "ReadyForNewScale",
        "scale_up", "scale_down", "status of 2025-11-28"}) {
    EXPECT_NE(d.find(want), std::string::npos) << want;
  }
  EXPECT_NE(d.find("class=\"tc-svg\""), std::string::npos) << d.substr(0, 3000);
  std::regex drawn(
      "d=\"M[0-9.]+,[0-9.]+[HL][^\"]*\" "
      "[^>]*class=\"tc-(cap|demand|forecast)\"");
  std::set<std::string> kinds;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), drawn);
       it != std::sregex_iterator(); ++it) {
    kinds.insert((*it)[1]);
  }
  EXPECT_EQ(kinds.size(), 3u) << "drawn: capacity, demand and forecast";

  auto stats = phas::testing::ScreenshotStats(
      ChromiumArgs(chromium, dir), url, (dir / "shot.png").string(),
      {"#1f6fb2", "#e4572e", "#2a9d3f"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["width"], 1100);
  EXPECT_GT(s["non_background"].get<double>(), 0.03) << stats.out;
  EXPECT_GT(s["near"]["#1f6fb2"].get<int>(), 200) << "capacity: " << stats.out;
  EXPECT_GT(s["near"]["#e4572e"].get<int>(), 200) << "demand: " << stats.out;
  EXPECT_GT(s["near"]["#2a9d3f"].get<int>(), 200) << "forecast: " << stats.out;
  server.Stop();
  fs::remove_all(dir);
}

// The live page draws its charts again every 15 s: the time range a reader
// zoomed to and the series hidden stay (they went back to the whole range
// and every series at each refresh). A page draws two charts from a
// board's data (its 6-hour window full), zooms into the first and hides
// its demand as clicks would, leaves the second at its whole range, then
// draws both again from the data of 30 minutes later (the window slid),
// as the live page's refresh does, and says what it sees.
TEST(LivePageBrowserTest, ARefreshKeepsTheZoomAndTheHiddenSeries) {
  std::string chromium = phas::testing::FindExecutable("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (make test installs it)";
  fs::path dir = fs::temp_directory_path() /
                 ("phas_live_zoom_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const TimePoint start = FromUnixSeconds(1764306600);
  StatusBoardOptions bo;
  bo.interval = std::chrono::seconds(60);
  bo.started = start;
  StatusBoard board({{"web-prod", 0.6}}, bo);
  Feed(&board, start, 400);
  const nlohmann::json before =
      board.Json(start + minutes(399), true)["groups"][0]["chart"];
  Feed(&board, start + minutes(400), 30);
  const nlohmann::json after =
      board.Json(start + minutes(429), true)["groups"][0]["chart"];
  ASSERT_GT(after["t0"].get<double>(), before["t0"].get<double>())
      << "the window slid";
  // Two boxes and their data.
  auto charts = [](const nlohmann::json& data) {
    std::string h;
    for (const char* id : {"chart-data-0", "chart-data-1"}) {
      h += std::string("<div class=\"timechart\" data-src=\"") + id +
           "\"></div><script type=\"application/json\" id=\"" + id + "\">" +
           data.dump() + "</script>";
    }
    return h;
  };
  // The second drawing's HTML as a JavaScript string, "</" kept from
  // ending the inline script.
  std::string second = nlohmann::json(charts(after)).dump();
  for (size_t k = 0; (k = second.find("</", k)) != std::string::npos; k += 3) {
    second.replace(k, 2, "<\\/");
  }
  const std::string page =
      "<!DOCTYPE html><html><body><div id=\"groups\">" + charts(before) +
      "</div><script type=\"text/plain\" id=\"chart-script\">" +
      TimeChartScript() +
      "</script><script>\n"
      "function drawCharts() {\n"
      "  var s = document.createElement('script');\n"
      "  s.textContent = document.getElementById('chart-script').textContent;\n"
      "  document.getElementById('groups').appendChild(s);\n"
      "}\n"
      "// The time axis's labels of chart k (the text at the bottom).\n"
      "function times(k) {\n"
      "  var svg = document.querySelectorAll('.timechart')[k]"
      ".querySelector('.tc-svg');\n"
      "  var bottom = svg.viewBox.baseVal.height - 6;\n"
      "  return Array.prototype.filter.call(svg.querySelectorAll('text'),\n"
      "      function (t) { return +t.getAttribute('y') === bottom; })\n"
      "      .map(function (t) { return t.textContent; }).join('|');\n"
      "}\n"
      "drawCharts();\n"
      "var box = document.querySelectorAll('.timechart')[0];\n"
      "var whole = times(0), other = times(1);\n"
      "box.querySelectorAll('.tc-bar button')[2].click();  // zoom in\n"
      "box.querySelector('.tc-legend span').click();  // hide the demand\n"
      "var zoomed = times(0);\n"
      "document.getElementById('groups').innerHTML = " +
      second +
      ";\n"
      "drawCharts();\n"
      "var again = document.querySelectorAll('.timechart');\n"
      "document.body.setAttribute('data-result', JSON.stringify({\n"
      "  labels: whole.length > 0,\n"
      "  zoomed_differs: zoomed !== whole,\n"
      "  same_range: times(0) === zoomed,\n"
      "  whole_follows: times(1) !== other,\n"
      "  demand_opacity: again[0].querySelector('.tc-legend span')"
      ".style.opacity,\n"
      "  demand_paths: again[0].querySelectorAll('.tc-demand').length,\n"
      "  other_demand_paths: again[1].querySelectorAll('.tc-demand').length,\n"
      "  cap_paths: again[0].querySelectorAll('.tc-cap').length}));\n"
      "</script></body></html>";
  const fs::path html = dir / "zoom.html";
  ASSERT_TRUE(WriteFileAtomic(html.string(), page).ok());
  std::vector<std::string> args = ChromiumArgs(chromium, dir);
  args.push_back("--dump-dom");
  args.push_back("file://" + html.string());
  auto dom = RunProcess(args, {}, 120);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(dom.out, m, std::regex("data-result=\"([^\"]*)\"")))
      << dom.out.substr(0, 2000);
  std::string result = m[1];
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t k; (k = result.find(from)) != std::string::npos;) {
      result.replace(k, from.size(), to);
    }
  }
  nlohmann::json r = nlohmann::json::parse(result);
  EXPECT_TRUE(r["labels"].get<bool>()) << result;
  EXPECT_TRUE(r["zoomed_differs"].get<bool>()) << result;
  EXPECT_TRUE(r["same_range"].get<bool>()) << "the same minutes: " << result;
  EXPECT_TRUE(r["whole_follows"].get<bool>()) << result;
  EXPECT_EQ(r["demand_opacity"], "0.35") << result;
  EXPECT_EQ(r["demand_paths"], 0) << result;
  EXPECT_GT(r["other_demand_paths"].get<int>(), 0) << result;
  EXPECT_GT(r["cap_paths"].get<int>(), 0) << result;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
