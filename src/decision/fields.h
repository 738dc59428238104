// Fields: how a policy's settings and its state describe themselves, so that
// the configuration reader, the state store and the docs handle every policy
// without knowing any of them.
//
// A described struct has a member `void Describe(FieldVisitor& v)` that names
// each field once, with its range (a setting's, checked when the config is
// read; a state's, checked when a saved state is read):
//
//   struct HpaConfig {
//     double tolerance = 0.1;
//     Duration stabilization = std::chrono::seconds(300);
//     void Describe(FieldVisitor& v) {
//       v.Number("tolerance", &tolerance, 0, 0.9);
//       v.Seconds("stabilization_seconds", &stabilization, 0, 86400);
//     }
//   };
//
// A visitor reads the fields (from YAML, from a saved state), writes them
// (to JSON) or checks them. Visitors keep the first error they meet; a
// Describe body never branches on errors.
//
// AnyStruct holds one described value of any type, copyable and shared
// (copies are cheap; the value is never changed after it is made), for the
// places that must not know the type: the policy registry's settings and
// the loop's per-group policy state.
//
// Thread-safety: plain values; an AnyStruct may be read from any thread.
#ifndef PHAS_DECISION_FIELDS_H_
#define PHAS_DECISION_FIELDS_H_

#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace phas {

// (time, replicas) pairs: recent recommendations for stabilization windows.
using Recommendations = std::vector<std::pair<TimePoint, int>>;

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;

  // Settings and state alike (a range, inclusive; none: any number).
  virtual void Number(std::string_view key, double* v,
                      double lo = -std::numeric_limits<double>::infinity(),
                      double hi = std::numeric_limits<double>::infinity()) = 0;
  virtual void Integer(std::string_view key, int* v,
                       int lo = std::numeric_limits<int>::min(),
                       int hi = std::numeric_limits<int>::max()) = 0;
  // A duration given as a count of `unit_seconds` (the key says which:
  // "_seconds", "_hours", "_days"), within [lo, hi] units.
  virtual void Span(std::string_view key, Duration* v, double unit_seconds,
                    double lo, double hi) = 0;
  void Seconds(std::string_view key, Duration* v, double lo, double hi) {
    Span(key, v, 1, lo, hi);
  }
  virtual void Flag(std::string_view key, bool* v) = 0;
  // One of `allowed`.
  virtual void Choice(std::string_view key, std::string* v,
                      const std::vector<std::string>& allowed) = 0;
  // State only: an optional time, and timed recommendations.
  virtual void Time(std::string_view key, std::optional<TimePoint>* v) = 0;
  virtual void Timed(std::string_view key, Recommendations* v) = 0;

  // A nested described struct under `key`.
  template <typename T>
  void Section(std::string_view key, T* v) {
    Nested(key, [v](FieldVisitor& sub) { v->Describe(sub); });
  }
  // A list of described structs under `key`.
  template <typename T>
  void List(std::string_view key, std::vector<T>* v) {
    Items(
        key, v->size(), [v](size_t n) { v->assign(n, T{}); },
        [v](size_t i, FieldVisitor& sub) { (*v)[i].Describe(sub); });
  }
  // A rule between fields, checked after they are read: when `ok` is false
  // the visitor reports `what` against `key`.
  virtual void Check(bool ok, std::string_view key, std::string_view what) = 0;

 protected:
  virtual void Nested(std::string_view key,
                      const std::function<void(FieldVisitor&)>& describe) = 0;
  // `size` items now; `resize` when a reader learns how many there are (the
  // items are then fresh defaults).
  virtual void Items(
      std::string_view key, size_t size,
      const std::function<void(size_t)>& resize,
      const std::function<void(size_t, FieldVisitor&)>& describe) = 0;
};

// A visitor that does nothing, for described structs without fields.
class NoFieldVisitor : public FieldVisitor {
 public:
  void Number(std::string_view, double*, double, double) override {}
  void Integer(std::string_view, int*, int, int) override {}
  void Span(std::string_view, Duration*, double, double, double) override {}
  void Flag(std::string_view, bool*) override {}
  void Choice(std::string_view, std::string*,
              const std::vector<std::string>&) override {}
  void Time(std::string_view, std::optional<TimePoint>*) override {}
  void Timed(std::string_view, Recommendations*) override {}
  void Check(bool, std::string_view, std::string_view) override {}

 protected:
  void Nested(std::string_view,
              const std::function<void(FieldVisitor&)>&) override {}
  void Items(std::string_view, size_t, const std::function<void(size_t)>&,
             const std::function<void(size_t, FieldVisitor&)>&) override {}
};

// A shared, immutable value of a described type T (T has Describe and
// operator==). Empty when default-constructed.
class AnyStruct {
 public:
  AnyStruct() = default;
  template <typename T>
  static AnyStruct Of(T value) {
    AnyStruct a;
    a.p_ = std::make_shared<const Holder<T>>(std::move(value));
    return a;
  }

  bool empty() const { return p_ == nullptr; }
  template <typename T>
  bool Is() const {
    return p_ && p_->type() == typeid(T);
  }
  // The value; asking for another type than the one held is a programming
  // error and aborts.
  template <typename T>
  const T& As() const {
    if (!Is<T>()) std::abort();
    return static_cast<const Holder<T>*>(p_.get())->value;
  }
  // A copy of the value changed by `describe` (a reader), leaving this one
  // and its other copies as they were.
  AnyStruct Updated(FieldVisitor& reader) const {
    AnyStruct a;
    if (p_) a.p_ = p_->CloneDescribed(reader);
    return a;
  }
  // Shows the value to a visitor that only reads it (a writer).
  void Show(FieldVisitor& writer) const {
    if (p_) p_->CloneDescribed(writer);
  }

  friend bool operator==(const AnyStruct& a, const AnyStruct& b) {
    if (a.p_ == b.p_) return true;
    return a.p_ && b.p_ && a.p_->type() == b.p_->type() && a.p_->Equals(*b.p_);
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual const std::type_info& type() const = 0;
    virtual bool Equals(const Base& other) const = 0;
    virtual std::shared_ptr<const Base> CloneDescribed(
        FieldVisitor& v) const = 0;
  };
  template <typename T>
  struct Holder final : Base {
    explicit Holder(T v) : value(std::move(v)) {}
    const std::type_info& type() const override { return typeid(T); }
    bool Equals(const Base& o) const override {
      return value == static_cast<const Holder&>(o).value;
    }
    std::shared_ptr<const Base> CloneDescribed(FieldVisitor& v) const override {
      T copy = value;
      copy.Describe(v);
      return std::make_shared<const Holder<T>>(std::move(copy));
    }
    T value;
  };
  std::shared_ptr<const Base> p_;
};

}  // namespace phas

#endif  // PHAS_DECISION_FIELDS_H_
