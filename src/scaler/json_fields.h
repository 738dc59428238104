// JSON for described structs (decision/fields.h): a writer that turns one
// into a JSON object, and a reader that fills one from a JSON object,
// checking every type and naming the key path of the first mismatch. The
// state store keeps each policy's state this way, without knowing it.
//
// Times are Unix seconds (numbers); recommendations are [[t, n], ...].
//
// Thread-safety: one thread at a time.
#ifndef PHAS_SCALER_JSON_FIELDS_H_
#define PHAS_SCALER_JSON_FIELDS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "decision/fields.h"

namespace phas {

// Whether `s` (Unix seconds) is a time phas can have saved: from the epoch
// to 9e9 s (year 2255). A TimePoint (nanoseconds in 64 bits) ends in 2262:
// a larger number, or NaN, would overflow converting it.
bool IsStoredUnixSeconds(double s);

class JsonFieldWriter final : public FieldVisitor {
 public:
  // The object written so far.
  const nlohmann::json& result() const { return j_; }

  void Number(std::string_view key, double* v, double, double) override;
  void Integer(std::string_view key, int* v, int, int) override;
  void Span(std::string_view key, Duration* v, double unit_seconds, double,
            double) override;
  void Flag(std::string_view key, bool* v) override;
  void Choice(std::string_view key, std::string* v,
              const std::vector<std::string>&) override;
  void Time(std::string_view key, std::optional<TimePoint>* v) override;
  void Timed(std::string_view key, Recommendations* v) override;
  void Check(bool, std::string_view, std::string_view) override {}

 protected:
  void Nested(std::string_view key,
              const std::function<void(FieldVisitor&)>& describe) override;
  void Items(
      std::string_view key, size_t size,
      const std::function<void(size_t)>& resize,
      const std::function<void(size_t, FieldVisitor&)>& describe) override;

 private:
  nlohmann::json j_ = nlohmann::json::object();
};

// Keys absent from the object keep their values; a present key of the wrong
// type, or a number out of the range the struct describes, is an error
// (Corruption, naming `path.key`).
class JsonFieldReader final : public FieldVisitor {
 public:
  JsonFieldReader(const nlohmann::json& j, std::string path)
      : j_(j), path_(std::move(path)) {}
  const Status& status() const { return st_; }

  void Number(std::string_view key, double* v, double, double) override;
  void Integer(std::string_view key, int* v, int, int) override;
  void Span(std::string_view key, Duration* v, double unit_seconds, double,
            double) override;
  void Flag(std::string_view key, bool* v) override;
  void Choice(std::string_view key, std::string* v,
              const std::vector<std::string>& allowed) override;
  void Time(std::string_view key, std::optional<TimePoint>* v) override;
  void Timed(std::string_view key, Recommendations* v) override;
  void Check(bool ok, std::string_view key, std::string_view what) override;

 protected:
  void Nested(std::string_view key,
              const std::function<void(FieldVisitor&)>& describe) override;
  void Items(
      std::string_view key, size_t size,
      const std::function<void(size_t)>& resize,
      const std::function<void(size_t, FieldVisitor&)>& describe) override;

 private:
  // The value at `key` when present and no error yet; null otherwise.
  const nlohmann::json* Get(std::string_view key);
  void Bad(std::string_view key, std::string_view what);

  const nlohmann::json& j_;
  std::string path_;
  Status st_;
};

}  // namespace phas

#endif  // PHAS_SCALER_JSON_FIELDS_H_
