// `phas history` against moto (IAM enforced, deploy/iam-policy.json), on 14
// days of per-minute history seeded by history_world.py: a CPU group whose
// instance count comes from the CPU datapoints (group metrics off), and an
// ALB group read from its target group's RequestCount with the
// GroupInServiceInstances metric.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "moto_fixture.h"
#include "sim/trace.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::MotoServer;
using phas::testing::RunProcess;

constexpr char kLabel[] =
    "app/web/50dc6c49a86a3ddb/targetgroup/web-tg/73e2d6bc24d8a067";
constexpr int kMinutes = 14 * 24 * 60;

// One seeded world for the whole suite: seeding 14 days takes a while.
class HistoryMotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    moto_ = new MotoServer();
    if (!moto_->error().empty()) return;
    home_ = fs::temp_directory_path() /
            ("phas_history_moto_" + std::to_string(::getpid()));
    fs::create_directories(home_);
    world_ = moto_->BuildWorld(phas::testing::DeployPolicyPath(), "unused");
    if (world_.is_null()) return;
    auto r = RunProcess(
        {"python3",
         std::string(PHAS_SOURCE_DIR) + "/tests/integration/history_world.py",
         moto_->url(), world_["admin"].dump(), "cpu-web", "alb-web", kLabel},
        {{"AWS_ENDPOINT_URL", ""}, {"AWS_PROFILE", ""}}, 600);
    seed_error_ = r.exit_code == 0 ? "" : r.err;
    if (r.exit_code == 0) seeded_ = json::parse(r.out);
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
    fs::remove_all(home_);
  }
  void SetUp() override {
    ASSERT_TRUE(moto_->error().empty()) << moto_->error();
    ASSERT_FALSE(world_.is_null()) << moto_->error();
    ASSERT_TRUE(seed_error_.empty()) << seed_error_;
  }

  // `phas ARGS...` as the least-privilege user.
  static phas::testing::ProcessResult Phas(std::vector<std::string> args) {
    args.insert(args.begin(), PHAS_BINARY);
    return RunProcess(args, moto_->EnvFor(world_["phas"], home_.string()), 600);
  }

  struct Row {
    double time, load;
    std::string in_service, cpu;
    int period;
  };
  static std::vector<Row> ReadRows(const fs::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::vector<Row> rows;
    bool header = false;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      if (!header) {
        EXPECT_EQ(line, "timestamp,load,in_service,cpu,period_seconds");
        header = true;
        continue;
      }
      std::stringstream ss(line);
      std::string ts, load, ins, cpu, period;
      std::getline(ss, ts, ',');
      std::getline(ss, load, ',');
      std::getline(ss, ins, ',');
      std::getline(ss, cpu, ',');
      std::getline(ss, period, ',');
      TimePoint t;
      EXPECT_TRUE(ParseIso8601(ts, &t)) << ts;
      rows.push_back(
          {ToUnixSeconds(t), std::stod(load), ins, cpu, std::stoi(period)});
    }
    return rows;
  }

  static inline MotoServer* moto_ = nullptr;
  static inline fs::path home_;
  static inline json world_, seeded_;
  static inline std::string seed_error_;
};

TEST_F(HistoryMotoTest, CpuGroupFourteenDaysWithItsGap) {
  fs::path out = home_ / "cpu-web.csv";
  auto r =
      Phas({"history", "--asg", "cpu-web", "--days", "14", "--out",
            out.string(), "--region", "us-east-1", "--request-hours", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu-web: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GetMetricData"), std::string::npos) << r.out;
  std::vector<Row> rows = ReadRows(out);
  // The window ends at the minute the command ran; the seed's oldest minute
  // may have left it since.
  EXPECT_GE(rows.size(), static_cast<size_t>(kMinutes - 30 - 2));
  EXPECT_LE(rows.size(), static_cast<size_t>(kMinutes - 30));
  const json& seeded = seeded_["seeded"]["cpu"];
  int gaps = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    std::string key = std::to_string(static_cast<long long>(row.time));
    ASSERT_TRUE(seeded.contains(key))
        << key << " row " << i << " of " << rows.size() << ", seeded at "
        << seeded_["now"] << ", first row " << rows.front().time;
    // Load: the group's average CPU x its instances = the CPU summed.
    EXPECT_NEAR(row.load, seeded[key][0].get<double>(), 1e-3) << key;
    EXPECT_EQ(std::stod(row.in_service), seeded[key][1].get<double>()) << key;
    EXPECT_EQ(row.period, 60);
    if (i > 0 && row.time - rows[i - 1].time > 60) {
      ++gaps;
      EXPECT_EQ(row.time - rows[i - 1].time, 31 * 60);  // 30 minutes absent
    }
  }
  EXPECT_EQ(gaps, 1);
  // The provenance travels in the file.
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  for (const char* want :
       {"# phas history of Auto Scaling group cpu-web", "# region: us-east-1",
        "# signal: cpu", "AWS/EC2 CPUUtilization Average",
        "# in_service: CPUUtilization datapoints per period (group metrics "
        "collection is off; detailed monitoring)",
        "# period: 60 s from ", "# pulled at: "}) {
    EXPECT_NE(text.find(want), std::string::npos) << want;
  }
  // A trace the backtests read like the bundled ones, the gap kept.
  auto trace = LoadTrace(out.string());
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->samples.size(), rows.size());
  EXPECT_EQ(trace->gaps, 1);
  EXPECT_EQ(trace->median_step, std::chrono::seconds(60));
}

