// The Observer's load histories (observer.h): the minutes the reads left
// out found, fetched (one request for the groups that lack the same),
// kept or waited for, saved; restored at start.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "scaler/observer.h"

namespace phas {
namespace {

// The load history kept and restored: what the forecasters use.
constexpr auto kHistoryWindow = std::chrono::hours(24 * 14);

}  // namespace

LoadHistory* Observer::history(const std::string& group) {
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (groups_[i].name == group && history_[i]) return &*history_[i];
  }
  return nullptr;
}

void Observer::FetchMissing(TimePoint now) {
  for (Partition& p : partitions_) {
    std::vector<LoadFetch> fetches;
    for (size_t gi : p.groups) {
      const auto& m = cycle_[gi].missing;
      if (!m) continue;
      Aggregated& agg = aggregated_[gi];
      if (agg.missing_fetch_failures > 0 &&
          now - agg.missing_fetch_tried < kMissingFetchSpacing) {
        continue;  // the read waits for the next try (KeepRead)
      }
      agg.missing_fetch_tried = now;
      fetches.push_back({gi, m->first, m->second});
    }
    if (fetches.empty()) continue;
    auto fetched = FetchLoads(p.cloud, fetches);
    for (size_t k = 0; k < fetches.size(); ++k) {
      cycle_[fetches[k].group].fetched = std::move(fetched[k]);
    }
  }
}

std::optional<std::pair<TimePoint, TimePoint>> Observer::MissingBefore(
    size_t gi, const Partition& p, TimePoint read_from) {
  // Looked for once per read that began after the last one's reach (the
  // first read after a restart; reads failed, or the groups could not be
  // described, for longer than the window); not at every hole: a quiet
  // load balancer or basic monitoring publishes no datapoint for some
  // minutes.
  Aggregated& agg = aggregated_[gi];
  if (agg.read_gaps_seen == p.read_gaps && !agg.read_failed) {
    return std::nullopt;
  }
  agg.read_gaps_seen = p.read_gaps;
  agg.read_failed = false;
  const LoadHistory& hist = *history_[gi];
  std::optional<TimePoint> unrestored = std::exchange(unrestored_[gi], {});
  if (auto gap = hist.Missing(read_from)) return gap;
  // A restart that could not fetch the history (and had none saved).
  if (hist.size() == 0 && unrestored) return std::pair{*unrestored, read_from};
  // Nothing missing (a wider read filled it): the next hole's fetch has
  // its every try.
  agg.missing_fetch_failures = 0;
  return std::nullopt;
}

void Observer::KeepRead(size_t gi, GroupOutcome* out) {
  LoadHistory& hist = *history_[gi];
  CycleRead& cr = cycle_[gi];
  std::vector<MetricSample> added;
  if (cr.missing) {
    const auto& [first, until] = *cr.missing;
    Aggregated& agg = aggregated_[gi];
    // The read waits: not kept, and the next read looks again (the history
    // only appends: kept, the read would leave the hole for good).
    auto wait = [&] {
      agg.read_failed = true;
      if (hist.size() == 0) unrestored_[gi] = first;
    };
    if (!cr.fetched) {
      wait();  // the last try failed less than kMissingFetchSpacing ago
      return;
    }
    const Result<std::vector<MetricSample>>& fetched = *cr.fetched;
    if (fetched.ok()) {
      agg.missing_fetch_failures = 0;
      added = hist.Add(*fetched);
    } else {
      const std::string why = fmt::format(
          "cannot fetch the load history's missing minutes {} .. {}: {}",
          FormatIso8601(first), FormatIso8601(until),
          fetched.status().message());
      if (++agg.missing_fetch_failures < kMissingFetchTries) {
        wait();
        out->errors.push_back(fmt::format(
            "{} (tried again at a read {} s or more later; the reads are not "
            "kept meanwhile)",
            why, kMissingFetchSpacing / std::chrono::seconds(1)));
        return;
      }
      agg.missing_fetch_failures = 0;
      out->errors.push_back(fmt::format(
          "{} (tried at {} reads; the history keeps them as a hole)", why,
          kMissingFetchTries));
    }
  }
  std::vector<MetricSample> read = hist.AddRead(out->metrics->load, cr.since);
  added.insert(added.end(), read.begin(), read.end());
  if (Status st = SaveHistory(groups_[gi].name, added); !st.ok()) {
    out->errors.push_back("cannot save load history: " + st.message());
  }
}

Status Observer::SaveHistory(const std::string& group,
                             const std::vector<MetricSample>& added) {
  if (added.empty()) return Status::OK();
  return store_->AppendSeries("load:" + group, added);
}

