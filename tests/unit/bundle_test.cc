// Model bundle loading: errors name the file and what is wrong.
#include "model/bundle.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/file_util.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_bundle_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* f : {"model.json", "scaler.json", "columns.json"}) {
      fs::copy_file(testing::TestData(std::string("seed-model/") + f),
                    dir_ / f);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  json ShippedManifest() {
    return json::parse(*ReadFile(
        testing::SourcePath("data/models/seed-original/manifest.json")));
  }
  fs::path dir_;
};

TEST_F(BundleTest, LoadsLegacyLayoutWithTheFastEngine) {
  auto m = ModelBundle::Load(dir_);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->format(), "seed-legacy");
  EXPECT_STREQ((*m)->engine(), "tree-ensemble");
  EXPECT_EQ((*m)->pipeline().inputs().size(), 9u);
  EXPECT_EQ((*m)->pipeline().num_columns(), 17u);
}

TEST_F(BundleTest, SynthesizedManifestEqualsTheShippedOne) {
  auto m = ModelBundle::SeedManifest(dir_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)["pipeline"], ShippedManifest()["pipeline"]);
}

TEST_F(BundleTest, LoadErrorsNameTheFile) {
  struct Case {
    const char* name;
    const char* file;
    std::string content;
    // expected substrings of the error
    std::string want1, want2;
  };
  json bad_op = ShippedManifest();
  bad_op["pipeline"]["derived"][0]["op"] = "pow";
  json wrong_booster = ShippedManifest();
  wrong_booster["booster"] = "missing.json";
  json unknown_key = ShippedManifest();
  unknown_key["colour"] = "red";
  json bad_action = ShippedManifest();
  bad_action["classes"][0]["action"] = "explode";
  json too_few_columns = ShippedManifest();
  too_few_columns["pipeline"]["columns"].erase(16);
  const Case cases[] = {
      {"corrupt model", "model.json", "{\"learner\": 42}", "model.json",
       "not a loadable XGBoost model"},
      {"truncated scaler", "scaler.json", "{\"columns\": [", "scaler.json",
       "invalid JSON"},
      {"columns not array", "columns.json", "{}", "columns.json", "array"},
      {"manifest bad op", "manifest.json", bad_op.dump(), "manifest.json",
       "pipeline.derived[0].op"},
      {"manifest missing booster", "manifest.json", wrong_booster.dump(),
       "missing.json", "no such model file"},
      {"manifest unknown key", "manifest.json", unknown_key.dump(),
       "manifest.json", "colour"},
      {"manifest bad action", "manifest.json", bad_action.dump(),
       "classes[0].action", "explode"},
      {"column count mismatch", "manifest.json", too_few_columns.dump(),
       "model.json", "takes 17 features"},
      {"manifest not json", "manifest.json", "nope", "manifest.json",
       "invalid JSON"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SetUp();
    Write(tc.file, tc.content);
    auto m = ModelBundle::Load(dir_);
    ASSERT_FALSE(m.ok());
    const std::string& msg = m.status().message();
    EXPECT_NE(msg.find(tc.want1), std::string::npos) << msg;
    EXPECT_NE(msg.find(tc.want2), std::string::npos) << msg;
  }
}

// Every field the manifest and its pipeline are read from: a wrong type,
// a missing key or a number out of range is one InvalidArgument line naming
// the file and the field, never a nlohmann::json exception.
TEST_F(BundleTest, ManifestFieldErrorsNameTheField) {
  struct Case {
    const char* name;
    // input: a JSON pointer into the shipped manifest and its new value
    // (absent: the key is removed)
    const char* pointer;
    std::optional<json> value;
    // expected in the error, after "<dir>/manifest.json: "
    const char* want;
  };
  const Case cases[] = {
      {"format is a number", "/format", 1, "format: must be a string, got 1"},
      {"format is huge", "/format", 18446744073709551615ull,
       "format: must be a string, got 18446744073709551615"},
      {"format is an object", "/format", json::object(),
       "format: must be a string, got an object"},
      {"format missing", "/format", std::nullopt, "format: missing"},
      {"format unknown", "/format", "phas-model/2",
       "format: must be \"phas-model/1\", got \"phas-model/2\""},
      {"name is a number", "/name", 5, "name: must be a string, got 5"},
      {"version is an array", "/version", json::array(),
       "version: must be a string, got an array"},
      {"booster is null", "/booster", nullptr,
       "booster: must be a string, got null"},
      {"booster empty", "/booster", "", "booster: must be a non-empty string"},
      {"description is a number", "/description", 7,
       "description: must be a string, got 7"},
      {"classes is an object", "/classes", json::object(),
       "classes: must be an array of at least 2 classes, got an object"},
      {"one class", "/classes", json::parse(R"([{"label": "a",
        "action": "hold"}])"),
       "classes: must list at least 2 classes, got 1"},
      {"class is a string", "/classes/0", "Low",
       "classes[0]: must be an object, got \"Low\""},
      {"class label is a number", "/classes/1/label", 3,
       "classes[1].label: must be a string, got 3"},
      {"class action missing", "/classes/2/action", std::nullopt,
       "classes[2].action: missing"},
      {"class action is a boolean", "/classes/2/action", true,
       "classes[2].action: must be a string, got true"},
      {"class unknown key", "/classes/0/colour", "red",
       "classes[0].colour: unknown key"},
      {"pipeline is a number", "/pipeline", 1,
       "pipeline: must be an object, got 1"},
      {"pipeline missing", "/pipeline", std::nullopt,
       "pipeline: must be an object, got null"},
      {"input name is a number", "/pipeline/inputs/0/name", 1,
       "pipeline.inputs[0].name: must be a string, got 1"},
      {"input type missing", "/pipeline/inputs/0/type", std::nullopt,
       "pipeline.inputs[0].type: missing"},
      {"input level is a number", "/pipeline/inputs/7/levels/1", 2,
       "pipeline.inputs[7].levels[1]: must be a string, got 2"},
      {"input levels is an object", "/pipeline/inputs/7/levels", json::object(),
       "pipeline.inputs[7].levels: must be an array of strings, got an "
       "object"},
      {"optional is a number", "/pipeline/inputs/8/optional", 1,
       "pipeline.inputs[8].optional: must be true or false, got 1"},
      {"epsilon is a string", "/pipeline/derived/1/epsilon", "1e-5",
       "pipeline.derived[1].epsilon: must be a number, got \"1e-5\""},
      {"derived op is an array", "/pipeline/derived/0/op", json::array(),
       "pipeline.derived[0].op: must be a string, got an array"},
      {"mean is a string", "/pipeline/standardize/mean", "x",
       "pipeline.standardize.mean: must be an array as long as columns"},
      {"mean element is a string", "/pipeline/standardize/mean/0", "1",
       "pipeline.standardize.mean/scale[0]: must be numbers"},
      {"standardize columns element is null", "/pipeline/standardize/columns/0",
       nullptr, "pipeline.standardize.columns[0]: must be a string, got null"},
      {"columns is a string", "/pipeline/columns", "cpu_usage",
       "pipeline.columns: must be an array of strings, got \"cpu_usage\""},
      {"columns element is a number", "/pipeline/columns/3", 3,
       "pipeline.columns[3]: must be a string, got 3"},
      {"too many columns", "/pipeline/columns",
       json(std::vector<std::string>(513, "cpu_usage")),
       "pipeline.columns: at most 512 columns, got 513"},
      {"zero is an object", "/pipeline/zero", json::object(),
       "pipeline.zero: must be an array of strings, got an object"},
      {"constant value is a number", "/pipeline/constants/0/value", 0,
       "pipeline.constants[0].value: must be a string, got 0"},
      {"one-hot source is null", "/pipeline/one_hot/0/source", nullptr,
       "pipeline.one_hot[0].source: must be a string, got null"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SetUp();
    json m = ShippedManifest();
    json::json_pointer ptr(tc.pointer);
    if (tc.value) {
      m[ptr] = *tc.value;
    } else {
      m[ptr.parent_pointer()].erase(ptr.back());
    }
    Write("manifest.json", m.dump());
    Result<std::shared_ptr<const ModelBundle>> b =
        Status::Internal("not loaded");
    EXPECT_NO_THROW(b = ModelBundle::Load(dir_));
    ASSERT_FALSE(b.ok());
    EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
    std::string want = (dir_ / "manifest.json").string() + ": " + tc.want;
    EXPECT_NE(b.status().message().find(want), std::string::npos)
        << b.status().message();
    EXPECT_EQ(b.status().message().find('\n'), std::string::npos);
  }
}

