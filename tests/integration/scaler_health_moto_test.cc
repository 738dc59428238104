// What an on-call engineer sees of `phas scaler` against moto (IAM
// enforced) when one of its groups cannot be read (a wrong name): /metrics
// shows it (phas_scaler_group_up 0) while cycles advance, /readyz answers
// 503 naming it, /healthz 200, `phas status` shows its conditions with the
// daemon stopped, and `--once` exits 1 naming it (0 when every group is
// read).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "moto_fixture.h"
#include "process_util.h"
#include "raw_http_client.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::ChildProcess;
using phas::testing::MotoServer;
using phas::testing::RawConnection;
using phas::testing::RawResponse;
using phas::testing::RunProcess;

RawResponse Get(int port, const std::string& path) {
  RawConnection c(port);
  if (!c.ok() ||
      !c.Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
    return {};
  }
  return c.Read();
}

// The value of `series` (name and labels) in an exposition; -1 when absent.
double Sample(const std::string& metrics, const std::string& series) {
  size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST(ScalerHealthMotoTest, AnUnreadableGroupIsVisibleEverywhere) {
  MotoServer moto;
  ASSERT_TRUE(moto.error().empty()) << moto.error();
  fs::path dir = fs::temp_directory_path() /
                 ("phas_health_moto_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  json world = moto.BuildWorld(phas::testing::DeployPolicyPath(), "web",
                               {"--min", "1", "--max", "4", "--desired", "2"});
  ASSERT_FALSE(world.is_null()) << moto.error();
  auto env = moto.EnvFor(world["phas"], dir.string());
  int port = phas::testing::FreePort();
  std::string config = (dir / "phas.yaml").string();
  std::ofstream(config) << "interval_seconds: 1\n"
                        << "metrics_refresh_seconds: 0\n"
                        << "output_dir: " << (dir / "output").string() << "\n"
                        << "state_path: " << (dir / "phas.db").string() << "\n"
                        << "metrics_listen: 127.0.0.1:" << port << "\n"
                        << "groups:\n"
                        << "  - name: web\n    policy: reactive\n"
                        << "  - name: ghost\n    policy: reactive\n";
  {
    ChildProcess scaler({PHAS_BINARY, "scaler", "--config", config}, env,
                        (dir / "stderr.log").string());
    std::string metrics;
    double first_cycle = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    // Three cycles at least: the last cycle's time advances meanwhile.
    while (std::chrono::steady_clock::now() < deadline) {
      metrics = Get(port, "/metrics").body;
      double cycles = Sample(metrics, "phas_scaler_cycles_total");
      double t = Sample(metrics, "phas_scaler_last_cycle_timestamp_seconds");
      if (cycles >= 1 && first_cycle < 0) first_cycle = t;
      if (cycles >= 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_GE(Sample(metrics, "phas_scaler_cycles_total"), 3) << metrics;
    EXPECT_GT(Sample(metrics, "phas_scaler_last_cycle_timestamp_seconds"),
              first_cycle);
    EXPECT_EQ(Sample(metrics, "phas_scaler_group_up{group=\"ghost\"}"), 0)
        << metrics;
    EXPECT_EQ(Sample(metrics, "phas_scaler_group_up{group=\"web\"}"), 1);
    EXPECT_GE(Sample(metrics,
                     "phas_scaler_group_errors_total{group=\"ghost\",stage="
                     "\"describe\",code=\"not_found\"}"),
              3);
    EXPECT_NE(metrics.find("phas_build_info{version="), std::string::npos);
    EXPECT_NE(metrics.find("process_resident_memory_bytes "),
              std::string::npos);
    // The whole exposition, AWS counters and histograms included.
    EXPECT_EQ(phas::testing::PromtoolCheck(metrics), "");

    RawResponse ready = Get(port, "/readyz");
    EXPECT_EQ(ready.status, 503);
    json r = json::parse(ready.body, nullptr, false);
    ASSERT_TRUE(r.is_object()) << ready.body;
    ASSERT_EQ(r["not_ready"].size(), 1u) << ready.body;
    EXPECT_EQ(r["not_ready"][0]["group"], "ghost");
    EXPECT_EQ(Get(port, "/healthz").status, 200);
    RawResponse page = Get(port, "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("id=\"chart-script\""), std::string::npos);
    EXPECT_EQ(scaler.Terminate(), 0);
  }
  // With the daemon stopped: its last status.
  auto status =
      RunProcess({PHAS_BINARY, "status", "--config", config}, env, 30);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("Name:           ghost"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("FailedGetScale"), std::string::npos);
  EXPECT_NE(status.out.find("NOT READY"), std::string::npos);
  EXPECT_NE(status.out.find("ScalingActive   True"), std::string::npos)
      << "web reads: " << status.out;

  // --once: 1 naming the group that was not read; 0 when all were.
  auto once = RunProcess({PHAS_BINARY, "scaler", "--config", config, "--once",
                          "--metrics-listen", "off"},
                         env, 60);
  EXPECT_EQ(once.exit_code, 1) << once.err;
  EXPECT_NE(once.err.find("phas: --once: 1 group(s) not read or not acted on: "
                          "ghost (group ghost not found"),
            std::string::npos)
      << once.err;
  once = RunProcess(
      {PHAS_BINARY, "scaler", "--config", config, "--once", "--metrics-listen",
       "off", "--group", "web", "--policy", "reactive"},
      env, 60);
  EXPECT_EQ(once.exit_code, 0) << once.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
