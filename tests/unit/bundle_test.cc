// Model bundle loading: errors name the file and what is wrong.
#include "model/bundle.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
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
  // A fresh copy of the seed model with `file` written over, loaded.
  Result<std::shared_ptr<const ModelBundle>> LoadWith(
      const std::string& file, const std::string& content) {
    SetUp();
    Write(file, content);
    Result<std::shared_ptr<const ModelBundle>> b =
        Status::Internal("not loaded");
    EXPECT_NO_THROW(b = ModelBundle::Load(dir_));
    return b;
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
      {"scaler without mean", "scaler.json", R"({"columns": [], "scale": []})",
       "scaler.json", "must have 'columns', 'mean' and 'scale'"},
      {"columns not names", "columns.json", "[\"cpu_usage\", 5]",
       "columns.json", "must be an array of names"},
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
    // Exit 2, as any bad bundle (not 1, which systemd restarts on).
    EXPECT_TRUE(m.status().IsInvalidArgument() || m.status().IsNotFound())
        << m.status().ToString();
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
    json m = ShippedManifest();
    json::json_pointer ptr(tc.pointer);
    if (tc.value) {
      m[ptr] = *tc.value;
    } else {
      m[ptr.parent_pointer()].erase(ptr.back());
    }
    auto b = LoadWith("manifest.json", m.dump());
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
      // 200 KB of brackets: copying the document overflowed the stack.
      {"manifest nested 100000 deep", "manifest.json",
       std::string(100000, '[') + std::string(100000, ']'),
       "nested deeper than 64 levels"},
      {"scaler nested 100000 deep", "scaler.json",
       std::string(100000, '[') + std::string(100000, ']'),
       "nested deeper than 64 levels"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto b = LoadWith(tc.file, tc.content);
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

// A booster file XGBoost would crash or hang on, or read as something it is
// not, is refused before XGBoost sees it: one InvalidArgument line (exit 2,
// as any bad bundle) naming the file, and the tree, node and field.
TEST_F(BundleTest, BrokenBoostersAreRefusedBeforeXgboostReadsThem) {
  struct Edit {
    const char* pointer;  // into the seed model's model.json
    json value;
  };
  const std::string seed = *ReadFile(dir_ / "model.json");
  auto edited = [&](std::vector<Edit> edits) {
    json m = json::parse(seed);
    for (const Edit& e : edits) m[json::json_pointer(e.pointer)] = e.value;
    return m.dump();
  };
  const std::string tree0 = "/learner/gradient_booster/model/trees/0/";
  const std::string tree1 = "/learner/gradient_booster/model/trees/1/";
  // The seed's trees as a dart booster, each weighted 1 but tree 0 (w0)
  // and tree 5 (w5); tree 0's first leaf is `leaf`.
  auto dart = [&](json w0, json w5, double leaf) {
    json m = json::parse(seed);
    m[json::json_pointer(tree0 + "split_conditions/1")] = leaf;
    json& gb = m["learner"]["gradient_booster"];
    json weights(std::vector<double>(300, 1.0));
    weights[0] = w0;
    weights[5] = w5;
    gb = {{"name", "dart"},
          {"gbtree", {{"name", "gbtree"}, {"model", gb["model"]}}},
          {"weight_drop", weights}};
    return m.dump();
  };
  json with_dot = ShippedManifest();
  with_dot["booster"] = ".";
  struct Case {
    const char* name;
    // input: a file of the bundle and its content
    const char* file;
    std::string content;
    // expected in the error
    std::string want;
  };
  const Case cases[] = {
      // XGBoost reads past the tree: a segfault.
      {"child past the tree", "model.json",
       edited({{(tree0 + "left_children/0").c_str(), 999999}}),
       "tree 0 node 0: left_children is 999999, outside [-1, 21)"},
      // XGBoost reads 100000 tree_info entries: a segfault.
      {"num_trees past the trees", "model.json",
       edited({{"/learner/gradient_booster/model/gbtree_model_param/num_trees",
                "100000"}}),
       "gbtree_model_param.num_trees: is \"100000\", but 300 trees are "
       "present"},
      // XGBoost's prediction walks from node 0 to node 0 forever.
      {"node its own child", "model.json",
       edited({{(tree0 + "left_children/0").c_str(), 0},
               {(tree0 + "right_children/0").c_str(), 0}}),
       "tree 0 node 0: left_children is 0, a node already reached from the "
       "root"},
      {"two parents of one node", "model.json",
       edited({{(tree0 + "right_children/0").c_str(), 1}}),
       "tree 0 node 0: right_children is 1, a node already reached"},
      // XGBoost reads every node's parent as it loads: a segfault.
      {"parent past the tree", "model.json",
       edited({{(tree0 + "parents/3").c_str(), 999999}}),
       "tree 0 node 3: parents is 999999, outside [0, 21)"},
      {"negative parent", "model.json",
       edited({{(tree0 + "parents/20").c_str(), -5}}),
       "tree 0 node 20: parents is -5, outside [0, 21)"},
      // A leaf past a float is infinite in XGBoost: every probability of
      // the rows reaching it was NaN, and the service answered
      // "probabilities": [-nan, -nan, -nan] (not JSON).
      {"leaf value past a float", "model.json",
       edited({{(tree0 + "split_conditions/1").c_str(), 1e39}}),
       "tree 0 node 1: split_conditions (the leaf's value) is 1e+39, not a "
       "finite 32-bit float"},
      {"leaves adding up past a float", "model.json",
       edited({{(tree0 + "split_conditions/1").c_str(), 3e38},
               {"/learner/gradient_booster/model/trees/3/split_conditions/1",
                3e38}}),
       "model.trees: the leaves of output group 0 add up to 6e+38, past a "
       "32-bit float"},
      {"base_score past a float", "model.json",
       edited({{"/learner/learner_model_param/base_score", "1e40"}}),
       "learner.learner_model_param.base_score: is \"1e40\", not a finite "
       "32-bit float"},
      // XGBoost's probe prediction asked for 64 x 2^31 floats: 512 GB
      // (std::bad_alloc, exit 1; 5000000 took 2.5 GB before the error).
      {"num_class past 65536", "model.json",
       edited({{"/learner/learner_model_param/num_class", "2000000000"}}),
       "learner.learner_model_param.num_class: must be an integer from 0 to "
       "65536, got \"2000000000\""},
      // XGBoost refuses these when it first uses the model, not as it
      // loads it: they were "Internal" errors, exit 1.
      {"classes and targets both", "model.json",
       edited({{"/learner/learner_model_param/num_target", "3"}}),
       "model.json: not a loadable XGBoost model: XGBoosterGetNumFeature: "
       "Check failed: n_classes <= 1 || n_targets <= 1"},
      {"a categorical split without categories", "model.json",
       edited({{(tree0 + "split_type/0").c_str(), 1}}),
       "model.json: not a loadable XGBoost model: "
       "XGBoosterSaveModelToBuffer: Check failed"},
      // A dart weight scales its tree's leaves: past a float, NaN again.
      {"dart weight past a float", "model.json", dart(1.0, 1e39, 0.45),
       "learner.gradient_booster.weight_drop[5]: is 1e+39, not a finite "
       "32-bit float"},
      {"dart weights adding up past a float", "model.json",
       dart(2.0, 1.0, 3e38),
       "gbtree.model.trees: the leaves of output group 0 add up to 6e+38"},
      {"tree_info shorter than the trees", "model.json",
       edited(
           {{"/learner/gradient_booster/model/tree_info", json::array({0})}}),
       "tree_info: has 1 values, but num_trees is 300"},
      {"group past the classes", "model.json",
       edited({{"/learner/gradient_booster/model/tree_info/5", 3}}),
       "tree_info[5]: the output group is 3, outside [0, 3)"},
      {"split on a feature past num_feature", "model.json",
       edited({{(tree0 + "split_indices/0").c_str(), 17}}),
       "tree 0 node 0: split_indices is 17, outside [0, 17)"},
      {"num_nodes past the arrays", "model.json",
       edited({{(tree0 + "tree_param/num_nodes").c_str(), "1000"}}),
       "tree 0 left_children: has 21 values, but num_nodes is 1000"},
      {"two trees with one id", "model.json",
       edited({{(tree1 + "id").c_str(), 0}}),
       "tree 1 id: is 0, but 1 is the tree's place"},
      // Not models at all: each gave XGBoost's stack trace's last line.
      {"empty", "model.json", "",
       "model.json: not a loadable XGBoost model: "
       "the file is empty"},
      {"truncated", "model.json", seed.substr(0, seed.size() / 2),
       "not a loadable XGBoost model: invalid JSON"},
      {"empty object", "model.json", "{}",
       "not a loadable XGBoost model: learner: must be an object, got null"},
      {"array", "model.json", "[1,2,3]", "it does not start with '{'"},
      // XGBoost read it as its legacy binary format: std::bad_alloc.
      {"text file", "model.json", "root:x:0:0:root:/root:/bin/bash\n",
       "it does not start with '{'"},
      {"booster is the directory", "manifest.json", with_dot.dump(),
       "is a directory, not a file"},
      // nlohmann's UBJSON reader recurses without a limit and believes a
      // declared count ('#l' and 2^31 nulls from 10 bytes).
      {"UBJSON", "model.json",
       std::string("{i\x07learner[$Z#l\x7f\xff\xff\xff", 17),
       "phas reads JSON models only"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto b = LoadWith(tc.file, tc.content);
    ASSERT_FALSE(b.ok());
    EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
    const std::string& msg = b.status().message();
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

// XGBoost's parser and the check's differ: a key twice (XGBoost keeps the
// first, nlohmann the last) or spelt with a \u escape (XGBoost does not
// decode it) could hide a broken tree from the check. XGBoost is given the
// document checked: the model loads, and predicts as the one checked.
TEST_F(BundleTest, XgboostLoadsTheDocumentChecked) {
  const std::string seed = *ReadFile(dir_ / "model.json");
  const std::string key = "\"left_children\":";
  const size_t at = seed.find(key);
  ASSERT_NE(at, std::string::npos);
  struct Case {
    const char* name;
    // The tree's own left_children spelt so (nlohmann reads it as the same
    // key, and keeps it: the last), after a broken one.
    std::string own;
  };
  const Case cases[] = {
      {"a key twice", key},
      {"a key spelt with an escape", "\"left\\u005fchildren\":"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string m = seed;
    m.replace(at, key.size(), key + "[999999]," + tc.own);
    auto b = LoadWith("model.json", m);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
  }
}

// What an XGBoost error says is wrong, without its stack trace, time and
// source location.
TEST(XgbErrorMessageTest, KeepsWhatIsWrong) {
  struct Case {
    const char* name;
    const char* raw;
    const char* want;
  };
  const Case cases[] = {
      {"check with stack trace",
       "[10:00:00] /src/learner.cc:1059: Check failed: header == "
       "serialisation_header_: \n  If you are loading a model, use "
       "load_model.\nStack trace:\n  [bt] (0) /lib/libxgboost.so(+0x1) "
       "[0x7f]\n  [bt] (8) /path/phas(+0xa7394) [0x55d4]\n",
       "Check failed: header == serialisation_header_: If you are loading a "
       "model, use load_model."},
      {"frames only", "  [bt] (0) /lib/libxgboost.so(+0x1) [0x7f]\n",
       "unknown XGBoost error"},
      {"plain", "Unknown gbm type foo", "Unknown gbm type foo"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(XgbErrorMessage(tc.raw), tc.want);
  }
}

// End to end, each command that loads a bundle: a child past the tree and a
// cycle are one line on stderr and exit 2, not a segfault or a hang. On the
// shipped default model, where XGBoost's probe loops on the cycle.
TEST_F(BundleTest, CommandsRefuseABrokenBoosterInOneLine) {
  const std::string seed =
      *ReadFile(testing::SourcePath("data/models/default/model.json"));
  const std::string manifest =
      *ReadFile(testing::SourcePath("data/models/default/manifest.json"));
  const std::string left0 =
      "/learner/gradient_booster/model/trees/0/left_children/0";
  const std::string right0 =
      "/learner/gradient_booster/model/trees/0/right_children/0";
  json past = json::parse(seed), cycle = json::parse(seed);
  past[json::json_pointer(left0)] = 999999;
  cycle[json::json_pointer(left0)] = 0;
  cycle[json::json_pointer(right0)] = 0;
  struct Case {
    const char* name;
    const json* model;
    const char* args;  // after the binary, before the bundle
  };
  const Case cases[] = {
      {"inspect, child past the tree", &past, "model inspect"},
      {"predict, cycle", &cycle,
       "predict '{\"features\": [1, 2, 3, 4, 5, 6, 7, \"io\", \"low\"]}' "
       "--model"},
      {"predictor, cycle", &cycle, "predictor --port 0 --model"},
  };
  std::string err_file = (fs::temp_directory_path() /
                          ("phas_bundle_err_" + std::to_string(::getpid())))
                             .string();
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    SetUp();
    Write("manifest.json", manifest);
    Write("model.json", tc.model->dump());
    std::string cmd = "timeout 30 " + testing::PhasBinary() + " " + tc.args +
                      " '" + dir_.string() + "' >/dev/null 2>'" + err_file +
                      "'";
    int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 2);
    std::string err = *ReadFile(err_file);
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_NE(err.find("model.json: not a loadable XGBoost model: tree 0 "
                       "node 0: "),
              std::string::npos)
        << err;
  }
  fs::remove(err_file);
}

// A bundle's file that is a FIFO is refused at once: reading it waited
// without end for a writer (`phas predictor` never started, and never said
// why).
TEST_F(BundleTest, AFifoIsRefusedNotWaitedOn) {
  for (const char* file : {"model.json", "scaler.json", "manifest.json"}) {
    SCOPED_TRACE(file);
    SetUp();
    const std::string fifo = (dir_ / file).string();
    fs::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto load =
        std::async(std::launch::async, [&] { return ModelBundle::Load(dir_); });
    if (load.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "still waiting for a writer after 10 s";
      // A writer that comes and goes lets it go on, with an empty file.
      int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
    }
    auto b = load.get();
    ASSERT_FALSE(b.ok());
    EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
    EXPECT_NE(b.status().message().find(fifo + ": not a regular file"),
              std::string::npos)
        << b.status().message();
  }
}

// A socket is refused as not a file too, exit 2 (InvalidArgument): opening
// it failed first (ENXIO, an IoError: exit 1, which systemd restarts).
TEST_F(BundleTest, ASocketIsRefusedAsNotAFile) {
  const std::string path = (dir_ / "model.json").string();
  fs::remove(path);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto b = ModelBundle::Load(dir_);
  ::close(sock);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
  EXPECT_NE(b.status().message().find(path + ": not a regular file"),
            std::string::npos)
      << b.status().message();
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
