// The status board behind /healthz, /readyz, /status and `phas status`
// (scaler/status_board.h), and the listener's routes
// (scaler/status_http.h).
#include "scaler/status_board.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "health_test_util.h"
#include "scaler/scaler_metrics.h"
#include "scaler/status_http.h"
#include "test_util.h"

namespace phas {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Find;
using testing::Healthy;
using testing::kT0;
using testing::NotFound;

StatusBoardOptions BoardOptions(const std::string& file = "") {
  StatusBoardOptions o;
  o.interval = seconds(10);
  o.started = kT0;
  o.status_file = file;
  return o;
}

TEST(StatusBoardTest, ReadinessAndLiveness) {
  StatusBoard b({{"web", 0.6}, {"ghost", 0.6}}, BoardOptions());
  // Restoring the history before the first cycle may take minutes: alive
  // for 10 of them.
  StatusBoard fresh({{"web", 0.6}}, BoardOptions());
  EXPECT_EQ(fresh.NotAlive(kT0 + minutes(10)), "");
  EXPECT_NE(fresh.NotAlive(kT0 + minutes(11)).find("started without a cycle"),
            std::string::npos);
  // Before the first cycle: alive (just started), nothing ready.
  EXPECT_EQ(b.NotAlive(kT0 + seconds(5)), "");
  EXPECT_EQ(b.NotReady(kT0 + seconds(5)).size(), 2u);
  b.CycleStarted(kT0 + seconds(10));
  b.Report(kT0 + seconds(10), Healthy());
  b.Report(kT0 + seconds(10), NotFound());
  b.EndCycle(kT0 + seconds(10));
  auto not_ready = b.NotReady(kT0 + seconds(15));
  ASSERT_EQ(not_ready.size(), 1u);
  EXPECT_EQ(not_ready[0].first, "ghost");
  EXPECT_EQ(not_ready[0].second, "never read: group ghost not found");
  // web read at +10 s: ready until 3 intervals have passed.
  EXPECT_EQ(b.NotReady(kT0 + seconds(40)).size(), 1u);
  EXPECT_EQ(b.NotReady(kT0 + seconds(41)).size(), 2u);
  // Alive while a cycle started within 3 intervals + 60 s.
  EXPECT_EQ(b.NotAlive(kT0 + seconds(100)), "");
  std::string stuck = b.NotAlive(kT0 + seconds(101));
  EXPECT_NE(stuck.find("the last cycle started 1m31s ago"), std::string::npos)
      << stuck;
}

TEST(StatusBoardTest, ConditionsKeepTheirSinceAndActionsAreListed) {
  std::string file = ::testing::TempDir() + "/phas_status_board_" +
                     std::to_string(::getpid()) + ".json";
  StatusBoard b({{"web", 0.6}}, BoardOptions(file));
  b.Report(kT0, Healthy());
  b.EndCycle(kT0);
  GroupOutcome up = Healthy();
  up.decision.kind = Decision::Kind::kScaleUp;
  up.decision.target = up.decision.proposed = 4;
  up.decision.reason = "cpu 80% above target 60%";
  up.acted = true;
  b.Report(kT0 + seconds(10), up);
  // A standby replica decides the same and never acts; a dry run neither:
  // no action of theirs is listed (nor as a failure).
  GroupOutcome standby = up;
  standby.acted = false;
  standby.standby = "standby: the group's lease is held by replica-b";
  b.Report(kT0 + seconds(15), standby);
  GroupOutcome dry = standby;
  dry.standby.clear();
  dry.dry_run = true;
  b.Report(kT0 + seconds(15), dry);
  GroupOutcome last = Healthy();
  last.decision.slo = SloStatus{0.03, 8000, 168, 1.2};  // a policy's SLO
  b.Report(kT0 + seconds(20), last);
  b.EndCycle(kT0 + seconds(20));
  json j = b.Json(kT0 + seconds(20), true);
  const json& g = j["groups"][0];
  EXPECT_EQ(g["name"], "web");
  EXPECT_EQ(g["slo"]["underprovisioned_pct"], 2.1);
  EXPECT_TRUE(g["ready"].get<bool>());
  // ScalingActive never changed: since the first cycle; AbleToScale went
  // SucceededRescale -> ReadyForNewScale: since the last.
  for (const json& c : g["conditions"]) {
    if (c["type"] == "ScalingActive") {
      EXPECT_EQ(c["since"], FormatIso8601(kT0));
    }
    if (c["type"] == "AbleToScale") {
      EXPECT_EQ(c["reason"], "ReadyForNewScale");
      EXPECT_EQ(c["since"], FormatIso8601(kT0 + seconds(20)));
    }
  }
  ASSERT_EQ(g["actions"].size(), 1u);
  EXPECT_EQ(g["actions"][0]["to"], 4);
  EXPECT_EQ(g["actions"][0]["result"], "ok");
  // The chart: one bucket per minute, the load at the target (1.65 / 0.6).
  const json& chart = g["chart"];
  EXPECT_EQ(chart["n"], 2);
  EXPECT_DOUBLE_EQ(chart["demand"][1].get<double>(), 2.75);
  EXPECT_EQ(chart["runs"][0]["cap"][1], 3);

  // The status file: the same, without the chart; phas status's text.
  auto text = ReadFile(file);
  ASSERT_TRUE(text.ok());
  json written = json::parse(*text);
  EXPECT_FALSE(written["groups"][0].contains("chart"));
  std::string described = DescribeStatus(written, kT0 + minutes(5));
  for (const char* want :
       {"Name:           web", "AbleToScale     True    ReadyForNewScale",
        "ScalingActive   True    ValidMetricFound",
        "ScalingLimited  False   DesiredWithinRange", "(5m0s ago)",
        "scale_up   3 -> 4  ok: cpu 80% above target 60%",
        "SLO:            short of capacity 2.1 % of 8000 min counted (at most "
        "3 % asked), margin 1.2 spreads",
        // Each figure in its unit, the load also as instances at target.
        "Signal:         cpu 55.0 % per instance; load 1.65 instance-units (3 "
        "instance(s) at target 60 %)"}) {
    EXPECT_NE(described.find(want), std::string::npos) << want << "\n"
                                                       << described;
  }
  // A signal in its own unit (its space kept for reasons: " B/min"), full
  // at its target when not configured.
  StatusBoard net({{"web", 1.0, "network_in", " B/min", 5e7}},
                  BoardOptions(file + ".net"));
  net.Report(kT0, Healthy());
  net.EndCycle(kT0);
  const std::string net_text = DescribeStatus(net.Json(kT0, false), kT0);
  EXPECT_NE(net_text.find("Signal:         network_in 55.0 B/min per "
                          "instance; load 1.65 instance-units (2 instance(s) "
                          "at target 50000000 B/min)"),
            std::string::npos)
      << net_text;
  std::remove((file + ".net").c_str());
  // A standby's counts stand still at what it last read: not shown.
  GroupOutcome standby_slo = standby;
  standby_slo.decision.slo = SloStatus{0.03, 8000, 168, 1.2};
  b.Report(kT0 + seconds(30), standby_slo);
  EXPECT_TRUE(b.Json(kT0 + seconds(30), false)["groups"][0]["slo"].is_null());
  std::remove(file.c_str());
}

// The chart draws every minute the load history keeps, once: at the first
// cycle the restored history's last chart span (not the 14 days), and after
// an outage the minutes fetched to fill it, which come before the read's few
// (the minutes the exported load shows).
TEST(StatusBoardTest, TheChartHasEveryMinuteTheLoadHistoryKeeps) {
  StatusBoardOptions opt = BoardOptions();
  opt.chart_span = std::chrono::hours(1);
  StatusBoard b({{"web", 0.5}}, opt);
  auto history = std::make_shared<std::vector<MetricSample>>();
  // Two hours restored, one per minute, load = the minute's index.
  TimePoint start = kT0 - std::chrono::hours(2);
  for (int i = 0; i <= 120; ++i) {
    history->push_back({start + minutes(i), 1.0 * i, 3});
  }
  auto report = [&](TimePoint now) {
    GroupOutcome o = Healthy();
    o.observation.load_history = history;
    b.Report(now, o);
    return b.Json(now, true)["groups"][0]["chart"];
  };
  json chart = report(kT0);
  // Minutes kT0 - 60 .. kT0: 61 buckets, the first at load 60.
  ASSERT_EQ(chart["n"], 61);
  EXPECT_DOUBLE_EQ(chart["demand"][0].get<double>(), 120);  // 60 / 0.5
  // Reads fail for 20 minutes; then the hole is fetched and the read's two
  // minutes kept after it (the read's size: Healthy()'s two minutes).
  for (int i = 121; i <= 140; ++i) {
    history->push_back({start + minutes(i), 1.0 * i, 3});
  }
  chart = report(kT0 + minutes(20));
  ASSERT_EQ(chart["n"], 61);
  for (int k = 0; k < 61; ++k) {
    SCOPED_TRACE(k);
    ASSERT_FALSE(chart["demand"][k].is_null());
    EXPECT_DOUBLE_EQ(chart["demand"][k].get<double>(), 2.0 * (80 + k));
  }
}

HttpResponse Get(const HttpHandler& h, const std::string& path,
                 const std::string& method = "GET") {
  HttpRequest q;
  q.method = method;
  q.path = path;
  q.target = path;
  HttpResponse r;
  h(q, r);
  return r;
}

// The rules that keep phas off a group beside AWS's own scaling
// (decision/coexist.h) reach the on-call engineer three ways: the group's
// conditions (phas status, /status), scaling_limited{reason} in /metrics,
// and the status file.
TEST(StatusBoardTest, CoexistenceHoldsShowInConditionsMetricsAndStatus) {
  const GuardRule rules[] = {
      GuardRule::kPausedByTag,       GuardRule::kSuspended,
      GuardRule::kControlsUnknown,   GuardRule::kInstanceRefresh,
      GuardRule::kAwsPolicyConflict, GuardRule::kAwsScaleIn,
      GuardRule::kForecastOnly};
  for (GuardRule rule : rules) {
    const std::string code = GuardRuleName(rule);
    SCOPED_TRACE(code);
    GroupOutcome o = Healthy();
    o.decision.proposed = 4;
    o.decision.held_by = rule;
    o.decision.reason =
        "cpu 80% above target 60%; wanted 3 -> 4, held: " + code;
    ASSERT_EQ(o.decision.code(), code);
    auto cs = GroupConditions(o);
    EXPECT_EQ(Find(cs, "AbleToScale"), "False " + code);
    EXPECT_EQ(Find(cs, "ScalingLimited"), "True " + code);

    MetricsRegistry m;
    MetricsReporter r(&m);
    r.Report(kT0, o);
    r.EndCycle(kT0);
    std::string text = m.Render();
    EXPECT_NE(text.find("phas_scaler_scaling_limited{group=\"web\",reason=\"" +
                        code + "\"} 1"),
              std::string::npos)
        << text;

    std::string file = ::testing::TempDir() + "/phas_status_coexist_" +
                       std::to_string(::getpid()) + ".json";
    StatusBoard b({{"web", 0.6}}, BoardOptions(file));
    b.Report(kT0, o);
    b.EndCycle(kT0);
    auto saved = ReadFile(file);
    ASSERT_TRUE(saved.ok());
    json j = json::parse(*saved);
    bool seen = false;
    for (const json& c : j["groups"][0]["conditions"]) {
      if (c["type"] == "AbleToScale") {
        EXPECT_EQ(c["reason"], code);
        EXPECT_EQ(c["status"], "False");
        seen = true;
      }
    }
    EXPECT_TRUE(seen) << j.dump();
    std::remove(file.c_str());
  }
}

// `phas status` shows text from outside phas (a predictor's or AWS's error
// body, a group's name): an escape sequence in it retitled the terminal,
// cleared it and printed lines of its own, and a NUL ended the output
// (printf), the rest of the groups unsaid, exit 0. Control characters are
// now shown as \xNN (C1 as \u00NN), and the output goes out whole.
TEST(StatusBoardTest, StatusTextShowsNoTerminalEscapes) {
  const std::string body =
      "oops \x1b]0;HACKED\x07\x1b[2J\r\nFAKE: healthy\xc2\x9b" +
      std::string(1, '\0') + "after";
  json status = {
      {"time", FormatIso8601(kT0)},
      {"groups",
       {{{"name", "web"}, {"decision", {{"kind", "hold"}, {"reason", body}}}},
        {{"name", "api"}}}}};
  ASSERT_TRUE(CheckStatusDocument(status).ok());
  std::string described = DescribeStatus(status, kT0);
  EXPECT_NE(described.find("oops \\x1b]0;HACKED\\x07\\x1b[2J\\x0d\\x0aFAKE: "
                           "healthy\\u009b\\x00after"),
            std::string::npos)
      << described;
  EXPECT_NE(described.find("Name:           api"), std::string::npos);
  for (char c : described) {
    EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20)
        << "control character " << static_cast<int>(c);
  }
}

