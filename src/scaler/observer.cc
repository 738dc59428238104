#include "scaler/observer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace phas {
namespace {

bool SameInstances(const std::vector<GroupToObserve>& a,
                   const std::vector<GroupToObserve>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i].group.instances;
    const auto& y = b[i].group.instances;
    if (a[i].group.name != b[i].group.name || x.size() != y.size()) {
      return false;
    }
    for (size_t k = 0; k < x.size(); ++k) {
      if (x[k].id != y[k].id || x[k].lifecycle != y[k].lifecycle) return false;
    }
  }
  return true;
}

// Updates the warm-up clocks of a group's InService instances and sets
// `warming` to those still warming up. Instances already InService when a
// group is first observed, with no record of them, count as warm, and as
// InService and established over the widest window a read covers
// (`window`, and its first minute rounded down): a newest minute one of
// them has not published is held back from the history (SettledLoad), and
// counted as served in the signal (CountServing). Most cycles change
// nothing: then nothing is allocated (`ids` is scratch). Instances no
// longer InService are recorded in `left`, for `keep`, when this process's
// last describe saw them InService (`last_described`, `last_in_service`;
// not an instance of a record restored since, at a start or a lease taken
// over).
void TrackWarmup(const GroupDescription& d, Duration warmup, Duration window,
                 bool first_sight, TimePoint now, GroupState* st,
                 std::vector<std::string_view>* ids,
                 std::set<std::string>* warming, TimePoint last_described,
                 const std::vector<std::string>& last_in_service,
                 std::vector<Observer::LeftService>* left, Duration keep) {
  std::erase_if(*left, [&](const auto& l) { return now - l.last_seen > keep; });
  ids->clear();
  for (const Instance& i : d.instances) {
    if (i.lifecycle == Lifecycle::kInService) ids->push_back(i.id);
  }
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  // Most cycles: the map holds exactly these ids (both sorted).
  bool known =
      st->first_in_service.size() == ids->size() &&
      std::equal(
          ids->begin(), ids->end(), st->first_in_service.begin(),
          [](std::string_view id, const auto& kv) { return id == kv.first; });
  if (!known) {
    for (std::string_view id : *ids) {
      st->first_in_service.try_emplace(
          std::string(id),
          first_sight ? now - std::max(warmup, window) - std::chrono::minutes(2)
                      : now);
    }
    // Every InService id is in the map: the same size means the same ids.
    if (st->first_in_service.size() != ids->size()) {
      std::erase_if(st->first_in_service, [&](const auto& kv) {
        if (std::binary_search(ids->begin(), ids->end(),
                               std::string_view(kv.first))) {
          return false;
        }
        // Seen InService by this process's last describe: not an instance
        // of a record restored since (a restart, a lease taken over).
        if (std::binary_search(last_in_service.begin(), last_in_service.end(),
                               kv.first)) {
          left->push_back({kv.second, kv.second + warmup, last_described});
        }
        return true;
      });
    }
  }
  auto warm = [&](TimePoint since) { return now - since < warmup; };
  auto held = warming->begin();
  bool same = true;
  for (const auto& [id, since] : st->first_in_service) {
    if (!warm(since)) continue;
    if (held == warming->end() || *held != id) {
      same = false;
      break;
    }
    ++held;
  }
  if (same && held == warming->end()) return;
  warming->clear();
  for (const auto& [id, since] : st->first_in_service) {
    if (warm(since)) warming->insert(warming->end(), id);
  }
}

