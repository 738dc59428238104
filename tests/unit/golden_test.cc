// Compatibility with the original Python predictor: every golden line must
// give the same class and probabilities within 1e-6, through the original's
// artifacts loaded as they are (no manifest) and through the shipped bundle
// with a phas manifest, and through both prediction engines.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/bundle.h"
#include "predictor/codec.h"
#include "test_util.h"

namespace phas {
namespace {

using nlohmann::json;

std::vector<json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

void ExpectMatches(const Prediction& got, const json& want, size_t line) {
  ASSERT_EQ(got.cls, want["prediction"].get<int>()) << "line " << line;
  const auto& probs = want["probabilities"];
  ASSERT_EQ(got.probabilities.size(), probs.size()) << "line " << line;
  for (size_t k = 0; k < probs.size(); ++k) {
    EXPECT_NEAR(got.probabilities[k], probs[k].get<double>(), 1e-6)
        << "line " << line << " class " << k;
  }
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, FullPreprocessingMatchesEveryLine) {
  auto model = ModelBundle::Load(GetParam());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto lines =
      ReadJsonLines(testing::TestData("seed-model/golden_public.jsonl"));
  ASSERT_EQ(lines.size(), 1000u);
  for (size_t i = 0; i < lines.size(); ++i) {
    json body = {{"features", lines[i]["features"]}};
    std::vector<InputValue> inputs;
    CodecError err;
    ASSERT_TRUE(
        DecodePredictRequest(body.dump(), (*model)->pipeline(), &inputs, &err))
        << "line " << i << ": " << err.message;
    Prediction pred;
    ASSERT_TRUE((*model)->Predict(inputs.data(), &pred).ok());
    ExpectMatches(pred, lines[i], i);
  }
}

TEST_P(GoldenTest, ModelInputMatchesEveryLine) {
  auto model = ModelBundle::Load(GetParam());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto lines =
      ReadJsonLines(testing::TestData("seed-model/golden_model_public.jsonl"));
  ASSERT_EQ(lines.size(), 1000u);
  std::set<int> classes;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<float> row;
    for (const json& v : lines[i]["row"]) row.push_back(v.get<float>());
    ASSERT_EQ(row.size(), 17u);
    Prediction pred;
    ASSERT_TRUE((*model)->PredictRow(row.data(), &pred).ok());
    ExpectMatches(pred, lines[i], i);
    classes.insert(pred.cls);
  }
  EXPECT_EQ(classes.size(), 3u) << "the golden rows exercise every class";
}

INSTANTIATE_TEST_SUITE_P(
    Bundles, GoldenTest,
    ::testing::Values(testing::TestData("seed-model"),
                      testing::SourcePath("data/models/seed-original")),
    [](const auto& info) {
      return info.param.find("testdata") != std::string::npos
                 ? "LegacyLayout"
                 : "ShippedManifest";
    });

// phas's tree evaluator is bit-identical to XGBoost's own prediction.
TEST(GoldenEngines, TreeEvaluatorAgreesWithXgboostOnGoldenRows) {
  auto booster =
      XgbBooster::LoadFromFile(testing::TestData("seed-model/model.json"));
  ASSERT_TRUE(booster.ok()) << booster.status().ToString();
  auto doc = booster->SaveJson();
  ASSERT_TRUE(doc.ok());
  auto ensemble = TreeEnsemble::FromXgboostJson(*doc);
  ASSERT_TRUE(ensemble.ok()) << ensemble.status().ToString();
  EXPECT_EQ(ensemble->num_trees(), 300u);
  // The binary document (what the forecaster's refits read) is the same
  // model.
  auto ubjson = booster->SaveUbjson();
  ASSERT_TRUE(ubjson.ok());
  auto from_binary = TreeEnsemble::FromXgboostUbjson(*ubjson);
  ASSERT_TRUE(from_binary.ok()) << from_binary.status().ToString();
  EXPECT_EQ(from_binary->num_trees(), 300u);
  auto lines =
      ReadJsonLines(testing::TestData("seed-model/golden_model_public.jsonl"));
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<float> row;
    for (const json& v : lines[i]["row"]) row.push_back(v.get<float>());
    auto ref = booster->PredictDense(row.data(), 1, row.size());
    ASSERT_TRUE(ref.ok());
    float out[3], out_binary[3];
    ensemble->Predict(row.data(), out);
    from_binary->Predict(row.data(), out_binary);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(out[k], (*ref)[k]) << "row " << i << " class " << k;
      EXPECT_EQ(out_binary[k], (*ref)[k]) << "row " << i << " class " << k;
      EXPECT_NEAR((*ref)[k], lines[i]["probabilities"][k].get<double>(), 1e-6);
    }
  }
}

TEST(GoldenEngines, ABrokenBinaryModelIsRefused) {
  auto booster =
      XgbBooster::LoadFromFile(testing::TestData("seed-model/model.json"));
  ASSERT_TRUE(booster.ok()) << booster.status().ToString();
  auto ubjson = booster->SaveUbjson();
  ASSERT_TRUE(ubjson.ok());
  for (const std::string& bad :
       {ubjson->substr(0, ubjson->size() / 2), std::string("{\"learner\""),
        std::string("[i\x01]"), std::string(),
        // An array declaring 2^62 elements: past what a vector can hold.
        std::string("[#L\x40\0\0\0\0\0\0\0", 12)}) {
    auto e = TreeEnsemble::FromXgboostUbjson(bad);
    ASSERT_FALSE(e.ok()) << bad.size() << " bytes";
    EXPECT_EQ(e.status().code(), Status::Code::kCorruption)
        << e.status().ToString();
  }
}

}  // namespace
}  // namespace phas
