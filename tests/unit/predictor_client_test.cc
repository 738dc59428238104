// The loop's predictor clients (scaler/predictor_client.h): a predictor's
// answer is checked field by field; a malformed one is a predictor failure
// (the fallback decides, the log says what was wrong), never an exception.
// BundlePredictor remembers its last answer: asked with other inputs, it
// answers for those, not the remembered ones.
#include "scaler/predictor_client.h"

#include <gtest/gtest.h>

#include <optional>

#include "cloud/sim_cloud.h"
#include "fake_server.h"
#include "scaler/cycle_log.h"
#include "scaler/driver.h"
#include "scaler/scaler.h"
#include "sim/demand.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(HttpPredictorTest, AnswersAreCheckedFieldByField) {
  struct Case {
    const char* name;
    std::string body;
    // expected: the error names this ("" = a good answer)
    std::string error;
    int cls;
    ModelAction action;
  };
  const Case cases[] = {
      {"the original's answer",
       R"({"prediction": 1, "predicted_class": "Medium", "confidence": 0.8})",
       "", 1, ModelAction::kScaleDown},
      {"phas's answer with an action", R"({"prediction": 7, "action": "hold"})",
       "", 7, ModelAction::kHold},
      {"class 0 without action: scale up", R"({"prediction": 0})", "", 0,
       ModelAction::kScaleUp},
      {"a label that is a number", R"({"prediction": 0, "predicted_class": 5})",
       "'predicted_class' is not a string", 0, ModelAction::kHold},
      {"a confidence that is a string",
       R"({"prediction": 0, "confidence": "high"})",
       "'confidence' is not a number", 0, ModelAction::kHold},
      {"an action that is a number", R"({"prediction": 0, "action": 1})",
       "'action' is not a string", 0, ModelAction::kHold},
      {"an unknown action", R"({"prediction": 0, "action": "panic"})",
       "unknown action 'panic'", 0, ModelAction::kHold},
      {"a class that would wrap", R"({"prediction": 99999999999})",
       "'prediction' out of range", 0, ModelAction::kHold},
      {"a negative class", R"({"prediction": -1})", "'prediction' out of range",
       0, ModelAction::kHold},
      {"a class that is a float", R"({"prediction": 0.5})",
       "integer 'prediction'", 0, ModelAction::kHold},
      {"not an object", R"([0])", "not a JSON object", 0, ModelAction::kHold},
      {"not JSON", "<html>", "not a JSON object", 0, ModelAction::kHold},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Result<ModelAnswer> a = Status::Internal("threw");
    EXPECT_NO_THROW(a = HttpPredictor::ParseAnswer(tc.body, "predictor X"));
    if (tc.error.empty()) {
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      EXPECT_EQ(a->cls, tc.cls);
      EXPECT_EQ(a->action, tc.action);
      continue;
    }
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.status().message().find(tc.error), std::string::npos)
        << a.status().message();
    EXPECT_NE(a.status().message().find("predictor X"), std::string::npos);
  }
}

// The scaler with a predictor that answers {"prediction":0,
// "predicted_class":5}: the loop goes on, the fallback decides, the log
// says what was wrong (it used to end the process with "internal error").
class PredictorLoopTest : public phas::testing::TempDirTest {};

TEST_F(PredictorLoopTest, AMalformedAnswerIsAPredictorFailure) {
  phas::testing::FakeServer server(
      [](const phas::testing::RecordedRequest&, HttpResponse& r) {
        r.content_type = "application/json";
        r.body = R"({"prediction":0,"predicted_class":5})";
      });
  HttpPredictor predictor(server.url() + "/predict",
                          std::chrono::milliseconds(2000),
                          std::make_shared<aws::CurlTransport>());
  const TimePoint start = FromUnixSeconds(1767225600);
  ManualClock clock(start);
  auto demand = std::make_shared<DemandSeries>(
      std::vector<DemandSeries::Sample>{{start - std::chrono::hours(1), 1.0},
                                        {start + std::chrono::hours(2), 1.0}},
      std::chrono::hours(10), std::chrono::hours(3));
  SimCloud cloud(&clock, {{"web", 1, 5, 2, seconds(300), demand}});
  RecorderOptions ro;
  ro.output_dir = (dir_ / "out").string();
  Recorder recorder(ro);
  ASSERT_TRUE(recorder.Open().ok());
  LogReporter log(&recorder);
  GroupConfig g;
  g.name = "web";
  g.memory.enabled = false;
  Scaler scaler({g}, {},
                {.cloud = &cloud,
                 .clock = &clock,
                 .predictor = &predictor,
                 .reporter = &log});
  ASSERT_TRUE(scaler.Init(clock.Now()).ok());
  SimRunOptions run;
  run.end = start + minutes(4);
  std::vector<SimGroupResult> r;
  EXPECT_NO_THROW(r = RunVirtualTime(scaler, cloud, clock, run));
  recorder.Flush();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].actions.empty()) << "the fallback (hold) decided";
  std::string text = phas::testing::ReadAll(dir_ / "out" / "ec2_monitor.log");
  EXPECT_NE(text.find("Prediction failed: predictor " + server.url() +
                      "/predict: 'predicted_class' is not a string"),
            std::string::npos)
      << text.substr(0, 3000);
  EXPECT_NE(text.find("[fallback_hold]"), std::string::npos);
}

// A load level: CPU and memory in %, the rest following them.
Features LoadLevel(double cpu) {
  Features f;
  f.cpu_usage = cpu;
  f.memory_usage = cpu;
  f.network_traffic = 10 * cpu;
  f.power_consumption = 2 * cpu;
  f.num_executed_instructions = 100 * cpu;
  f.execution_time = cpu;
  f.energy_efficiency = 0.5;
  f.task_type = "compute";
  f.task_priority = "medium";
  return f;
}

TEST(BundlePredictorTest, AnswersEachInputNotTheRememberedOne) {
  auto model = ModelBundle::Load(testing::SourcePath("data/models/default"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  // Two inputs the model classes differently, each asked of a fresh
  // predictor (nothing remembered).
  auto fresh = [&](double cpu) {
    BundlePredictor p(*model);
    auto a = p.Predict(LoadLevel(cpu));
    EXPECT_TRUE(a.ok());
    return a.ok() ? a->cls : -1;
  };
  std::optional<double> low, high;
  for (double cpu = 0; cpu <= 100 && !high; cpu += 5) {
    if (!low) {
      low = cpu;
    } else if (fresh(cpu) != fresh(*low)) {
      high = cpu;
    }
  }
  ASSERT_TRUE(high) << "the model gives every CPU level the same class";
  BundlePredictor p(*model);
  for (double cpu : {*low, *low, *high, *high, *low, *high}) {
    auto a = p.Predict(LoadLevel(cpu));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->cls, fresh(cpu)) << "cpu " << cpu;
  }
}

}  // namespace
}  // namespace phas
