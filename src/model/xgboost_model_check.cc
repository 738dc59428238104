#include "model/xgboost_model_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <new>
#include <vector>

#include "common/json_util.h"

namespace phas {
namespace {

using nlohmann::json;

// XGBoost's JSON reader recurses once per level; its documents are 6 deep.
constexpr int kMaxNesting = 64;
// Categories are floats on input, so XGBoost keeps them below 2^24.
constexpr int64_t kMaxCategory = int64_t{1} << 24;
// Outputs (num_class, num_target): XGBoost's prediction allocates one float
// per row and output, so a count of 2^31 in a small file asked for gigabytes
// (64 probe rows at load: 512 GB). The bound is far above any classifier
// (a scaling one has a few; each is named in the manifest) and costs some
// 30 MB at most: a bundle that fits it is not refused.
constexpr int64_t kMaxOutputs = 65536;
// XGBoost adds leaf values in float: a leaf, a base_score or a sum of them
// beyond this is infinite, and a softmax of infinities is NaN (the service
// would answer "probabilities": [nan, ...]).
constexpr double kMaxFloat = std::numeric_limits<float>::max();

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

// An integer JSON value, or false (a fraction, a string, a number past
// int64: 18446744073709551615 must not wrap to -1).
bool AsInt(const json& v, int64_t* out) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    *out = static_cast<int64_t>(v.get<uint64_t>());
    return true;
  }
  if (!v.is_number_integer()) return false;
  *out = v.get<int64_t>();
  return true;
}

const json& Member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

const json& Object(const json& obj, const char* key, const std::string& where,
                   Status* st) {
  const json& v = Member(obj, key);
  if (st->ok() && !v.is_object()) {
    *st = Bad(where + key,
              fmt::format("must be an object, got {}", JsonForError(v)));
  }
  return v;
}

// A parameter XGBoost writes as a string of digits ("240") or as a number;
// in [lo, hi].
Status IntParam(const json& obj, const char* key, const std::string& where,
                int64_t lo, int64_t hi, int64_t* out) {
  const json& v = Member(obj, key);
  bool ok = AsInt(v, out);
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(s.c_str(), &end, 10);
    ok = !s.empty() && *end == '\0' && errno == 0;
    *out = n;
  }
  if (!ok || *out < lo || *out > hi) {
    return Bad(where + key,
               fmt::format("must be an integer from {} to {}, got {}", lo, hi,
                           JsonForError(v)));
  }
  return Status::OK();
}

// A count XGBoost believes instead of counting: it must equal `want`, what
// the document holds (`what`).
Status CountParam(const json& obj, const char* key, const std::string& where,
                  int64_t want, const char* what) {
  int64_t n = 0;
  Status st =
      IntParam(obj, key, where, 0, std::numeric_limits<int64_t>::max(), &n);
  if (!st.ok() || n != want) {
    return Bad(where + key,
               fmt::format("is {}, but {} {}", JsonForError(Member(obj, key)),
                           want, what));
  }
  return Status::OK();
}

// The array `key` of `obj`, which must hold `n` values (`counted_by` says
// which count says so).
Status SizedArray(const json& obj, const char* key, const std::string& where,
                  size_t n, const char* counted_by, const json** out) {
  const json& v = Member(obj, key);
  if (!v.is_array()) {
    return Bad(where + key,
               fmt::format("must be an array, got {}", JsonForError(v)));
  }
  if (v.size() != n) {
    return Bad(where + key, fmt::format("has {} values, but {} is {}", v.size(),
                                        counted_by, n));
  }
  *out = &v;
  return Status::OK();
}

// Element i of an integer array, in [lo, hi).
Status IntAt(const json& arr, size_t i, const std::string& where,
             const char* name, int64_t lo, int64_t hi, int64_t* out) {
  if (!AsInt(arr[i], out) || *out < lo || *out >= hi) {
    return Bad(where, fmt::format("{} is {}, outside [{}, {})", name,
                                  JsonForError(arr[i]), lo, hi));
  }
  return Status::OK();
}

struct Counts {
  int64_t num_feature = 0;
  int64_t num_groups = 1;  // outputs: max(num_class, num_target, 1)
  double base_score = 0;   // its magnitude
};

