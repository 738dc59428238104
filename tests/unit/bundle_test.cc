// Model bundle loading: errors name the file and what is wrong.
#include "model/bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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
