#include "scaler/status_board.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>

#include "common/file_util.h"
#include "common/json_util.h"
#include "decision/points.h"

namespace phas {

using nlohmann::json;

namespace {

double Secs(Duration d) { return std::chrono::duration<double>(d).count(); }

double Round(double v, int digits) {
  double p = std::pow(10.0, digits);
  return std::round(v * p) / p;
}

json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

}  // namespace

StatusBoard::StatusBoard(std::vector<StatusGroup> groups,
                         StatusBoardOptions options)
    : options_(std::move(options)) {
  if (options_.stale_after == Duration::zero()) {
    options_.stale_after = 3 * options_.interval + std::chrono::seconds(60);
  }
  for (StatusGroup& g : groups) {
    Group state;
    state.config = std::move(g);
    groups_.push_back(std::move(state));
  }
}

StatusBoard::Group* StatusBoard::Find(const std::string& name) {
  for (Group& g : groups_) {
    if (g.config.name == name) return &g;
  }
  return nullptr;
}

void StatusBoard::CycleStarted(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  last_cycle_start_ = now;
}

void StatusBoard::Report(TimePoint now, const GroupOutcome& o) {
  std::lock_guard<std::mutex> lock(mu_);
  Group* g = Find(o.group);
  if (!g) {
    groups_.push_back(Group{});
    g = &groups_.back();
    g->config.name = o.group;
  }
  Record(now, o, g);
}

void StatusBoard::Record(TimePoint now, const GroupOutcome& o, Group* g) {
  g->seen = true;
  g->policy = o.policy;
  g->dry_run = o.dry_run;
  g->found = o.found;
  g->read_error = ReadFailure(o);
  if (g->read_error.empty()) g->last_read = now;
  // Conditions keep their "since" while status and reason stay.
  std::vector<Condition> next = GroupConditions(o);
  for (Condition& c : next) {
    c.since = now;
    for (const Condition& old : g->conditions) {
      if (old.type == c.type && old.status == c.status &&
          old.reason == c.reason) {
        c.since = old.since;
      }
    }
  }
  g->conditions = std::move(next);
  if (!o.found) return;

  const Observation& obs = o.observation;
  const Decision& d = o.decision;
  g->view = obs.group;
  if (o.acted) g->view.desired = d.target;
  g->signal.reset();
  if (!obs.signal.empty()) g->signal = obs.signal.back().value;
  std::span<const MetricSample> load = LoadOf(o);
  if (!load.empty()) g->load = load.back().value;
  g->forecast_model = o.forecast_model;
  g->forecast = obs.forecast;
  // Counted only while phas sets the capacity (a standby's are the
  // holder's): otherwise its counts stand still, and are not shown.
  g->slo = PhasSetsCapacity(o) ? d.slo : std::nullopt;
  json limited = LimitedReasons(d);
  g->decision = {{"kind", DecisionKindName(d.kind)},
                 {"from", d.current},
                 {"to", d.target},
                 {"wanted", d.proposed},
                 {"code", d.code()},
                 {"reason", d.reason},
                 {"limited", limited}};
  if (ActionAttempted(o)) {
    g->actions.push_front(
        {now, DecisionKindName(d.kind), ActionResult(o),
         o.act_status.ok() ? d.reason : o.act_status.message(), d.current,
         d.target});
    while (g->actions.size() > options_.max_actions) g->actions.pop_back();
  }

  int64_t keep_from =
      UnixMinute(now) -
      std::chrono::duration_cast<std::chrono::minutes>(options_.chart_span)
          .count();
  // A load history's minutes are final once kept: each is charted once, the
  // ones kept since the last cycle (after an outage, the minutes fetched to
  // fill it; after a start, the restored history's last chart span). A
  // read's minutes may still change: charted each cycle.
  if (const auto& h = obs.load_history; h && !h->empty()) {
    auto from = h->end();
    while (
        from != h->begin() && UnixMinute(std::prev(from)->time) >= keep_from &&
        (!g->charted_through || std::prev(from)->time > *g->charted_through)) {
      --from;
    }
    for (auto it = from; it != h->end(); ++it) {
      if (!std::isnan(it->value)) {
        g->minutes[UnixMinute(it->time)].load = it->value;
      }
    }
    g->charted_through = h->back().time;
  } else {
    for (const MetricSample& s : load) {
      g->minutes[UnixMinute(s.time)].load = s.value;
    }
  }
  Minute& m = g->minutes[UnixMinute(now)];
  m.in_service = g->view.in_service;
  m.desired = g->view.desired;
  if (!obs.forecast.empty()) {
    const ForecastPoint& f = obs.forecast.back();
    Minute& at = g->minutes[UnixMinute(f.time)];
    at.mean = f.mean;
    at.upper = f.upper;
  }
  while (!g->minutes.empty() && g->minutes.begin()->first < keep_from) {
    g->minutes.erase(g->minutes.begin());
  }
}

void StatusBoard::EndCycle(TimePoint now) {
  if (options_.status_file.empty()) return;
  WriteStatusFile(now);
}

void StatusBoard::WriteStatusFile(TimePoint now) {
  // Bytes that are not UTF-8 (in a group name, an error message) become
  // U+FFFD: dump() would throw, out of the loop's cycle.
  std::string text = DumpJson(Json(now, false), 1) + "\n";
  Status st = WriteFileAtomic(options_.status_file, text);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok() && !status_file_failing_) {
    spdlog::error(
        "cannot write the status file: {} (logged once, until it "
        "works again)",
        st.message());
  } else if (st.ok() && status_file_failing_) {
    spdlog::warn("status file {}: writing again", options_.status_file);
  }
  status_file_failing_ = !st.ok();
}

