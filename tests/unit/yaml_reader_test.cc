// YamlReader: every getter type-checks before yaml-cpp converts, so a node of
// the wrong kind (a mapping where a string belongs, a list as a key) is an
// error naming the key, never an exception; and a key given twice is an
// error in every configuration file phas reads.
#include "scaler/yaml_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "scaler/config.h"
#include "sim/backtest_config.h"

namespace phas {
namespace {

TEST(YamlReaderTest, WrongKindsAreErrorsNamingTheKey) {
  struct Case {
    const char* name;
    // input
    const char* yaml;
    std::function<Status(const YamlReader&)> read;
    // expected: the error contains this
    const char* want;
  };
  auto str_list = [](const char* key) {
    return [key](const YamlReader& r) {
      std::vector<std::string> v;
      return r.StrList(key, &v);
    };
  };
  auto check = [](const YamlReader& r) { return r.CheckKeys({"a", "b"}); };
  const Case cases[] = {
      {"list element is a mapping", "dimensions: [{a: 1}]\n",
       str_list("dimensions"),
       "cfg.dimensions[0]: must be a string, got a mapping"},
      {"list element is a list", "dimensions: [InstanceId, [x]]\n",
       str_list("dimensions"),
       "cfg.dimensions[1]: must be a string, got a list"},
      {"list element is null", "dimensions: [~]\n", str_list("dimensions"),
       "cfg.dimensions[0]: must be a string, got null"},
      {"list is a string", "dimensions: InstanceId\n", str_list("dimensions"),
       "cfg.dimensions: must be a list of strings, got a string"},
      {"list is a mapping", "dimensions: {a: 1}\n", str_list("dimensions"),
       "cfg.dimensions: must be a list of strings, got a mapping"},
      {"key is a mapping", "{a: 1}: 2\n", check,
       "cfg: line 1: a key must be a string, got a mapping"},
      {"key is a list", "a: 1\n? [x, y]\n: 2\n", check,
       "cfg: line 2: a key must be a string, got a list"},
      {"key is null", "~: 1\n", check, "a key must be a string, got null"},
      {"key twice", "a: 1\nb: 2\na: 3\n", check, "cfg.a: appears twice"},
      {"key twice, quoted once", "a: 1\n'a': 2\n", check,
       "cfg.a: appears twice"},
      {"not a mapping", "[a, b]\n", check,
       "cfg: must be a mapping, got a list"},
      {"string is a mapping", "a: {x: 1}\n",
       [](const YamlReader& r) {
         std::string s;
         return r.Str("a", &s);
       },
       "cfg.a: must be a string, got a mapping"},
      {"integer is a list", "a: [1]\n",
       [](const YamlReader& r) {
         int i = 0;
         return r.Int("a", &i, 0, 10);
       },
       "cfg.a: must be an integer"},
      {"integer too large", "a: 99999999999999999999999\n",
       [](const YamlReader& r) {
         int i = 0;
         return r.Int("a", &i, 0, 10);
       },
       "cfg.a: must be an integer in [0, 10]"},
      {"number is a mapping", "a: {x: 1}\n",
       [](const YamlReader& r) {
         double d = 0;
         return r.Num("a", &d, 0, 10);
       },
       "cfg.a: must be a number"},
      {"number is 1e999", "a: 1e999\n",
       [](const YamlReader& r) {
         double d = 0;
         return r.Num("a", &d, 0, 10);
       },
       "cfg.a: must be a number in [0, 10]"},
      {"boolean is a list", "a: [true]\n",
       [](const YamlReader& r) {
         bool b = false;
         return r.Bool("a", &b);
       },
       "cfg.a: must be true or false"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Status st;
    EXPECT_NO_THROW({
      YamlReader r(YAML::Load(tc.yaml), "cfg");
      st = tc.read(r);
    });
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.IsInvalidArgument());
    EXPECT_NE(st.message().find(tc.want), std::string::npos) << st.message();
  }
}

TEST(YamlReaderTest, StrListAndKeysReadWhatIsThere) {
  YamlReader r(YAML::Load("d: [InstanceId, 'x y', 3]\nb: 1\n"), "");
  std::vector<std::string> v = {"default"};
  ASSERT_TRUE(r.StrList("d", &v).ok());
  EXPECT_EQ(v, (std::vector<std::string>{"InstanceId", "x y", "3"}));
  std::vector<std::string> absent = {"default"};
  ASSERT_TRUE(r.StrList("missing", &absent).ok());
  EXPECT_EQ(absent, std::vector<std::string>{"default"});
  std::vector<std::string> keys;
  ASSERT_TRUE(r.Keys(&keys).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"d", "b"}));
}

TEST(YamlReaderTest, ChildOfAScalarIsUndefinedNotAnException) {
  YamlReader r(YAML::Load("just text"), "cfg");
  EXPECT_NO_THROW({
    EXPECT_FALSE(r.Has("a"));
    EXPECT_FALSE(r.Child("a").IsDefined());
  });
}