// Each minute of `signal` counts the instances that served it, not only
// those that reported it: every instance publishes its minute on its own
// (a read often holds the newest minute of only some), and the minutes
// before a scale-in are read on the instances that stayed (after 6 -> 2,
// the 2 read 20 % for minutes the 6 served at 20 %). Taken for the group,
// those few made target tracking scale 6 -> 1 where 2 were needed, and
// 2 -> 1 a minute after 6 -> 2. Served, never fewer than reported it: the
// InService instances established when the minute began (InService a
// minute before it: a new one may not take load yet, and counted at the
// others' mean it would overstate the load), and those seen InService
// through the whole minute and gone since (`left`); for a per-instance
// signal, past their warm-up (its mean leaves warming instances out). A
// per-instance signal's minute is the mean of those that reported, and
// stands for the others; so is a group-level signal's own per-instance
// series (RequestCountPerTarget); a group-level load divided by the
// instances (`divided`) is divided by the ones that served.
void CountServing(const GroupToObserve& o,
                  const std::map<std::string, TimePoint>& since,
                  const std::vector<Observer::LeftService>& left, bool divided,
                  bool coarse, std::vector<MetricSample>* signal) {
  using std::chrono::minutes;
  const bool per_instance = o.signal.per_instance();
  // A datapoint's length: a minute, or basic monitoring's 5 minutes
  // (stamped at their start; a group read over the coarse window, or
  // datapoints that far apart).
  Duration period =
      coarse || signal->size() > 1 ? Duration(minutes(5)) : minutes(1);
  for (size_t k = 1; k < signal->size(); ++k) {
    period = std::min(period, (*signal)[k].time - (*signal)[k - 1].time);
  }
  period = std::max<Duration>(period, minutes(1));
  for (MetricSample& minute : *signal) {
    const TimePoint begin = minute.time;
    int served = 0;
    for (const auto& [id, t] : since) {
      served +=
          t + minutes(1) <= begin && !(per_instance && o.warming.contains(id));
    }
    for (const Observer::LeftService& l : left) {
      served += (per_instance ? std::max(l.since + minutes(1), l.warm)
                              : l.since + minutes(1)) <= begin &&
                l.last_seen >= begin + period;
    }
    if (served <= minute.instances) continue;
    if (divided) minute.value *= double(minute.instances) / served;
    minute.instances = served;
  }
}

}  // namespace

Observer::Observer(std::vector<ObservedGroup> groups, ObserverOptions options,
                   Cloud* cloud, Predictor* predictor, StateStore* store)
    : groups_(std::move(groups)),
      o_(std::move(options)),
      cloud_(cloud),
      predictor_(predictor),
      store_(store),
      seen_(groups_.size(), false),
      history_(groups_.size()),
      unrestored_(groups_.size()),
      forecaster_(o_.forecast) {
  coarse_told_.assign(groups_.size(), false);
  starved_since_.resize(groups_.size());
  observe_index_.assign(groups_.size(), SIZE_MAX);
  aggregated_.resize(groups_.size());
  cycle_.resize(groups_.size());
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (groups_[i].keep_history) history_[i].emplace();
    if (groups_[i].needs.forecast_quantile) {
      forecaster_.SetQuantile(groups_[i].name,
                              *groups_[i].needs.forecast_quantile);
    }
    // The groups one Cloud serves share its requests.
    Cloud* c = cloud_->ForGroup(groups_[i].name);
    auto it = std::find_if(partitions_.begin(), partitions_.end(),
                           [c](const Partition& p) { return p.cloud == c; });
    if (it == partitions_.end()) {
      it = partitions_.insert(partitions_.end(), Partition{});
      it->cloud = c;
    }
    it->groups.push_back(i);
    it->names.push_back(groups_[i].name);
    partition_of_.push_back(static_cast<size_t>(it - partitions_.begin()));
  }
}

void Observer::Observe(TimePoint now, const std::vector<GroupState*>& states,
                       CycleReport* report) {
  report->groups.resize(groups_.size());
  for (size_t i = 0; i < groups_.size(); ++i) {
    report->groups[i].group = groups_[i].name;
    if (!history_[i]) continue;
    const auto kept = history_[i]->points();
    if (kept->empty() || kept->back().time <= now) continue;
    const TimePoint newest = kept->back().time;
    // The clock went back while running: the minutes after now are left
    // out (a restart leaves them out of the saved history as well).
    const size_t dropped = history_[i]->DropAfter(now);
    report->groups[i].warnings.push_back(fmt::format(
        "load history: {} minute(s) after now, up to {} (the clock went "
        "back?): left out",
        dropped, FormatIso8601(newest)));
  }
  observe_index_.assign(groups_.size(), SIZE_MAX);
  for (Partition& p : partitions_) ObservePartition(p, now, states, report);
  for (size_t i = 0; i < groups_.size(); ++i) {
    GroupOutcome& out = report->groups[i];
    Partition& p = partitions_[partition_of_[i]];
    out.describe_status = p.describe_status;
    for (const auto& [group, why] : p.unreadable) {
      if (group == i) out.describe_status = why;
    }
    cycle_[i] = CycleRead{};
    if (observe_index_[i] == SIZE_MAX) continue;
    out.found = true;
    out.metrics_status = p.metrics_status;
    // One query's failure fails its group's read, not the partition's.
    if (out.metrics_status.ok()) {
      out.metrics_status = GroupRead(p, observe_index_[i]).required;
    }
    AggregateRead(i, p, observe_index_[i], *states[i], &out);
  }
  FetchMissing(now);
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (observe_index_[i] == SIZE_MAX) continue;
    ObserveGroup(i, partitions_[partition_of_[i]], observe_index_[i],
                 *states[i], now, &report->groups[i]);
  }
}

