// ModelBundle: a classifier model directory, loaded and ready to predict.
//
// Two layouts load (docs/model-bundle.md):
//   - phas's own: manifest.json naming the booster file, the feature
//     pipeline (model/pipeline.h) and the classes with their scaling actions;
//   - the original Python system's artifacts as they are: model.json +
//     scaler.json + columns.json, read as the original preprocessed them
//     (the manifest is synthesized; see SeedManifest()).
//
// The booster is loaded with XGBoost's C API. When the fast TreeEnsemble can
// represent it, its output is checked against XGBoost's on probe rows at load
// time and used for serving; otherwise XGBoost serves.
//
// Thread-safety: immutable after Load; Predict may be called from any thread.
#ifndef PHAS_MODEL_BUNDLE_H_
#define PHAS_MODEL_BUNDLE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/pipeline.h"
#include "model/tree_ensemble.h"
#include "model/xgboost_booster.h"

namespace phas {

// What a class means to the scaler.
enum class ScaleAction { kScaleUp, kScaleDown, kHold };
const char* ScaleActionName(ScaleAction a);  // "scale_up", "scale_down", "hold"

struct ClassInfo {
  std::string label;   // "Low"
  ScaleAction action;  // kScaleUp
};

struct Prediction {
  int cls = -1;
  float confidence = 0.0f;
  std::vector<float> probabilities;
};

class ModelBundle {
 public:
  // Loads the bundle in `dir`. Errors name the file and what is wrong.
  static Result<std::shared_ptr<const ModelBundle>> Load(
      const std::string& dir);

  // The manifest the original's three files stand for.
  static Result<nlohmann::json> SeedManifest(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  // "phas-model/1" or "seed-legacy".
  const std::string& format() const { return format_; }
  // "tree-ensemble" (phas's evaluator) or "xgboost" (the C API).
  const char* engine() const { return ensemble_ ? "tree-ensemble" : "xgboost"; }
  const nlohmann::json& manifest() const { return manifest_; }
  const FeaturePipeline& pipeline() const { return pipeline_; }
  const std::vector<ClassInfo>& classes() const { return classes_; }

  // Predicts from validated inputs (see FeaturePipeline::Transform).
  Status Predict(const InputValue* inputs, Prediction* out) const;
  // Predicts from a row already at the booster's input (num_columns floats).
  Status PredictRow(const float* row, Prediction* out) const;

 private:
  ModelBundle() = default;
  Status Init(const std::string& dir, const nlohmann::json& manifest,
              const std::string& manifest_name);

  std::string dir_, name_, version_, format_;
  nlohmann::json manifest_;
  FeaturePipeline pipeline_;
  std::vector<ClassInfo> classes_;
  std::optional<TreeEnsemble> ensemble_;
  std::optional<XgbBooster> booster_;  // kept only when ensemble_ is absent
};

}  // namespace phas

#endif  // PHAS_MODEL_BUNDLE_H_
