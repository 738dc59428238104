#include "model/tree_ensemble.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace phas {
namespace {

using nlohmann::json;

constexpr uint32_t kDefaultLeft = 1u << 31;

// XGBoost writes most scalar parameters as strings ("3", "5E-1").
Result<double> NumberParam(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return Status::Corruption(fmt::format("missing '{}'", key));
  }
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return v;
  }
  return Status::Corruption(fmt::format("'{}' is not a number", key));
}

}  // namespace

Result<TreeEnsemble> TreeEnsemble::FromXgboostJson(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("model is not a JSON object");
  }
  return FromDocument(doc);
}

Result<TreeEnsemble> TreeEnsemble::FromXgboostUbjson(const std::string& bytes) {
  json doc;
  try {
    // allow_exceptions=false still throws on a container whose declared
    // size is past what a vector can hold.
    doc = json::from_ubjson(bytes, /*strict=*/true,
                            /*allow_exceptions=*/false);
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("model is not UBJSON: ") + e.what());
  }
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("model is not a UBJSON object");
  }
  return FromDocument(doc);
}

Result<TreeEnsemble> TreeEnsemble::FromDocument(const nlohmann::json& doc) {
  try {
    const json& learner = doc.at("learner");
    const json& params = learner.at("learner_model_param");
    TreeEnsemble e;
    PHAS_ASSIGN_OR_RETURN(double num_class, NumberParam(params, "num_class"));
    PHAS_ASSIGN_OR_RETURN(double num_feature,
                          NumberParam(params, "num_feature"));
    PHAS_ASSIGN_OR_RETURN(double base_score, NumberParam(params, "base_score"));
    e.num_features_ = static_cast<int>(num_feature);
    e.num_outputs_ = num_class >= 2 ? static_cast<int>(num_class) : 1;
    e.objective_ = learner.at("objective").at("name").get<std::string>();
    if (e.objective_ == "multi:softprob" || e.objective_ == "multi:softmax") {
      e.transform_ = Transform::kSoftmax;
      e.base_margin_ = static_cast<float>(base_score);
    } else if (e.objective_ == "binary:logistic") {
      e.transform_ = Transform::kSigmoid;
      // XGBoost stores base_score in probability space for logistic loss.
      e.base_margin_ = static_cast<float>(-std::log(1.0 / base_score - 1.0));
    } else if (e.objective_ == "reg:squarederror" ||
               e.objective_ == "reg:absoluteerror" ||
               e.objective_ == "reg:pseudohubererror") {
      e.transform_ = Transform::kIdentity;
      e.base_margin_ = static_cast<float>(base_score);
    } else {
      return Status::FailedPrecondition("objective " + e.objective_ +
                                        " is not supported by TreeEnsemble");
    }
    const json& gb = learner.at("gradient_booster");
    if (gb.at("name").get<std::string>() != "gbtree") {
      return Status::FailedPrecondition(
          "only the gbtree booster is supported by TreeEnsemble");
    }
    const json& model = gb.at("model");
    const json& trees = model.at("trees");
    const json& tree_info = model.at("tree_info");
    if (tree_info.size() != trees.size()) {
      return Status::Corruption("tree_info and trees differ in length");
    }
    for (size_t t = 0; t < trees.size(); ++t) {
      const json& tree = trees[t];
      const auto& left =
          tree.at("left_children").get_ref<const json::array_t&>();
      const auto& right =
          tree.at("right_children").get_ref<const json::array_t&>();
      const auto& cond =
          tree.at("split_conditions").get_ref<const json::array_t&>();
      const auto& index =
          tree.at("split_indices").get_ref<const json::array_t&>();
      const auto& dleft =
          tree.at("default_left").get_ref<const json::array_t&>();
      size_t n = left.size();
      if (right.size() != n || cond.size() != n || index.size() != n ||
          dleft.size() != n || n == 0) {
        return Status::Corruption(fmt::format("tree {}: arrays differ", t));
      }
      if (tree.contains("split_type")) {
        for (const json& st : tree["split_type"]) {
          if (st.get<int>() != 0) {
            return Status::FailedPrecondition(
                "categorical splits are not supported by TreeEnsemble");
          }
        }
      }
      int32_t base = static_cast<int32_t>(e.nodes_.size());
      for (size_t i = 0; i < n; ++i) {
        Node node;
        int64_t l = left[i].get<int64_t>();
        int64_t r = right[i].get<int64_t>();
        int64_t f = index[i].get<int64_t>();
        if (l != -1 &&
            (l <= 0 || static_cast<size_t>(l) >= n || r <= 0 ||
             static_cast<size_t>(r) >= n || f < 0 || f >= e.num_features_)) {
          return Status::Corruption(fmt::format(
              "tree {} node {}: child or feature out of range", t, i));
        }
        int32_t self = base + static_cast<int32_t>(i);
        node.left = l == -1 ? self : base + static_cast<int32_t>(l);
        node.right = l == -1 ? self : base + static_cast<int32_t>(r);
        if (l == -1) f = 0;
        node.feature = static_cast<uint32_t>(f);
        if (dleft[i].get<int>() != 0) node.feature |= kDefaultLeft;
        node.value = cond[i].get<float>();
        e.nodes_.push_back(node);
      }
      int64_t group = tree_info[t].get<int64_t>();
      if (group < 0 || group >= e.num_outputs_) {
        return Status::Corruption(
            fmt::format("tree {}: group out of range", t));
      }
      e.tree_roots_.push_back(base);
      e.tree_group_.push_back(static_cast<int32_t>(group));
    }
    PHAS_RETURN_IF_ERROR(e.ComputeDepths());
    return e;
  } catch (const json::exception& ex) {
    return Status::Corruption(std::string("unexpected model layout: ") +
                              ex.what());
  }
}