// The categorical splits' segments must lie inside `categories`, one per
// listed node, nodes in increasing order (the order XGBoost reads them in).
Status CheckCategories(const json& tree, const std::string& where, size_t n) {
  const json& nodes = Member(tree, "categories_nodes");
  if (nodes.is_null()) return Status::OK();
  if (!nodes.is_array()) {
    return Bad(where + "categories_nodes",
               fmt::format("must be an array, got {}", JsonForError(nodes)));
  }
  const char* counted_by = "the length of categories_nodes";
  const json *segments, *sizes;
  PHAS_RETURN_IF_ERROR(SizedArray(tree, "categories_segments", where,
                                  nodes.size(), counted_by, &segments));
  PHAS_RETURN_IF_ERROR(SizedArray(tree, "categories_sizes", where, nodes.size(),
                                  counted_by, &sizes));
  const json& cats = Member(tree, "categories");
  if (!cats.is_array()) {
    return Bad(where + "categories",
               fmt::format("must be an array, got {}", JsonForError(cats)));
  }
  int64_t prev = -1, total = int64_t(cats.size());
  for (size_t k = 0; k < nodes.size(); ++k) {
    std::string w = fmt::format("{}categorical split {}", where, k);
    int64_t node, beg, size, cat;
    PHAS_RETURN_IF_ERROR(
        IntAt(nodes, k, w, "categories_nodes", prev + 1, int64_t(n), &node));
    PHAS_RETURN_IF_ERROR(
        IntAt(*segments, k, w, "categories_segments", 0, total, &beg));
    PHAS_RETURN_IF_ERROR(
        IntAt(*sizes, k, w, "categories_sizes", 1, total - beg + 1, &size));
    for (int64_t j = beg; j < beg + size; ++j) {
      PHAS_RETURN_IF_ERROR(
          IntAt(cats, size_t(j), w, "a category", 0, kMaxCategory, &cat));
    }
    prev = node;
  }
  return Status::OK();
}

// Every array of a tree holds num_nodes values; every node but the root has
// a parent in the tree (XGBoost reads each one's node as it loads, reached
// from the root or not); split types are 0 or 1.
Status CheckTreeArrays(const json& tree, const std::string& where, size_t n) {
  const json* unused;
  for (const char* key : {"left_children", "right_children", "split_indices",
                          "parents", "split_conditions", "default_left",
                          "loss_changes", "sum_hessian", "base_weights"}) {
    PHAS_RETURN_IF_ERROR(SizedArray(tree, key, where, n, "num_nodes", &unused));
  }
  const json& parents = Member(tree, "parents");
  for (size_t i = 1; i < n; ++i) {
    int64_t parent;
    PHAS_RETURN_IF_ERROR(IntAt(parents, i, where + fmt::format("node {}", i),
                               "parents", 0, int64_t(n), &parent));
  }
  if (!tree.contains("split_type")) return Status::OK();
  const json* types;
  PHAS_RETURN_IF_ERROR(
      SizedArray(tree, "split_type", where, n, "num_nodes", &types));
  for (size_t i = 0; i < n; ++i) {
    int64_t type;
    PHAS_RETURN_IF_ERROR(IntAt(*types, i, where + fmt::format("node {}", i),
                               "split_type", 0, 2, &type));
  }
  return CheckCategories(tree, where, n);
}

// The children, from the root: each is a node of the tree not reached
// before (so a prediction's walk ends, without a cycle to loop in), and each
// split's feature is one the model has; each leaf's value is a finite float,
// the largest magnitude of them in `*reach`.
Status CheckTreeWalk(const json& tree, const std::string& where, size_t n,
                     int64_t num_feature, double* reach) {
  const json& left = Member(tree, "left_children");
  const json& right = Member(tree, "right_children");
  const json& index = Member(tree, "split_indices");
  const json& value = Member(tree, "split_conditions");
  std::vector<char> reached(n, 0);
  std::vector<size_t> stack = {0};
  reached[0] = 1;
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    std::string node = where + fmt::format("node {}", i);
    int64_t l, r, f;
    PHAS_RETURN_IF_ERROR(
        IntAt(left, i, node, "left_children", -1, int64_t(n), &l));
    if (l == -1) {  // a leaf: split_conditions holds its value
      // Not a number: XGBoost refuses it itself.
      double v = value[i].is_number() ? std::fabs(value[i].get<double>()) : 0;
      if (!(v <= kMaxFloat)) {
        return Bad(node, fmt::format("split_conditions (the leaf's value) is "
                                     "{}, not a finite 32-bit float",
                                     JsonForError(value[i])));
      }
      *reach = std::max(*reach, v);
      continue;
    }
    PHAS_RETURN_IF_ERROR(
        IntAt(right, i, node, "right_children", 0, int64_t(n), &r));
    PHAS_RETURN_IF_ERROR(
        IntAt(index, i, node, "split_indices", 0, num_feature, &f));
    for (auto [name, child] :
         {std::pair{"left_children", l}, std::pair{"right_children", r}}) {
      if (reached[child]) {
        return Bad(node, fmt::format("{} is {}, a node already reached from "
                                     "the root (children must form a tree, "
                                     "without cycles)",
                                     name, child));
      }
      reached[child] = 1;
      stack.push_back(static_cast<size_t>(child));
    }
  }
  return Status::OK();
}