// Text that is not JSON, or has a number beyond a double, in each file the
// loader reads.
TEST_F(BundleTest, UnparsableFilesNameTheFile) {
  struct Case {
    const char* name;
    const char* file;
    std::string content;
    const char* want;
  };
  const Case cases[] = {
      {"manifest number overflow", "manifest.json",
       R"({"format": "phas-model/1", "version": 1e999})", "number overflow"},
      {"columns number overflow", "columns.json", "[1e999]", "number overflow"},
      {"scaler number overflow", "scaler.json", R"({"mean": [-1e400]})",
       "number overflow"},
      {"scaler invalid UTF-8", "scaler.json", "{\"caf\xe9\": 1}",
       "invalid JSON"},
      {"columns not strings", "columns.json", "[1, 2]",
       "must be an array of names"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SetUp();
    Write(tc.file, tc.content);
    Result<std::shared_ptr<const ModelBundle>> b =
        Status::Internal("not loaded");
    EXPECT_NO_THROW(b = ModelBundle::Load(dir_));
    ASSERT_FALSE(b.ok());
    const std::string& msg = b.status().message();
    EXPECT_NE(msg.find(tc.file), std::string::npos) << msg;
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
  }
}

// End to end: `phas model inspect` on a manifest whose format is a number
// prints one line naming the field and exits 2 (bad input), not "internal
// error" and 1.
TEST_F(BundleTest, InspectReportsABadFieldInOneLineWithExitCode2) {
  json m = ShippedManifest();
  m["format"] = 1;
  Write("manifest.json", m.dump());
  std::string err_file = (dir_ / "stderr.txt").string();
  std::string cmd = testing::PhasBinary() + " model inspect '" + dir_.string() +
                    "' >/dev/null 2>'" + err_file + "'";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  std::string err = *ReadFile(err_file);
  EXPECT_EQ(err, "phas: InvalidArgument: " + (dir_ / "manifest.json").string() +
                     ": format: must be a string, got 1\n");
}

TEST_F(BundleTest, MissingDirectoryAndEmptyDirectory) {
  auto m = ModelBundle::Load((dir_ / "nope").string());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsNotFound());
  fs::remove(dir_ / "model.json");
  m = ModelBundle::Load(dir_);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("not a model bundle"), std::string::npos);
}

}  // namespace
}  // namespace phas
