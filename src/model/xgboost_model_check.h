// Checks of an XGBoost model file before XGBoost reads it.
//
// XGBoost (1.7) trusts the counts and indices in a model it loads: a child
// index past the end of its tree, a num_trees larger than the trees present
// or a tree_info group past the model's outputs make it read or write out of
// bounds and crash the process; a child that leads back to an earlier node
// makes its prediction loop forever; a file that is not JSON is read as the
// legacy binary format, whose counts are trusted the same way. These
// functions refuse such files with the field named, so that XGBoost only
// ever sees a document it can walk.
//
// Thread-safety: stateless functions; safe from any thread.
#ifndef PHAS_MODEL_XGBOOST_MODEL_CHECK_H_
#define PHAS_MODEL_XGBOOST_MODEL_CHECK_H_

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace phas {

// Parses a model file's bytes as XGBoost's JSON document, 64 levels deep at
// most. Anything else is InvalidArgument saying what the bytes are not:
// UBJSON too (nlohmann's reader recurses without a limit and believes a
// container's declared count: a few bytes could overflow the stack or ask
// for gigabytes), and the legacy binary format, which cannot be checked.
Result<nlohmann::json> ParseXgboostModel(const std::string& bytes);

// OK when every count and index XGBoost trusts agrees with what the document
// holds: num_class and num_target at most 256; num_trees, tree_info and tree
// ids against the trees; each tree's
// num_nodes against its arrays; parents inside the tree; children that
// form a tree (every node reached once from the root, so no cycle); split
// features below num_feature; groups below the number of outputs;
// categorical segments inside their arrays; base_score, each leaf's value and
// each output's largest sum of leaves inside a float's range (beyond it,
// XGBoost's scores are infinite and its probabilities NaN). Otherwise
// InvalidArgument naming
// the place, e.g. "tree 0 node 0: left_children is 999999, not a node of the
// tree (it has 63)".
Status CheckXgboostModel(const nlohmann::json& doc);

}  // namespace phas

#endif  // PHAS_MODEL_XGBOOST_MODEL_CHECK_H_
