// YamlReader: typed values from YAML maps for phas's configuration files,
// naming the key path in every error and refusing keys nobody reads, keys
// given twice and keys that are not strings. No getter throws: values are
// type-checked before yaml-cpp converts them.
// Thread-safety: plain values.
#ifndef PHAS_SCALER_YAML_READER_H_
#define PHAS_SCALER_YAML_READER_H_

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json_util.h"
#include "common/status.h"

namespace phas {

// Reads typed values from YAML maps, naming the key path in every error and
// refusing keys nobody reads. Call CheckKeys (or Keys) on every mapping read:
// it is what rejects duplicated and non-string keys.
class YamlReader {
 public:
  YamlReader(const YAML::Node& node, std::string path)
      : node_(node), path_(std::move(path)) {}

  // The keys of this mapping, in order. An error when the node is not a
  // mapping, when a key is not a plain string (a key that is itself a list
  // or mapping, or null), or when a key appears twice: yaml-cpp keeps both
  // and a lookup would silently take the first.
  Status Keys(std::vector<std::string>* out) const {
    if (!node_.IsMap()) {
      return Bad("", std::string("must be a mapping, got ") + KindName(node_));
    }
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) {
        const YAML::Mark& m = kv.first.Mark();
        std::string line =
            m.is_null() ? "" : fmt::format("line {}: ", m.line + 1);
        return Bad("",
                   line + "a key must be a string, got " + KindName(kv.first));
      }
      std::string k = kv.first.Scalar();
      if (!seen.insert(k).second) return Bad(k, "appears twice");
      keys.push_back(k);
    }
    *out = std::move(keys);
    return Status::OK();
  }
  // Keys() and every key in `known`.
  Status CheckKeys(const std::set<std::string>& known) const {
    std::vector<std::string> keys;
    PHAS_RETURN_IF_ERROR(Keys(&keys));
    for (const std::string& k : keys) {
      if (!known.count(k)) {
        std::string list;
        for (const std::string& n : known)
          list += (list.empty() ? "" : ", ") + n;
        return Bad(k, "unknown key (known: " + list + ")");
      }
    }
    return Status::OK();
  }
  bool Has(const std::string& key) const { return node_.IsMap() && node_[key]; }
  // The value of `key`; an undefined node when absent or not a mapping.
  YAML::Node Child(const std::string& key) const {
    // (A const lookup of a missing key gives an invalid node that throws on
    // use.)
    return Has(key) ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
  }
  std::string Path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  Status Str(const std::string& key, std::string* out) const {
    if (!Has(key)) return Status::OK();
    YAML::Node n = node_[key];
    if (!n.IsScalar()) {
      return Bad(key, std::string("must be a string, got ") + KindName(n));
    }
    *out = n.Scalar();
    return Status::OK();
  }
  // A list of strings (absent: *out unchanged). Errors name the key when it
  // is not a list, and key[i] for an element that is not a string.
  Status StrList(const std::string& key, std::vector<std::string>* out) const {
    if (!Has(key)) return Status::OK();
    YAML::Node n = node_[key];
    if (!n.IsSequence()) {
      return Bad(key,
                 std::string("must be a list of strings, got ") + KindName(n));
    }
    std::vector<std::string> list;
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) {
        return Bad(fmt::format("{}[{}]", key, i),
                   std::string("must be a string, got ") + KindName(n[i]));
      }
      list.push_back(n[i].Scalar());
    }
    *out = std::move(list);
    return Status::OK();
  }
  Status Bool(const std::string& key, bool* out) const {
    if (!Has(key)) return Status::OK();
    std::string v = ScalarOrEmpty(key);
    if (v == "true" || v == "yes" || v == "on") {
      *out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      *out = false;
    } else {
      return Bad(key, "must be true or false, got '" + v + "'");
    }
    return Status::OK();
  }
  Status Int(const std::string& key, int* out, int lo, int hi) const {
    if (!Has(key)) return Status::OK();
    std::string v = ScalarOrEmpty(key);
    try {
      size_t used = 0;
      long long x = std::stoll(v, &used);
      if (used == v.size() && x >= lo && x <= hi) {
        *out = static_cast<int>(x);
        return Status::OK();
      }
    } catch (...) {
    }
    return Bad(key, fmt::format("must be an integer in [{}, {}], got '{}'", lo,
                                hi, v));
  }
  // `lo_open`: lo itself is refused, (lo, hi].
  Status Num(const std::string& key, double* out, double lo, double hi,
             bool lo_open = false) const {
    if (!Has(key)) return Status::OK();
    std::string v = ScalarOrEmpty(key);
    try {
      size_t used = 0;
      double x = std::stod(v, &used);
      if (used == v.size() && (lo_open ? x > lo : x >= lo) && x <= hi) {
        *out = x;
        return Status::OK();
      }
    } catch (...) {
    }
    return Bad(key, fmt::format("must be a number in {}{}, {}], got '{}'",
                                lo_open ? "(" : "[", lo, hi, v));
  }
  // A duration given as a number of `unit`s (the key says which:
  // "_seconds", "_minutes", "_hours", "_days"), within [lo, hi] units.
  Status Span(const std::string& key, Duration* out, double unit_seconds,
              double lo, double hi) const {
    double n = std::chrono::duration<double>(*out).count() / unit_seconds;
    PHAS_RETURN_IF_ERROR(Num(key, &n, lo, hi));
    *out = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(n * unit_seconds));
    return Status::OK();
  }
  Status Seconds(const std::string& key, Duration* out, double lo,
                 double hi) const {
    return Span(key, out, 1, lo, hi);
  }
  // The same into an optional: set only when the key is there, so that
  // "unset" can mean "the default, decided later".
  Status Seconds(const std::string& key, std::optional<Duration>* out,
                 double lo, double hi) const {
    return Optional(key, out,
                    [&](Duration* d) { return Seconds(key, d, lo, hi); });
  }
  Status Int(const std::string& key, std::optional<int>* out, int lo,
             int hi) const {
    return Optional(key, out, [&](int* n) { return Int(key, n, lo, hi); });
  }
  Status OneOf(const std::string& key, std::string* out,
               const std::set<std::string>& allowed) const {
    PHAS_RETURN_IF_ERROR(Str(key, out));
    if (Has(key) && !allowed.count(*out)) {
      std::string list;
      for (const std::string& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      return Bad(key, "must be one of " + list + ", got '" + *out + "'");
    }
    return Status::OK();
  }
  Status Bad(const std::string& key, const std::string& what) const {
    std::string p = key.empty() ? path_ : Path(key);
    return Status::InvalidArgument((p.empty() ? "(top level)" : p) + ": " +
                                   what);
  }

 private:
  template <typename T, typename Read>
  Status Optional(const std::string& key, std::optional<T>* out,
                  Read read) const {
    if (!Has(key)) return Status::OK();
    T v{};
    PHAS_RETURN_IF_ERROR(read(&v));
    *out = v;
    return Status::OK();
  }
  // The text of a scalar value, or "" for anything else.
  std::string ScalarOrEmpty(const std::string& key) const {
    YAML::Node n = node_[key];
    return n.IsScalar() ? n.Scalar() : "";
  }
  static const char* KindName(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Scalar:
        return "a string";
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Map:
        return "a mapping";
      default:
        return "null";
    }
  }

  YAML::Node node_;
  std::string path_;
};

