#include "scaler/json_fields.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace phas {

using nlohmann::json;

namespace {

std::string K(std::string_view key) { return std::string(key); }

// Whether `x` is an integer in [lo, hi]. Read as a long long, an unsigned
// past LLONG_MAX would wrap (2^64-1 reads -1): it is compared unsigned.
bool IntegerIn(const json& x, long long lo, long long hi) {
  if (!x.is_number_integer()) return false;
  if (x.is_number_unsigned()) {
    return hi >= 0 &&
           x.get<unsigned long long>() <= static_cast<unsigned long long>(hi);
  }
  const long long n = x.get<long long>();
  return n >= lo && n <= hi;
}

}  // namespace

bool IsStoredUnixSeconds(double s) { return s >= 0 && s <= 9e9; }

void JsonFieldWriter::Number(std::string_view key, double* v, double, double) {
  j_[K(key)] = *v;
}
void JsonFieldWriter::Integer(std::string_view key, int* v, int, int) {
  j_[K(key)] = *v;
}
void JsonFieldWriter::Span(std::string_view key, Duration* v,
                           double unit_seconds, double, double) {
  j_[K(key)] = std::chrono::duration<double>(*v).count() / unit_seconds;
}
void JsonFieldWriter::Flag(std::string_view key, bool* v) { j_[K(key)] = *v; }
void JsonFieldWriter::Choice(std::string_view key, std::string* v,
                             const std::vector<std::string>&) {
  j_[K(key)] = *v;
}
void JsonFieldWriter::Time(std::string_view key, std::optional<TimePoint>* v) {
  if (*v) j_[K(key)] = ToUnixSeconds(**v);
}
void JsonFieldWriter::Timed(std::string_view key, Recommendations* v) {
  json a = json::array();
  for (const auto& [t, n] : *v) a.push_back({ToUnixSeconds(t), n});
  j_[K(key)] = std::move(a);
}
void JsonFieldWriter::Nested(
    std::string_view key, const std::function<void(FieldVisitor&)>& describe) {
  JsonFieldWriter sub;
  describe(sub);
  j_[K(key)] = sub.result();
}
void JsonFieldWriter::Items(
    std::string_view key, size_t size, const std::function<void(size_t)>&,
    const std::function<void(size_t, FieldVisitor&)>& describe) {
  json a = json::array();
  for (size_t i = 0; i < size; ++i) {
    JsonFieldWriter item;
    describe(i, item);
    a.push_back(item.result());
  }
  j_[K(key)] = std::move(a);
}

const json* JsonFieldReader::Get(std::string_view key) {
  if (!st_.ok() || !j_.is_object()) return nullptr;
  auto it = j_.find(K(key));
  return it == j_.end() ? nullptr : &*it;
}

void JsonFieldReader::Bad(std::string_view key, std::string_view what) {
  if (!st_.ok()) return;
  std::string p = path_.empty() ? K(key) : path_ + "." + K(key);
  st_ = Status::Corruption(fmt::format("{}: {}", p, what));
}

void JsonFieldReader::Number(std::string_view key, double* v, double lo,
                             double hi) {
  if (const json* x = Get(key)) {
    if (!x->is_number()) return Bad(key, "must be a number");
    double n = x->get<double>();
    // The described range holds for states too (a margin, a share): a
    // value beyond it is not one phas saved.
    if (!std::isfinite(n) || n < lo || n > hi) {
      return Bad(key, fmt::format("{} is out of range [{}, {}]", n, lo, hi));
    }
    *v = n;
  }
}
void JsonFieldReader::Integer(std::string_view key, int* v, int lo, int hi) {
  if (const json* x = Get(key)) {
    if (!x->is_number_integer()) return Bad(key, "must be an integer");
    if (!IntegerIn(*x, lo, hi)) {
      return Bad(key,
                 fmt::format("{} is out of range [{}, {}]", x->dump(), lo, hi));
    }
    *v = x->get<int>();
  }
}
void JsonFieldReader::Span(std::string_view key, Duration* v,
                           double unit_seconds, double lo, double hi) {
  double n = 0;
  bool had = Get(key) != nullptr;
  Number(key, &n, lo, hi);
  if (had && st_.ok()) {
    *v = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(n * unit_seconds));
  }
}
void JsonFieldReader::Flag(std::string_view key, bool* v) {
  if (const json* x = Get(key)) {
    if (!x->is_boolean()) return Bad(key, "must be true or false");
    *v = x->get<bool>();
  }
}
void JsonFieldReader::Choice(std::string_view key, std::string* v,
                             const std::vector<std::string>& allowed) {
  if (const json* x = Get(key)) {
    if (!x->is_string()) return Bad(key, "must be a string");
    std::string s = x->get<std::string>();
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      return Bad(key, "unknown value '" + s + "'");
    }
    *v = s;
  }
}
void JsonFieldReader::Time(std::string_view key, std::optional<TimePoint>* v) {
  if (const json* x = Get(key)) {
    if (!x->is_number() || !IsStoredUnixSeconds(x->get<double>())) {
      return Bad(key, "must be a time in Unix seconds (0 to 9e9)");
    }
    *v = FromUnixSeconds(x->get<double>());
  }
}
void JsonFieldReader::Timed(std::string_view key, Recommendations* v) {
  const json* x = Get(key);
  if (!x) return;
  if (!x->is_array()) return Bad(key, "must be a list of [time, n]");
  Recommendations out;
  for (const json& r : *x) {
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() ||
        !IsStoredUnixSeconds(r[0].get<double>()) ||
        !IntegerIn(r[1], std::numeric_limits<int>::min(),
                   std::numeric_limits<int>::max())) {
      return Bad(key, "must be a list of [time, n] (time: 0 to 9e9)");
    }
    out.emplace_back(FromUnixSeconds(r[0].get<double>()), r[1].get<int>());
  }
  *v = std::move(out);
}
void JsonFieldReader::Check(bool ok, std::string_view key,
                            std::string_view what) {
  if (!ok) Bad(key, what);
}
void JsonFieldReader::Nested(
    std::string_view key, const std::function<void(FieldVisitor&)>& describe) {
  const json* x = Get(key);
  if (!x) return;
  if (!x->is_object()) return Bad(key, "must be an object");
  JsonFieldReader sub(*x, path_.empty() ? K(key) : path_ + "." + K(key));
  describe(sub);
  if (!sub.status().ok()) st_ = sub.status();
}
void JsonFieldReader::Items(
    std::string_view key, size_t, const std::function<void(size_t)>& resize,
    const std::function<void(size_t, FieldVisitor&)>& describe) {
  const json* x = Get(key);
  if (!x) return;
  if (!x->is_array()) return Bad(key, "must be a list");
  resize(x->size());
  for (size_t i = 0; i < x->size() && st_.ok(); ++i) {
    JsonFieldReader item((*x)[i], fmt::format("{}[{}]", K(key), i));
    describe(i, item);
    if (!item.status().ok()) st_ = item.status();
  }
}

}  // namespace phas