// A status file phas did not write (or an edited one) is refused naming
// the field; it ended `phas status` in "internal error" (a JSON type
// error), some of them after part of the text was printed.
TEST(StatusBoardTest, AStatusDocumentOfOtherTypesIsRefusedNamingTheField) {
  struct Case {
    const char* json;
    const char* error;  // "" accepted
  };
  const Case cases[] = {
      {R"({"time": "2026-01-01T00:00:00Z", "alive": true, "groups": []})", ""},
      {R"({})", ""},
      {R"([1, 2])", "not a JSON object"},
      {R"({"time": 5})", "time: number where text was expected"},
      {R"({"alive": "no"})", "alive: string where true or false was expected"},
      {R"({"interval_seconds": "10"})",
       "interval_seconds: string where a number was expected"},
      {R"({"groups": {}})", "groups: object where a list was expected"},
      {R"({"interval_seconds": 1e300})",
       "interval_seconds: 1e+300 is not in (0, 86400]"},
      {R"({"interval_seconds": -5})",
       "interval_seconds: -5 is not in (0, 86400]"},
      {R"({"groups": [7]})", "groups[0]: number where an object was expected"},
      {R"({"groups": [{"name": "a"}, {"ready": 1}]})",
       "groups[1].ready: number where true or false was expected"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.json);
    Status st = CheckStatusDocument(json::parse(tc.json));
    if (*tc.error == '\0') {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      EXPECT_EQ(st.message(), tc.error);
    }
  }
}