std::string StatusBoard::NotAlive(TimePoint now) const {
  std::lock_guard<std::mutex> lock(mu_);
  TimePoint last = last_cycle_start_ ? *last_cycle_start_ : options_.started;
  Duration limit =
      last_cycle_start_ ? options_.stale_after : options_.startup_grace;
  if (now - last <= limit) return "";
  return fmt::format(
      "{} {} ago ({}), more than {} s: the loop is stuck or stopped",
      last_cycle_start_ ? "the last cycle started" : "started without a cycle",
      FormatAge(now - last), FormatIso8601(last), Secs(limit));
}

std::vector<std::pair<std::string, std::string>> StatusBoard::NotReady(
    TimePoint now) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Group& g : groups_) {
    if (g.last_read && now - *g.last_read <= 3 * options_.interval) continue;
    std::string why = !g.seen       ? "not read yet"
                      : g.last_read ? fmt::format("last read {} ago",
                                                  FormatAge(now - *g.last_read))
                                    : "never read";
    if (!g.read_error.empty()) why += ": " + g.read_error;
    out.emplace_back(g.config.name, why);
  }
  return out;
}

std::vector<std::string> StatusBoard::GroupNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.reserve(groups_.size());
  for (const Group& g : groups_) out.push_back(g.config.name);
  return out;
}

json StatusBoard::Json(TimePoint now, bool chart) const {
  std::string alive = NotAlive(now);
  std::map<std::string, std::string> not_ready;
  for (auto& [name, why] : NotReady(now)) not_ready[name] = std::move(why);
  std::lock_guard<std::mutex> lock(mu_);
  json groups = json::array();
  for (const Group& g : groups_) {
    json j = GroupJson(g, now, chart);
    auto it = not_ready.find(g.config.name);
    j["ready"] = it == not_ready.end();
    if (it != not_ready.end()) j["not_ready"] = it->second;
    groups.push_back(std::move(j));
  }
  return {{"time", FormatIso8601(now)},
          {"interval_seconds", Secs(options_.interval)},
          {"alive", alive.empty()},
          {"not_alive", alive},
          {"last_cycle_start", TimeOrNull(last_cycle_start_)},
          {"groups", groups}};
}

