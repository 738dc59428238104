#include "scaler/scaler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "model/features.h"

namespace phas {
namespace {

using nlohmann::json;

// Python's repr of a float, for the original's PREDICTION line.
std::string PyFloat(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eninf") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

Scaler::Scaler(std::vector<GroupConfig> groups, ScalerOptions options,
               Cloud* cloud, Predictor* predictor, StateStore* store,
               Recorder* recorder, MetricsRegistry* metrics)
    : groups_(std::move(groups)),
      options_(options),
      cloud_(cloud),
      predictor_(predictor),
      store_(store),
      recorder_(recorder),
      metrics_(metrics) {}

void Scaler::Log(TimePoint t, const char* level, const std::string& group,
                 const std::string& msg) {
  if (recorder_) recorder_->Log(t, level, group, msg);
}

Status Scaler::Init(TimePoint now, bool store_recovered) {
  policies_.clear();
  for (const GroupConfig& g : groups_) {
    PHAS_ASSIGN_OR_RETURN(std::unique_ptr<Policy> p, MakePolicy(g.policy));
    if (p->needs_model() && predictor_ == nullptr) {
      return Status::InvalidArgument("group " + g.name + ": policy " +
                                     p->name() +
                                     " needs a model, and none is configured");
    }
    if (p->needs_history() || options_.keep_history ||
        (p->needs_model() && predictor_->wants_history())) {
      history_.try_emplace(g.name);
    }
    if (p->needs_forecast()) {
      if (!forecaster_)
        forecaster_ = std::make_unique<ForecastProvider>(options_.forecast);
      forecaster_->SetQuantile(g.name, g.policy.predictive.quantile);
    }
    policies_.push_back(std::move(p));
  }
  std::map<std::string, PolicyState> saved;
  if (store_) {
    auto loaded = store_->LoadAll();
    if (loaded.ok()) {
      saved = *loaded;
    } else {
      store_recovered = true;
      spdlog::error("state store {}: {}", store_->path(),
                    loaded.status().message());
    }
  }
  for (size_t i = 0; i < groups_.size(); ++i) {
    const GroupConfig& g = groups_[i];
    Log(now, "INFO", g.name,
        fmt::format("Initialized EC2 predictive horizontal auto scaler for "
                    "ASG: {} (policy {}{})",
                    g.name, policies_[i]->name(),
                    options_.dry_run ? ", dry run" : ""));
    auto it = saved.find(g.name);
    if (it != saved.end() && !store_recovered) {
      states_[g.name] = it->second;
      continue;
    }
    PolicyState s;
    if (store_) {
      // Unknown history: a previous run may have acted moments ago.
      s.last_action = now;
      Log(now, "WARNING", g.name,
          fmt::format("{} state for this group: starting as if a cooldown had "
                      "just begun (no "
                      "action for {} s)",
                      store_recovered ? "unreadable" : "no saved",
                      std::chrono::duration_cast<std::chrono::seconds>(
                          policies_[i]->guard().cooldown)
                          .count()));
    }
    states_[g.name] = s;
  }
  return Status::OK();
}

CycleReport Scaler::RunOnce(TimePoint now) {
  CycleReport report;
  report.now = now;
  std::vector<std::string> names;
  for (const GroupConfig& g : groups_) names.push_back(g.name);

  // Observe: one describe for all groups...
  auto described = cloud_->DescribeGroups(names);
  std::map<std::string, GroupDescription> by_name;
  if (described.ok()) {
    for (auto& d : *described) by_name[d.name] = d;
  } else {
    report.describe_status = described.status();
  }
  // ...and one metric request for all their InService instances.
  std::vector<GroupToObserve> observe;
  std::vector<size_t> observe_index(groups_.size(), SIZE_MAX);
  for (size_t i = 0; i < groups_.size(); ++i) {
    auto it = by_name.find(groups_[i].name);
    if (it == by_name.end()) continue;
    PolicyState& st = states_[groups_[i].name];
    // Warm-up: when each instance was first seen InService. Instances
    // already InService when a group is first observed, with no record of
    // them, count as warm.
    bool first_sight =
        !seen_.count(groups_[i].name) && st.first_in_service.empty();
    seen_.insert(groups_[i].name);
    std::set<std::string> in_service;
    for (const std::string& id : InServiceIds(it->second)) {
      in_service.insert(id);
      if (!st.first_in_service.count(id)) {
        st.first_in_service[id] = first_sight ? now - groups_[i].warmup : now;
      }
    }
    std::erase_if(st.first_in_service,
                  [&](const auto& kv) { return !in_service.count(kv.first); });
    GroupToObserve o{it->second, groups_[i].memory, {}};
    for (const auto& [id, since] : st.first_in_service) {
      if (now - since < groups_[i].warmup) o.warming.insert(id);
    }
    observe_index[i] = observe.size();
    observe.push_back(std::move(o));
  }
  auto same_instances = [](const std::vector<GroupToObserve>& a,
                           const std::vector<GroupToObserve>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      const auto& x = a[i].group.instances;
      const auto& y = b[i].group.instances;
      if (a[i].group.name != b[i].group.name || x.size() != y.size())
        return false;
      for (size_t k = 0; k < x.size(); ++k) {
        if (x[k].id != y[k].id || x[k].lifecycle_state != y[k].lifecycle_state)
          return false;
      }
    }
    return true;
  };
  if (!same_instances(observe, plan_groups_)) {
    plan_ = PlanQueries(observe, options_.period_seconds);
    plan_groups_ = observe;
    metrics_read_at_
        .reset();  // other instances: the last read does not describe them
  }
  const QueryPlan& plan = plan_;
  bool metrics_ok = true;
  bool fresh_enough = metrics_read_at_ && now >= *metrics_read_at_ &&
                      now - *metrics_read_at_ < options_.metrics_refresh;
  if (plan.queries.empty()) {
    metric_data_.clear();
    metrics_read_at_.reset();
  } else if (!fresh_enough) {
    auto r =
        cloud_->GetMetricData(plan.queries, now - options_.metrics_window, now);
    if (r.ok()) {
      metric_data_ = std::move(r).value();
      metrics_read_at_ = now;
    } else {
      metrics_ok = false;
      metric_data_.clear();
      metrics_read_at_.reset();  // read again next cycle
      report.metrics_status = r.status();
    }
  }
  const std::vector<MetricSeries>& results = metric_data_;

  for (size_t i = 0; i < groups_.size(); ++i) {
    GroupOutcome out;
    out.group = groups_[i].name;
    if (observe_index[i] == SIZE_MAX) {
      Log(now, "ERROR", out.group,
          described.ok() ? "ASG " + out.group + " not found"
                         : "cannot describe the group: " +
                               report.describe_status.message());
      report.groups.push_back(std::move(out));
      continue;
    }
    out.found = true;
    const GroupToObserve& o = observe[observe_index[i]];
    GroupMetrics gm =
        AggregateGroup(plan, results, observe_index[i], o.group, o.warming);
    ObserveGroup(o.group, gm, metrics_ok, i, now, &out);
    if (!metrics_ok) {
      Log(now, "ERROR", out.group,
          "cannot read metrics: " + report.metrics_status.message());
    }
    if (hook_) hook_(out.group, &out.observation);
    out.decision = policies_[i]->Decide(out.observation, states_[out.group]);
    Act(i, now, &out);
    if (recorder_) {
      LogDecision(groups_[i], now, out);
      Record(i, now, out, gm, &o.group);
    }
    CountDecision(out.group, out.decision);
    report.groups.push_back(std::move(out));
  }
  if (metrics_) {
    metrics_->GetCounter("phas_scaler_cycles_total", "Control loop cycles run.")
        .Inc();
    metrics_
        ->GetGauge("phas_scaler_last_cycle_timestamp_seconds",
                   "Time of the last cycle (Unix seconds).")
        .Set(ToUnixSeconds(now));
  }
  if (recorder_) recorder_->Flush();
  return report;
}

void Scaler::ObserveGroup(const GroupDescription& d, const GroupMetrics& m,
                          bool metrics_ok, size_t gi, TimePoint now,
                          GroupOutcome* out) {
  const GroupConfig& cfg = groups_[gi];
  Observation& obs = out->observation;
  obs.now = now;
  obs.group.name = d.name;
  obs.group.min_size = d.min_size;
  obs.group.max_size = d.max_size;
  obs.group.desired = d.desired_capacity;
  for (const auto& i : d.instances) {
    if (i.lifecycle_state == "InService") ++obs.group.in_service;
    if (i.lifecycle_state.rfind("Pending", 0) == 0) ++obs.group.pending;
  }
  const PolicyState& st = states_[cfg.name];
  for (const auto& [id, since] : st.first_in_service) {
    if (now - since < cfg.warmup) ++obs.group.warming;
  }
  obs.cpu = m.cpu;
  obs.metrics_ok = metrics_ok && !m.cpu.empty();
  if (auto it = history_.find(cfg.name); it != history_.end()) {
    std::vector<MetricSample> added = it->second.Add(m.load);
    obs.load_history = it->second.points();
    SaveHistory(cfg.name, added, now);
  }
  if (forecaster_ && policies_[gi]->needs_forecast()) {
    forecaster_->Fill(cfg.name, &obs);
    if (metrics_ && !obs.forecast.empty()) {
      // The furthest point of the forecast: what the coming boot time holds.
      const ForecastPoint& f = obs.forecast.back();
      for (auto [bound, v] : {std::pair<const char*, double>{"mean", f.mean},
                              {"upper", f.upper}}) {
        metrics_
            ->GetGauge("phas_scaler_forecast_load",
                       "Forecast load (instance-units) at the end of the "
                       "forecast horizon.",
                       {{"group", cfg.name}, {"bound", bound}})
            .Set(v);
      }
    }
  }
  if (metrics_) {
    auto gauge = [&](const char* kind, int v) {
      metrics_
          ->GetGauge("phas_scaler_group_capacity",
                     "Group capacity as last described, by kind.",
                     {{"group", cfg.name}, {"kind", kind}})
          .Set(v);
    };
    gauge("desired", d.desired_capacity);
    gauge("min", d.min_size);
    gauge("max", d.max_size);
    gauge("in_service", obs.group.in_service);
    gauge("pending", obs.group.pending);
  }
  int n = obs.group.in_service;
  if (n == 0) {
    Log(now, "WARNING", cfg.name, "No running instances found in ASG");
  } else if (!metrics_ok || m.instances_with_data == 0) {
    Log(now, "WARNING", cfg.name, "No metrics collected from any instance");
  } else {
    obs.features = DeriveFeatures(m.aggregate, n, d.min_size, d.max_size);
    if (obs.load_history)
      obs.features->temporal = TemporalInputs(*obs.load_history, n);
    if (recorder_) {
      Log(now, "INFO", cfg.name,
          fmt::format("ASG METRICS ({} instances): {}", n,
                      FeaturesJson(*obs.features, n)));
    }
  }
  if (!policies_[gi]->needs_model()) return;
  if (!obs.features) {
    obs.model_error = n == 0 ? "no running instances" : "no metrics";
    return;
  }
  auto answer = predictor_->Predict(*obs.features);
  if (answer.ok()) {
    obs.model = *answer;
    if (recorder_)
      Log(now, "INFO", cfg.name,
          fmt::format("PREDICTION: {} ({}) - Confidence: {}", answer->cls,
                      answer->label, PyFloat(answer->confidence)));
  } else {
    obs.model_error = answer.status().message();
    Log(now, "ERROR", cfg.name, "Prediction failed: " + obs.model_error);
    if (metrics_) {
      metrics_
          ->GetCounter("phas_scaler_predictor_failures_total",
                       "Cycles where the model gave no answer.",
                       {{"group", cfg.name}})
          .Inc();
      metrics_
          ->GetCounter(
              "phas_scaler_fallbacks_total", "Decisions made by the fallback.",
              {{"group", cfg.name}, {"fallback", cfg.policy.seed.fallback}})
          .Inc();
    }
  }
}

Status Scaler::RestoreHistory(TimePoint now) {
  const Duration window = std::chrono::hours(24 * 14);
  for (auto& [name, hist] : history_) {
    if (store_) {
      auto saved = store_->LoadSeries("load:" + name, now - window);
      if (saved.ok()) {
        hist.Add(*saved);
      } else {
        Log(now, "WARNING", name,
            "cannot read saved load history: " + saved.status().message());
      }
    }
    auto points = hist.points();
    TimePoint from = points->empty()
                         ? now - window
                         : points->back().time + std::chrono::minutes(1);
    if (now - from < std::chrono::minutes(3)) continue;
    MetricQuery q;
    q.id = "history";
    q.ns = "AWS/EC2";
    q.metric_name = "CPUUtilization";
    q.dimensions = {{"AutoScalingGroupName", name}};
    q.period_seconds = 60;
    q.stat = "Sum";
    auto r = cloud_->GetMetricData({q}, from, now);
    if (!r.ok()) {
      Log(now, "WARNING", name,
          "cannot fetch load history from CloudWatch: " + r.status().message());
      continue;
    }
    std::vector<MetricSample> fetched;
    for (size_t i = 0; i < (*r)[0].values.size(); ++i) {
      fetched.push_back({(*r)[0].timestamps[i], (*r)[0].values[i] / 100.0, 0});
    }
    std::vector<MetricSample> added = hist.Add(fetched);
    SaveHistory(name, added, now);
    Log(now, "INFO", name,
        fmt::format("load history: {} minutes ({} fetched from CloudWatch)",
                    hist.size(), added.size()));
  }
  return Status::OK();
}

void Scaler::SaveHistory(const std::string& group,
                         const std::vector<MetricSample>& added,
                         TimePoint now) {
  if (!store_ || added.empty()) return;
  Status st = store_->AppendSeries("load:" + group, added);
  if (!st.ok())
    Log(now, "ERROR", group, "cannot save load history: " + st.message());
}

LoadHistory* Scaler::history(const std::string& group) {
  auto it = history_.find(group);
  return it == history_.end() ? nullptr : &it->second;
}

void Scaler::Act(size_t gi, TimePoint now, GroupOutcome* out) {
  const std::string& name = groups_[gi].name;
  Decision& d = out->decision;
  PolicyState& state = states_[name];
  if (!d.acts()) {
    state = d.next;
  } else if (options_.dry_run) {
    state = d.next;  // as if it had acted: cooldown and streaks behave as they
                     // would
  } else {
    // Persist first: the action is on record before it can happen.
    Status saved = store_ ? store_->Save(name, d.next) : Status::OK();
    if (!saved.ok()) {
      out->act_status = saved.WithContext("state not saved; not acting");
      state = d.next_if_failed;
    } else {
      out->act_status = cloud_->SetDesiredCapacity(name, d.target);
      out->acted = out->act_status.ok();
      state = out->acted ? d.next : d.next_if_failed;
    }
    if (metrics_) {
      metrics_
          ->GetCounter("phas_scaler_actions_total",
                       "SetDesiredCapacity attempts.",
                       {{"group", name},
                        {"direction", DecisionKindName(d.kind)},
                        {"result", out->acted ? "ok" : "error"}})
          .Inc();
    }
  }
  if (store_) {
    Status st = store_->Save(name, state);
    if (!st.ok()) Log(now, "ERROR", name, "cannot save state: " + st.message());
  }
}

void Scaler::LogDecision(const GroupConfig& g, TimePoint now,
                         const GroupOutcome& out) {
  const Decision& d = out.decision;
  const std::string& name = g.name;
  bool seed = g.policy.policy == "seed";
  std::string dry = options_.dry_run ? "DRY RUN: " : "";
  if (d.kind == Decision::Kind::kScaleUp) {
    Log(now, "INFO", name,
        fmt::format("{}SCALING UP: {} -> {} instances", dry, d.current,
                    d.target));
  } else if (d.kind == Decision::Kind::kScaleDown) {
    Log(now, "INFO", name,
        fmt::format("{}SCALING DOWN: {} -> {} instances ({})", dry, d.current,
                    d.target, seed ? "5min consistent prediction" : d.reason));
  } else if (d.code == "cooldown") {
    bool up = d.policy_code.find("scale_up") != std::string::npos ||
              d.policy_code.find("above") != std::string::npos;
    Log(now, "INFO", name,
        up ? "Scale up needed but in cooldown period"
           : "Scale down needed but in cooldown period");
  } else if (d.code == "at_max") {
    Log(now, "INFO", name,
        fmt::format("Already at maximum capacity of ({} instances)",
                    d.current));
  } else if (d.code == "at_min") {
    Log(now, "INFO", name,
        fmt::format("Already at minimum capacity of ({} instances)",
                    d.current));
  }
  if (d.acts() && !options_.dry_run && !out.act_status.ok()) {
    Log(now, "ERROR", name,
        "SetDesiredCapacity failed: " + out.act_status.message());
  }
  Log(now, "INFO", name,
      fmt::format("DECISION: {} {} -> {} [{}]: {}", DecisionKindName(d.kind),
                  d.current, d.target, d.code, d.reason));
}

void Scaler::Record(size_t gi, TimePoint now, const GroupOutcome& out,
                    const GroupMetrics& m, const GroupDescription* d) {
  if (!recorder_) return;
  const Observation& o = out.observation;
  json raw = json::object();
  for (const auto& [k, a] : m.aggregate) {
    raw[k] = {{"value", a.value},
              {"max_value", a.max_value},
              {"min_value", a.min_value},
              {"instance_count", a.instance_count}};
  }
  json ids = json::array();
  if (d) {
    for (const std::string& id : InServiceIds(*d)) ids.push_back(id);
  }
  json rec = {{"timestamp", FormatIso8601(now)},
              {"asg_name", out.group},
              {"instance_count", o.group.in_service},
              {"instance_ids", ids},
              {"pending", o.group.pending},
              {"desired", o.group.desired},
              {"min", o.group.min_size},
              {"max", o.group.max_size},
              {"raw_cloudwatch", raw}};
  if (o.features) {
    rec["metrics"] = json::parse(FeaturesJson(*o.features, o.group.in_service));
    if (!o.features->temporal.empty()) rec["temporal"] = o.features->temporal;
  } else {
    rec["metrics"] = nullptr;
  }
  if (o.model) {
    rec["prediction"] = {{"class", o.model->cls},
                         {"label", o.model->label},
                         {"action", o.model->action},
                         {"confidence", o.model->confidence}};
  } else {
    rec["prediction"] = nullptr;
  }
  if (!o.model_error.empty()) rec["prediction_error"] = o.model_error;
  if (!o.forecast.empty()) {
    json pts = json::array();
    for (const ForecastPoint& f : o.forecast) {
      pts.push_back({{"time", FormatIso8601(f.time)},
                     {"mean", f.mean},
                     {"upper", f.upper}});
    }
    rec["forecast"] = {
        {"model", forecaster_ ? forecaster_->Describe(out.group) : ""},
        {"points", pts}};
  } else if (!o.forecast_error.empty()) {
    rec["forecast_error"] = o.forecast_error;
  }
  const Decision& dec = out.decision;
  rec["decision"] = {{"policy", groups_[gi].policy.policy},
                     {"kind", DecisionKindName(dec.kind)},
                     {"from", dec.current},
                     {"to", dec.target},
                     {"code", dec.code},
                     {"policy_code", dec.policy_code},
                     {"reason", dec.reason},
                     {"dry_run", options_.dry_run},
                     {"acted", out.acted}};
  if (!out.act_status.ok()) rec["decision"]["error"] = out.act_status.message();
  recorder_->Record(rec);
}

void Scaler::CountDecision(const std::string& group, const Decision& d) {
  if (!metrics_) return;
  metrics_
      ->GetCounter("phas_scaler_decisions_total",
                   "Decisions, by kind and reason code.",
                   {{"group", group},
                    {"kind", DecisionKindName(d.kind)},
                    {"code", d.code}})
      .Inc();
}

}  // namespace phas