// Every configuration file: a key given twice names the key and its path
// (yaml-cpp keeps both and a lookup took the first, silently); a file of
// two documents is refused, and so is one whose aliases hold themselves or
// expand past a million values.
TEST(YamlReaderTest, DuplicatedKeysInEveryConfigFile) {
  // Nine lists of nine aliases of the list before: 9^9 values of 300 bytes.
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    laughs += fmt::format("a{}: &a{} [", i, i);
    for (int k = 0; k < 9; ++k)
      laughs += fmt::format("{}*a{}", k ? ", " : "", i - 1);
    laughs += "]\n";
  }
  const std::string deep = std::string(70, '[') + std::string(70, ']');
  struct Case {
    const char* name;
    // input: which file and its text
    bool backtest;
    const char* yaml;
    // expected in the error
    const char* want;
  };
  const Case cases[] = {
      {"scaler top level", false, "interval_seconds: 5\ninterval_seconds: 6\n",
       "phas.yaml: interval_seconds: appears twice"},
      {"scaler group", false,
       "groups:\n  - name: a\n    cooldown_seconds: 60\n"
       "    cooldown_seconds: 600\n",
       "phas.yaml: groups[0].cooldown_seconds: appears twice"},
      {"scaler group name", false, "groups:\n  - name: a\n    name: b\n",
       "phas.yaml: groups[0].name: appears twice"},
      {"scaler policy section", false,
       "groups:\n  - name: a\n    policy: reactive\n    reactive: "
       "{tolerance: 0.1, tolerance: 0.2}\n",
       "phas.yaml: groups[0].reactive.tolerance: appears twice"},
      {"scaler memory metric", false,
       "groups:\n  - name: a\n    memory_metric: {enabled: true, enabled: "
       "false}\n",
       "phas.yaml: groups[0].memory_metric.enabled: appears twice"},
      {"scaler step list item", false,
       "groups:\n  - name: a\n    policy: step\n    step:\n      out_steps:\n"
       "        - {lower: 0, upper: 10, adjustment: 1, adjustment: 2}\n",
       "phas.yaml: groups[0].step.out_steps[0].adjustment: appears twice"},
      {"scaler aws endpoints", false,
       "aws:\n  endpoints:\n    ec2: http://a\n    ec2: http://b\n",
       "phas.yaml: aws.endpoints.ec2: appears twice"},
      {"scaler non-string key", false, "groups:\n  - {name: a, [x]: 1}\n",
       "phas.yaml: groups[0]: line 2: a key must be a string, got a list"},
      {"backtest world", true, "world:\n  min_size: 1\n  min_size: 2\n",
       "bt.yaml: world.min_size: appears twice"},
      {"backtest policies", true,
       "policies:\n  hpa: {}\n  seed: {}\n  hpa: {cooldown_seconds: 5}\n",
       "bt.yaml: policies.hpa: appears twice"},
      {"backtest policy setting", true,
       "policies:\n  hpa:\n    hpa: {tolerance: 0.1}\n    hpa: {}\n",
       "bt.yaml: policies.hpa.hpa: appears twice"},
      {"backtest non-string policy name", true, "policies:\n  [hpa]: {}\n",
       "bt.yaml: policies: line 2: a key must be a string, got a list"},
      {"backtest top level", true, "model: a\nmodel: b\n",
       "bt.yaml: model: appears twice"},
      // A second document would be dropped as silently.
      {"scaler, two documents", false, "region: a\n---\nregion: us-east-1\n",
       "phas.yaml: holds 2 YAML documents"},
      {"backtest, two documents", true, "model: a\n---\nmodel: b\n",
       "bt.yaml: holds 2 YAML documents"},
      // (A trailing --- is no document: the first's error is the one.)
      {"scaler, a trailing ---", false, "interval_seconds: x\n---\n",
       "phas.yaml: interval_seconds"},
      // Not UTF-8 (a file saved in Latin-1): named, never echoed.
      {"scaler group name in Latin-1", false,
       "groups:\n  - name: web\n  - name: caf\xe9\n",
       "phas.yaml: groups[1].name: not UTF-8 text"},
      {"scaler key in Latin-1", false,
       "aws:\n  endpoints:\n    \xe9"
       "c2: x\n",
       "phas.yaml: aws.endpoints.a key: not UTF-8 text"},
      {"backtest policy name in Latin-1", true,
       "policies:\n  hpa: {}\n  seed:\n    model: m\xe9\n",
       "bt.yaml: policies.seed.model: not UTF-8 text"},
      // An alias inside its own anchor crashed (the stack overflowed);
      // aliases of aliases never ended.
      {"backtest, an alias inside its anchor", true, "&a [*a]\n",
       "bt.yaml: deeper than 64 levels"},
      {"backtest world holding itself", true, "world: &w {signal: *w}\n",
       "bt.yaml: deeper than 64 levels"},
      {"scaler groups holding themselves", false,
       "region: us-east-1\ngroups: &g [*g]\n", "phas.yaml: deeper than 64"},
      {"backtest, an alias inside its anchor, told", true, "&a [*a]\n",
       "bt.yaml: deeper than 64 levels once its aliases are expanded (an "
       "alias inside its own anchor?)"},
      {"backtest, a billion laughs", true, laughs.c_str(),
       "bt.yaml: more than a million values once its aliases are expanded"},
      // Only deep: it was told of an alias it does not have.
      {"backtest, only deep", true, deep.c_str(),
       "bt.yaml: deeper than 64 levels\n"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Status st;
    EXPECT_NO_THROW({
      if (tc.backtest) {
        BacktestOptions o;
        st = ParseBacktestConfig(tc.yaml, "bt.yaml", &o);
      } else {
        st = ParseScalerConfig(tc.yaml, "phas.yaml").status();
      }
    });
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.IsInvalidArgument());
    EXPECT_NE((st.message() + "\n").find(tc.want), std::string::npos)
        << st.message();
  }
}

}  // namespace
}  // namespace phas