void Observer::ObservePartition(Partition& p, TimePoint now,
                                const std::vector<GroupState*>& states,
                                CycleReport* report) {
  // One describe for the partition's groups...
  auto described = p.cloud->DescribeGroups(p.names);
  p.describe_status = described.ok() ? Status::OK() : described.status();
  p.metrics_status = Status::OK();
  if (!described.ok() && report->describe_status.ok()) {
    report->describe_status = described.status();
  }
  // The entries of the last cycle are filled again in place: a group keeps
  // its warming set (and its memory and signal settings) from one cycle to
  // the next.
  size_t n = 0;
  p.unreadable.clear();
  for (size_t i : p.groups) {
    if (!described.ok()) break;
    for (GroupDescription& d : *described) {
      if (d.name != groups_[i].name) continue;
      if (!d.unreadable.ok()) {
        // Not observed: held, with why (not "not found").
        p.unreadable.emplace_back(i, d.unreadable);
        if (report->describe_status.ok()) {
          report->describe_status = d.unreadable;
        }
        break;
      }
      if (n == p.observe.size()) p.observe.emplace_back();
      if (n == p.observe_group.size()) p.observe_group.push_back(SIZE_MAX);
      GroupToObserve& o = p.observe[n];
      if (p.observe_group[n] != i) {
        o = GroupToObserve{{},
                           groups_[i].memory,
                           groups_[i].signal,
                           {},
                           groups_[i].all_metrics};
        p.observe_group[n] = i;
      }
      o.group = std::move(d);
      bool first_sight = !seen_[i] && states[i]->first_in_service.empty();
      seen_[i] = true;
      Aggregated& agg = aggregated_[i];
      TrackWarmup(o.group, groups_[i].warmup, o_.coarse_window, first_sight,
                  now, states[i], &p.scratch_ids, &o.warming,
                  agg.last_described, agg.last_in_service, &agg.left,
                  o_.coarse_window + std::chrono::minutes(1));
      agg.last_described = now;
      // (Most cycles the same ids: nothing is copied.)
      if (!std::equal(agg.last_in_service.begin(), agg.last_in_service.end(),
                      p.scratch_ids.begin(), p.scratch_ids.end())) {
        agg.last_in_service.assign(p.scratch_ids.begin(), p.scratch_ids.end());
      }
      observe_index_[i] = n++;
      break;
    }
  }
  p.observe.resize(n);
  p.observe_group.resize(n);
  // ...and one metric request for all their InService instances.
  if (!SameInstances(p.observe, p.plan_groups)) {
    p.plan = PlanQueries(p.observe, o_.period_seconds);
    p.plan_groups = p.observe;
    ++p.data_version;
    // Other instances: the last read does not describe them.
    p.metrics_read_at.reset();
  }
  bool fresh_enough = p.metrics_read_at && now >= *p.metrics_read_at &&
                      now - *p.metrics_read_at < o_.metrics_refresh;
  if (p.plan.queries.empty()) {
    if (!p.metric_data.empty()) ++p.data_version;
    p.metric_data.clear();
    p.group_read_status.clear();
    p.metrics_read_at.reset();
    return;
  }
  if (fresh_enough ||
      !ReadMetrics(p, now, p.coarse ? o_.coarse_window : o_.metrics_window,
                   report)) {
    return;
  }
  // Basic monitoring: a group's instances published nothing in the
  // window. Read the wider window at once (one request more, once), and
  // keep reading it while some group needs it.
  bool starved = false;
  for (size_t i : p.groups) {
    size_t oi = observe_index_[i];
    if (oi == SIZE_MAX || !Starved(i, p, oi, *states[i], now)) continue;
    starved = true;
    if (coarse_told_[i]) continue;
    coarse_told_[i] = true;
    auto s = [](Duration d) {
      return std::chrono::duration_cast<std::chrono::seconds>(d).count();
    };
    report->groups[i].warnings.push_back(fmt::format(
        "no datapoint in the last {} s from the InService instances: "
        "EC2 basic monitoring (one datapoint per 5 minutes, minutes "
        "late)? Reading the last {} s and deciding on the latest; "
        "enable detailed monitoring (launch template "
        "Monitoring.Enabled: true) for decisions on the last minute",
        s(o_.metrics_window), s(o_.coarse_window)));
  }
  if (starved && !p.coarse) {
    p.coarse = true;
    ReadMetrics(p, now, o_.coarse_window, report);
  } else if (!starved && p.coarse) {
    // Every group has data: back to the narrow window next time (a
    // group still on basic monitoring will widen it again).
    p.coarse = false;
  }
}

