// The phas binary as a Type=notify service, with the test in systemd's
// place: it binds NOTIFY_SOCKET, sets WATCHDOG_USEC and reads what the
// predictor and the scaler (against moto) send: READY=1 once started,
// WATCHDOG=1 while working, STOPPING=1 on SIGTERM. And the exit code the
// units' RestartPreventExitStatus=2 relies on: config and usage errors exit
// 2, before anything is announced.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "moto_fixture.h"
#include "notify_socket.h"
#include "process_util.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using phas::testing::ChildProcess;
using phas::testing::MotoServer;
using phas::testing::NotifySocket;
using phas::testing::RunProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ServiceNotifyTest : public phas::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    socket_ = std::make_unique<NotifySocket>((dir_ / "notify").string());
    ASSERT_TRUE(socket_->ok()) << socket_->error();
  }
  void TearDown() override {
    socket_.reset();
    TempDirTest::TearDown();
  }
  // `phas predictor` on a free port, as a unit with WatchdogSec= of
  // `watchdog_us` ("" for none) starts it.
  std::unique_ptr<ChildProcess> StartPredictor(const std::string& watchdog_us,
                                               int* port) {
    *port = phas::testing::FreePort();
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{PHAS_BINARY, "predictor", "--port",
                                 std::to_string(*port), "--threads", "1"},
        NotifyEnv(watchdog_us), (dir_ / "stderr.log").string());
  }
  // What systemd passes a Type=notify unit with WatchdogSec=.
  std::map<std::string, std::string> NotifyEnv(const std::string& watchdog_us) {
    return {{"NOTIFY_SOCKET", socket_->path()},
            {"WATCHDOG_USEC", watchdog_us},
            {"WATCHDOG_PID", ""}};
  }
  // Every datagram until `want` arrives (included); stops after `timeout`.
  std::vector<std::string> ReceiveUntil(const std::string& want,
                                        seconds timeout) {
    std::vector<std::string> got;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      auto d = socket_->Receive(milliseconds(200));
      if (!d) continue;
      got.push_back(*d);
      if (*d == want) break;
    }
    return got;
  }
  std::vector<std::string> Drain() {
    std::vector<std::string> got;
    while (auto d = socket_->Receive()) got.push_back(*d);
    return got;
  }
  std::string Log() { return phas::testing::ReadAll(dir_ / "stderr.log"); }
  static std::string Join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += "[" + s + "] ";
    return out;
  }

  std::unique_ptr<NotifySocket> socket_;
};

TEST_F(ServiceNotifyTest, PredictorReadyWatchdogWhileServingStopping) {
  int port = 0;
  // A 400 ms watchdog: /health is asked every 200 ms.
  auto proc = StartPredictor("400000", &port);
  auto first = socket_->Receive(seconds(30));
  ASSERT_TRUE(first.has_value()) << Log();
  EXPECT_EQ(first->rfind("READY=1\nSTATUS=serving ", 0), 0u) << *first;
  EXPECT_NE(first->find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << *first;
  // Pings come from the thread that found the server answering.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(socket_->Receive(seconds(10)),
              std::optional<std::string>("WATCHDOG=1"))
        << Log();
  }
  EXPECT_NE(Log().find("checked with GET http://127.0.0.1:" +
                       std::to_string(port) + "/health"),
            std::string::npos)
      << Log();
  EXPECT_EQ(proc->Terminate(), 0) << Log();
  std::vector<std::string> rest = Drain();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back(), "STOPPING=1") << Join(rest);
}

TEST_F(ServiceNotifyTest, PredictorWithoutWatchdogOnlyAnnounces) {
  int port = 0;
  auto proc = StartPredictor("", &port);
  auto first = socket_->Receive(seconds(30));
  ASSERT_TRUE(first.has_value()) << Log();
  EXPECT_EQ(first->rfind("READY=1", 0), 0u) << *first;
  EXPECT_EQ(proc->Terminate(), 0) << Log();
  std::vector<std::string> rest = Drain();
  EXPECT_EQ(rest, std::vector<std::string>{"STOPPING=1"}) << Join(rest);
}

