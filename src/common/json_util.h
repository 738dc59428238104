// JSON helpers shared by the codecs and the loaders of JSON files and
// answers: text helpers, a parse that never throws, and JsonReader, the
// checked getters that keep nlohmann::json's exceptions inside the adapter.
// Thread-safety: stateless functions; a JsonReader is a plain value.
#ifndef PHAS_COMMON_JSON_UTIL_H_
#define PHAS_COMMON_JSON_UTIL_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace phas {

// Appends `s` as a quoted JSON string (escaping quotes, backslashes and
// control characters; bytes >= 0x80 are copied as they are).
void AppendJsonString(std::string* out, std::string_view s);

// Deepest nesting of arrays/objects in `text`, ignoring brackets inside
// strings. Stops counting (and returns limit + 1) once `limit` is exceeded,
// so that a hostile body is rejected before a parser recurses into it.
int JsonNestingDepth(std::string_view text, int limit);

// Shortens `s` to at most `max` bytes for echoing in an error message, never
// inside a UTF-8 character (a cut there made the text not UTF-8).
std::string Abbreviate(std::string_view s, size_t max = 64);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
bool IsUtf8(std::string_view s);

// `s` with each byte that does not begin a well-formed UTF-8 character
// replaced by U+FFFD, as DumpJson does (text from outside phas that must be
// UTF-8 where it goes: a Prometheus label value).
std::string ValidUtf8(std::string_view s);

// j.dump(indent) with bytes that are not UTF-8 in its strings replaced by
// U+FFFD: nlohmann's dump() throws on them (a Latin-1 trace name, an
// endpoint's answer quoted in a reason). Every JSON phas writes goes
// through it. Never throws.
std::string DumpJson(const nlohmann::json& j, int indent = -1);

// "null", "a boolean", "a number", "a string", "an array" or "an object".
const char* JsonTypeName(const nlohmann::json& v);

// `v` as compact JSON text for an error message: invalid UTF-8 replaced,
// shortened to about 64 bytes. Never throws.
std::string JsonForError(const nlohmann::json& v);

// Parses `text` as one JSON value. Never throws: a syntax error, or a number
// beyond the range of a double ("1e999"), is InvalidArgument
// "invalid JSON: <what and where>".
Result<nlohmann::json> ParseJson(std::string_view text);

// Reads typed members of a JSON object, naming the key path in every error
// ("classes[0].label: must be a string, got 1") and never throwing: the JSON
// counterpart of YamlReader (scaler/yaml_reader.h). Errors are
// InvalidArgument; callers add the file or source as context.
//
// The node is referenced, not copied: it must outlive the reader.
class JsonReader {
 public:
  // `path` is the object's own path ("" at the top level, "classes[2]").
  JsonReader(const nlohmann::json& node, std::string path)
      : node_(node), path_(std::move(path)) {}

  // Echo offending values in errors ("got 1") or only their type ("got a
  // number"): turn off for objects that hold secrets. Default: on.
  void set_echo_values(bool echo) { echo_ = echo; }

  // The node must be an object whose keys are all in `known`.
  Status CheckKeys(const std::set<std::string>& known) const;
  bool IsObject() const { return node_.is_object(); }
  bool Has(const std::string& key) const;
  // The member `key`, or a null value when absent (or not an object).
  const nlohmann::json& Child(const std::string& key) const;
  // "path.key", or "key" at the top level.
  std::string Path(const std::string& key) const;

  // An optional string: absent leaves *out unchanged; any other type is an
  // error.
  Status Str(const std::string& key, std::string* out) const;
  // A string that must be present and not empty.
  Status RequiredStr(const std::string& key, std::string* out) const;
  // An array of strings; errors name the element ("levels[2]"). Absent
  // leaves *out unchanged.
  Status StrList(const std::string& key, std::vector<std::string>* out) const;
  // A finite number in [lo, hi]; absent leaves *out unchanged.
  Status Num(const std::string& key, double* out, double lo, double hi) const;
  // A JSON true or false; absent leaves *out unchanged.
  Status Bool(const std::string& key, bool* out) const;

  // InvalidArgument "<path>.<key>: <what>" ("(top level)" for an empty path).
  Status Bad(const std::string& key, const std::string& what) const;
  // "must be <what>, got <the value or its type>".
  Status WrongType(const std::string& key, const char* what,
                   const nlohmann::json& got) const;

 private:
  const nlohmann::json& node_;
  std::string path_;
  bool echo_ = true;
};

}  // namespace phas

#endif  // PHAS_COMMON_JSON_UTIL_H_
