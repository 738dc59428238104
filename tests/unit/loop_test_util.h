// The control loop's test fixture: one simulated group ("web") on SimCloud
// and virtual time, the loop's collaborators, its log. Shared by
// scaler_test.cc and load_history_loop_test.cc.
#ifndef PHAS_TESTS_UNIT_LOOP_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_LOOP_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cloud/sim_cloud.h"
#include "scaler/cycle_log.h"
#include "scaler/driver.h"
#include "scaler/scaler.h"
#include "scaler/scaler_metrics.h"
#include "sim/demand.h"
#include "test_util.h"

namespace phas::testing {

namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;

// Answers a fixed action, or fails.
class ScriptedPredictor final : public Predictor {
 public:
  ModelAction action = ModelAction::kScaleUp;
  bool fail = false;
  int calls = 0;
  Result<ModelAnswer> Predict(const Features& f) override {
    ++calls;
    last_temporal = f.temporal;
    if (fail) return Status::Unavailable("predictor down");
    int cls = action == ModelAction::kScaleUp     ? 0
              : action == ModelAction::kScaleDown ? 1
                                                  : 2;
    return ModelAnswer{cls, "L", action, 0.9};
  }
  std::string Describe() const override { return "scripted"; }
  bool wants_history() const override { return temporal_model; }
  bool temporal_model = false;
  std::map<std::string, double> last_temporal;
};

inline std::shared_ptr<DemandSeries> Flat(double units) {
  return std::make_shared<DemandSeries>(
      std::vector<DemandSeries::Sample>{
          {kStart - std::chrono::hours(1), units},
          {kStart + std::chrono::hours(48), units}},
      std::chrono::hours(100), std::chrono::hours(49));
}

inline SimRunOptions Until(TimePoint end) {
  SimRunOptions o;
  o.end = end;
  return o;
}

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_loop_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    Afresh();
  }
  void TearDown() override { fs::remove_all(dir_); }
  // An empty directory (no state, no output) and a new recorder: each row
  // of a table starts as a first start.
  void Afresh() {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    rec_ = MakeRecorder();
    log_ = LogReporter(rec_.get());
  }

  std::unique_ptr<SimCloud> Cloud1(int min, int max, int desired,
                                   double demand) {
    SimGroupSpec spec{"web", min, max, desired, seconds(300), Flat(demand)};
    return std::make_unique<SimCloud>(&clock_, std::vector<SimGroupSpec>{spec});
  }
  GroupConfig Group(const std::string& policy = "seed") {
    GroupConfig g;
    g.name = "web";
    EXPECT_TRUE(g.policy.Select(policy).ok());
    g.memory.enabled = false;
    return g;
  }
  // The loop's collaborators; `log` and `metrics` choose the reporters.
  ScalerEnv Env(Cloud* cloud, Clock* clock, Predictor* predictor,
                StateStore* store, bool log, bool metrics) {
    std::vector<Reporter*> chosen;
    if (log) chosen.push_back(&log_);
    if (metrics) chosen.push_back(&metrics_reporter_);
    reporters_.push_back(std::make_unique<ReporterList>(chosen));
    return {.cloud = cloud,
            .clock = clock,
            .predictor = predictor,
            .store = store,
            .reporter = reporters_.back().get()};
  }
  std::unique_ptr<SqliteStateStore> OpenStore() {
    bool recovered = false;
    auto store =
        SqliteStateStore::Open((dir_ / "state.db").string(), &recovered);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }
  std::unique_ptr<Recorder> MakeRecorder() {
    RecorderOptions o;
    o.output_dir = (dir_ / "out").string();
    auto r = std::make_unique<Recorder>(o);
    EXPECT_TRUE(r->Open().ok());
    return r;
  }
  std::string Log() {
    std::ifstream in(dir_ / "out" / "ec2_monitor.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void ExpectCooldownRespected(const std::vector<ActionEvent>& actions) {
    for (size_t i = 1; i < actions.size(); ++i) {
      EXPECT_GE(actions[i].time - actions[i - 1].time, seconds(300))
          << "actions " << i - 1 << " and " << i;
    }
  }

  fs::path dir_;
  std::unique_ptr<Recorder> rec_ = nullptr;
  ManualClock clock_{kStart};
  ScriptedPredictor predictor_;
  MetricsRegistry metrics_;
  LogReporter log_{rec_.get()};
  MetricsReporter metrics_reporter_{&metrics_};
  std::vector<std::unique_ptr<ReporterList>> reporters_;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_LOOP_TEST_UTIL_H_