Status TreeEnsemble::ComputeDepths() {
  // Depth of every tree by an explicit stack (a corrupt model must not be
  // able to recurse us out of stack, nor loop: depth is capped).
  constexpr int kMaxDepth = 64;
  std::vector<int32_t> depth(tree_roots_.size(), 0);
  for (size_t t = 0; t < tree_roots_.size(); ++t) {
    std::vector<std::pair<int32_t, int>> stack = {{tree_roots_[t], 0}};
    while (!stack.empty()) {
      auto [i, d] = stack.back();
      stack.pop_back();
      const Node& n = nodes_[i];
      if (n.left == i) {
        depth[t] = std::max(depth[t], d);
        continue;
      }
      if (d >= kMaxDepth) {
        return Status::Corruption(
            fmt::format("tree {} is deeper than {}", t, kMaxDepth));
      }
      stack.push_back({n.left, d + 1});
      stack.push_back({n.right, d + 1});
    }
  }
  for (size_t b = 0; b < tree_roots_.size(); b += kLanes) {
    int32_t m = 0;
    for (size_t t = b; t < std::min(b + kLanes, tree_roots_.size()); ++t) {
      m = std::max(m, depth[t]);
    }
    lane_depth_.push_back(m);
  }
  return Status::OK();
}

void TreeEnsemble::PredictMargin(const float* row, float* out) const {
  for (int k = 0; k < num_outputs_; ++k) out[k] = base_margin_;
  const Node* nodes = nodes_.data();
  const size_t n_trees = tree_roots_.size();
  for (size_t b = 0, block = 0; b < n_trees; b += kLanes, ++block) {
    const size_t lanes = std::min<size_t>(kLanes, n_trees - b);
    int32_t idx[kLanes];
    for (size_t j = 0; j < kLanes; ++j) {
      idx[j] = tree_roots_[b + (j < lanes ? j : 0)];
    }
    // Walk kLanes trees in lock step: their loads overlap in the memory
    // system instead of waiting for each other.
    for (int32_t d = 0; d < lane_depth_[block]; ++d) {
      for (size_t j = 0; j < kLanes; ++j) {
        const Node& n = nodes[idx[j]];
        float v = row[n.feature & ~kDefaultLeft];
        // Missing (NaN) follows default_left; otherwise left when v < split.
        bool left =
            std::isnan(v) ? (n.feature & kDefaultLeft) != 0 : v < n.value;
        idx[j] = left ? n.left : n.right;
      }
    }
    // Sum in tree order, as XGBoost does, so results are bit-identical.
    for (size_t j = 0; j < lanes; ++j) {
      out[tree_group_[b + j]] += nodes[idx[j]].value;
    }
  }
}

void TreeEnsemble::Predict(const float* row, float* out) const {
  PredictMargin(row, out);
  switch (transform_) {
    case Transform::kIdentity:
      break;
    case Transform::kSigmoid:
      out[0] = 1.0f / (1.0f + std::exp(-out[0]));
      break;
    case Transform::kSoftmax: {
      // As XGBoost's common::Softmax: subtract the max, exp, normalise.
      float wmax = out[0];
      for (int k = 1; k < num_outputs_; ++k) wmax = std::max(wmax, out[k]);
      // XGBoost sums in double and divides by the sum narrowed to float.
      double wsum = 0.0;
      for (int k = 0; k < num_outputs_; ++k) {
        out[k] = std::exp(out[k] - wmax);
        wsum += out[k];
      }
      float fsum = static_cast<float>(wsum);
      for (int k = 0; k < num_outputs_; ++k) out[k] /= fsum;
      break;
    }
  }
}

}  // namespace phas
