#include "predictor/codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "common/metrics.h"
#include "predictor/service.h"
#include "test_util.h"

namespace phas {
namespace {

class CodecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto m = ModelBundle::Load(testing::TestData("seed-model"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = new std::shared_ptr<const ModelBundle>(*m);
  }
  static void TearDownTestSuite() { delete model_; }
  const FeaturePipeline& pipeline() { return (*model_)->pipeline(); }
  static std::shared_ptr<const ModelBundle>* model_;
};
std::shared_ptr<const ModelBundle>* CodecTest::model_ = nullptr;

const char* kGood =
    R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]})";

TEST_F(CodecTest, AcceptsPositionalAndNamedForms) {
  std::vector<InputValue> a, b;
  CodecError err;
  ASSERT_TRUE(DecodePredictRequest(kGood, pipeline(), &a, &err)) << err.message;
  ASSERT_TRUE(DecodePredictRequest(
      R"({"cpu_usage": 45.2, "memory_usage": 56.2, "network_traffic": 160.8,
          "power_consumption": 203.4, "num_executed_instructions": 21696000000,
          "execution_time": 0.2, "energy_efficiency": 1.9941,
          "task_type": "network", "task_priority": "low"})",
      pipeline(), &b, &err))
      << err.message;
  ASSERT_EQ(a.size(), 9u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].number, b[i].number);
    EXPECT_EQ(a[i].level, b[i].level);
  }
  EXPECT_EQ(a[4].number, 21696000000.0);  // a JSON integer
  EXPECT_EQ(a[7].level, 1);               // network
  EXPECT_EQ(a[8].level, 2);               // low
}

TEST_F(CodecTest, RejectsBadBodiesNamingTheField) {
  struct Case {
    const char* name;
    std::string body;
    // expected
    int status;
    std::string field;
  };
  std::string deep(100, '[');
  const Case cases[] = {
      {"empty body", "", 400, ""},
      {"whitespace body", "  \n ", 400, ""},
      {"malformed json", R"({"features": [1, 2,)", 400, "features[2]"},
      {"trailing garbage", std::string(kGood) + "x", 400, ""},
      {"top-level array", "[1,2,3]", 400, ""},
      {"top-level string", "\"hi\"", 400, ""},
      {"features not array", R"({"features": "1,2,3"})", 400, "features"},
      {"too few", R"({"features": [1, 2, 3]})", 400, "features"},
      {"too many", R"({"features": [1,2,3,4,5,6,7,"io","low",9]})", 400,
       "features"},
      {"string for number", R"({"features": [1,"2",3,4,5,6,7,"io","low"]})",
       400, "features[1]"},
      {"bool for number", R"({"features": [1,2,true,4,5,6,7,"io","low"]})", 400,
       "features[2]"},
      {"null for number", R"({"features": [1,2,3,null,5,6,7,"io","low"]})", 400,
       "features[3]"},
      {"nested array value", R"({"features": [1,2,3,4,[5],6,7,"io","low"]})",
       400, "features[4]"},
      {"number for category", R"({"features": [1,2,3,4,5,6,7,1,"low"]})", 400,
       "features[7]"},
      {"unknown category", R"({"features": [1,2,3,4,5,6,7,"gpu","low"]})", 400,
       "features[7]"},
      {"category case differs", R"({"features": [1,2,3,4,5,6,7,"IO","low"]})",
       400, "features[7]"},
      {"unknown priority", R"({"features": [1,2,3,4,5,6,7,"io","urgent"]})",
       400, "features[8]"},
      {"NaN literal", R"({"features": [NaN,2,3,4,5,6,7,"io","low"]})", 400,
       "features[0]"},
      {"Infinity literal", R"({"features": [1,Infinity,3,4,5,6,7,"io","low"]})",
       400, "features[1]"},
      {"-Infinity literal",
       R"({"features": [1,2,-Infinity,4,5,6,7,"io","low"]})", 400,
       "features[2]"},
      {"huge number overflows",
       R"({"features": [1e999,2,3,4,5,6,7,"io","low"]})", 400, "features[0]"},
      {"deep nesting", "{\"features\": " + deep, 400, ""},
      {"extra field", R"({"features": [1,2,3,4,5,6,7,"io","low"], "x": 1})",
       400, "x"},
      {"named: missing field", R"({"cpu_usage": 1})", 400, "memory_usage"},
      {"named: unknown field", R"({"cpu": 1})", 400, "cpu"},
      {"named: bad type",
       R"({"cpu_usage": "high", "memory_usage": 1, "network_traffic": 1,
          "power_consumption": 1, "num_executed_instructions": 1, "execution_time": 1,
          "energy_efficiency": 1, "task_type": "io", "task_priority": "low"})",
       400, "cpu_usage"},
      {"empty object", "{}", 400, "cpu_usage"},
      {"invalid utf8 string",
       "{\"features\": [1,2,3,4,5,6,7,\"\xff\",\"low\"]}", 400, "features[7]"},
      {"invalid utf8 key", "{\"\xff\": 1}", 400, ""},
      {"lone surrogate", R"({"features": [1,2,3,4,5,6,7,"\ud800","low"]})", 400,
       "features[7]"},
      {"negative overflow", R"({"cpu_usage": -1e400})", 400, "cpu_usage"},
      {"huge integer in a string field",
       R"({"features": [1,2,3,4,5,6,7,123456789012345678901234567890,"low"]})",
       400, "features[7]"},
      {"duplicate features, last not an array",
       R"({"features": [1,2,3,4,5,6,7,"io","low"], "features": 5})", 400,
       "features"},
      {"object for category", R"({"features": [1,2,3,4,5,6,7,{},"low"]})", 400,
       "features[7]"},
      {"duplicate features, both arrays",
       R"({"features": [1,2], "features": [1,2,3,4,5,6,7,"io","low"]})", 400,
       "features"},
      {"a field twice in a nested object",
       R"({"features": [1,2,3,4,5,6,7,"io","low"], "x": {"a": 1, "a": 2}})",
       400, "a"},
      {"named: a field twice",
       R"({"cpu_usage": 1, "cpu_usage": 2, "memory_usage": 1})", 400,
       "cpu_usage"},
      {"finite as a double, infinite as the model's float",
       R"({"features": [1e308,2,3,4,5,6,7,"io","low"]})", 400, "features[0]"},
      {"named: infinite as a float", R"({"cpu_usage": -3.5e38})", 400,
       "cpu_usage"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::vector<InputValue> out;
    CodecError err;
    bool ok = true;
    EXPECT_NO_THROW(ok = DecodePredictRequest(tc.body, pipeline(), &out, &err));
    EXPECT_FALSE(ok);
    EXPECT_EQ(err.status, tc.status);
    EXPECT_EQ(err.field, tc.field) << err.message;
    EXPECT_FALSE(err.message.empty());
  }
}

