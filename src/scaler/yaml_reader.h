// YamlReader: typed values from YAML maps for phas's configuration files,
// naming the key path in every error and refusing keys nobody reads.
// Thread-safety: plain values.
#ifndef PHAS_SCALER_YAML_READER_H_
#define PHAS_SCALER_YAML_READER_H_

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace phas {

// Reads typed values from YAML maps, naming the key path in every error and
// refusing keys nobody reads.
class YamlReader {
 public:
  YamlReader(const YAML::Node& node, std::string path)
      : node_(node), path_(std::move(path)) {}

  Status CheckKeys(const std::set<std::string>& known) const {
    if (!node_.IsMap()) return Bad("", "must be a mapping");
    for (const auto& kv : node_) {
      std::string k = kv.first.as<std::string>();
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
  YAML::Node Child(const std::string& key) const { return node_[key]; }
  std::string Path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  Status Str(const std::string& key, std::string* out) const {
    if (!Has(key)) return Status::OK();
    YAML::Node n = node_[key];
    if (!n.IsScalar()) return Bad(key, "must be a string");
    *out = n.as<std::string>();
    return Status::OK();
  }
  Status Bool(const std::string& key, bool* out) const {
    if (!Has(key)) return Status::OK();
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
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
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
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
  Status Num(const std::string& key, double* out, double lo, double hi) const {
    if (!Has(key)) return Status::OK();
    std::string v = node_[key].IsScalar() ? node_[key].as<std::string>() : "";
    try {
      size_t used = 0;
      double x = std::stod(v, &used);
      if (used == v.size() && x >= lo && x <= hi) {
        *out = x;
        return Status::OK();
      }
    } catch (...) {
    }
    return Bad(
        key, fmt::format("must be a number in [{}, {}], got '{}'", lo, hi, v));
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
  YAML::Node node_;
  std::string path_;
};

}  // namespace phas

#endif  // PHAS_SCALER_YAML_READER_H_