Status CheckTree(const json& tree, size_t t, const Counts& counts,
                 double* reach) {
  std::string where = fmt::format("tree {} ", t);
  if (!tree.is_object()) {
    return Bad(fmt::format("tree {}", t),
               fmt::format("must be an object, got {}", JsonForError(tree)));
  }
  // XGBoost files each tree under its id: two trees with one id would leave
  // another's place empty.
  PHAS_RETURN_IF_ERROR(
      CountParam(tree, "id", where, int64_t(t), "is the tree's place"));
  Status st;
  const json& param = Object(tree, "tree_param", where, &st);
  PHAS_RETURN_IF_ERROR(st);
  int64_t num_nodes = 0;
  PHAS_RETURN_IF_ERROR(IntParam(param, "num_nodes", where + "tree_param.", 1,
                                std::numeric_limits<int32_t>::max(),
                                &num_nodes));
  size_t n = static_cast<size_t>(num_nodes);
  PHAS_RETURN_IF_ERROR(CheckTreeArrays(tree, where, n));
  return CheckTreeWalk(tree, where, n, counts.num_feature, reach);
}

// gbtree's model (dart holds one too): num_trees, the trees, tree_info; the
// leaves of each output group, times dart's weight of each tree (`drop`, a
// finite float each, or nullptr), cannot add up past a float.
Status CheckTrees(const json& model, const std::string& where,
                  const Counts& counts, const json* drop) {
  Status st;
  const json& param = Object(model, "gbtree_model_param", where, &st);
  PHAS_RETURN_IF_ERROR(st);
  const json& trees = Member(model, "trees");
  if (!trees.is_array()) {
    return Bad(where + "trees",
               fmt::format("must be an array, got {}", JsonForError(trees)));
  }
  PHAS_RETURN_IF_ERROR(CountParam(param, "num_trees",
                                  where + "gbtree_model_param.",
                                  int64_t(trees.size()), "trees are present"));
  const json* info;
  PHAS_RETURN_IF_ERROR(
      SizedArray(model, "tree_info", where, trees.size(), "num_trees", &info));
  std::map<int64_t, double> reach;  // output group -> its largest score
  for (size_t t = 0; t < trees.size(); ++t) {
    int64_t group;
    PHAS_RETURN_IF_ERROR(
        IntAt(*info, t, where + fmt::format("tree_info[{}]", t),
              "the output group", 0, counts.num_groups, &group));
    double leaf = 0;
    PHAS_RETURN_IF_ERROR(CheckTree(trees[t], t, counts, &leaf));
    // A weight that is not a number: XGBoost refuses it itself.
    double weight = 1;
    if (drop && (*drop)[t].is_number()) {
      weight = std::fabs((*drop)[t].get<double>());
    }
    reach[group] += leaf * weight;
  }
  for (const auto& [group, sum] : reach) {
    if (!(sum + counts.base_score <= kMaxFloat)) {
      return Bad(where + "trees",
                 fmt::format("the leaves of output group {} add up to {:g}, "
                             "past a 32-bit float",
                             group, sum + counts.base_score));
    }
  }
  return Status::OK();
}

