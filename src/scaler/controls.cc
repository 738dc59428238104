#include "scaler/controls.h"

#include <fmt/format.h>

#include <algorithm>

#include "decision/points.h"

namespace phas {
namespace {

std::string ChangeWords(const ScheduledCapacityChange& s) {
  std::vector<std::string> parts;
  if (s.desired) parts.push_back(fmt::format("desired {}", *s.desired));
  if (s.min_size) parts.push_back(fmt::format("min {}", *s.min_size));
  if (s.max_size) parts.push_back(fmt::format("max {}", *s.max_size));
  return fmt::format("{}", fmt::join(parts, ", "));
}

template <typename T, typename F>
std::string List(const std::vector<T>& items, F words) {
  if (items.empty()) return "none";
  std::vector<std::string> out;
  for (const T& i : items) out.push_back(words(i));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

std::string ControlsWatch::Describe(const GroupControls& c) {
  std::string policies = List(c.policies, [](const AwsScalingPolicy& p) {
    return fmt::format("{} ({}{}{})", p.name, p.type,
                       p.scales ? "" : ", does not scale",
                       p.scale_out_only ? ", scale-out only" : "");
  });
  std::string scheduled =
      List(c.scheduled, [](const ScheduledCapacityChange& s) {
        return fmt::format("{} ({} next at {}{})", s.name, ChangeWords(s),
                           FormatIso8601(s.next),
                           s.recurrence.empty() ? "" : ", " + s.recurrence);
      });
  std::string pool =
      c.warm_pool
          ? fmt::format("{} instance(s), min {}, {}", c.warm_pool->instances,
                        c.warm_pool->min_size, c.warm_pool->pool_state)
          : "none";
  std::string refresh =
      c.refresh ? fmt::format("{} ({}, {} %)", c.refresh->id, c.refresh->status,
                              c.refresh->percentage_complete)
                : "none";
  std::string hooks =
      List(c.lifecycle_hooks, [](const std::string& h) { return h; });
  return fmt::format(
      "AWS controls: scaling policies {}; scheduled actions {}; warm pool "
      "{}; instance refresh {}; lifecycle hooks {}",
      policies, scheduled, pool, refresh, hooks);
}

void ControlsWatch::AddFacts(const GroupControls& c, CoexistFacts* f) {
  f->controls_read = true;
  for (const AwsScalingPolicy& p : c.policies) {
    if (!p.scales) continue;
    f->policies.push_back({p.name, p.type, p.type != "PredictiveScaling"});
  }
  if (c.refresh) {
    f->refresh = fmt::format("{} ({}, {} % done)", c.refresh->id,
                             c.refresh->status, c.refresh->percentage_complete);
  }
  for (const ScheduledCapacityChange& s : c.scheduled) {
    f->scheduled.push_back({s.name, s.next, ChangeWords(s)});
  }
}

void ControlsWatch::Read(const std::string& group, Entry& e, TimePoint now,
                         std::vector<std::string>* warnings) {
  auto r = cloud_->ForGroup(group)->DescribeControls(group);
  if (!r.ok()) {
    e.error = r.status().ToString();
    e.next_read = now + o_.retry;
    warnings->push_back(
        e.good ? fmt::format("cannot read the group's AWS scaling controls: "
                             "{}; deciding on the read of {} s ago, trying "
                             "again in {} s",
                             e.error, WholeSeconds(now - *e.good_at),
                             WholeSeconds(o_.retry))
               : fmt::format("cannot read the group's AWS scaling controls: "
                             "{}; holding the group until they are read "
                             "(trying again in {} s)",
                             e.error, WholeSeconds(o_.retry)));
    return;
  }
  e.error.clear();
  e.good = std::move(r).value();
  e.good_facts = {};
  AddFacts(*e.good, &e.good_facts);
  e.good_at = now;
  e.next_read = now + o_.refresh;
  std::string words = Describe(*e.good);
  if (words != e.described) {
    reporter_->Note(now, "INFO", group, words);
    e.described = std::move(words);
  }
  // The warm pool's launch time, told once per change of what is known of
  // it (the value, none yet, unreadable: not the launch count or the
  // error's words, which change with every read).
  std::string pool_words, pool_key;
  if (const auto& pool = e.good->warm_pool) {
    if (pool->launch_p90) {
      pool_key = fmt::format("p90 {}", WholeSeconds(*pool->launch_p90));
      pool_words = fmt::format(
          "the group has a warm pool: its launches take {} s (median; {} s "
          "at the 90th percentile, of its last {} launches from the pool): "
          "the forecasting policies take {} s as their boot time while the "
          "pool holds the instances they would launch",
          WholeSeconds(pool->launch_median.value_or(*pool->launch_p90)),
          WholeSeconds(*pool->launch_p90), pool->launches,
          WholeSeconds(*pool->launch_p90));
    } else {
      pool_key = pool->launch_error.empty() ? "none" : "error";
      pool_words = fmt::format(
          "the group has a warm pool, but {}: the forecasting policies keep "
          "their boot_seconds",
          pool->launch_error.empty()
              ? "no launch from it among its recent scaling activities yet"
              : "its launch time is unknown (" + pool->launch_error + ")");
    }
  }
  if (pool_key != e.warm_pool_told) {
    if (!pool_words.empty()) warnings->push_back(pool_words);
    e.warm_pool_told = std::move(pool_key);
  }
}

CoexistFacts ControlsWatch::Facts(const GroupDescription& d, TimePoint now,
                                  std::vector<std::string>* warnings) {
  Entry& e = entries_[d.name];
  if (cycle_ != now) {
    cycle_ = now;
    reads_in_cycle_ = 0;
  }
  if ((!e.next_read || now >= *e.next_read) &&
      reads_in_cycle_ < o_.groups_per_cycle) {
    ++reads_in_cycle_;
    Read(d.name, e, now, warnings);
    if (e.good_at == now) e.desired_at_read = d.desired_capacity;
  }
  CoexistFacts f = e.good ? e.good_facts : CoexistFacts{};
  f.tags = d.tags;
  f.suspended_processes = d.suspended_processes;
  f.capacity_units = d.capacity_units;
  f.controls_error = e.error;
  return f;
}

std::optional<GroupView::WarmPool> ControlsWatch::WarmPool(
    const GroupDescription& d, TimePoint now) const {
  auto it = entries_.find(d.name);
  if (it == entries_.end() || !it->second.good || !it->second.good->warm_pool) {
    return std::nullopt;
  }
  const Entry& e = it->second;
  const WarmPoolView& pool = *e.good->warm_pool;
  GroupView::WarmPool out;
  // The instances phas's own scale-outs took from it since the read are
  // gone from it.
  out.instances = std::max(
      0, pool.ready - std::max(0, d.desired_capacity - e.desired_at_read));
  // A read older than the refresh (re-reads failing) does not say what the
  // pool holds now: the policies keep their boot time.
  if (e.good_at && now - *e.good_at <= o_.refresh) out.launch = pool.launch_p90;
  return out;
}

void ControlsWatch::Notify(const std::string& group,
                           const CoexistVerdict& verdict,
                           std::vector<std::string>* warnings) {
  Entry& e = entries_[group];
  // The words before " (in " name the action and its run: each run is told
  // once, and forgotten once it is out of the notice window.
  std::set<std::string> now_told;
  for (const std::string& n : verdict.notices) {
    std::string key = n.substr(0, n.find(" (in "));
    if (!e.notices_told.count(key)) warnings->push_back(n);
    now_told.insert(std::move(key));
  }
  e.notices_told = std::move(now_told);
}

}  // namespace phas
