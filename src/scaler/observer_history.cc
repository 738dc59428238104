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
void Observer::FetchMissing() {
  for (Partition& p : partitions_) {
    std::vector<LoadFetch> fetches;
    for (size_t gi : p.groups) {
      if (const auto& m = cycle_[gi].missing) {
        fetches.push_back({gi, m->first, m->second});
      }
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
  if (cr.missing && cr.fetched) {
    const auto& [first, until] = *cr.missing;
    Aggregated& agg = aggregated_[gi];
    const Result<std::vector<MetricSample>>& fetched = *cr.fetched;
    if (fetched.ok()) {
      agg.missing_fetch_failures = 0;
      added = hist.Add(*fetched);
    } else if (++agg.missing_fetch_failures < kMissingFetchTries) {
      // The history only appends: the read waits, and the next read
      // fetches the missing minutes with this read's.
      agg.read_failed = true;
      if (hist.size() == 0) unrestored_[gi] = first;
      out->errors.push_back(fmt::format(
          "cannot fetch the load history's missing minutes {} .. {}: {} "
          "(tried again at the next read; this read is not kept meanwhile)",
          FormatIso8601(first), FormatIso8601(until),
          fetched.status().message()));
      return;
    } else {
      agg.missing_fetch_failures = 0;
      out->errors.push_back(fmt::format(
          "cannot fetch the load history's missing minutes {} .. {}: {} "
          "(tried at {} reads; the history keeps them as a hole)",
          FormatIso8601(first), FormatIso8601(until),
          fetched.status().message(), kMissingFetchTries));
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
  std::vector<bool> asked(fetches.size(), false);
  for (size_t a = 0; a < fetches.size(); ++a) {
    if (asked[a]) continue;
    const TimePoint from = fetches[a].from, until = fetches[a].until;
    // Its datapoints a query (one a minute: the period asked below):
    // CloudWatch rounds the start down to the minute and answers every
    // minute from there before `until`.
    const size_t minutes = static_cast<size_t>(std::max<std::int64_t>(
        1, std::chrono::ceil<std::chrono::minutes>(
               until - std::chrono::floor<std::chrono::minutes>(from))
               .count()));
    // A request: the fetches of a's range that fit, each group's queries
    // under its own prefix.
    std::vector<size_t> same;
    std::vector<SignalQueries> each;
    std::vector<size_t> first;  // each's first query
    std::vector<MetricQuery> queries;
    for (size_t b = a; b < fetches.size(); ++b) {
      if (asked[b] || fetches[b].from != from || fetches[b].until != until) {
        continue;
      }
      const ObservedGroup& g = groups_[fetches[b].group];
      SignalQueries q =
          g.signal.HistoryQueries(g.name, 60, fmt::format("h{}_", b));
      const size_t n = queries.size() + q.queries.size();
      if (!same.empty() && (n > kFetchQueries || n * minutes > kFetchPoints)) {
        continue;  // the next request's
      }
      asked[b] = true;
      same.push_back(b);
      first.push_back(queries.size());
      queries.insert(queries.end(), q.queries.begin(), q.queries.end());
      each.push_back(std::move(q));
    }
    auto r = cloud->GetMetricData(queries, from, until);
    if (r.ok() && r->size() != queries.size()) {
      r = Status::Internal(fmt::format("{} series answered {} queries",
                                       r->size(), queries.size()));
    }
    for (size_t k = 0; k < same.size(); ++k) {
      if (!r.ok()) {
        out[same[k]] = r.status();
        continue;
      }
      const ObservedGroup& g = groups_[fetches[same[k]].group];
      const double full = g.signal.full.value_or(100);
      Status failed;
      std::vector<MetricSample> fetched;
      for (size_t q = first[k]; q < first[k] + each[k].queries.size(); ++q) {
        const MetricSeries& s = (*r)[q];
        if (!s.status.ok()) {
          failed = s.status;
          break;
        }
        if (s.id != each[k].load_id) continue;
        for (size_t v = 0; v < s.values.size(); ++v) {
          fetched.push_back({s.timestamps[v], s.values[v] / full, 0});
        }
      }
      out[same[k]] = failed.ok()
                         ? Result<std::vector<MetricSample>>(std::move(fetched))
                         : failed;
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
