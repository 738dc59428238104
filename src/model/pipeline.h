// FeaturePipeline: turns the named inputs of a request into the float row a
// booster expects, as described by data (the "pipeline" object of a model
// manifest), so a model with other features loads without code changes.
//
// Steps, in order (docs/model-bundle.md has the schema):
//   1. inputs       numbers, or categories with their allowed levels; a
//                   number may be "optional" (after every required input):
//                   a request may leave it out, and the model sees a
//                   missing value (NaN, which the trees route by their
//                   learned default direction)
//   2. constants    fixed categorical values (the original's task_status)
//   3. derived      a op (b + epsilon), op in mul, div, add, sub (double)
//   4. standardize  (x - mean) / scale for the listed numeric columns
//   5. columns      the booster's input order; each column is a numeric
//                   value, a one-hot indicator "<source>_<level>", or listed
//                   in "zero" (fed as 0). A column with no source is an
//                   error at load time: nothing is silently zero-filled.
//   6. float32      the row is narrowed to float at the end.
//
// Thread-safety: immutable after construction; Transform may be called from
// any number of threads.
#ifndef PHAS_MODEL_PIPELINE_H_
#define PHAS_MODEL_PIPELINE_H_

#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace phas {

struct InputSpec {
  enum class Type { kNumber, kCategory };
  std::string name;
  Type type = Type::kNumber;
  std::vector<std::string> levels;  // categories only
  bool optional = false;            // numbers only: may be absent (NaN)

  // Index of `level` in levels, or -1.
  int LevelIndex(std::string_view level) const;
};

// One input value: a number, or a category given by its level index.
struct InputValue {
  double number = 0.0;
  int level = -1;
  // An optional input left out: NaN, which the trees route by their learned
  // default direction.
  static InputValue Missing() {
    return {std::numeric_limits<double>::quiet_NaN(), -1};
  }
};

// The original's 9 inputs (seed-model README: 7 numbers, task_type and
// task_priority with their levels), as a spec's "inputs" array.
nlohmann::json OriginalInputsSpec();

class FeaturePipeline {
 public:
  // At most this many output columns (a model row is built on the stack).
  static constexpr size_t kMaxColumns = 512;

  // Builds from a manifest's "pipeline" object. Errors name the key
  // ("pipeline.derived[1].op: unknown op 'pow'").
  static Result<FeaturePipeline> FromJson(const nlohmann::json& spec);

  const std::vector<InputSpec>& inputs() const { return inputs_; }
  // How many inputs come before the optional ones (all of them when none is
  // optional): a positional request has this many values, or all.
  size_t required_inputs() const { return required_inputs_; }
  // Index of the input called `name`, or -1.
  int FindInput(std::string_view name) const;
  const std::vector<std::string>& columns() const { return columns_; }
  size_t num_columns() const { return columns_.size(); }

  // Computes the model row. `in` has inputs().size() values, validated by
  // the caller (finite numbers, level indexes in range); `out` receives
  // num_columns() floats.
  void Transform(const InputValue* in, float* out) const;

  // The spec this pipeline was built from.
  const nlohmann::json& spec() const;

 private:
  enum class Op { kMul, kDiv, kAdd, kSub };
  struct Derived {
    Op op;
    int a, b, dst;  // slots
    double epsilon;
  };
  struct Scale {
    int slot;
    double mean, scale;
  };
  struct Column {
    enum class Kind { kSlot, kOneHot, kConstant } kind;
    int slot = -1;   // kSlot
    int input = -1;  // kOneHot
    int level = -1;  // kOneHot
    float constant = 0.0f;
  };

  std::vector<InputSpec> inputs_;
  std::vector<std::string> columns_;
  std::vector<Derived> derived_;
  std::vector<Scale> scales_;
  std::vector<Column> plan_;
  int num_slots_ = 0;
  size_t required_inputs_ = 0;
  std::shared_ptr<const nlohmann::json> spec_;
};

}  // namespace phas

#endif  // PHAS_MODEL_PIPELINE_H_