TEST_F(HistoryMotoTest, AlbGroupRequestsAndInServiceMetric) {
  fs::path out = home_ / "alb-web.csv";
  auto r =
      Phas({"history", "--asg", "alb-web", "--signal", "alb_requests",
            "--resource-label", kLabel, "--days", "14", "--out", out.string(),
            "--region", "us-east-1", "--request-hours", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Row> rows = ReadRows(out);
  EXPECT_GE(rows.size(), static_cast<size_t>(kMinutes - 2));
  const json& seeded = seeded_["seeded"]["alb"];
  for (const Row& row : rows) {
    std::string key = std::to_string(static_cast<long long>(row.time));
    ASSERT_TRUE(seeded.contains(key)) << key;
    EXPECT_NEAR(row.load, seeded[key][0].get<double>(), 1e-2) << key;
    EXPECT_EQ(std::stod(row.in_service), seeded[key][1].get<double>()) << key;
    EXPECT_NEAR(std::stod(row.cpu), seeded[key][2].get<double>(), 1e-3);
  }
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("# in_service: AWS/AutoScaling GroupInServiceInstances"),
            std::string::npos);
  EXPECT_NE(text.find("# load unit: requests per minute"), std::string::npos);
}

// The group's own history replayed in a world that matches it, its AWS
// target tracking policy as a row of its own.
TEST_F(HistoryMotoTest, BacktestAsgMatchesTheGroupAndAddsItsAwsPolicy) {
  fs::path json_out = home_ / "alb-backtest.json";
  auto r = Phas({"backtest", "--asg", "alb-web", "--signal", "alb_requests",
                 "--resource-label", kLabel, "--days", "14", "--region",
                 "us-east-1", "--request-hours", "3", "--quiet", "--policy",
                 "target-tracking,oracle", "--json", json_out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"pulled alb-web: ", "GetMetricData)",
        "  group alb-web: MinSize 1, MaxSize 12",
        "  one instance fully used serves ",
        "requests per minute (the median of load per instance / CPU",
        "  boot time 300 s (the default: no successful launch among its last "
        "0 scaling activities)",
        "  row aws:requests-3000: its AWS policy today, TargetTrackingScaling "
        "requests-3000 (target-tracking at 3000)",
        "aws:requests-3000 "}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
  std::ifstream in(json_out);
  json j = json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  std::map<std::string, double> inst_h;
  for (const json& run : j["runs"]) {
    inst_h[run["policy"].get<std::string>()] =
        run["instance_hours"].get<double>();
  }
  ASSERT_EQ(inst_h.size(), 3u) << j["runs"].dump();
  // 3000 requests per target is below what the world's 60 % target needs:
  // the AWS policy today runs more instances than the oracle.
  EXPECT_GT(inst_h["aws:requests-3000"], inst_h["oracle"] * 1.1);
}

TEST_F(HistoryMotoTest, BacktestAndTuneAsgOnTheCpuGroup) {
  auto r = Phas({"backtest", "--asg", "cpu-web", "--days", "14", "--region",
                 "us-east-1", "--request-hours", "3", "--quiet", "--policy",
                 "target-tracking"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"  group cpu-web: MinSize 1, MaxSize 12",
        "  one instance fully used is 100 % CPU",
        "  row aws:cpu-50: its AWS policy today, TargetTrackingScaling cpu-50 "
        "(target-tracking at 50)",
        "rows, 1 gaps (left out of scores)"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
  // Tuning on the group's own last 3 days: fit on the first 2 days, scored
  // on the third; the snippet names the policy.
  r = Phas({"tune", "--asg", "cpu-web", "--days", "3", "--region", "us-east-1",
            "--request-hours", "3", "--quiet", "--policy", "target-tracking"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"pulled cpu-web: ",
        "  its AWS policy today: TargetTrackingScaling "
        "cpu-50 (phas backtest --asg scores it)",
        "fit window:", "score window:", "not used for any choice",
        "policy: target-tracking"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
}

TEST_F(HistoryMotoTest, ErrorsNameWhatIsWrong) {
  fs::path out = home_ / "none.csv";
  auto r = Phas({"history", "--asg", "no-such-group", "--days", "1", "--out",
                 out.string(), "--region", "us-east-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no Auto Scaling group named 'no-such-group' in "
                       "us-east-1 (region from --region)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
  r = Phas({"history", "--asg", "cpu-web", "--days", "500", "--out",
            out.string(), "--region", "us-east-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--days must be in (0, 455]"), std::string::npos)
      << r.err;
  r = Phas({"history", "--asg", "cpu-web", "--signal", "alb_requests", "--out",
            out.string(), "--region", "us-east-1"});
  EXPECT_EQ(r.exit_code, 2);
  // The flag's own name (the config's key is resource_label).
  EXPECT_NE(r.err.find("--resource-label: missing"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace phas
