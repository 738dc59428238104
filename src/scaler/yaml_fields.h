// YamlFieldReader: reads a described struct (decision/fields.h) from a YAML
// mapping, with the checks of YamlReader: every value typed and in range,
// every error naming the key path, and keys that no field reads refused.
//
//   YamlFieldReader r(node, "groups[0].hpa");
//   AnyStruct settings = defaults.Updated(r);
//   if (Status st = r.Finish(); !st.ok()) ...
//
// Thread-safety: one thread at a time.
#ifndef PHAS_SCALER_YAML_FIELDS_H_
#define PHAS_SCALER_YAML_FIELDS_H_

#include <set>
#include <string>

#include "decision/fields.h"
#include "scaler/yaml_reader.h"

namespace phas {

class YamlFieldReader final : public FieldVisitor {
 public:
  YamlFieldReader(const YAML::Node& node, std::string path)
      : r_(node, std::move(path)) {}

  void Number(std::string_view key, double* v, double lo, double hi) override;
  void Integer(std::string_view key, int* v, int lo, int hi) override;
  void Span(std::string_view key, Duration* v, double unit_seconds, double lo,
            double hi) override;
  void Flag(std::string_view key, bool* v) override;
  void Choice(std::string_view key, std::string* v,
              const std::vector<std::string>& allowed) override;
  void Time(std::string_view key, std::optional<TimePoint>* v) override;
  void Timed(std::string_view key, Recommendations* v) override;
  void Check(bool ok, std::string_view key, std::string_view what) override;

  // The first error met, or an unknown key: call after the struct has been
  // described.
  Status Finish();

 protected:
  void Nested(std::string_view key,
              const std::function<void(FieldVisitor&)>& describe) override;
  void Items(
      std::string_view key, size_t size,
      const std::function<void(size_t)>& resize,
      const std::function<void(size_t, FieldVisitor&)>& describe) override;

 private:
  // Records `key` as known; true when no error was met yet and the key is
  // present (so the field is to be read).
  bool Want(std::string_view key);
  void Keep(Status st) {
    if (st_.ok()) st_ = std::move(st);
  }

  YamlReader r_;
  std::set<std::string> known_;
  Status st_;
};

}  // namespace phas

#endif  // PHAS_SCALER_YAML_FIELDS_H_
