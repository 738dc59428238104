// `phas scaler` end to end against moto (IAM enforced, as the least-privilege
// user): scales up on class 0, down after the streak, honours cooldown and
// bounds, does nothing in dry-run, survives kill -9 inside a cooldown, stops
// cleanly on SIGTERM; and its API economy.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "aws/services.h"
#include "aws/session.h"
#include "cloud/aws_cloud.h"
#include "fake_server.h"
#include "moto_fixture.h"
#include "scaler/scaler.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::ChildProcess;
using phas::testing::FakeServer;
using phas::testing::MotoServer;
using phas::testing::ProcessResult;
using phas::testing::RecordedRequest;
using phas::testing::RunProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ScalerMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    dir_ = fs::temp_directory_path() /
           ("phas_scaler_moto_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    world_ = moto_.BuildWorld(phas::testing::DeployPolicyPath(), "web",
                              {"--min", "1", "--max", "4", "--desired", "2"});
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    auto s = aws::AwsSession::Create(
        {}, aws::MapEnvironment(moto_.EnvFor(world_["admin"], dir_)), &clock_);
    ASSERT_TRUE(s.ok());
    admin_ = std::move(s).value();
  }
  void TearDown() override {
    StopFeedingMetrics();
    fs::remove_all(dir_);
  }

  int Desired() {
    auto g = aws::AutoScalingApi(admin_->client(aws::Service::kAutoScaling))
                 .DescribeAutoScalingGroups({"web"});
    return g.ok() && !g->empty() ? (*g)[0].desired_capacity : -1;
  }
  // Waits until Desired() == want; false after `timeout`.
  bool WaitDesired(int want, seconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int d = Desired();
      max_seen_ = std::max(max_seen_, d);
      if (d == want) return true;
      std::this_thread::sleep_for(milliseconds(200));
    }
    return false;
  }
  std::string WriteConfig(const std::string& predictor_url, int cooldown,
                          int streak) {
    std::string path = (dir_ / "phas.yaml").string();
    // Metrics read every cycle: the default (every 60 s) would leave a
    // 1 s loop deciding a minute on a read made before metrics were fed.
    std::ofstream(path) << "interval_seconds: 1\n"
                        << "metrics_refresh_seconds: 0\n"
                        << "predictor_url: " << predictor_url << "\n"
                        << "output_dir: " << (dir_ / "output").string() << "\n"
                        << "state_path: "
                        << (dir_ / "state" / "phas.db").string() << "\n"
                        << "metrics_listen: off\n"
                        << "groups:\n  - name: web\n    policy: seed\n"
                        << "    cooldown_seconds: " << cooldown << "\n"
                        << "    seed: {scale_down_streak: " << streak << "}\n";
    return path;
  }
  std::unique_ptr<ChildProcess> StartScaler(
      const std::string& config, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {PHAS_BINARY, "scaler", "--config", config};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv,
                                          moto_.EnvFor(world_["phas"], dir_),
                                          (dir_ / "stderr.log").string());
  }
  // What the scaler wrote to its output files so far. The recorder appends
  // across restarts: a test that restarts the scaler marks the output first
  // and reads only what was written after the mark.
  struct OutputMark {
    size_t log = 0;      // bytes of ec2_monitor.log
    size_t records = 0;  // bytes of ec2_metrics_data.jsonl
  };
  OutputMark MarkOutput() {
    return {ReadOutput("ec2_monitor.log").size(),
            ReadOutput("ec2_metrics_data.jsonl").size()};
  }
  std::string ReadOutput(const std::string& file, size_t from = 0) {
    std::ifstream in(dir_ / "output" / file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string all = ss.str();
    return from < all.size() ? all.substr(from) : "";
  }
  std::string Log(size_t from = 0) {
    return ReadOutput("ec2_monitor.log", from);
  }
  bool WaitLog(const std::string& needle, seconds timeout, size_t from = 0) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (Log(from).find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }
  // Complete cycle records of `group` written past byte `from` of
  // ec2_metrics_data.jsonl (one per group per cycle). A line cut short by a
  // kill does not parse and is not counted.
  int CyclesSince(size_t from, const std::string& group = "web") {
    std::istringstream lines(ReadOutput("ec2_metrics_data.jsonl", from));
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
      if (lines.eof()) break;  // no newline yet: still being written
      json rec = json::parse(line, nullptr, false);
      if (!rec.is_discarded() && rec.value("asg_name", "") == group) ++n;
    }
    return n;
  }
  // Waits until the scaler has completed `n` cycles past the mark; false
  // after `timeout`. How a test shows that nothing happened: not for N
  // seconds, but for N cycles of the loop that would have acted.
  bool WaitForCycles(int n, const OutputMark& since, seconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (CyclesSince(since.records) >= n) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }
  // Waits until the process exits by itself; its exit code, or -1 when it
  // was still running after `timeout` (then it is killed).
  int WaitExit(ChildProcess* proc, seconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (proc->Running() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    if (proc->Running()) {
      proc->Kill9();
      return -1;
    }
    return proc->Terminate();  // reaped already: only reads the exit code
  }
  std::string Stderr() {
    std::ifstream in(dir_ / "stderr.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Publishes CPU and network datapoints for the group's current instances
  // every second, as EC2 would, until stopped (new instances get metrics too).
  void StartFeedingMetrics(const std::string& group) {
    feeding_ = true;
    feeder_ = std::thread([this, group] {
      auto cw = admin_->client(aws::Service::kCloudWatch);
      while (feeding_) {
        auto g = aws::AutoScalingApi(admin_->client(aws::Service::kAutoScaling))
                     .DescribeAutoScalingGroups({group});
        if (g.ok() && !g->empty()) {
          std::vector<std::string> ids;
          for (const auto& i : (*g)[0].instances) ids.push_back(i.id);
          phas::testing::PutInstanceMetrics(*cw, ids, clock_.Now());
        }
        std::this_thread::sleep_for(milliseconds(1000));
      }
    });
  }
  void StopFeedingMetrics() {
    feeding_ = false;
    if (feeder_.joinable()) feeder_.join();
  }

  MotoServer moto_;
  std::atomic<bool> feeding_{false};
  std::thread feeder_;
  fs::path dir_;
  json world_;
  SystemClock clock_;
  std::unique_ptr<aws::AwsSession> admin_;
  int max_seen_ = 0;
};

// A predictor that answers whatever class the test sets.
struct ScriptedHttpPredictor {
  std::atomic<int> cls{0};
  FakeServer server{[this](const RecordedRequest& q, HttpResponse& r) {
    r.content_type = "application/json";
    if (q.body.find("\"features\": [") == std::string::npos) {
      r.status = 400;
      return;
    }
    int c = cls.load();
    r.body = json{
        {"prediction", c},
        {"predicted_class", c == 0   ? "Low"
                            : c == 1 ? "Medium"
                                     : "High"},
        {"confidence",
         0.9}}.dump();
  }};
  std::string url() { return server.url() + "/predict"; }
};

TEST_F(ScalerMotoTest, ScalesBothWaysWithinBoundsAndCooldown) {
  ScriptedHttpPredictor predictor;
  StartFeedingMetrics("web");
  auto proc =
      StartScaler(WriteConfig(predictor.url(), /*cooldown=*/3, /*streak=*/3));
  ASSERT_TRUE(WaitDesired(3, seconds(30))) << Stderr();
  ASSERT_TRUE(WaitDesired(4, seconds(30))) << Stderr();
  ASSERT_TRUE(
      WaitLog("Already at maximum capacity of (4 instances)", seconds(20)))
      << Log();
  EXPECT_EQ(Desired(), 4);

  predictor.cls = 1;  // scale down, after 3 consecutive answers
  ASSERT_TRUE(WaitDesired(3, seconds(30))) << Log();
  ASSERT_TRUE(WaitDesired(1, seconds(60))) << Log();
  ASSERT_TRUE(
      WaitLog("Already at minimum capacity of (1 instances)", seconds(20)))
      << Log();
  EXPECT_EQ(Desired(), 1);
  EXPECT_LE(max_seen_, 4);

  EXPECT_EQ(proc->Terminate(), 0) << "SIGTERM: finish the cycle, exit 0\n"
                                  << Stderr();
  std::string log = Log();
  EXPECT_NE(log.find("no saved state for this group: no scale-in for one "
                     "cooldown (3 s), scale-out at once"),
            std::string::npos);
  EXPECT_NE(log.find("SCALING UP: 2 -> 3 instances"), std::string::npos);
  EXPECT_NE(log.find("SCALING UP: 3 -> 4 instances"), std::string::npos);
  EXPECT_NE(
      log.find("SCALING DOWN: 4 -> 3 instances (5min consistent prediction)"),
      std::string::npos);
  EXPECT_NE(log.find("Scale up needed but in cooldown period"),
            std::string::npos);
  EXPECT_NE(log.find("PREDICTION: 1 (Medium) - Confidence: 0.9"),
            std::string::npos);
  // Actions at least a cooldown apart.
  std::regex action(
      R"((\d\d):(\d\d):(\d\d),(\d{3}) - INFO - \[web\] - SCALING)");
  std::vector<double> times;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), action);
       it != std::sregex_iterator(); ++it) {
    times.push_back(std::stoi((*it)[1]) * 3600 + std::stoi((*it)[2]) * 60 +
                    std::stoi((*it)[3]) + std::stoi((*it)[4]) / 1000.0);
  }
  ASSERT_EQ(times.size(), 5u) << log;
  for (size_t i = 1; i < times.size(); ++i)
    EXPECT_GE(times[i] - times[i - 1], 2.999);
}

