#include "model/pipeline.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace phas {
namespace {

using nlohmann::json;

constexpr int kMaxSlots = 512;

Status Bad(const std::string& key, const std::string& what) {
  return Status::InvalidArgument("pipeline." + key + ": " + what);
}

Result<std::string> GetString(const json& obj, const std::string& key,
                              const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return Bad(path + "." + key, "missing");
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Bad(path + "." + key, "must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> GetStringList(const json& obj,
                                               const std::string& key,
                                               const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return Bad(path + key, "missing");
  if (!it->is_array()) return Bad(path + key, "must be an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string()) {
      return Bad(fmt::format("{}{}[{}]", path, key, i), "must be a string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Status CheckKeys(const json& obj, const std::string& path,
                 const std::set<std::string>& allowed) {
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.count(k)) return Bad(path + k, "unknown key");
  }
  return Status::OK();
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
  if (!spec.is_object()) return Bad("", "must be an object");
  PHAS_RETURN_IF_ERROR(
      CheckKeys(spec, "",
                {"inputs", "constants", "derived", "standardize", "one_hot",
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
  for (size_t i = 0; i < inputs_it->size(); ++i) {
    const json& in = (*inputs_it)[i];
    std::string path = fmt::format("inputs[{}]", i);
    if (!in.is_object()) return Bad(path, "must be an object");
    PHAS_RETURN_IF_ERROR(
        CheckKeys(in, path + ".", {"name", "type", "levels", "optional"}));
    InputSpec s;
    PHAS_ASSIGN_OR_RETURN(s.name, GetString(in, "name", path));
    PHAS_ASSIGN_OR_RETURN(std::string type, GetString(in, "type", path));
    if (numeric_slot.count(s.name) || category_input.count(s.name)) {
      return Bad(path + ".name", "duplicate input '" + s.name + "'");
    }
    if (type == "number") {
      s.type = InputSpec::Type::kNumber;
      numeric_slot[s.name] = static_cast<int>(i);
    } else if (type == "category") {
      s.type = InputSpec::Type::kCategory;
      PHAS_ASSIGN_OR_RETURN(s.levels, GetStringList(in, "levels", path + "."));
      if (s.levels.empty()) return Bad(path + ".levels", "must not be empty");
      category_input[s.name] = static_cast<int>(i);
    } else {
      return Bad(path + ".type",
                 "must be 'number' or 'category', got '" + type + "'");
    }
    if (auto o = in.find("optional"); o != in.end()) {
      if (!o->is_boolean())
        return Bad(path + ".optional", "must be true or false");
      s.optional = o->get<bool>();
      if (s.optional && s.type != InputSpec::Type::kNumber) {
        return Bad(path + ".optional", "only a number input can be optional");
      }
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
      if (!c.is_object()) return Bad(path, "must be an object");
      PHAS_RETURN_IF_ERROR(CheckKeys(c, path + ".", {"name", "value"}));
      PHAS_ASSIGN_OR_RETURN(std::string name, GetString(c, "name", path));
      PHAS_ASSIGN_OR_RETURN(std::string value, GetString(c, "value", path));
      constants[name] = value;
    }
  }

  // 3. derived
  if (auto it = spec.find("derived"); it != spec.end()) {
    if (!it->is_array()) return Bad("derived", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string path = fmt::format("derived[{}]", i);
      const json& d = (*it)[i];
      if (!d.is_object()) return Bad(path, "must be an object");
      PHAS_RETURN_IF_ERROR(
          CheckKeys(d, path + ".", {"name", "op", "a", "b", "epsilon"}));
      PHAS_ASSIGN_OR_RETURN(std::string name, GetString(d, "name", path));
      PHAS_ASSIGN_OR_RETURN(std::string op, GetString(d, "op", path));
      PHAS_ASSIGN_OR_RETURN(std::string a, GetString(d, "a", path));
      PHAS_ASSIGN_OR_RETURN(std::string b, GetString(d, "b", path));
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
      if (auto e = d.find("epsilon"); e != d.end()) {
        if (!e->is_number()) return Bad(path + ".epsilon", "must be a number");
        dv.epsilon = e->get<double>();
      }
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
    if (!it->is_object()) return Bad("standardize", "must be an object");
    PHAS_RETURN_IF_ERROR(
        CheckKeys(*it, "standardize.", {"columns", "mean", "scale"}));
    PHAS_ASSIGN_OR_RETURN(auto cols,
                          GetStringList(*it, "columns", "standardize."));
    const json& mean = it->value("mean", json());
    const json& scale = it->value("scale", json());
    if (!mean.is_array() || mean.size() != cols.size()) {
      return Bad("standardize.mean", "must be an array as long as columns");
    }
    if (!scale.is_array() || scale.size() != cols.size()) {
      return Bad("standardize.scale", "must be an array as long as columns");
    }
    for (size_t i = 0; i < cols.size(); ++i) {
      if (!numeric_slot.count(cols[i])) {
        return Bad(fmt::format("standardize.columns[{}]", i),
                   "no numeric value '" + cols[i] + "'");
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
      if (!o.is_object()) return Bad(path, "must be an object");
      PHAS_RETURN_IF_ERROR(CheckKeys(o, path + ".", {"source", "levels"}));
      PHAS_ASSIGN_OR_RETURN(std::string src, GetString(o, "source", path));
      PHAS_ASSIGN_OR_RETURN(auto levels,
                            GetStringList(o, "levels", path + "."));
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
  if (spec.contains("zero")) {
    PHAS_ASSIGN_OR_RETURN(auto z, GetStringList(spec, "zero", ""));
    zero.insert(z.begin(), z.end());
  }

  // 6. output columns
  PHAS_ASSIGN_OR_RETURN(p.columns_, GetStringList(spec, "columns", ""));
  if (p.columns_.empty()) return Bad("columns", "must not be empty");
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

}  // namespace phas