json StatusBoard::GroupJson(const Group& g, TimePoint now, bool chart) const {
  json conditions = json::array();
  for (const Condition& c : g.conditions) {
    conditions.push_back({{"type", c.type},
                          {"status", c.status},
                          {"reason", c.reason},
                          {"message", c.message},
                          {"since", FormatIso8601(c.since)}});
  }
  json actions = json::array();
  for (const Action& a : g.actions) {
    actions.push_back({{"time", FormatIso8601(a.time)},
                       {"kind", a.kind},
                       {"from", a.from},
                       {"to", a.to},
                       {"result", a.result},
                       {"reason", a.reason}});
  }
  json j = {{"name", g.config.name},
            {"policy", g.policy},
            {"dry_run", g.dry_run},
            {"last_read", TimeOrNull(g.last_read)},
            {"read_error", g.read_error},
            {"conditions", conditions},
            {"actions", actions},
            {"decision", g.decision.is_null() ? json(nullptr) : g.decision}};
  if (g.found || g.last_read) {
    const GroupView& v = g.view;
    j["capacity"] = {{"desired", v.desired},
                     {"in_service", v.in_service},
                     {"pending", v.pending},
                     {"min", v.min_size},
                     {"max", v.max_size}};
  }
  // The signal per instance in its unit; the load and the forecast in
  // instance-units (the signal summed over the instances, each at full
  // counting 1), and the instances they need at the target.
  const double u =
      g.config.target_utilization > 0 ? g.config.target_utilization : 1;
  j["signal"] = g.signal ? json(Round(*g.signal, 2)) : json(nullptr);
  j["signal_name"] = g.config.signal_name;
  // Units are kept with their space for reasons ("cpu 72.0%", "41 B/min").
  std::string_view unit = g.config.signal_unit;
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  j["signal_unit"] = std::string(unit);
  j["signal_target"] = g.config.signal_target;
  j["load"] = g.load ? json(Round(*g.load, 3)) : json(nullptr);
  j["load_needs"] = g.load ? json(InstancesFor(*g.load, u)) : json(nullptr);
  if (!g.forecast.empty()) {
    const ForecastPoint& f = g.forecast.back();
    j["forecast"] = {{"model", g.forecast_model},
                     {"time", FormatIso8601(f.time)},
                     {"mean", Round(f.mean, 3)},
                     {"upper", Round(f.upper, 3)},
                     {"upper_needs", InstancesFor(f.upper, u)}};
  } else {
    j["forecast"] = nullptr;
  }
  if (g.slo) {
    // Over the minutes the policy's state has counted (it is persisted).
    const SloStatus& s = *g.slo;
    j["slo"] = {
        {"max_underprovisioned_pct", Round(100 * s.asked, 3)},
        {"underprovisioned_pct",
         s.minutes > 0 ? json(Round(100 * s.short_minutes / s.minutes, 2))
                       : json(nullptr)},
        {"minutes", s.minutes},
        {"margin_spreads", Round(s.margin, 2)}};
  } else {
    j["slo"] = nullptr;
  }
  (void)now;
  if (chart) j["chart"] = ChartJson(g);
  return j;
}

// The data common/time_chart_script.h's TimeChartScript draws: one bucket per
// minute, the load as instances needed at the target, the capacity in
// service and desired, the forecast (and its band) for each minute.
json StatusBoard::ChartJson(const Group& g) const {
  double u = g.config.target_utilization > 0 ? g.config.target_utilization : 1;
  std::map<int64_t, Minute> minutes = g.minutes;
  // The latest forecast's points reach past now.
  for (const ForecastPoint& f : g.forecast) {
    Minute& m = minutes[UnixMinute(f.time)];
    m.mean = f.mean;
    m.upper = f.upper;
  }
  json demand = json::array(), cap = json::array(), util = json::array(),
       desired = json::array(), none = json::array(), mean = json::array(),
       upper = json::array();
  int64_t first = minutes.empty() ? 0 : minutes.begin()->first;
  int64_t last = minutes.empty() ? -1 : minutes.rbegin()->first;
  auto opt = [](const auto& v, double scale, int digits) {
    return v ? json(Round(*v * scale, digits)) : json(nullptr);
  };
  for (int64_t t = first; t <= last; ++t) {
    auto it = minutes.find(t);
    Minute m = it == minutes.end() ? Minute{} : it->second;
    demand.push_back(opt(m.load, 1 / u, 2));
    cap.push_back(m.in_service ? json(*m.in_service) : json(nullptr));
    desired.push_back(m.desired ? json(*m.desired) : json(nullptr));
    util.push_back(m.load && m.in_service && *m.in_service > 0
                       ? json(Round(100 * *m.load / *m.in_service, 1))
                       : json(nullptr));
    none.push_back(nullptr);
    mean.push_back(opt(m.mean, 1 / u, 2));
    upper.push_back(opt(m.upper, 1 / u, 2));
  }
  json forecasts = json::array();
  if (!g.forecast_model.empty() || !g.forecast.empty()) {
    forecasts.push_back(
        {{"name", g.forecast_model.empty() ? std::string("forecast")
                                           : g.forecast_model},
         {"color", "#2a9d3f"},
         {"mean", mean},
         {"upper", upper}});
  }
  return {
      {"t0", std::chrono::duration_cast<std::chrono::milliseconds>(
                 FromUnixMinute(first).time_since_epoch())
                 .count()},
      {"step", 1},
      {"n", last - first + 1},
      {"target", Round(100 * u, 1)},
      // The legend's words for the target: the signal's, in its unit
      // (a network target's utilization is 100 % of itself).
      {"target_words", fmt::format("target {}{}{}", g.config.signal_target,
                                   g.config.signal_unit.empty() ||
                                           g.config.signal_unit.front() == ' '
                                       ? ""
                                       : " ",
                                   g.config.signal_unit)},
      {"demand", demand},
      {"runs", json::array({{{"name", "in service"},
                             {"color", "#1f6fb2"},
                             {"cap", cap},
                             {"util", util}},
                            {{"name", "desired"},
                             {"color", "#8e44ad"},
                             {"cap", desired},
                             {"util", none}}})},
      {"forecasts", forecasts}};
}

}  // namespace phas
