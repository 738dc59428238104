#include "model/pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace phas {
namespace {

using nlohmann::json;

json ValidSpec() {
  return json::parse(R"({
    "inputs": [{"name": "a", "type": "number"}, {"name": "b", "type": "number"},
               {"name": "kind", "type": "category", "levels": ["x", "y", "z"]}],
    "constants": [{"name": "status", "value": "done"}],
    "derived": [{"name": "ratio", "op": "div", "a": "a", "b": "b", "epsilon": 1}],
    "standardize": {"columns": ["a"], "mean": [10], "scale": [2]},
    "one_hot": [{"source": "kind", "levels": ["y", "z"]},
                {"source": "status", "levels": ["done", "waiting"]}],
    "zero": ["b"],
    "columns": ["a", "b", "ratio", "kind_y", "kind_z", "status_done", "status_waiting"]
  })");
}

TEST(PipelineTest, TransformsInOrder) {
  auto p = FeaturePipeline::FromJson(ValidSpec());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  InputValue in[3] = {{14.0, -1}, {3.0, -1}, {0.0, 2}};
  float out[7];
  p->Transform(in, out);
  EXPECT_FLOAT_EQ(out[0], 2.0f);  // (14 - 10) / 2
  EXPECT_FLOAT_EQ(out[1], 0.0f);  // zero column
  EXPECT_FLOAT_EQ(out[2], 3.5f);  // 14 / (3 + 1), from the raw value
  EXPECT_FLOAT_EQ(out[3], 0.0f);  // kind is z
  EXPECT_FLOAT_EQ(out[4], 1.0f);
  EXPECT_FLOAT_EQ(out[5], 1.0f);  // constant status = done
  EXPECT_FLOAT_EQ(out[6], 0.0f);
}

TEST(PipelineTest, ErrorsNameTheKey) {
  struct Case {
    const char* name;
    const char* pointer;  // JSON pointer to change
    json value;
    const char* expected_key;
  };
  json many_inputs = ValidSpec()["inputs"];
  while (many_inputs.size() < 513) {
    many_inputs.push_back({{"name", "n" + std::to_string(many_inputs.size())},
                           {"type", "number"}});
  }
  const Case cases[] = {
      // It was blamed on pipeline.derived.
      {"too many inputs", "/inputs", many_inputs,
       "pipeline.inputs: at most 512 inputs, got 513"},
      {"unknown op", "/derived/0/op", "pow", "pipeline.derived[0].op"},
      // Each was accepted and ignored (the one-hot columns read the input),
      // or applied twice.
      {"constant named as an input", "/constants/0/name", "kind",
       "pipeline.constants[0].name: duplicate name 'kind'"},
      {"column standardized twice",
       "/standardize",
       {{"columns", {"a", "a"}}, {"mean", {10, 10}}, {"scale", {2, 2}}},
       "pipeline.standardize.columns[1]: 'a' is listed twice"},
      {"derived from unknown", "/derived/0/b", "nope", "pipeline.derived[0].b"},
      {"bad input type", "/inputs/1/type", "text", "pipeline.inputs[1].type"},
      {"zero scale", "/standardize/scale/0", 0,
       "pipeline.standardize.scale[0]"},
      {"unknown level", "/one_hot/0/levels/0", "w",
       "pipeline.one_hot[0].levels"},
      {"column without source", "/columns/1", "mystery", "pipeline.columns[1]"},
      {"unknown key", "/extra", 1, "pipeline.extra"},
      {"unknown source", "/one_hot/1/source", "nothing",
       "pipeline.one_hot[1].source"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    json spec = ValidSpec();
    spec[json::json_pointer(tc.pointer)] = tc.value;
    auto p = FeaturePipeline::FromJson(spec);
    ASSERT_FALSE(p.ok());
    EXPECT_TRUE(p.status().IsInvalidArgument());
    EXPECT_NE(p.status().message().find(tc.expected_key), std::string::npos)
        << p.status().message();
  }
}

TEST(PipelineTest, OptionalInputsComeLastAndAreNumbers) {
  json spec = json::parse(R"({
    "inputs": [{"name": "a", "type": "number"},
               {"name": "t", "type": "number", "optional": true}],
    "columns": ["a", "t"]})");
  auto p = FeaturePipeline::FromJson(spec);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->required_inputs(), 1u);
  EXPECT_TRUE(p->inputs()[1].optional);
  InputValue in[2] = {{3.0, -1},
                      {std::numeric_limits<double>::quiet_NaN(), -1}};
  float out[2];
  p->Transform(in, out);
  EXPECT_FLOAT_EQ(out[0], 3.0f);
  EXPECT_TRUE(std::isnan(out[1]))
      << "a missing input reaches the trees as missing";

  struct Case {
    const char* name;
    const char* inputs;
    const char* expected_key;
  };
  const Case cases[] = {
      {"required after optional",
       R"([{"name": "t", "type": "number", "optional": true}, {"name": "a", "type": "number"}])",
       "pipeline.inputs[1].optional"},
      {"optional category",
       R"([{"name": "k", "type": "category", "levels": ["x"], "optional": true}])",
       "pipeline.inputs[0].optional"},
      {"not a boolean",
       R"([{"name": "a", "type": "number", "optional": "yes"}])",
       "pipeline.inputs[0].optional"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    json bad = {{"inputs", json::parse(tc.inputs)}, {"columns", json::array()}};
    auto r = FeaturePipeline::FromJson(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(tc.expected_key), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace phas