// NaN and Infinity are named as such; a word or a misspelt null is not
// taken for them.
TEST_F(CodecTest, NonFiniteLiteralsAreToldApartFromOtherWords) {
  struct Case {
    const char* body;
    bool nonfinite;  // the message says NaN and Infinity are not numbers
  };
  const Case cases[] = {
      {R"({"features": [NaN,2,3,4,5,6,7,"io","low"]})", true},
      {R"({"features": [nan,2,3,4,5,6,7,"io","low"]})", true},
      {R"({"features": [1,-Infinity,3,4,5,6,7,"io","low"]})", true},
      {R"({"features": [1,inf,3,4,5,6,7,"io","low"]})", true},
      {R"({"features": [+1,2,3,4,5,6,7,"io","low"]})", true},
      {"nope", false},
      {R"({"features": [nul,2,3,4,5,6,7,"io","low"]})", false},
      // A control character in a string, after a comma and a capital.
      {"{\"features\": [1,2,3,4,5,6,7,\"hello, Ivan\x01\",\"low\"]}", false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.body);
    std::vector<InputValue> out;
    CodecError err;
    EXPECT_FALSE(DecodePredictRequest(tc.body, pipeline(), &out, &err));
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.message.find("NaN and Infinity") != std::string::npos,
              tc.nonfinite)
        << err.message;
  }
}

