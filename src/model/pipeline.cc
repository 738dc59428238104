#include "model/pipeline.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/json_util.h"

namespace phas {
namespace {

using nlohmann::json;

constexpr int kMaxSlots = 512;

Status Bad(const std::string& key, const std::string& what) {
  return Status::InvalidArgument("pipeline." + key + ": " + what);
}

// A string member that must be present and not empty.
Result<std::string> GetString(const JsonReader& r, const std::string& key) {
  std::string out;
  PHAS_RETURN_IF_ERROR(r.RequiredStr(key, &out));
  return out;
}

// An array of strings that must be present.
Result<std::vector<std::string>> GetStringList(const JsonReader& r,
                                               const std::string& key) {
  if (!r.Has(key)) return r.Bad(key, "missing (must be an array of strings)");
  std::vector<std::string> out;
  PHAS_RETURN_IF_ERROR(r.StrList(key, &out));
  return out;
}

}  // namespace

int InputSpec::LevelIndex(std::string_view level) const {
  for (size_t i = 0; i < levels.size(); ++i) {
    if (levels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

int FeaturePipeline::FindInput(std::string_view name) const {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const nlohmann::json& FeaturePipeline::spec() const { return *spec_; }

Result<FeaturePipeline> FeaturePipeline::FromJson(const json& spec) {
  JsonReader top(spec, "pipeline");
  PHAS_RETURN_IF_ERROR(
      top.CheckKeys({"inputs", "constants", "derived", "standardize", "one_hot",
                     "zero", "columns"}));
  FeaturePipeline p;
  p.spec_ = std::make_shared<const json>(spec);
  std::map<std::string, int> numeric_slot;    // numeric name -> slot
  std::map<std::string, int> category_input;  // input name -> input index
  std::map<std::string, std::string> constants;

  // 1. inputs
  auto inputs_it = spec.find("inputs");
  if (inputs_it == spec.end() || !inputs_it->is_array() || inputs_it->empty()) {
    return Bad("inputs", "must be a non-empty array");
  }
  if (inputs_it->size() > kMaxSlots) {
    return Bad("inputs", fmt::format("at most {} inputs, got {}", kMaxSlots,
                                     inputs_it->size()));
  }
  for (size_t i = 0; i < inputs_it->size(); ++i) {
    const json& in = (*inputs_it)[i];
    std::string path = fmt::format("inputs[{}]", i);
    JsonReader r(in, "pipeline." + path);
    PHAS_RETURN_IF_ERROR(r.CheckKeys({"name", "type", "levels", "optional"}));
    InputSpec s;
    PHAS_ASSIGN_OR_RETURN(s.name, GetString(r, "name"));
    PHAS_ASSIGN_OR_RETURN(std::string type, GetString(r, "type"));
    if (numeric_slot.count(s.name) || category_input.count(s.name)) {
      return Bad(path + ".name", "duplicate input '" + s.name + "'");
    }
    if (type == "number") {
      s.type = InputSpec::Type::kNumber;
      numeric_slot[s.name] = static_cast<int>(i);
    } else if (type == "category") {
      s.type = InputSpec::Type::kCategory;
      PHAS_ASSIGN_OR_RETURN(s.levels, GetStringList(r, "levels"));
      if (s.levels.empty()) return Bad(path + ".levels", "must not be empty");
      category_input[s.name] = static_cast<int>(i);
    } else {
      return Bad(path + ".type",
                 "must be 'number' or 'category', got '" + type + "'");
    }
    PHAS_RETURN_IF_ERROR(r.Bool("optional", &s.optional));
    if (s.optional && s.type != InputSpec::Type::kNumber) {
      return Bad(path + ".optional", "only a number input can be optional");
    }
    if (!s.optional && !p.inputs_.empty() && p.inputs_.back().optional) {
      return Bad(path + ".optional",
                 "a required input cannot follow an optional one");
    }
    if (!s.optional) p.required_inputs_ = p.inputs_.size() + 1;
    p.inputs_.push_back(std::move(s));
  }
  p.num_slots_ = static_cast<int>(p.inputs_.size());

  // 2. constants
  if (auto it = spec.find("constants"); it != spec.end()) {
    if (!it->is_array()) return Bad("constants", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string path = fmt::format("constants[{}]", i);
      const json& c = (*it)[i];
      JsonReader r(c, "pipeline." + path);
      PHAS_RETURN_IF_ERROR(r.CheckKeys({"name", "value"}));
      PHAS_ASSIGN_OR_RETURN(std::string name, GetString(r, "name"));
      PHAS_ASSIGN_OR_RETURN(std::string value, GetString(r, "value"));
      // One-hot columns read an input before a constant: a constant named
      // as an input, or as an earlier constant, would be silently ignored.
      if (numeric_slot.count(name) || category_input.count(name) ||
          constants.count(name)) {
        return Bad(path + ".name", "duplicate name '" + name + "'");
      }
      constants[name] = value;
    }
  }

  // 3. derived
  if (auto it = spec.find("derived"); it != spec.end()) {
    if (!it->is_array()) return Bad("derived", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string path = fmt::format("derived[{}]", i);
      const json& d = (*it)[i];
      JsonReader r(d, "pipeline." + path);
      PHAS_RETURN_IF_ERROR(r.CheckKeys({"name", "op", "a", "b", "epsilon"}));
      PHAS_ASSIGN_OR_RETURN(std::string name, GetString(r, "name"));
      PHAS_ASSIGN_OR_RETURN(std::string op, GetString(r, "op"));
      PHAS_ASSIGN_OR_RETURN(std::string a, GetString(r, "a"));
      PHAS_ASSIGN_OR_RETURN(std::string b, GetString(r, "b"));
      Derived dv;
      if (op == "mul")
        dv.op = Op::kMul;
      else if (op == "div")
        dv.op = Op::kDiv;
      else if (op == "add")
        dv.op = Op::kAdd;
      else if (op == "sub")
        dv.op = Op::kSub;
      else
        return Bad(path + ".op",
                   "unknown op '" + op + "' (expected mul, div, add, sub)");
      if (!numeric_slot.count(a))
        return Bad(path + ".a", "no numeric value '" + a + "'");
      if (!numeric_slot.count(b))
        return Bad(path + ".b", "no numeric value '" + b + "'");
      if (numeric_slot.count(name) || category_input.count(name)) {
        return Bad(path + ".name", "duplicate name '" + name + "'");
      }
      dv.epsilon = 0.0;
      PHAS_RETURN_IF_ERROR(r.Num("epsilon", &dv.epsilon,
                                 std::numeric_limits<double>::lowest(),
                                 std::numeric_limits<double>::max()));
      dv.a = numeric_slot[a];
      dv.b = numeric_slot[b];
      dv.dst = p.num_slots_++;
      numeric_slot[name] = dv.dst;
      p.derived_.push_back(dv);
    }
  }
  if (p.num_slots_ > kMaxSlots) return Bad("derived", "too many values");

  // 4. standardize
  if (auto it = spec.find("standardize"); it != spec.end()) {
    JsonReader r(*it, "pipeline.standardize");
    PHAS_RETURN_IF_ERROR(r.CheckKeys({"columns", "mean", "scale"}));
    PHAS_ASSIGN_OR_RETURN(auto cols, GetStringList(r, "columns"));
    const json& mean = r.Child("mean");
    const json& scale = r.Child("scale");
    if (!mean.is_array() || mean.size() != cols.size()) {
      return Bad("standardize.mean", "must be an array as long as columns");
    }
    if (!scale.is_array() || scale.size() != cols.size()) {
      return Bad("standardize.scale", "must be an array as long as columns");
    }
    std::set<std::string> listed;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (!numeric_slot.count(cols[i])) {
        return Bad(fmt::format("standardize.columns[{}]", i),
                   "no numeric value '" + cols[i] + "'");
      }
      if (!listed.insert(cols[i]).second) {
        return Bad(
            fmt::format("standardize.columns[{}]", i),
            "'" + cols[i] + "' is listed twice (it would be scaled twice)");
      }
      if (!mean[i].is_number() || !scale[i].is_number()) {
        return Bad(fmt::format("standardize.mean/scale[{}]", i),
                   "must be numbers");
      }
      double sc = scale[i].get<double>();
      if (!(sc > 0.0) || !std::isfinite(sc)) {
        return Bad(fmt::format("standardize.scale[{}]", i), "must be > 0");
      }
      p.scales_.push_back({numeric_slot[cols[i]], mean[i].get<double>(), sc});
    }
  }

  // 5. one-hot columns and zero columns
  std::map<std::string, Column> onehot;
  if (auto it = spec.find("one_hot"); it != spec.end()) {
    if (!it->is_array()) return Bad("one_hot", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string path = fmt::format("one_hot[{}]", i);
      const json& o = (*it)[i];
      JsonReader r(o, "pipeline." + path);
      PHAS_RETURN_IF_ERROR(r.CheckKeys({"source", "levels"}));
      PHAS_ASSIGN_OR_RETURN(std::string src, GetString(r, "source"));
      PHAS_ASSIGN_OR_RETURN(auto levels, GetStringList(r, "levels"));
      for (const std::string& level : levels) {
        Column c;
        if (auto ci = category_input.find(src); ci != category_input.end()) {
          const InputSpec& in = p.inputs_[ci->second];
          int li = in.LevelIndex(level);
          if (li < 0) {
            return Bad(path + ".levels",
                       "'" + level + "' is not a level of " + src);
          }
          c.kind = Column::Kind::kOneHot;
          c.input = ci->second;
          c.level = li;
        } else if (auto k = constants.find(src); k != constants.end()) {
          c.kind = Column::Kind::kConstant;
          c.constant = k->second == level ? 1.0f : 0.0f;
        } else {
          return Bad(path + ".source",
                     "no category input or constant '" + src + "'");
        }
        onehot[src + "_" + level] = c;
      }
    }
  }
  std::set<std::string> zero;
  std::vector<std::string> zero_list;
  PHAS_RETURN_IF_ERROR(top.StrList("zero", &zero_list));
  zero.insert(zero_list.begin(), zero_list.end());

  // 6. output columns
  PHAS_ASSIGN_OR_RETURN(p.columns_, GetStringList(top, "columns"));
  if (p.columns_.empty()) return Bad("columns", "must not be empty");
  if (p.columns_.size() > FeaturePipeline::kMaxColumns) {
    return Bad("columns",
               fmt::format("at most {} columns, got {}",
                           FeaturePipeline::kMaxColumns, p.columns_.size()));
  }
  for (size_t i = 0; i < p.columns_.size(); ++i) {
    const std::string& name = p.columns_[i];
    Column c;
    if (zero.count(name)) {
      c.kind = Column::Kind::kConstant;
      c.constant = 0.0f;
    } else if (auto s = numeric_slot.find(name); s != numeric_slot.end()) {
      c.kind = Column::Kind::kSlot;
      c.slot = s->second;
    } else if (auto o = onehot.find(name); o != onehot.end()) {
      c = o->second;
    } else {
      return Bad(fmt::format("columns[{}]", i),
                 "'" + name +
                     "' has no source (not an input, derived value, "
                     "one-hot level or zero column)");
    }
    p.plan_.push_back(c);
  }
  return p;
}

void FeaturePipeline::Transform(const InputValue* in, float* out) const {
  double slots[kMaxSlots];
  size_t n_in = inputs_.size();
  for (size_t i = 0; i < n_in; ++i) slots[i] = in[i].number;
  for (const Derived& d : derived_) {
    double a = slots[d.a];
    double b = slots[d.b] + d.epsilon;
    switch (d.op) {
      case Op::kMul:
        slots[d.dst] = a * b;
        break;
      case Op::kDiv:
        slots[d.dst] = a / b;
        break;
      case Op::kAdd:
        slots[d.dst] = a + b;
        break;
      case Op::kSub:
        slots[d.dst] = a - b;
        break;
    }
  }
  for (const Scale& s : scales_) {
    slots[s.slot] = (slots[s.slot] - s.mean) / s.scale;
  }
  for (size_t i = 0; i < plan_.size(); ++i) {
    const Column& c = plan_[i];
    switch (c.kind) {
      case Column::Kind::kSlot:
        out[i] = static_cast<float>(slots[c.slot]);
        break;
      case Column::Kind::kOneHot:
        out[i] = in[c.input].level == c.level ? 1.0f : 0.0f;
        break;
      case Column::Kind::kConstant:
        out[i] = c.constant;
        break;
    }
  }
}

nlohmann::json OriginalInputsSpec() {
  nlohmann::json inputs = nlohmann::json::array();
  for (const char* n :
       {"cpu_usage", "memory_usage", "network_traffic", "power_consumption",
        "num_executed_instructions", "execution_time", "energy_efficiency"}) {
    inputs.push_back({{"name", n}, {"type", "number"}});
  }
  inputs.push_back({{"name", "task_type"},
                    {"type", "category"},
                    {"levels", {"compute", "network", "io"}}});
  inputs.push_back({{"name", "task_priority"},
                    {"type", "category"},
                    {"levels", {"high", "medium", "low"}}});
  return inputs;
}

}  // namespace phas
