#include "common/json_util.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "common/text.h"

namespace phas {

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

int JsonNestingDepth(std::string_view text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        max_depth = depth;
        if (max_depth > limit) return limit + 1;
      }
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return max_depth;
}

std::string Abbreviate(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  // Back to the first byte of the character the cut falls in (at most 3
  // continuation bytes; past that the text is not UTF-8 anyway).
  for (int k = 0;
       k < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80;
       ++k) {
    --cut;
  }
  return std::string(s.substr(0, cut)) + "...";
}

bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8CharAt(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8CharAt(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* JsonTypeName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

std::string JsonForError(const nlohmann::json& v) {
  return Abbreviate(DumpJson(v));
}

Result<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the
    // bracketed id means nothing to the reader.
    std::string what = e.what();
    if (size_t p = what.find("] "); p != std::string::npos) {
      what = what.substr(p + 2);
    }
    return Status::InvalidArgument("invalid JSON: " + what);
  }
}

Status JsonReader::CheckKeys(const std::set<std::string>& known) const {
  if (!node_.is_object()) return WrongType("", "an object", node_);
  for (const auto& [k, v] : node_.items()) {
    if (!known.count(k)) {
      std::string list;
      for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
      return Bad(Abbreviate(k), "unknown key (known: " + list + ")");
    }
  }
  return Status::OK();
}

bool JsonReader::Has(const std::string& key) const {
  return node_.is_object() && node_.contains(key);
}

const nlohmann::json& JsonReader::Child(const std::string& key) const {
  static const nlohmann::json kNull;
  if (!node_.is_object()) return kNull;
  auto it = node_.find(key);
  return it == node_.end() ? kNull : *it;
}

std::string JsonReader::Path(const std::string& key) const {
  if (key.empty()) return path_;
  return path_.empty() ? key : path_ + "." + key;
}

Status JsonReader::Str(const std::string& key, std::string* out) const {
  if (!Has(key)) return Status::OK();
  const nlohmann::json& v = Child(key);
  if (!v.is_string()) return WrongType(key, "a string", v);
  *out = v.get_ref<const std::string&>();
  return Status::OK();
}

Status JsonReader::RequiredStr(const std::string& key, std::string* out) const {
  if (!Has(key)) return Bad(key, "missing (must be a non-empty string)");
  std::string s;
  PHAS_RETURN_IF_ERROR(Str(key, &s));
  if (s.empty()) return Bad(key, "must be a non-empty string");
  *out = std::move(s);
  return Status::OK();
}

Status JsonReader::StrList(const std::string& key,
                           std::vector<std::string>* out) const {
  if (!Has(key)) return Status::OK();
  const nlohmann::json& v = Child(key);
  if (!v.is_array()) return WrongType(key, "an array of strings", v);
  std::vector<std::string> list;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return WrongType(fmt::format("{}[{}]", key, i), "a string", v[i]);
    }
    list.push_back(v[i].get_ref<const std::string&>());
  }
  *out = std::move(list);
  return Status::OK();
}

Status JsonReader::Num(const std::string& key, double* out, double lo,
                       double hi) const {
  if (!Has(key)) return Status::OK();
  const nlohmann::json& v = Child(key);
  if (!v.is_number()) return WrongType(key, "a number", v);
  double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) {
    return Bad(key, fmt::format("must be a number in [{}, {}], got {}", lo, hi,
                                echo_ ? JsonForError(v) : "a number"));
  }
  *out = x;
  return Status::OK();
}

Status JsonReader::Bool(const std::string& key, bool* out) const {
  if (!Has(key)) return Status::OK();
  const nlohmann::json& v = Child(key);
  if (!v.is_boolean()) return WrongType(key, "true or false", v);
  *out = v.get<bool>();
  return Status::OK();
}

Status JsonReader::Bad(const std::string& key, const std::string& what) const {
  std::string p = Path(key);
  return Status::InvalidArgument((p.empty() ? "(top level)" : p) + ": " + what);
}

Status JsonReader::WrongType(const std::string& key, const char* what,
                             const nlohmann::json& got) const {
  bool scalar = !got.is_array() && !got.is_object();
  return Bad(key, std::string("must be ") + what + ", got " +
                      (echo_ && scalar ? JsonForError(got)
                                       : std::string(JsonTypeName(got))));
}

}  // namespace phas
