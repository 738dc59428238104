// TreeEnsemble: a compact evaluator for XGBoost gradient-boosted trees.
//
// Built from XGBoost's JSON model document, it flattens every tree into one
// array of 16-byte nodes and evaluates a row the way XGBoost's CPU predictor
// does: go left when value < split (missing values follow default_left), sum
// the leaves per output group in float starting at the base margin, then
// apply the objective's transform (softmax, sigmoid or identity).
//
// It exists because serving one row through XGBoost's C API costs a DMatrix
// or an array-interface parse per call; this evaluator does only the tree
// walks. Models it cannot represent exactly (categorical splits, dart,
// gblinear, other objectives) are refused with FailedPrecondition, and the
// caller keeps using XGBoost itself. The bundle loader checks its output
// against XGBoost's on every load.
//
// Thread-safety: immutable after construction; Predict* may be called from
// any number of threads.
#ifndef PHAS_MODEL_TREE_ENSEMBLE_H_
#define PHAS_MODEL_TREE_ENSEMBLE_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace phas {

class TreeEnsemble {
 public:
  enum class Transform { kIdentity, kSigmoid, kSoftmax };

  // Parses an XGBoost JSON model (as written by save_model / SaveJson).
  static Result<TreeEnsemble> FromXgboostJson(const std::string& json);
  // The same model in Universal Binary JSON (XgbBooster::SaveUbjson): for
  // documents XGBoost wrote in this process. A broken one is refused, but a
  // crafted one can declare containers of billions of empty values, which
  // the reader allocates before it finds the input short.
  static Result<TreeEnsemble> FromXgboostUbjson(const std::string& ubjson);

  int num_features() const { return num_features_; }
  // Classes for multi-class models, 1 otherwise.
  int num_outputs() const { return num_outputs_; }
  size_t num_trees() const { return tree_roots_.size(); }
  const std::string& objective() const { return objective_; }

  // Sums of leaves plus base margin; writes num_outputs() floats.
  void PredictMargin(const float* row, float* out) const;
  // PredictMargin followed by the objective's transform.
  void Predict(const float* row, float* out) const;

 private:
  // A leaf points to itself on both sides, so a walk can take a fixed
  // number of steps (the tree's depth) without testing for leaves; that is
  // what lets PredictMargin interleave several trees without branches.
  struct Node {
    int32_t left;
    int32_t right;
    uint32_t feature;  // bit 31: default_left
    float value;       // split condition, or leaf value
  };
  static constexpr int kLanes = 8;  // trees walked together
  static Result<TreeEnsemble> FromDocument(const nlohmann::json& doc);
  Status ComputeDepths();

  std::vector<Node> nodes_;
  std::vector<int32_t> tree_roots_;  // index of each tree's root in nodes_
  std::vector<int32_t> tree_group_;  // output group of each tree
  std::vector<int32_t> lane_depth_;  // per block of kLanes trees: max depth
  int num_features_ = 0;
  int num_outputs_ = 1;
  float base_margin_ = 0.0f;
  Transform transform_ = Transform::kIdentity;
  std::string objective_;
};

}  // namespace phas

#endif  // PHAS_MODEL_TREE_ENSEMBLE_H_
