// Training: labels, determinism (the same traces give the same bytes), and
// a written bundle that loads and answers the original clients' request.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/json_util.h"
#include "model/bundle.h"
#include "predictor/codec.h"
#include "train/run.h"

namespace phas::train {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(LabelTest, Table) {
  // Demand (instance-units) 3.0 until minute 10, then 6.0; u = 0.6.
  std::vector<DemandSeries::Sample> s;
  for (int m = 0; m <= 60; ++m)
    s.push_back({FromUnixSeconds(60.0 * m), m < 10 ? 3.0 : 6.0});
  DemandSeries d(s, minutes(3), minutes(1));
  struct Case {
    const char* name;
    int minute;
    int capacity;
    // expected
    int label;
  };
  const Case cases[] = {
      {"the rise is a boot time ahead and 6 instances cannot take it", 5, 6, 0},
      {"enough capacity for what comes", 5, 10, 2},
      {"far more than the next window needs, even with one fewer", 20, 12, 1},
      {"one fewer would not serve the next window", 20, 11, 2},
      {"at one instance there is nothing to remove", 0, 1, 0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(Label(d, FromUnixSeconds(60.0 * tc.minute), tc.capacity, 0.6,
                    seconds(300), seconds(300)),
              tc.label);
  }
}

class TrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_train_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "traces");
    for (const char* t :
         {"nasa_http_1995_1min.csv", "nab_nyc_taxi_30min.csv"}) {
      fs::copy_file(std::string(PHAS_SOURCE_DIR) + "/data/traces/" + t,
                    dir_ / "traces" / t);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  TrainRunOptions Options(const std::string& out) {
    TrainRunOptions o;
    o.traces_dir = (dir_ / "traces").string();
    o.out_dir = (dir_ / out).string();
    o.dataset.world.hours = 24;
    o.train.rounds = 20;
    o.validate = true;
    o.backtest = false;
    o.log = std::tmpfile();
    return o;
  }
  fs::path dir_;
};

TEST_F(TrainTest, DeterministicAndServesTheOriginalsRequest) {
  auto a = RunTraining(Options("a"));
  auto b = RunTraining(Options("b"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_GT(a->examples, 1000);
  for (int c = 0; c < 3; ++c) EXPECT_GT(a->per_class[c], 0) << "class " << c;
  EXPECT_EQ(*ReadFile((dir_ / "a" / "model.json").string()),
            *ReadFile((dir_ / "b" / "model.json").string()))
      << "fixed seeds: the same bytes";
  EXPECT_GT(a->loto.support(0) + a->loto.support(1) + a->loto.support(2), 1000);
  EXPECT_TRUE(fs::exists(dir_ / "a" / "MODEL_CARD.md"));
  const std::string card = *ReadFile((dir_ / "a" / "MODEL_CARD.md").string());
  EXPECT_NE(card.find("Not run: trained with `--no-backtest`."),
            std::string::npos);
  EXPECT_EQ(card.find("The first"), std::string::npos) << card;

  auto model = ModelBundle::Load((dir_ / "a").string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->name(), "phas-trained");
  EXPECT_STREQ((*model)->engine(), "tree-ensemble");
  std::vector<InputValue> in;
  CodecError err;
  ASSERT_TRUE(DecodePredictRequest(
      R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]})",
      (*model)->pipeline(), &in, &err))
      << err.message;
  Prediction p;
  ASSERT_TRUE((*model)->Predict(in.data(), &p).ok());
  EXPECT_GE(p.cls, 0);
  EXPECT_LE(p.cls, 2);
}

// Trained without validation, the card says so: before, its table and the
// manifest read precision and recall 0.000 for every class, as if measured.
TEST_F(TrainTest, ValidationSkippedIsSaidNotZero) {
  TrainRunOptions o = Options("nv");
  o.validate = false;
  auto r = RunTraining(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string card = *ReadFile((dir_ / "nv" / "MODEL_CARD.md").string());
  EXPECT_NE(card.find("Not measured: trained with `--no-validate`."),
            std::string::npos)
      << card;
  EXPECT_EQ(card.find("precision"), std::string::npos) << card;
  auto manifest =
      ParseJson(*ReadFile((dir_ / "nv" / "manifest.json").string()));
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ((*manifest)["card"]["leave_one_trace_out"],
            "not measured: trained with --no-validate");
}

// A baseline that does not load fails the run before anything is trained or
// written: the output directory is left as it was.
TEST_F(TrainTest, ABaselineThatDoesNotLoadFailsBeforeAnythingIsWritten) {
  fs::create_directories(dir_ / "bad");
  std::ofstream(dir_ / "bad" / "manifest.json") << "{";
  TrainRunOptions o = Options("out");
  o.validate = false;
  o.backtest = true;
  o.baseline_model = (dir_ / "bad").string();
  auto r = RunTraining(o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("--baseline: " + o.baseline_model +
                                      "/manifest.json: invalid JSON"),
            std::string::npos)
      << r.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

// The output directory is not the baseline's (here spelt another way): the
// original's model would be overwritten by the new one, and the comparison
// made with itself.
TEST_F(TrainTest, AnOutputThatIsTheBaselineIsRefused) {
  fs::copy(std::string(PHAS_SOURCE_DIR) + "/data/models/seed-original",
           dir_ / "base");
  const std::string before = *ReadFile((dir_ / "base" / "model.json").string());
  TrainRunOptions o = Options("base");
  o.validate = false;
  o.backtest = true;
  o.baseline_model = (dir_ / "base" / ".").string();
  auto r = RunTraining(o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("is the --baseline model's directory"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(*ReadFile((dir_ / "base" / "model.json").string()), before);
  // Without the comparison too: the default baseline is the original's.
  o.backtest = false;
  r = RunTraining(o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(*ReadFile((dir_ / "base" / "model.json").string()), before);
}

}  // namespace
}  // namespace phas::train
