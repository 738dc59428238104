#include "predictor/codec.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/json_util.h"

namespace phas {
namespace {

using nlohmann::json;

// A finite number the model's 32-bit floats hold (1e308 is a finite
// double, and infinity as a float): below the float maximum plus half its
// last step, where rounding to float goes to infinity (3.4028235e38, how
// numpy prints the maximum, rounds to it).
bool InFloatRange(double d) {
  constexpr double kFloatRoundsToInfinity = 0x1.ffffffp+127;
  return std::isfinite(d) && std::fabs(d) < kFloatRoundsToInfinity;
}

bool Fail(CodecError* err, std::string message, std::string field = {},
          int status = 400) {
  err->status = status;
  err->message = std::move(message);
  err->field = std::move(field);
  return false;
}

// Tracks the path of the value being parsed, so a syntax error can name the
// field it occurred in. Used only on the error path.
class PathTracker : public nlohmann::json_sax<json> {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override {
    return Value();
  }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return Push(false); }
  bool key(string_t& k) override {
    if (!stack_.empty()) stack_.back().key = k;
    return true;
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override { return Push(true); }
  bool end_array() override { return Pop(); }
  bool parse_error(std::size_t byte, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    byte_ = byte;
    last_token_ = last_token;
    what_ = ex.what();
    return false;
  }

  std::string Path() const {
    std::string p;
    for (const Frame& f : stack_) {
      if (f.array) {
        p += fmt::format("[{}]", f.index);
      } else if (!f.key.empty()) {
        if (!p.empty()) p += ".";
        p += f.key;
      }
    }
    return p;
  }
  size_t byte() const { return byte_; }
  const std::string& last_token() const { return last_token_; }
  const std::string& what() const { return what_; }

 private:
  struct Frame {
    bool array;
    size_t index = 0;
    std::string key;
  };
  bool Value() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
    if (!stack_.empty() && !stack_.back().array) stack_.back().key.clear();
    return true;
  }
  bool Push(bool array) {
    stack_.push_back({array, 0, {}});
    return true;
  }
  bool Pop() {
    stack_.pop_back();
    return Value();
  }
  std::vector<Frame> stack_;
  size_t byte_ = 0;
  std::string last_token_, what_;
};

// The first key that appears twice in one object.
class DuplicateFinder : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    open_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (open_.back().insert(k).second) return true;
    key_ = k;
    return false;  // found: stop
  }
  bool end_object() override {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) override {
    return false;
  }
  const std::string& key() const { return key_; }

 private:
  std::vector<std::unordered_set<std::string>> open_;
  std::string key_;
};

bool DescribeSyntaxError(std::string_view body, CodecError* err) {
  PathTracker t;
  json::sax_parse(body.begin(), body.end(), &t);
  const std::string& tok = t.last_token();
  std::string what = t.what();
  if (size_t p = what.find("] "); p != std::string::npos)
    what = what.substr(p + 2);
  // The token where parsing stopped (the last read, after its last
  // delimiter): "N", "I", "i", "+" or "-I" begin NaN or Infinity (no JSON
  // value does), and "na" too; a lone "n" or "no" is a misspelt null or a
  // word.
  // (Only where a value was expected: inside a string, a word after a
  // comma is no literal.)
  size_t cut = tok.find_last_of(" \t\r\n[{,:");
  std::string tail = cut == std::string::npos ? tok : tok.substr(cut + 1);
  bool nonfinite = !tail.empty() &&
                   what.find("invalid string") == std::string::npos &&
                   (tail[0] == 'N' || tail[0] == 'I' || tail[0] == 'i' ||
                    tail[0] == '+' || tail.rfind("-I", 0) == 0 ||
                    tail.rfind("-i", 0) == 0 || tail.rfind("na", 0) == 0);
  if (nonfinite) {
    return Fail(err,
                fmt::format("invalid JSON at byte {}: NaN and Infinity are not "
                            "JSON numbers; every value must be finite",
                            t.byte()),
                t.Path());
  }
  return Fail(err, "invalid JSON: " + what, t.Path());
}

// Parses the body as a JSON object, or explains why it is not one.
bool ParseObject(std::string_view body, json* out, CodecError* err) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return Fail(err, "empty body: expected a JSON object");
  }
  if (JsonNestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return Fail(
        err, fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
  }
  // A key twice in one object: the parser would keep one of the values
  // silently; which one the client meant is unknown. Counted here (an
  // object then holds fewer members than keys were read), named by a
  // second pass on that error only.
  std::vector<size_t> keys;  // per open object
  bool twice = false;
  auto check = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.push_back(0);
    if (event == json::parse_event_t::key && !keys.empty()) ++keys.back();
    if (event == json::parse_event_t::object_end && !keys.empty()) {
      twice |= parsed.size() != keys.back();
      keys.pop_back();
    }
    return true;
  };
  *out = json::parse(body.begin(), body.end(), check,
                     /*allow_exceptions=*/false);
  if (out->is_discarded()) return DescribeSyntaxError(body, err);
  if (twice) {
    DuplicateFinder d;
    json::sax_parse(body.begin(), body.end(), &d);
    std::string field = Abbreviate(d.key());
    return Fail(err, fmt::format("field '{}' appears twice", field), field);
  }
  if (!out->is_object()) {
    return Fail(err, std::string("the body must be a JSON object, got ") +
                         JsonTypeName(*out));
  }
  return true;
}