// Through the service: a hostile body is a 4xx whose JSON body names the
// field; nothing is thrown to the HTTP handler wrapper.
TEST_F(CodecTest, ServiceAnswersHostileBodiesWithJsonErrors) {
  MetricsRegistry metrics;
  PredictorService service(*model_, PredictorOptions{}, &metrics);
  struct Case {
    const char* name;
    // input
    const char* path;
    std::string body;
    // expected
    int status;
    nlohmann::json field;
  };
  const Case cases[] = {
      {"overflow", "/predict", R"({"features": [1e999]})", 400, "features[0]"},
      {"invalid UTF-8 value", "/predict", "{\"task_type\": \"caf\xe9\"}", 400,
       "task_type"},
      {"unknown field, cut mid-character", "/predict",
       "{\"" + std::string(63, 'k') + "\xc3\xa9\": 1}", 400,
       std::string(63, 'k') + "\xc3..."},
      {"row of the wrong type", "/predict/batch",
       R"({"instances": [[1,2,3,4,5,6,7,"io","low"], {"cpu_usage": "x"}]})",
       400, "instances[1].cpu_usage"},
      {"instances an object", "/predict/batch", R"({"instances": {"a": 1}})",
       400, "instances"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    HttpRequest req;
    req.method = "POST";
    req.path = tc.path;
    req.target = tc.path;
    req.body = tc.body;
    HttpResponse resp;
    EXPECT_NO_THROW(service.Handle(req, resp));
    EXPECT_EQ(resp.status, tc.status);
    nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << resp.body;
    EXPECT_TRUE(j["error"].is_string()) << resp.body;
    // The body is valid UTF-8 (an invalid byte is replaced), so compare
    // the field's valid prefix.
    std::string want = tc.field.get<std::string>();
    std::string got = j["field"].is_string() ? j["field"].get<std::string>()
                                             : std::string("(none)");
    EXPECT_EQ(got.substr(0, 63), want.substr(0, 63)) << resp.body;
  }
}

TEST_F(CodecTest, BatchLimitsAndRowErrors) {
  std::vector<InputValue> out;
  size_t rows = 0;
  CodecError err;
  std::string two =
      R"({"instances": [[1,2,3,4,5,6,7,"io","low"], [1,2,3,4,5,6,7,"compute","high"]]})";
  ASSERT_TRUE(DecodeBatchRequest(two, pipeline(), 10, &out, &rows, &err))
      << err.message;
  EXPECT_EQ(rows, 2u);
  EXPECT_EQ(out.size(), 18u);

  EXPECT_FALSE(DecodeBatchRequest(two, pipeline(), 1, &out, &rows, &err));
  EXPECT_EQ(err.status, 413);
  EXPECT_EQ(err.field, "instances");

  EXPECT_FALSE(DecodeBatchRequest(R"({"instances": []})", pipeline(), 10, &out,
                                  &rows, &err));
  EXPECT_EQ(err.field, "instances");

  EXPECT_FALSE(DecodeBatchRequest(
      R"({"instances": [[1,2,3,4,5,6,7,"io","low"], [1,2,3,4,5,6,7,"io","lo"]]})",
      pipeline(), 10, &out, &rows, &err));
  EXPECT_EQ(err.field, "instances[1][8]");
}

TEST_F(CodecTest, EncodesTheOriginalsResponseShape) {
  Prediction p;
  p.cls = 2;
  p.probabilities = {0.25f, 0.25f, 0.5f};
  p.confidence = 0.5f;
  std::string out;
  EncodePrediction(p, **model_, &out);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["prediction"], 2);
  EXPECT_EQ(j["predicted_class"], "High");
  EXPECT_EQ(j["action"], "hold");
  EXPECT_DOUBLE_EQ(j["confidence"].get<double>(), 0.5);
  EXPECT_EQ(j["probabilities"].size(), 3u);
}

}  // namespace
}  // namespace phas

