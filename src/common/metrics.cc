#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/json_util.h"

namespace phas {
namespace {

// A label value must be UTF-8: one that is not fails the whole scrape
// (an AWS error code or a model's class label from outside phas).
std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  for (char c : ValidUtf8(v)) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// Inserts `extra` into an already formatted label string.
std::string WithLabel(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string FormatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  return out + "}";
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double v) {
  size_t i =
      std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t j = 0; j <= i && j <= bounds_.size(); ++j) {
    total += buckets_[j].load(std::memory_order_relaxed);
  }
  return total;
}

std::vector<double> MetricsRegistry::LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   10.0};
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(const std::string& name,
                                                    const std::string& help,
                                                    Type t) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(name, Family{t, help, {}, {}, {}}).first;
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(const std::string& name,
                                     const std::string& help,
                                     const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot =
      GetFamily(name, help, Type::kCounter).counters[FormatLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name,
                                 const std::string& help,
                                 const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = GetFamily(name, help, Type::kGauge).gauges[FormatLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

void MetricsRegistry::RemoveGauge(const std::string& name,
                                  const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f != families_.end()) f->second.gauges.erase(FormatLabels(labels));
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name,
                                         const std::string& help,
                                         const std::vector<double>& bounds,
                                         const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot =
      GetFamily(name, help, Type::kHistogram).histograms[FormatLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter"
                       : f.type == Type::kGauge ? "gauge"
                                                : "histogram";
    out +=
        fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, type);
    for (const auto& [labels, c] : f.counters) {
      out += name + labels + " " + FormatValue(c->Value()) + "\n";
    }
    for (const auto& [labels, g] : f.gauges) {
      out += name + labels + " " + FormatValue(g->Value()) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      const auto& b = h->bounds();
      for (size_t i = 0; i <= b.size(); ++i) {
        std::string le = i < b.size() ? FormatValue(b[i]) : "+Inf";
        out += fmt::format("{}_bucket{} {}\n", name,
                           WithLabel(labels, "le=\"" + le + "\""),
                           h->CumulativeCount(i));
      }
      out += name + "_sum" + labels + " " + FormatValue(h->Sum()) + "\n";
      // The +Inf bucket, so that _count always equals it in one scrape.
      out += fmt::format("{}_count{} {}\n", name, labels,
                         h->CumulativeCount(b.size()));
    }
  }
  return out;
}

}  // namespace phas