bool DecodeValue(const json& v, const InputSpec& spec, InputValue* out,
                 const std::string& field, CodecError* err) {
  if (spec.type == InputSpec::Type::kNumber) {
    if (!v.is_number()) {
      return Fail(err,
                  fmt::format("{} ({}) must be a JSON number, got {}", field,
                              spec.name, JsonTypeName(v)),
                  field);
    }
    double d = v.get<double>();
    if (!InFloatRange(d)) {
      return Fail(err,
                  fmt::format("{} ({}) must be a finite number within "
                              "+-3.4e38 (the model reads 32-bit floats)",
                              field, spec.name),
                  field);
    }
    out->number = d;
    out->level = -1;
    return true;
  }
  std::string allowed;
  for (size_t i = 0; i < spec.levels.size(); ++i) {
    allowed += (i ? ", " : "") + spec.levels[i];
  }
  if (!v.is_string()) {
    return Fail(err,
                fmt::format("{} ({}) must be a string, one of: {}; got {}",
                            field, spec.name, allowed, JsonTypeName(v)),
                field);
  }
  const std::string& s = v.get_ref<const std::string&>();
  int level = spec.LevelIndex(s);
  if (level < 0) {
    return Fail(err,
                fmt::format("{} ({}): unknown category '{}'; expected one "
                            "of: {}",
                            field, spec.name, Abbreviate(s), allowed),
                field);
  }
  out->number = 0.0;
  out->level = level;
  return true;
}

// One instance: a positional array, or an object keyed by input name.
// `prefix` is the instance's own path ("features", "instances[3]", "").
bool DecodeInstance(const json& inst, const FeaturePipeline& p,
                    const std::string& prefix, InputValue* out,
                    CodecError* err) {
  const auto& inputs = p.inputs();
  if (inst.is_array()) {
    size_t required = p.required_inputs();
    if (inst.size() != inputs.size() && inst.size() != required) {
      return Fail(
          err,
          required == inputs.size()
              ? fmt::format("{} must have exactly {} values, got {}", prefix,
                            inputs.size(), inst.size())
              : fmt::format("{} must have {} values ({} without the optional "
                            "ones), got {}",
                            prefix, inputs.size(), required, inst.size()),
          prefix);
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i >= inst.size()) {
        out[i] = InputValue::Missing();
        continue;
      }
      if (!DecodeValue(inst[i], inputs[i], &out[i],
                       fmt::format("{}[{}]", prefix, i), err)) {
        return false;
      }
    }
    return true;
  }
  if (!inst.is_object()) {
    return Fail(err,
                fmt::format("{} must be an array of {} values or an "
                            "object of named values, got {}",
                            prefix, inputs.size(), JsonTypeName(inst)),
                prefix);
  }
  std::string dot = prefix.empty() ? "" : prefix + ".";
  for (const auto& [key, value] : inst.items()) {
    if (p.FindInput(key) < 0) {
      std::string field = dot + Abbreviate(key);
      return Fail(err, fmt::format("unknown field '{}'", field), field);
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto it = inst.find(inputs[i].name);
    std::string field = dot + inputs[i].name;
    if (it == inst.end()) {
      if (inputs[i].optional) {
        out[i] = InputValue::Missing();
        continue;
      }
      return Fail(err, fmt::format("missing field '{}'", field), field);
    }
    if (!DecodeValue(*it, inputs[i], &out[i], field, err)) return false;
  }
  return true;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' ||
                              s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }
  bool Peek(char c) {
    SkipSpace();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool Eat(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }
  // A string without escapes, control characters or non-ASCII bytes.
  bool PlainString(std::string_view* out) {
    if (!Eat('"')) return false;
    size_t start = i_;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        *out = s_.substr(start, i_ - start);
        ++i_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++i_;
    }
    return false;
  }
  // A JSON number converted as nlohmann::json does: integers through int64
  // (then uint64), everything else through a correctly rounded double.
  bool Number(double* out) {
    SkipSpace();
    size_t start = i_;
    bool integer = true;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size()) return false;
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      return false;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      integer = false;
      ++i_;
      size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integer = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return false;
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + i_;
    if (integer) {
      int64_t v;
      if (std::from_chars(b, e, v).ec == std::errc()) {
        *out = static_cast<double>(v);
        return true;
      }
      uint64_t u;
      if (*b != '-' && std::from_chars(b, e, u).ec == std::errc()) {
        *out = static_cast<double>(u);
        return true;
      }
    }
    auto r = std::from_chars(b, e, *out);
    return r.ec == std::errc() && r.ptr == e && InFloatRange(*out);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool FastDecodeFeatures(std::string_view body, const FeaturePipeline& p,
                        std::vector<InputValue>* out) {
  const auto& inputs = p.inputs();
  out->resize(inputs.size());
  Scanner sc(body);
  std::string_view key;
  if (!sc.Eat('{') || !sc.PlainString(&key) || key != "features" ||
      !sc.Eat(':') || !sc.Eat('[')) {
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i == p.required_inputs() && i > 0 && sc.Peek(']')) {
      for (; i < inputs.size(); ++i) {
        (*out)[i] = InputValue::Missing();
      }
      break;
    }
    if (i > 0 && !sc.Eat(',')) return false;
    InputValue& v = (*out)[i];
    if (inputs[i].type == InputSpec::Type::kNumber) {
      if (!sc.Number(&v.number)) return false;
      v.level = -1;
    } else {
      std::string_view s;
      if (!sc.PlainString(&s)) return false;
      v.level = inputs[i].LevelIndex(s);
      v.number = 0.0;
      if (v.level < 0) return false;
    }
  }
  return sc.Eat(']') && sc.Eat('}') && sc.AtEnd();
}