TEST_F(ScalerMotoTest, DryRunNeverActs) {
  ScriptedHttpPredictor predictor;
  auto proc = StartScaler(WriteConfig(predictor.url(), 1, 3), {"--dry-run"});
  ASSERT_TRUE(WaitLog("DRY RUN: SCALING UP: 2 -> 3 instances", seconds(30)))
      << Stderr();
  // Three more cycles, each of which would have scaled up (cooldown 1 s).
  ASSERT_TRUE(WaitForCycles(3, MarkOutput(), seconds(30))) << Stderr();
  EXPECT_EQ(Desired(), 2);
  EXPECT_EQ(proc->Terminate(), 0);
  EXPECT_EQ(Log().find("- SCALING UP"), std::string::npos) << Log();
}

TEST_F(ScalerMotoTest, KillNineInsideACooldownDoesNotActAgain) {
  ScriptedHttpPredictor predictor;
  std::string config = WriteConfig(predictor.url(), /*cooldown=*/60, 3);
  // The first start has no saved state: its scale-out does not wait.
  auto proc = StartScaler(config);
  ASSERT_TRUE(WaitDesired(3, seconds(30))) << Stderr();
  proc->Kill9();  // right after the action, inside its 60 s cooldown
  // The killed process may have logged a cooldown line already: look only at
  // what the restarted one writes.
  OutputMark restart = MarkOutput();
  auto restarted = StartScaler(config);
  ASSERT_TRUE(WaitLog("Scale up needed but in cooldown period", seconds(30),
                      restart.log))
      << Log(restart.log) << Stderr();
  EXPECT_NE(Log(restart.log).find("saved state: last action "),
            std::string::npos)
      << Log(restart.log);
  EXPECT_NE(Log(restart.log).find(", cooldown 60 s ("), std::string::npos)
      << "the DECISION line says which rule held it\n"
      << Log(restart.log);
  // Three cycles of the restarted process, each wanting to scale up.
  ASSERT_TRUE(WaitForCycles(3, restart, seconds(30))) << Stderr();
  EXPECT_EQ(Desired(), 3)
      << "no second action inside the cooldown after kill -9";
  EXPECT_EQ(Log(restart.log).find("SCALING UP"), std::string::npos)
      << Log(restart.log);
  EXPECT_EQ(restarted->Terminate(), 0);
}

