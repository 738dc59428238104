// Cost of one prediction through each available path, one thread:
//   - XGDMatrixCreateFromMat + XGBoosterPredict (what the original's stack did)
//   - XGBoosterPredictFromDense (XGBoost's in-place prediction)
//   - phas's TreeEnsemble (the serving engine)
//   - the whole request path: JSON decode + pipeline + TreeEnsemble + encode
// Run: build/phas_bench --benchmark_filter=Predict
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/bundle.h"
#include "predictor/codec.h"

namespace phas {
namespace {

const std::string kModelDir =
    std::string(PHAS_SOURCE_DIR) + "/data/models/default";
const char* kBody =
    R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]})";

std::vector<float> SampleRow(const ModelBundle& m) {
  std::vector<InputValue> in;
  CodecError err;
  DecodePredictRequest(kBody, m.pipeline(), &in, &err);
  std::vector<float> row(m.pipeline().num_columns());
  m.pipeline().Transform(in.data(), row.data());
  return row;
}

void BM_PredictXgbDMatrix(benchmark::State& state) {
  auto m = ModelBundle::Load(kModelDir);
  auto row = SampleRow(**m);
  BoosterHandle h;
  XGBoosterCreate(nullptr, 0, &h);
  XGBoosterLoadModel(h, (kModelDir + "/model.json").c_str());
  XGBoosterSetParam(h, "nthread", "1");
  for (auto _ : state) {
    DMatrixHandle d;
    XGDMatrixCreateFromMat(row.data(), 1, row.size(), NAN, &d);
    bst_ulong len;
    const float* out;
    XGBoosterPredict(h, d, 0, 0, 0, &len, &out);
    benchmark::DoNotOptimize(out[0]);
    XGDMatrixFree(d);
  }
  XGBoosterFree(h);
}
BENCHMARK(BM_PredictXgbDMatrix);

void BM_PredictXgbInplace(benchmark::State& state) {
  auto m = ModelBundle::Load(kModelDir);
  auto row = SampleRow(**m);
  auto booster = XgbBooster::LoadFromFile(kModelDir + "/model.json");
  for (auto _ : state) {
    auto out = booster->PredictDense(row.data(), 1, row.size());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_PredictXgbInplace);

void BM_PredictTreeEnsemble(benchmark::State& state) {
  auto m = ModelBundle::Load(kModelDir);
  auto row = SampleRow(**m);
  Prediction p;
  for (auto _ : state) {
    if (!(*m)->PredictRow(row.data(), &p).ok()) {
      state.SkipWithError("PredictRow failed");
      break;
    }
    benchmark::DoNotOptimize(p.cls);
  }
}
BENCHMARK(BM_PredictTreeEnsemble);

// Same, cycling over the 1000 golden model-input rows: a server sees varied
// inputs, and a repeated row lets the branch predictor learn the tree paths.
void BM_PredictTreeEnsembleVariedRows(benchmark::State& state) {
  auto m = ModelBundle::Load(kModelDir);
  std::vector<std::vector<float>> rows;
  std::ifstream in(std::string(PHAS_SOURCE_DIR) +
                   "/testdata/seed-model/golden_model_public.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    rows.push_back(
        nlohmann::json::parse(line)["row"].get<std::vector<float>>());
  }
  Prediction p;
  size_t i = 0;
  for (auto _ : state) {
    if (!(*m)->PredictRow(rows[i].data(), &p).ok()) {
      state.SkipWithError("PredictRow failed");
      break;
    }
    benchmark::DoNotOptimize(p.cls);
    if (++i == rows.size()) i = 0;
  }
}
BENCHMARK(BM_PredictTreeEnsembleVariedRows);

void BM_PredictRequestPath(benchmark::State& state) {
  auto m = ModelBundle::Load(kModelDir);
  std::vector<InputValue> in;
  Prediction p;
  std::string out;
  for (auto _ : state) {
    CodecError err;
    DecodePredictRequest(kBody, (*m)->pipeline(), &in, &err);
    if (!(*m)->Predict(in.data(), &p).ok()) {
      state.SkipWithError("Predict failed");
      break;
    }
    out.clear();
    EncodePrediction(p, **m, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PredictRequestPath);

}  // namespace
}  // namespace phas