bool Observer::ReadMetrics(Partition& p, TimePoint now, Duration window,
                           CycleReport* report) {
  auto r = p.cloud->GetMetricData(p.plan.queries, now - window, now);
  ++p.data_version;
  if (r.ok()) {
    p.metric_data = std::move(r).value();
    p.group_read_status = GroupReadStatuses(p.plan, p.metric_data);
    p.metrics_read_at = now;
    // The first minute the last read could not have yet (published a
    // minute after it ends, plus CloudWatch's delay: the minute two
    // minutes before it, or the next) is in this one while it begins no
    // later, on the minute as CloudWatch rounds it: reads up to two minutes
    // apart.
    using std::chrono::floor;
    using std::chrono::minutes;
    if (!p.last_read_ok ||
        floor<minutes>(now - window) >
            floor<minutes>(*p.last_read_ok - minutes(2)) + minutes(1)) {
      ++p.read_gaps;
    }
    p.last_read_ok = now;
    return true;
  }
  p.metric_data.clear();
  p.group_read_status.clear();
  p.metrics_read_at.reset();  // read again next cycle
  p.metrics_status = r.status();
  if (report->metrics_status.ok()) report->metrics_status = r.status();
  return false;
}

bool Observer::Starved(size_t gi, const Partition& p, size_t oi,
                       const GroupState& st, TimePoint now) {
  // A group whose queries were not all answered is failing: its window
  // stays as it was.
  if (!GroupRead(p, oi).required.ok()) {
    return p.coarse && starved_since_[gi] &&
           now - *starved_since_[gi] >= o_.coarse_after;
  }
  // Data inside the narrow window, whichever window was read.
  TimePoint narrow = now - o_.metrics_window;
  for (size_t i = 0; i < p.plan.targets.size() && i < p.metric_data.size();
       ++i) {
    const QueryPlan::Target& t = p.plan.targets[i];
    const std::vector<TimePoint>& ts = p.metric_data[i].timestamps;
    if (t.group != oi || t.instance == QueryPlan::kGroupLevel || ts.empty()) {
      continue;
    }
    if (ts.back() >= narrow) {
      starved_since_[gi].reset();
      return false;
    }
  }
  bool old_enough = false;
  for (const auto& [id, since] : st.first_in_service) {
    old_enough |= now - since > o_.metrics_window + std::chrono::minutes(1);
  }
  if (!old_enough) return false;
  // EC2 basic monitoring stamps a datapoint at the start of its 5 minutes
  // and publishes it minutes after their end: never inside a 3-minute
  // window. Starved that long, a group is on it (or its metrics stopped).
  if (!starved_since_[gi]) starved_since_[gi] = now;
  return now - *starved_since_[gi] >= o_.coarse_after;
}

