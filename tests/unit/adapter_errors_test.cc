// No nlohmann::json exception crosses an adapter: the checked getters of
// common/json_util.h, the non-throwing parse, and the JSON phas writes from
// data it did not make (file names, metric values).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <limits>

#include "common/file_util.h"
#include "common/json_util.h"
#include "model/features.h"
#include "model/xgboost_booster.h"
#include "test_util.h"
#include "train/trainer.h"

namespace phas {
namespace {

using nlohmann::json;

TEST(JsonReaderTest, WrongTypesAreErrorsNamingTheField) {
  struct Case {
    const char* name;
    // input
    const char* json;
    std::function<Status(const JsonReader&)> read;
    // expected: the error contains this
    const char* want;
  };
  auto str = [](const char* key) {
    return [key](const JsonReader& r) {
      std::string s;
      return r.Str(key, &s);
    };
  };
  auto required = [](const char* key) {
    return [key](const JsonReader& r) {
      std::string s;
      return r.RequiredStr(key, &s);
    };
  };
  auto list = [](const JsonReader& r) {
    std::vector<std::string> v;
    return r.StrList("levels", &v);
  };
  auto num = [](const JsonReader& r) {
    double d = 0;
    return r.Num("x", &d, 0, 10);
  };
  const Case cases[] = {
      {"string is a number", R"({"format": 1})", str("format"),
       "m.format: must be a string, got 1"},
      {"string is a huge integer", R"({"format": 123456789012345678901234})",
       str("format"), "m.format: must be a string, got 1.23456789012345"},
      {"string is null", R"({"format": null})", str("format"),
       "m.format: must be a string, got null"},
      {"string is an object", R"({"format": {"a": 1}})", str("format"),
       "m.format: must be a string, got an object"},
      {"required string missing", R"({})", required("name"), "m.name: missing"},
      {"required string empty", R"({"name": ""})", required("name"),
       "m.name: must be a non-empty string"},
      {"list is a string", R"({"levels": "a"})", list,
       "m.levels: must be an array of strings, got \"a\""},
      {"list element is a number", R"({"levels": ["a", 2]})", list,
       "m.levels[1]: must be a string, got 2"},
      {"list element is an array", R"({"levels": [["a"]]})", list,
       "m.levels[0]: must be a string, got an array"},
      {"number is a string", R"({"x": "5"})", num,
       "m.x: must be a number, got \"5\""},
      {"number out of range", R"({"x": 1e300})", num,
       "m.x: must be a number in [0, 10], got 1e+300"},
      {"boolean is a string", R"({"b": "yes"})",
       [](const JsonReader& r) {
         bool b = false;
         return r.Bool("b", &b);
       },
       "m.b: must be true or false, got \"yes\""},
      {"not an object", R"([1, 2])",
       [](const JsonReader& r) { return r.CheckKeys({"a"}); },
       "m: must be an object, got an array"},
      {"unknown key", R"({"a": 1, "colour": 2})",
       [](const JsonReader& r) { return r.CheckKeys({"a"}); },
       "m.colour: unknown key"},
      {"getter on an array", R"([1])", str("format"), ""},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    json j = json::parse(tc.json);
    Status st;
    EXPECT_NO_THROW({
      JsonReader r(j, "m");
      st = tc.read(r);
    });
    if (*tc.want == '\0') {
      EXPECT_TRUE(st.ok()) << "an absent member is not an error";
      continue;
    }
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.IsInvalidArgument());
    EXPECT_NE(st.message().find(tc.want), std::string::npos) << st.message();
  }
}

TEST(JsonReaderTest, SecretsAreNotEchoed) {
  json j = json::parse(R"({"SecretAccessKey": 123456789})");
  JsonReader r(j, "");
  r.set_echo_values(false);
  std::string s;
  Status st = r.Str("SecretAccessKey", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "SecretAccessKey: must be a string, got a number");
}

TEST(ParseJsonTest, NeverThrows) {
  struct Case {
    const char* name;
    std::string text;
    const char* want;  // in the error
  };
  const Case cases[] = {
      {"number overflow", R"({"a": 1e999})", "number overflow"},
      {"negative overflow", R"([-1e999])", "number overflow"},
      {"syntax", R"({"a": )", "syntax error"},
      {"lone surrogate", R"(["\ud800"])", "surrogate"},
      {"invalid UTF-8", "[\"caf\xe9\"]", "invalid string"},
      {"empty", "", "syntax error"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Result<json> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = ParseJson(tc.text));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(tc.want), std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("[json.exception"), std::string::npos);
  }
  auto ok = ParseJson(R"({"a": [1, "x"]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"][1], "x");
}

// The scaler parses FeaturesJson again for its records: metrics so large
// that a feature overflows must still give JSON.
TEST(FeaturesJsonTest, NonFiniteFeaturesAreNull) {
  const double kHuge = std::numeric_limits<double>::max();
  struct Case {
    const char* name;
    double cpu, net_in;
  };
  const Case cases[] = {
      {"network overflows", 50, kHuge},
      {"cpu overflows", kHuge, 0},
      {"cpu is infinite", std::numeric_limits<double>::infinity(), 0},
      {"cpu is NaN", std::numeric_limits<double>::quiet_NaN(), 0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    AggregatedMetrics m;
    m["cpu_utilization"].value = tc.cpu;
    m["network_in"].value = tc.net_in;
    m["network_out"].value = tc.net_in;
    Features f = DeriveFeatures(m, 3, 1, 5);
    std::string text = FeaturesJson(f, 3);
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << text;
    EXPECT_EQ(j["instance_count"], 3);
  }
}

// A trace file name need not be UTF-8; the model card lists it and the
// manifest must still be written (json::dump throws on such strings).
TEST(WriteBundleTest, TraceNamesThatAreNotUtf8) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("phas_adapter_bundle_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto booster =
      XgbBooster::LoadFromFile(testing::TestData("seed-model/model.json"));
  ASSERT_TRUE(booster.ok()) << booster.status().ToString();
  json card = {{"version", "1.2.3"}, {"data", {"caf\xe9", "nasa"}}};
  Status st;
  EXPECT_NO_THROW(st = train::WriteBundle(dir.string(), *booster, card));
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto manifest = ParseJson(*ReadFile((dir / "manifest.json").string()));
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ((*manifest)["card"]["data"][1], "nasa");
  EXPECT_EQ((*manifest)["version"], "1.2.3");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phas