namespace phas {
namespace {

// The fast path must produce exactly what the full JSON parser produces.
TEST_F(CodecTest, FastPathEqualsFullParser) {
  const char* numbers[] = {"0",
                           "-0",
                           "1",
                           "-1",
                           "45.2",
                           "1E5",
                           "1e-7",
                           "0.1",
                           "2.5e+3",
                           "21696000000",
                           "-9223372036854775808",
                           "9223372036854775807",
                           "18446744073709551615",
                           "123456789012345678901234567890",
                           "3.4028234663852886e38",  // the largest float
                           "3.4028235e38",           // numpy's print of it
                           "4.9e-324",
                           "2.2250738585072014e-308",
                           "0.30000000000000004",
                           "-1.5e-10"};
  for (const char* n : numbers) {
    SCOPED_TRACE(n);
    std::string body = std::string(R"({ "features" : [)") + n +
                       R"(, 2, 3, 4, 5, 6, 7, "io", "medium"] })";
    std::vector<InputValue> fast;
    ASSERT_TRUE(FastDecodeFeatures(body, pipeline(), &fast));
    auto j = nlohmann::json::parse(body);
    double want = j["features"][0].get<double>();
    EXPECT_EQ(std::memcmp(&fast[0].number, &want, sizeof(double)), 0)
        << fast[0].number << " vs " << want;
    EXPECT_EQ(fast[7].level, 2);
    EXPECT_EQ(fast[8].level, 1);
  }
}

TEST_F(CodecTest, FastPathDeclinesWhatItDoesNotKnow) {
  const char* bodies[] = {
      R"({"features": [1,2,3,4,5,6,7,"i\u006f","low"]})",  // escape
      R"({"features": [1,2,3,4,5,6,7,"io","low"], "x": 1})",
      R"({"cpu_usage": 1})",
      R"({"features": [1,2,3,4,5,6,7,"io","low"]} x)",
      R"({"features": [01,2,3,4,5,6,7,"io","low"]})",
      R"({"features": [1.,2,3,4,5,6,7,"io","low"]})",
      R"({"features": [1e999,2,3,4,5,6,7,"io","low"]})",
      R"({"features": [1.7976931348623157e308,2,3,4,5,6,7,"io","low"]})",
      R"({"features": [1,2,3,4,5,6,7,"gpu","low"]})",
      R"({"features": [1,2,3,4,5,6,7,"io","low",8]})",
      R"({"features": [1,2,3,4,5,6,7,"io"]})",
      R"({"features": [+1,2,3,4,5,6,7,"io","low"]})",
  };
  for (const char* b : bodies) {
    SCOPED_TRACE(b);
    std::vector<InputValue> out;
    EXPECT_FALSE(FastDecodeFeatures(b, pipeline(), &out));
  }
  // ...and the full path still accepts the valid ones among them.
  std::vector<InputValue> out;
  CodecError err;
  EXPECT_TRUE(DecodePredictRequest(bodies[0], pipeline(), &out, &err))
      << err.message;
  EXPECT_EQ(out[7].level, 2);
}

TEST_F(CodecTest, OptionalInputsMayBeLeftOut) {
  // The original's 9 inputs plus one optional temporal input.
  nlohmann::json spec = pipeline().spec();
  spec["inputs"].push_back(
      {{"name", "load_change_5m"}, {"type", "number"}, {"optional", true}});
  auto p = FeaturePipeline::FromJson(spec);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  CodecError err;
  std::vector<InputValue> nine, nine_fast, ten, named, rejected;
  ASSERT_TRUE(DecodePredictRequest(kGood, *p, &nine, &err)) << err.message;
  ASSERT_TRUE(FastDecodeFeatures(kGood, *p, &nine_fast));
  ASSERT_TRUE(DecodePredictRequest(
      R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low", 7.5]})",
      *p, &ten, &err))
      << err.message;
  ASSERT_EQ(nine.size(), 10u);
  EXPECT_TRUE(std::isnan(nine[9].number));
  EXPECT_TRUE(std::isnan(nine_fast[9].number));
  EXPECT_EQ(ten[9].number, 7.5);
  ASSERT_TRUE(DecodePredictRequest(
      R"({"cpu_usage": 45.2, "memory_usage": 56.2, "network_traffic": 160.8,
          "power_consumption": 203.4, "num_executed_instructions": 21696000000,
          "execution_time": 0.2, "energy_efficiency": 1.9941,
          "task_type": "network", "task_priority": "low", "load_change_5m": -2})",
      *p, &named, &err))
      << err.message;
  EXPECT_EQ(named[9].number, -2.0);
  // Eight values: the required ones are still required, and the message says
  // how many either form needs.
  EXPECT_FALSE(DecodePredictRequest(
      R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network"]})",
      *p, &rejected, &err));
  EXPECT_EQ(err.field, "features");
  EXPECT_NE(err.message.find("10 values (9 without the optional ones), got 8"),
            std::string::npos)
      << err.message;
  // An optional value given must still be a finite number.
  EXPECT_FALSE(DecodePredictRequest(
      R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low", "x"]})",
      *p, &rejected, &err));
  EXPECT_EQ(err.field, "features[9]");
}

}  // namespace
}  // namespace phas