TEST(StatusHttpTest, Routes) {
  ManualClock clock(kT0 + seconds(15));
  MetricsRegistry m;
  StatusBoard b({{"web", 0.6}, {"ghost", 0.6}}, BoardOptions());
  b.CycleStarted(kT0 + seconds(10));
  b.Report(kT0 + seconds(10), Healthy());
  b.Report(kT0 + seconds(10), NotFound());
  HttpHandler h = ScalerHttpHandler(&m, &b, &clock);

  HttpResponse r = Get(h, "/healthz");
  EXPECT_EQ(r.status, 200);
  r = Get(h, "/readyz");
  EXPECT_EQ(r.status, 503);
  json ready = json::parse(r.body);
  EXPECT_FALSE(ready["ready"].get<bool>());
  ASSERT_EQ(ready["not_ready"].size(), 1u);
  EXPECT_EQ(ready["not_ready"][0]["group"], "ghost");
  r = Get(h, "/status");
  EXPECT_EQ(r.status, 200);
  json status = json::parse(r.body);
  ASSERT_EQ(status["groups"].size(), 2u);
  EXPECT_TRUE(status["groups"][0]["ready"].get<bool>());
  EXPECT_FALSE(status["groups"][0].contains("not_ready"));
  EXPECT_FALSE(status["groups"][1]["ready"].get<bool>());
  EXPECT_EQ(status["groups"][1]["not_ready"], ready["not_ready"][0]["reason"]);
  r = Get(h, "/metrics");
  EXPECT_NE(r.body.find("process_open_fds"), std::string::npos);
  r = Get(h, "/");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("id=\"chart-script\""), std::string::npos);
  EXPECT_NE(r.body.find("fetch('status'"), std::string::npos);
  EXPECT_EQ(Get(h, "/nope").status, 404);
  EXPECT_EQ(Get(h, "/metrics", "POST").status, 405);

  // Nothing for 3 intervals + 60 s: not alive; and then nothing is ready.
  clock.Set(kT0 + seconds(10) + seconds(91));
  r = Get(h, "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["status"], "stuck");
  // Every group read: ready.
  b.Report(kT0 + seconds(100), Healthy("ghost"));
  b.Report(kT0 + seconds(100), Healthy());
  clock.Set(kT0 + seconds(101));
  r = Get(h, "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            json({{"ready", true}, {"groups", {"web", "ghost"}}}));
}

// A group name from a config file in Latin-1, or an error message with
// bytes that are not UTF-8: /status, /readyz and the status file replace
// them with U+FFFD. json::dump threw on them: /status and /readyz answered
// 500, and the status file's write threw out of the loop's cycle.
TEST(StatusHttpTest, BytesThatAreNotUtf8AreReplaced) {
  struct Case {
    const char* name;
    std::string group;
    std::string reason;  // the decision's; "" for a group not found
    // expected
    int readyz;
    std::string seen;  // in /status, the bytes as replaced
  };
  const Case cases[] = {
      {"a group name", "caf\xe9", "", 503, "caf\xef\xbf\xbd"},
      {"a reason", "web", "cpu high; AWS said: \xff\xfe", 200,
       "AWS said: \xef\xbf\xbd\xef\xbf\xbd"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string file = ::testing::TempDir() + "/phas_status_utf8_" +
                       std::to_string(::getpid()) + ".json";
    ManualClock clock(kT0 + seconds(15));
    MetricsRegistry m;
    StatusBoard b({{tc.group, 0.6}}, BoardOptions(file));
    b.CycleStarted(kT0 + seconds(10));
    GroupOutcome o = tc.reason.empty() ? NotFound(tc.group) : Healthy(tc.group);
    if (!tc.reason.empty()) o.decision.reason = tc.reason;
    b.Report(kT0 + seconds(10), o);
    b.EndCycle(kT0 + seconds(10));
    HttpHandler h = ScalerHttpHandler(&m, &b, &clock);
    HttpResponse r = Get(h, "/status");
    EXPECT_EQ(r.status, 200);
    json status = json::parse(r.body);
    EXPECT_NE(status.dump().find(tc.seen), std::string::npos) << r.body;
    r = Get(h, "/readyz");
    EXPECT_EQ(r.status, tc.readyz) << r.body;
    EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded()) << r.body;
    auto saved = ReadFile(file);
    ASSERT_TRUE(saved.ok()) << "the status file was not written";
    EXPECT_NE(json::parse(*saved).dump().find(tc.seen), std::string::npos);
    std::remove(file.c_str());
  }
}

}  // namespace
}  // namespace phas