std::vector<Result<std::vector<MetricSample>>> Observer::FetchLoads(
    Cloud* cloud, const std::vector<LoadFetch>& fetches) {
  std::vector<Result<std::vector<MetricSample>>> out(
      fetches.size(), Status::Internal("not fetched"));
  // Each fetch's queries, under its own prefix (asked once: the requests
  // below scan the fetches left for each).
  std::vector<SignalQueries> asks;
  asks.reserve(fetches.size());
  for (size_t b = 0; b < fetches.size(); ++b) {
    const ObservedGroup& g = groups_[fetches[b].group];
    asks.push_back(g.signal.HistoryQueries(g.name, kFetchPeriodSeconds,
                                           fmt::format("h{}_", b)));
  }
  std::vector<bool> asked(fetches.size(), false);
  for (size_t a = 0; a < fetches.size(); ++a) {
    if (asked[a]) continue;
    const TimePoint from = fetches[a].from, until = fetches[a].until;
    // Its datapoints a query (one a minute: kFetchPeriodSeconds):
    // CloudWatch rounds the start down to the minute and answers every
    // minute from there before `until`.
    const size_t minutes = static_cast<size_t>(std::max<std::int64_t>(
        1, std::chrono::ceil<std::chrono::minutes>(
               until - std::chrono::floor<std::chrono::minutes>(from))
               .count()));
    // A request: the fetches of a's range that fit, each group's queries
    // under its own prefix: [first, end) of `queries`, its load at `load`.
    struct Part {
      size_t fetch, first, end, load;
    };
    std::vector<Part> parts;
    std::vector<MetricQuery> queries;
    for (size_t b = a; b < fetches.size(); ++b) {
      if (asked[b] || fetches[b].from != from || fetches[b].until != until) {
        continue;
      }
      SignalQueries& q = asks[b];
      const size_t n = queries.size() + q.queries.size();
      if (!parts.empty() && (n > kFetchQueries || n * minutes > kFetchPoints)) {
        continue;  // the next request's
      }
      asked[b] = true;
      Part part{b, queries.size(), n, n};
      for (size_t k = 0; k < q.queries.size(); ++k) {
        if (q.queries[k].id == q.load_id) part.load = part.first + k;
        queries.push_back(std::move(q.queries[k]));
      }
      parts.push_back(part);
    }
    auto r = cloud->GetMetricData(queries, from, until);
    if (r.ok() && r->size() != queries.size()) {
      r = Status::Internal(fmt::format("{} series answered {} queries",
                                       r->size(), queries.size()));
    }
    for (const Part& part : parts) {
      Result<std::vector<MetricSample>>& o = out[part.fetch];
      if (!r.ok()) {
        o = r.status();
        continue;
      }
      // Every query of the group answered: an expression's input not
      // answered would leave its load short.
      auto failed =
          std::find_if(r->begin() + part.first, r->begin() + part.end,
                       [](const MetricSeries& s) { return !s.status.ok(); });
      if (failed != r->begin() + part.end) {
        o = failed->status;
        continue;
      }
      std::vector<MetricSample> fetched;
      if (part.load < part.end) {
        const MetricSeries& s = (*r)[part.load];
        const double full =
            groups_[fetches[part.fetch].group].signal.full.value_or(100);
        for (size_t v = 0; v < s.values.size(); ++v) {
          fetched.push_back({s.timestamps[v], s.values[v] / full, 0});
        }
      }
      o = std::move(fetched);
    }
  }
  return out;
}

void Observer::RestoreHistory(TimePoint now, Reporter* reporter) {
  // Per partition, its groups' fetches (one request per range).
  std::vector<std::vector<LoadFetch>> fetches(partitions_.size());
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (!history_[i]) continue;
    const ObservedGroup& g = groups_[i];
    LoadHistory& hist = *history_[i];
    auto saved = store_->LoadSeries("load:" + g.name, now - kHistoryWindow);
    if (saved.ok()) {
      // A minute after now was not read from CloudWatch (a clock that was
      // ahead, or an edited file): kept, it would come last and every
      // minute read before it would be refused as out of order.
      auto future =
          std::find_if(saved->begin(), saved->end(),
                       [now](const MetricSample& p) { return p.time > now; });
      if (future != saved->end()) {
        reporter->Note(
            now, "WARNING", g.name,
            fmt::format("saved load history: {} minute(s) after now, from "
                        "{}, not kept",
                        saved->end() - future, FormatIso8601(future->time)));
        saved->erase(future, saved->end());
      }
      hist.Add(*saved);
    } else {
      reporter->Note(
          now, "WARNING", g.name,
          "cannot read saved load history: " + saved.status().message());
    }
    auto points = hist.points();
    TimePoint from = points->empty()
                         ? now - kHistoryWindow
                         : points->back().time + std::chrono::minutes(1);
    // The minutes the loop's reads cover are theirs: read per instance,
    // they are kept with the instances that served them, and a newest
    // minute not every instance has published yet is held back (here, a
    // sum over the group, it would be kept short of their load).
    // (On the minute: CloudWatch rounds the read's start down to it.)
    const TimePoint until =
        std::chrono::floor<std::chrono::minutes>(now - o_.metrics_window);
    if (until - from < std::chrono::minutes(1)) continue;
    fetches[partition_of_[i]].push_back({i, from, until});
  }
  for (size_t pi = 0; pi < partitions_.size(); ++pi) {
    if (fetches[pi].empty()) continue;
    auto fetched = FetchLoads(partitions_[pi].cloud, fetches[pi]);
    for (size_t k = 0; k < fetches[pi].size(); ++k) {
      const size_t i = fetches[pi][k].group;
      const std::string& name = groups_[i].name;
      if (!fetched[k].ok()) {
        reporter->Note(now, "WARNING", name,
                       "cannot fetch load history from CloudWatch: " +
                           fetched[k].status().message() +
                           " (tried again at the first read)");
        unrestored_[i] = fetches[pi][k].from;
        continue;
      }
      LoadHistory& hist = *history_[i];
      std::vector<MetricSample> added = hist.Add(*fetched[k]);
      if (Status st = SaveHistory(name, added); !st.ok()) {
        reporter->Note(now, "ERROR", name,
                       "cannot save load history: " + st.message());
      }
      reporter->Note(now, "INFO", name,
                     fmt::format("load history: {} minutes ({} fetched from "
                                 "CloudWatch)",
                                 hist.size(), added.size()));
    }
  }
}

}  // namespace phas