// The path of the first key or value under `n` that is not UTF-8 ("" when
// all are), for the error: "groups[0].name".
inline std::string NotUtf8(const YAML::Node& n, const std::string& path) {
  if (n.IsScalar())
    return IsUtf8(n.Scalar()) ? "" : (path.empty() ? "(top level)" : path);
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      std::string w = NotUtf8(n[i], fmt::format("{}[{}]", path, i));
      if (!w.empty()) return w;
    }
  }
  if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const std::string here = path.empty() ? key : path + "." + key;
      if (!IsUtf8(key)) return (path.empty() ? "" : path + ".") + "a key";
      std::string w = NotUtf8(kv.second, here);
      if (!w.empty()) return w;
    }
  }
  return "";
}

// Whether `n`, its aliases expanded, is at most `depth` levels deep and
// `*nodes` nodes big (counted down). yaml-cpp gives an alias its anchor's
// node: `&a [*a]` holds itself (walking it overflowed the stack) and nine
// nested lists of nine aliases are 9^9 nodes of a 300-byte text (walking
// them never ended). A configuration is a few levels deep and, the file at
// most 1 MB, under a million nodes.
inline bool WithinYamlBounds(const YAML::Node& n, int depth, long* nodes) {
  if (--*nodes < 0 || depth < 0) return false;
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      if (!WithinYamlBounds(n[i], depth - 1, nodes)) return false;
    }
  }
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (!WithinYamlBounds(kv.first, depth - 1, nodes) ||
          !WithinYamlBounds(kv.second, depth - 1, nodes))
        return false;
    }
  }
  return true;
}

// The one YAML document of a configuration file's text, or an error naming
// `source`: not YAML, or more than one document (`---` between them: phas
// reads one, and the others would be dropped silently), or too deep or too
// big once its aliases are expanded (WithinYamlBounds: 64 levels, a million
// nodes). An empty text is a null node. Every key and value must be UTF-8
// text (NotUtf8).
inline Result<YAML::Node> LoadYamlDocument(const std::string& yaml,
                                           const std::string& source) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": not valid YAML: " + e.what());
  }
  // A trailing "---" (templated files often end so) is no document.
  while (docs.size() > 1 && docs.back().IsNull()) docs.pop_back();
  if (docs.size() > 1) {
    return Status::InvalidArgument(fmt::format(
        "{}: holds {} YAML documents (separated by ---); phas reads one",
        source, docs.size()));
  }
  if (docs.empty()) return YAML::Node();
  if (long nodes = 1000000; !WithinYamlBounds(docs[0], 64, &nodes)) {
    // Which bound, and the alias hint only where there are aliases (a
    // document that is only deep was told of one).
    const bool aliases = yaml.find('*') != std::string::npos;
    return Status::InvalidArgument(fmt::format(
        "{}: {}{}", source,
        nodes < 0 ? "more than a million values" : "deeper than 64 levels",
        aliases ? " once its aliases are expanded (an alias inside its own "
                  "anchor?)"
                : ""));
  }
  // YAML is Unicode text; yaml-cpp passes other bytes through. A group
  // name in Latin-1 would reach AWS, the logs and the JSON phas writes (two
  // such names could even become one DynamoDB key once replaced).
  if (std::string where = NotUtf8(docs[0], ""); !where.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: {}: not UTF-8 text", source, where));
  }
  return docs[0];
}

}  // namespace phas

#endif  // PHAS_SCALER_YAML_READER_H_