// A second scaler on a running one's state file stops at start, exit 1,
// naming the running one's pid, and neither acts nor opens any output
// (before, it had opened its output directory's logs for appending
// before the lock refused it).
TEST_F(ScalerMotoTest, ASecondScalerOnTheSameStateStopsAtStart) {
  ScriptedHttpPredictor predictor;
  std::string config = WriteConfig(predictor.url(), /*cooldown=*/600, 3);
  auto first = StartScaler(config);
  ASSERT_TRUE(WaitDesired(3, seconds(30))) << Stderr();
  std::string other_output = (dir_ / "second-output").string();
  ProcessResult second = RunProcess(
      {PHAS_BINARY, "scaler", "--config", config, "--output-dir", other_output},
      moto_.EnvFor(world_["phas"], dir_), 60);
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find(fmt::format(
                "in use by another phas scaler (pid {})", first->pid())),
            std::string::npos)
      << second.err;
  EXPECT_FALSE(fs::exists(other_output)) << "no output opened";
  EXPECT_EQ(Desired(), 3);
  EXPECT_EQ(first->Terminate(), 0);
}

// Requests per cycle for one group of 1, 5 and 50 instances: constant (two
// a cycle, and the group's controls at its first).
TEST_F(ScalerMotoTest, RequestsPerCycleAreConstantInInstances) {
  for (int n : {1, 5, 50}) {
    SCOPED_TRACE(n);
    std::string name = "economy-" + std::to_string(n);
    json w = moto_.BuildWorld(
        phas::testing::DeployPolicyPath(), name,
        {"--min", "1", "--max", "60", "--desired", std::to_string(n)});
    ASSERT_FALSE(w.is_null()) << moto_.error();
    auto s = aws::AwsSession::Create(
        {}, aws::MapEnvironment(moto_.EnvFor(w["phas"], dir_)), &clock_);
    ASSERT_TRUE(s.ok());
    std::vector<std::string> calls;
    (*s)->set_observer([&](const aws::CallRecord& r) {
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      calls.push_back(r.action);
    });
    AwsCloud cloud(s->get());
    GroupConfig g;
    g.name = name;
    g.all_metrics = true;  // the most queries: 8 per instance
    ASSERT_TRUE(g.policy.Select("reactive").ok());
    Scaler scaler({g}, {}, {.cloud = &cloud, .clock = &clock_});
    ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
    CycleReport rep = scaler.RunOnce(clock_.Now());
    ASSERT_TRUE(rep.groups[0].found);
    EXPECT_EQ(rep.groups[0].observation.group.in_service, n);
    EXPECT_TRUE(rep.groups[0].features.has_value());
    // The first cycle also reads the group's controls (then every 5
    // minutes: scaler/controls.h).
    EXPECT_EQ(calls, (std::vector<std::string>{
                         "DescribeAutoScalingGroups", "GetMetricData",
                         "DescribePolicies", "DescribeScheduledActions",
                         "DescribeWarmPool", "DescribeInstanceRefreshes",
                         "DescribeLifecycleHooks"}));
    EXPECT_EQ(rep.groups[0].decision.held_by, GuardRule::kNone)
        << rep.groups[0].decision.reason;
    calls.clear();
    rep = scaler.RunOnce(clock_.Now());
    EXPECT_EQ(calls, (std::vector<std::string>{"DescribeAutoScalingGroups",
                                               "GetMetricData"}));
  }
}

}  // namespace
}  // namespace phas