void Observer::AggregateRead(size_t gi, const Partition& p, size_t oi,
                             const GroupState& st, GroupOutcome* out) {
  const GroupToObserve& o = p.observe[oi];
  // The same answers and warming instances aggregate the same: most cycles
  // decide on the last read (metrics_refresh).
  Aggregated& agg = aggregated_[gi];
  CycleRead& cr = cycle_[gi];
  cr.new_read = !agg.version || *agg.version != p.data_version;
  if (cr.new_read || agg.warming != o.warming) {
    std::vector<TimePoint>& since = cr.since;
    for (const auto& [id, t] : st.first_in_service) since.push_back(t);
    // A group some of whose queries were not answered aggregates as a
    // failed read does, from nothing: its other series would show the load
    // short of the missing instances'.
    // (A whole read that failed: the partition's read gap counts it.)
    static const std::vector<MetricSeries> kNone;
    const bool answered = out->metrics_status.ok();
    agg.read_failed |= !answered && p.metrics_status.ok();
    GroupMetrics m =
        AggregateGroup(p.plan, answered ? p.metric_data : kNone, oi, o);
    // Told once per episode, in a read the group uses; the episode ends
    // when memory is answered (a whole read failing is no answer).
    const Status memory = GroupRead(p, oi).memory;
    if (!memory.ok() && answered && !agg.memory_failure_told) {
      out->warnings.push_back(
          memory.message() +
          ": the features estimate memory until it is answered (told once)");
      agg.memory_failure_told = true;
    }
    if (p.metrics_status.ok() && memory.ok()) agg.memory_failure_told = false;
    m.whole_load = SettledLoad(m.load, since).size();
    CountServing(o, st.first_in_service, agg.left, m.signal_divided, p.coarse,
                 &m.signal);
    agg.metrics = std::make_shared<const GroupMetrics>(std::move(m));
    agg.version = p.data_version;
    agg.warming = o.warming;
    agg.features.reset();
    // The minutes the reads left out: fetched as a restart fetches them,
    // whole by now.
    const std::vector<MetricSample>& load = agg.metrics->load;
    if (history_[gi] && cr.new_read && !load.empty()) {
      cr.missing = MissingBefore(gi, p, load.front().time);
    }
  }
  out->metrics = agg.metrics;
}

void Observer::ObserveGroup(size_t gi, Partition& p, size_t oi,
                            const GroupState& st, TimePoint now,
                            GroupOutcome* out) {
  const ObservedGroup& cfg = groups_[gi];
  GroupToObserve& o = p.observe[oi];
  Aggregated& agg = aggregated_[gi];
  // This cycle's description is the outcome's: the entry gets the next one.
  out->description = std::move(o.group);
  const GroupDescription& d = out->description;
  Observation& obs = out->observation;
  obs.now = now;
  obs.group.name = d.name;
  obs.group.min_size = d.min_size;
  obs.group.max_size = d.max_size;
  obs.group.desired = d.desired_capacity;
  for (const Instance& i : d.instances) {
    if (i.lifecycle == Lifecycle::kInService) ++obs.group.in_service;
    if (i.lifecycle == Lifecycle::kPending) ++obs.group.pending;
    if (i.lifecycle == Lifecycle::kUnhealthy) ++obs.group.unhealthy;
    // AWS protects an instance from the moment it is InService: a Pending
    // one showing the flag is still terminated first.
    if (i.lifecycle == Lifecycle::kInService && i.protected_from_scale_in) {
      ++obs.group.protected_from_scale_in;
    }
  }
  for (const auto& [id, since] : st.first_in_service) {
    if (now - since < cfg.warmup) ++obs.group.warming;
  }
  const GroupMetrics& m = *out->metrics;
  bool metrics_read = out->metrics_status.ok();
  obs.signal = m.signal;
  obs.metrics_ok = metrics_read && !m.signal.empty();
  if (history_[gi]) {
    // A read's minutes, once (the cycles until the next read see the same;
    // a warm-up ending re-aggregates the same load).
    if (cycle_[gi].new_read) KeepRead(gi, out);
    obs.load_history = history_[gi]->points();
  }
  if (cfg.needs.forecast_quantile) {
    forecaster_.Fill(cfg.name, &obs);
    if (!obs.forecast.empty()) {
      out->forecast_model = forecaster_.Describe(cfg.name);
      out->forecast_model_name = forecaster_.ModelName(cfg.name);
    }
  }
  int n = obs.group.in_service;
  // The features need every metric: a group that reads only its signal's
  // has none (the cycle log's "metrics": null).
  if (n > 0 && metrics_read && m.instances_with_data > 0 && o.all_metrics) {
    if (!agg.features ||
        agg.features_of != std::array{n, d.min_size, d.max_size}) {
      agg.features = DeriveFeatures(m.aggregate, n, d.min_size, d.max_size);
      agg.features_of = {n, d.min_size, d.max_size};
    }
    out->features = agg.features;
    if (obs.load_history) {
      out->features->temporal = TemporalInputs(*obs.load_history, n);
    }
  }
  out->model_asked = cfg.needs.model;
  if (!cfg.needs.model) return;
  if (!out->features) {
    obs.model_error = n == 0 ? "no running instances" : "no metrics";
    return;
  }
  auto answer = predictor_->Predict(*out->features);
  if (answer.ok()) {
    obs.model = *answer;
  } else {
    obs.model_error = answer.status().message();
    out->predictor_status = answer.status();
  }
}

}  // namespace phas