Status CheckBooster(const json& gb, const Counts& counts) {
  const std::string where = "learner.gradient_booster.";
  const json& name = Member(gb, "name");
  Status st;
  if (name == "gbtree") {
    const json& model = Object(gb, "model", where, &st);
    PHAS_RETURN_IF_ERROR(st);
    return CheckTrees(model, where + "model.", counts, nullptr);
  }
  if (name == "dart") {
    const json& inner = Object(gb, "gbtree", where, &st);
    const json& model = Object(inner, "model", where + "gbtree.", &st);
    PHAS_RETURN_IF_ERROR(st);
    const json& trees = Member(model, "trees");
    if (!trees.is_array()) {  // CheckTrees says so
      return CheckTrees(model, where + "gbtree.model.", counts, nullptr);
    }
    const json* drop;  // a weight per tree, read with it
    PHAS_RETURN_IF_ERROR(
        SizedArray(gb, "weight_drop", where, trees.size(), "num_trees", &drop));
    for (size_t t = 0; t < drop->size(); ++t) {
      const json& w = (*drop)[t];
      if (w.is_number() && !(std::fabs(w.get<double>()) <= kMaxFloat)) {
        return Bad(
            where + fmt::format("weight_drop[{}]", t),
            fmt::format("is {}, not a finite 32-bit float", JsonForError(w)));
      }
    }
    return CheckTrees(model, where + "gbtree.model.", counts, drop);
  }
  if (name == "gblinear") {
    // A weight per feature and output, and a bias per output.
    const json& model = Object(gb, "model", where, &st);
    PHAS_RETURN_IF_ERROR(st);
    const json* weights;
    return SizedArray(
        model, "weights", where + "model.",
        size_t(counts.num_feature + 1) * size_t(counts.num_groups),
        "(num_feature + 1) x outputs", &weights);
  }
  return Status::OK();  // XGBoost refuses other names itself
}

// The magnitude of base_score, which XGBoost writes as a string ("5E-1"):
// a finite float. One that is not a number is left to XGBoost.
Status BaseScore(const json& params, const std::string& where, double* out) {
  const json& base = Member(params, "base_score");
  double b = base.is_number() ? base.get<double>() : 0;
  if (base.is_string()) {
    const std::string& s = base.get_ref<const std::string&>();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') b = v;
  }
  *out = std::fabs(b);
  if (!(*out <= kMaxFloat)) {
    return Bad(
        where + "base_score",
        fmt::format("is {}, not a finite 32-bit float", JsonForError(base)));
  }
  return Status::OK();
}

}  // namespace

Result<json> ParseXgboostModel(const std::string& bytes) {
  size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Status::InvalidArgument("the file is empty");
  }
  if (bytes[first] != '{') {
    return Status::InvalidArgument(
        "not an XGBoost JSON model (it does not start with '{'; phas does "
        "not read XGBoost's legacy binary format)");
  }
  if (bytes.size() > 1 && std::isalpha(static_cast<unsigned char>(bytes[1]))) {
    return Status::InvalidArgument(
        "an XGBoost UBJSON model: phas reads JSON models only (as phas train "
        "writes them; XGBoost's save_model to a .json file)");
  }
  if (JsonNestingDepth(bytes, kMaxNesting) > kMaxNesting) {
    return Status::InvalidArgument(
        fmt::format("nested deeper than {} levels", kMaxNesting));
  }
  return ParseJson(bytes);
}

Status CheckXgboostModel(const json& doc) {
  Status st;
  const json& learner = Object(doc, "learner", "", &st);
  const json& params = Object(learner, "learner_model_param", "learner.", &st);
  const json& gb = Object(learner, "gradient_booster", "learner.", &st);
  PHAS_RETURN_IF_ERROR(st);
  Counts counts;
  int64_t num_class = 0, num_target = 1;
  std::string where = "learner.learner_model_param.";
  PHAS_RETURN_IF_ERROR(IntParam(params, "num_feature", where, 0,
                                std::numeric_limits<int32_t>::max(),
                                &counts.num_feature));
  PHAS_RETURN_IF_ERROR(
      IntParam(params, "num_class", where, 0, kMaxOutputs, &num_class));
  if (params.contains("num_target")) {
    PHAS_RETURN_IF_ERROR(
        IntParam(params, "num_target", where, 1, kMaxOutputs, &num_target));
  }
  counts.num_groups = std::max<int64_t>({num_class, num_target, 1});
  PHAS_RETURN_IF_ERROR(BaseScore(params, where, &counts.base_score));
  return CheckBooster(gb, counts);
}

}  // namespace phas