TEST_F(ServiceNotifyTest, ScalerReadyWatchdogEachCycleStopping) {
  MotoServer moto;
  ASSERT_TRUE(moto.error().empty()) << moto.error();
  auto world = moto.BuildWorld(phas::testing::DeployPolicyPath(), "web",
                               {"--min", "1", "--max", "4", "--desired", "2"});
  ASSERT_FALSE(world.is_null()) << moto.error();
  std::string config = (dir_ / "phas.yaml").string();
  std::ofstream(config) << "interval_seconds: 1\n"
                        << "output_dir: " << (dir_ / "output").string() << "\n"
                        << "state_path: " << (dir_ / "state.db").string()
                        << "\n"
                        << "metrics_listen: off\n"
                        << "groups:\n  - name: web\n"
                        << "    policy: target-tracking\n";
  auto env = moto.EnvFor(world["phas"], dir_.string());
  // A 1 s watchdog is shorter than 3 intervals of 1 s: phas asks for 3 s.
  for (const auto& [k, v] : NotifyEnv("1000000")) env[k] = v;
  ChildProcess proc({PHAS_BINARY, "scaler", "--config", config}, env,
                    (dir_ / "stderr.log").string());
  std::vector<std::string> got = ReceiveUntil("WATCHDOG=1", seconds(60));
  std::vector<std::string> want = {"WATCHDOG_USEC=3000000",
                                   "READY=1\nSTATUS=1 group(s), every 1 s",
                                   "WATCHDOG=1"};
  EXPECT_EQ(got, want) << Join(got) << "\n" << Log();
  // One ping per cycle.
  EXPECT_EQ(socket_->Receive(seconds(10)),
            std::optional<std::string>("WATCHDOG=1"));
  EXPECT_EQ(proc.Terminate(), 0) << Log();
  std::vector<std::string> rest = Drain();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back(), "STOPPING=1") << Join(rest);
}

// SIGTERM is heard from the start: during the wait for a region (no region
// configured, instance metadata not answering: up to a minute) the scaler
// ends at once, exit 0, STOPPING=1. Before, the signal stayed blocked
// until the loop ran: `systemctl stop` waited for TimeoutStopSec and
// SIGKILL (the audit measured 52 s), and --once never heard it.
TEST_F(ServiceNotifyTest, ScalerStopsAtOnceOnSigtermBeforeItsFirstCycle) {
  std::string config = (dir_ / "phas.yaml").string();
  std::ofstream(config) << "output_dir: " << (dir_ / "output").string() << "\n"
                        << "state_path: " << (dir_ / "state.db").string()
                        << "\n"
                        << "metrics_listen: off\n"
                        << "groups:\n  - name: web\n";
  for (bool once : {false, true}) {
    SCOPED_TRACE(once ? "--once" : "daemon");
    auto env = NotifyEnv("");
    env["AWS_REGION"] = "";
    env["AWS_DEFAULT_REGION"] = "";
    env["AWS_EC2_METADATA_DISABLED"] = "";
    env["HOME"] = dir_.string();
    env["AWS_CONFIG_FILE"] = (dir_ / "none").string();
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] =
        "http://127.0.0.1:" + std::to_string(phas::testing::FreePort());
    std::vector<std::string> argv = {PHAS_BINARY, "scaler", "--config", config};
    if (once) argv.push_back("--once");
    const fs::path log = dir_ / (once ? "once.log" : "daemon.log");
    ChildProcess proc(argv, env, log.string());
    auto text = [&] { return phas::testing::ReadAll(log); };
    auto waiting = [&] {
      return text().find("trying again in") != std::string::npos;
    };
    auto end = std::chrono::steady_clock::now() + seconds(30);
    while (!waiting() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_TRUE(waiting()) << "not waiting for the region\n" << text();
    auto t0 = std::chrono::steady_clock::now();
    // --once stopped before its cycle did nothing: exit 1.
    EXPECT_EQ(proc.Terminate(/*timeout_seconds=*/10), once ? 1 : 0) << text();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5)) << text();
    EXPECT_EQ(Drain(), std::vector<std::string>{"STOPPING=1"});
  }
}

// RestartPreventExitStatus=2: each of these exits 2 with one line on stderr
// and announces nothing, so systemd neither restarts it nor takes it for
// started.
TEST_F(ServiceNotifyTest, ConfigAndUsageErrorsExitTwoUnannounced) {
  std::string unknown_key = (dir_ / "unknown.yaml").string();
  std::ofstream(unknown_key) << "groups:\n  - name: web\n    polcy: seed\n";
  std::string no_groups = (dir_ / "empty.yaml").string();
  std::ofstream(no_groups) << "interval_seconds: 10\n";
  std::string bad_value = (dir_ / "bad.yaml").string();
  std::ofstream(bad_value) << "interval_seconds: soon\ngroups: [{name: web}]\n";
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::string in_stderr;  // a word the one line must contain
  } cases[] = {
      {"unknown key", {"scaler", "--config", unknown_key}, "polcy"},
      {"no groups", {"scaler", "--config", no_groups}, "groups"},
      {"bad value", {"scaler", "--config", bad_value}, "interval_seconds"},
      {"missing config file",
       {"scaler", "--config", (dir_ / "absent.yaml").string()},
       "absent.yaml"},
      {"unknown flag", {"scaler", "--intervall", "5"}, "intervall"},
      {"missing model",
       {"predictor", "--model", (dir_ / "none").string()},
       "none"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::vector<std::string> argv = {PHAS_BINARY};
    argv.insert(argv.end(), tc.args.begin(), tc.args.end());
    auto env = NotifyEnv("1000000");
    env["AWS_REGION"] = "eu-west-1";
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    auto r = RunProcess(argv, env, 60);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("phas: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(tc.in_stderr), std::string::npos) << r.err;
    EXPECT_EQ(Drain(), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace phas
