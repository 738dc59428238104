#include "scaler/yaml_fields.h"

#include <fmt/format.h>

namespace phas {

bool YamlFieldReader::Want(std::string_view key) {
  known_.emplace(key);
  return st_.ok() && r_.Has(std::string(key));
}

void YamlFieldReader::Number(std::string_view key, double* v, double lo,
                             double hi) {
  if (Want(key)) Keep(r_.Num(std::string(key), v, lo, hi));
}

void YamlFieldReader::Integer(std::string_view key, int* v, int lo, int hi) {
  if (Want(key)) Keep(r_.Int(std::string(key), v, lo, hi));
}

void YamlFieldReader::Span(std::string_view key, Duration* v,
                           double unit_seconds, double lo, double hi) {
  if (Want(key)) Keep(r_.Span(std::string(key), v, unit_seconds, lo, hi));
}

void YamlFieldReader::Flag(std::string_view key, bool* v) {
  if (Want(key)) Keep(r_.Bool(std::string(key), v));
}

void YamlFieldReader::Choice(std::string_view key, std::string* v,
                             const std::vector<std::string>& allowed) {
  if (Want(key)) {
    Keep(r_.OneOf(std::string(key), v, {allowed.begin(), allowed.end()}));
  }
}

void YamlFieldReader::Time(std::string_view key, std::optional<TimePoint>*) {
  if (Want(key)) Keep(r_.Bad(std::string(key), "is not a setting"));
}

void YamlFieldReader::Timed(std::string_view key, Recommendations*) {
  if (Want(key)) Keep(r_.Bad(std::string(key), "is not a setting"));
}

void YamlFieldReader::Check(bool ok, std::string_view key,
                            std::string_view what) {
  if (!ok && st_.ok()) Keep(r_.Bad(std::string(key), std::string(what)));
}

void YamlFieldReader::Nested(
    std::string_view key, const std::function<void(FieldVisitor&)>& describe) {
  if (!Want(key)) return;
  std::string k(key);
  YamlFieldReader sub(r_.Child(k), r_.Path(k));
  describe(sub);
  Keep(sub.Finish());
}

void YamlFieldReader::Items(
    std::string_view key, size_t, const std::function<void(size_t)>& resize,
    const std::function<void(size_t, FieldVisitor&)>& describe) {
  if (!Want(key)) return;
  std::string k(key);
  YAML::Node list = r_.Child(k);
  if (!list.IsSequence()) {
    Keep(r_.Bad(k, "must be a list"));
    return;
  }
  resize(list.size());
  for (size_t i = 0; i < list.size() && st_.ok(); ++i) {
    YamlFieldReader item(list[i], fmt::format("{}[{}]", r_.Path(k), i));
    describe(i, item);
    Keep(item.Finish());
  }
}

Status YamlFieldReader::Finish() {
  if (!st_.ok()) return st_;
  return r_.CheckKeys(known_);
}

}  // namespace phas