bool DecodePredictRequest(std::string_view body, const FeaturePipeline& p,
                          std::vector<InputValue>* out, CodecError* err) {
  if (FastDecodeFeatures(body, p, out)) return true;
  json j;
  if (!ParseObject(body, &j, err)) return false;
  out->assign(p.inputs().size(), InputValue());
  auto it = j.find("features");
  if (it != j.end()) {
    for (const auto& [key, value] : j.items()) {
      if (key != "features") {
        return Fail(err,
                    fmt::format("unknown field '{}' next to 'features'",
                                Abbreviate(key)),
                    Abbreviate(key));
      }
    }
    if (!it->is_array()) {
      return Fail(err,
                  fmt::format("features must be an array of {} values, got {}",
                              p.inputs().size(), JsonTypeName(*it)),
                  "features");
    }
    return DecodeInstance(*it, p, "features", out->data(), err);
  }
  return DecodeInstance(j, p, "", out->data(), err);
}

bool DecodeBatchRequest(std::string_view body, const FeaturePipeline& p,
                        size_t max_instances, std::vector<InputValue>* out,
                        size_t* rows, CodecError* err) {
  json j;
  if (!ParseObject(body, &j, err)) return false;
  for (const auto& [key, value] : j.items()) {
    if (key != "instances") {
      return Fail(err, fmt::format("unknown field '{}'", Abbreviate(key)),
                  Abbreviate(key));
    }
  }
  auto it = j.find("instances");
  if (it == j.end()) return Fail(err, "missing field 'instances'", "instances");
  if (!it->is_array()) {
    return Fail(
        err,
        std::string("instances must be an array, got ") + JsonTypeName(*it),
        "instances");
  }
  if (it->empty()) {
    return Fail(err, "instances must hold at least one instance", "instances");
  }
  if (it->size() > max_instances) {
    return Fail(err,
                fmt::format("instances holds {} rows; the maximum is {}",
                            it->size(), max_instances),
                "instances", 413);
  }
  size_t k = p.inputs().size();
  out->assign(it->size() * k, InputValue());
  for (size_t r = 0; r < it->size(); ++r) {
    if (!DecodeInstance((*it)[r], p, fmt::format("instances[{}]", r),
                        out->data() + r * k, err)) {
      return false;
    }
  }
  *rows = it->size();
  return true;
}

void EncodePrediction(const Prediction& pred, const ModelBundle& model,
                      std::string* out) {
  const ClassInfo& c = model.classes()[pred.cls];
  fmt::format_to(std::back_inserter(*out),
                 "{{\"prediction\":{},\"predicted_class\":", pred.cls);
  AppendJsonString(out, c.label);
  fmt::format_to(std::back_inserter(*out),
                 ",\"confidence\":{},\"probabilities\":[",
                 static_cast<double>(pred.confidence));
  for (size_t i = 0; i < pred.probabilities.size(); ++i) {
    if (i) out->push_back(',');
    fmt::format_to(std::back_inserter(*out), "{}",
                   static_cast<double>(pred.probabilities[i]));
  }
  out->append("],\"action\":\"");
  out->append(ScaleActionName(c.action));
  out->append("\"}");
}

}  // namespace phas
