#include "scaler/scaler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string_view>
#include <utility>

namespace phas {

namespace {

// SyncLease's reason for a newly held group whose record does not read.
constexpr std::string_view kStateUnreadable =
    "lease acquired, state unreadable: ";

}  // namespace

Scaler::Scaler(std::vector<GroupConfig> groups, ScalerOptions options,
               ScalerEnv env)
    : groups_(std::move(groups)), options_(std::move(options)), env_(env) {
  if (!env_.predictor) {
    null_predictor_ = std::make_unique<NoPredictor>();
    env_.predictor = null_predictor_.get();
  }
  if (!env_.store) {
    null_store_ = std::make_unique<NullStateStore>();
    env_.store = null_store_.get();
  }
  if (!env_.reporter) {
    null_reporter_ = std::make_unique<NullReporter>();
    env_.reporter = null_reporter_.get();
  }
}

Scaler::~Scaler() = default;

Status Scaler::Init(TimePoint now, bool store_recovered) {
  managed_.clear();
  std::vector<ObservedGroup> observed;
  for (const GroupConfig& g : groups_) {
    Managed m;
    m.policy = g.policy.MakePolicy();
    m.guard = g.policy.guard();
    PolicyNeeds needs = m.policy->needs();
    if (needs.model && null_predictor_) {
      return Status::InvalidArgument(
          fmt::format("group {}: policy {} needs a model, and none is "
                      "configured",
                      g.name, m.policy->name()));
    }
    ObservedGroup o;
    o.name = g.name;
    o.warmup = g.warmup;
    o.memory = g.memory;
    o.all_metrics = ReadsAllMetrics(g, needs);
    o.signal = g.signal;
    o.signal.full = g.policy.target.signal.full;
    o.needs = needs;
    o.keep_history = needs.history || options_.keep_history ||
                     (needs.model && env_.predictor->wants_history());
    observed.push_back(std::move(o));
    managed_.push_back(std::move(m));
  }
  observer_ =
      std::make_unique<Observer>(std::move(observed), options_.observe,
                                 env_.cloud, env_.predictor, env_.store);
  actuator_ = std::make_unique<Actuator>(env_.cloud, env_.store, env_.clock,
                                         options_.dry_run, env_.leases);
  controls_ = std::make_unique<ControlsWatch>(env_.cloud, env_.reporter,
                                              options_.controls);

  std::map<std::string, StoredGroup> saved;
  auto loaded = env_.store->LoadAll();
  if (loaded.ok()) {
    saved = std::move(loaded).value();
  } else {
    store_recovered = true;
    spdlog::error("state store {}: {}", env_.store->Describe(),
                  loaded.status().message());
  }
  Reporter& report = *env_.reporter;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const GroupConfig& g = groups_[i];
    Managed& m = managed_[i];
    std::string policy(m.policy->name());
    report.Note(
        now, "INFO", g.name,
        fmt::format("Initialized EC2 predictive horizontal auto scaler "
                    "for ASG: {} (policy {}{}{})",
                    g.name, policy, options_.dry_run ? ", dry run" : "",
                    options_.forecast_only
                        ? ", forecast-only: decides and logs, never acts"
                        : ""));
    auto it = saved.find(g.name);
    RestoreState(i, it == saved.end() ? nullptr : &it->second, now,
                 store_recovered, /*read_activities=*/env_.leases == nullptr);
  }
  return Status::OK();
}

void Scaler::RestoreState(size_t i, const StoredGroup* saved, TimePoint now,
                          bool store_recovered, bool read_activities) {
  const GroupConfig& g = groups_[i];
  Managed& m = managed_[i];
  std::string policy(m.policy->name());
  Reporter& report = *env_.reporter;
  // What this process measured of AWS's delivery goes on (a standby taking
  // the lease); the record does not keep it.
  const std::optional<TimePoint> not_delivered_since =
      m.state.guard.not_delivered_since;
  m.state = GroupState{};
  m.state.guard.not_delivered_since = not_delivered_since;
  m.state.policy = m.policy->NewState();
  if (saved && !saved->unreadable.empty() && env_.leases) {
    // Replicas: its lease holder re-reads the record before acting, and
    // waits while it does not read (SyncLease); no "scale-out at once".
    report.Note(
        now, "ERROR", g.name,
        saved->unreadable + ": the group is not scaled until its record reads");
    return;
  }
  if (saved && !saved->unreadable.empty()) {
    report.Note(now, "ERROR", g.name,
                fmt::format("state store {}: the group's record is "
                            "unreadable: {}",
                            env_.store->Describe(), saved->unreadable));
    store_recovered = true;
  }
  if (saved && !store_recovered) {
    const StoredGroup& s = *saved;
    PolicyState fresh = m.state.policy;
    m.state = s.state;
    m.state.guard.not_delivered_since = not_delivered_since;  // not saved
    m.state.policy = fresh;
    if (s.policy == policy && !s.policy_json.empty()) {
      auto read = StateStore::ReadPolicyState(s.policy_json, fresh);
      if (read.ok()) {
        m.state.policy = *read;
      } else {
        report.Note(now, "WARNING", g.name,
                    "saved policy state unreadable (" +
                        read.status().message() + "): it starts afresh");
      }
    } else if (s.policy != policy) {
      report.Note(now, s.newer_format ? "WARNING" : "INFO", g.name,
                  fmt::format("saved state was kept by {}: the policy's own "
                              "counts start afresh (the last action is kept)",
                              s.newer_format
                                  ? fmt::format("a newer phas (record format "
                                                "{}; copied to "
                                                "unreadable_state)",
                                                s.newer_format)
                              : s.policy.empty() ? "an older phas"
                                                 : "policy " + s.policy));
    }
    if (std::string ahead =
            BoundToNow(&m.state.guard, now, env_.cloud->MaxActionLatency());
        !ahead.empty()) {
      report.Note(now, "WARNING", g.name, "saved state: " + ahead);
    }
    if (env_.store->durable()) {
      report.Note(
          now, "INFO", g.name,
          "saved state: " + DescribeGuardState(m.state.guard, now, m.guard));
    }
    return;
  }
  if (env_.store->durable()) {
    // Unknown history: a previous run may have acted moments ago. AWS
    // keeps the group's activities: a desired capacity set by request
    // inside the cooldown (phas's own action, recorded so) holds the group
    // as a saved record would. Otherwise (none, or not read), a second
    // scale-in could take capacity the group needs, so scale-in waits a
    // cooldown; a second scale-out only costs, so it may act.
    m.state.guard.started_without_state = now;
    const char* which = store_recovered ? "unreadable" : "no saved";
    // With replicas, the lease's new holder reads it (SyncLease), not every
    // standby at start.
    if (!read_activities) {
      report.Note(now, "INFO", g.name,
                  fmt::format("{} state for this group: the lease's holder "
                              "reads it, and AWS's scaling activities, when "
                              "it takes the lease",
                              which));
      return;
    }
    auto set = env_.cloud->LastDesiredCapacitySet(g.name);
    // A time after now (AWS's clock ahead of this one, a launch seconds
    // after the request) counts from now at the latest, as a saved record
    // ahead does (BoundToNow): dropped, it let a second action through.
    if (set.ok() && *set && now - **set < m.guard.cooldown) {
      m.state.guard.last_action =
          std::min(**set, now + env_.cloud->MaxActionLatency());
      report.Note(
          now, "WARNING", g.name,
          fmt::format("{} state for this group; its desired capacity was set "
                      "by request at {} (AWS's scaling activities), inside "
                      "the cooldown ({} s): no scale-out until that cooldown "
                      "ends, no scale-in for one cooldown from now",
                      which, FormatIso8601(**set),
                      std::chrono::duration<double>(m.guard.cooldown).count()));
      return;
    }
    report.Note(
        now, "WARNING", g.name,
        fmt::format("{} state for this group: no scale-in for one cooldown "
                    "({} s), scale-out at once{}",
                    which,
                    std::chrono::duration<double>(m.guard.cooldown).count(),
                    set.ok() ? ""
                             : " (its scaling activities did not read: " +
                                   set.status().message() + ")"));
  }
}

std::string Scaler::SyncLease(size_t i, TimePoint now, const LeaseView& v,
                              const Result<StoredStates>* loaded) {
  Managed& m = managed_[i];
  if (!v.held) {
    return v.holder.empty() ? "the group's lease is not held by this replica"
                            : "the group's lease is held by " + v.holder;
  }
  if (!v.valid) {
    // Held, but not renewed lately (the table unreachable): not acting.
    return env_.leases->MayAct(groups_[i].name).message();
  }
  if (NewlyAcquired(i, v)) {
    // Another replica may have acted since this one last read the state.
    // Read it before deciding, or do not act.
    if (!loaded->ok()) {
      return "lease acquired, state not read yet: " +
             loaded->status().message();
    }
    auto it = (*loaded)->find(groups_[i].name);
    if (it != (*loaded)->end() && !it->second.unreadable.empty()) {
      // Its last action unknown: another replica may have acted moments
      // ago. The group waits (read again each cycle) until the record
      // reads; the other groups go on.
      return std::string(kStateUnreadable) + it->second.unreadable;
    }
    env_.reporter->Note(
        now, "INFO", groups_[i].name,
        fmt::format("ha: this replica ({}) now holds the "
                    "group's lease; state read from {}",
                    env_.leases->holder_id(), env_.store->Describe()));
    RestoreState(i, it == (*loaded)->end() ? nullptr : &it->second, now, false,
                 /*read_activities=*/true);
    m.term = v.term;
    m.state_read = true;
  }
  return "";
}

CycleReport Scaler::RunOnce(TimePoint now) {
  CycleReport report;
  report.now = now;
  if (env_.leases) env_.leases->Renew(now);
  std::vector<std::string> standby(groups_.size());
  if (env_.leases) {
    // The groups whose leases this replica newly holds read their state
    // before deciding: one read for all of them, and for them alone.
    std::vector<LeaseView> views;
    std::vector<std::string> acquired;
    for (size_t i = 0; i < groups_.size(); ++i) {
      views.push_back(env_.leases->View(groups_[i].name));
      if (NewlyAcquired(i, views[i])) acquired.push_back(groups_[i].name);
    }
    std::optional<Result<StoredStates>> loaded;
    if (!acquired.empty()) loaded = env_.store->LoadGroups(acquired);
    for (size_t i = 0; i < groups_.size(); ++i) {
      standby[i] = SyncLease(i, now, views[i], loaded ? &*loaded : nullptr);
    }
  }
  std::vector<GroupState*> states;
  for (Managed& m : managed_) states.push_back(&m.state);
  observer_->Observe(now, states, &report);
  for (size_t i = 0; i < groups_.size(); ++i) {
    Managed& m = managed_[i];
    GroupOutcome& out = report.groups[i];
    out.policy = std::string(m.policy->name());
    out.dry_run = options_.dry_run;
    out.standby = standby[i];
    if (out.standby.starts_with(kStateUnreadable)) {
      // Not a standby's ordinary wait: the group is not scaled until its
      // record is mended. An error each cycle (logged, counted in
      // phas_scaler_group_errors_total{stage="cycle"}).
      out.errors.push_back(out.standby +
                           " (the group is not scaled until "
                           "its record reads)");
    }
    out.state_read = std::exchange(m.state_read, false);
    // The clock may have gone back since the last action (or a new
    // holder's record came from another clock).
    if (std::string ahead =
            BoundToNow(&m.state.guard, now, env_.cloud->MaxActionLatency());
        !ahead.empty()) {
      out.warnings.push_back(ahead);
    }
    if (out.found) {
      if (hook_) hook_(out.group, &out.observation);
      CoexistFacts facts =
          controls_->Facts(out.description, now, &out.warnings);
      out.observation.group.warm_pool =
          controls_->WarmPool(out.description, now);
      CoexistVerdict verdict =
          JudgeCoexistence(facts,
                           {.aws_policies = groups_[i].aws_policies,
                            .forecast_only = options_.forecast_only},
                           now);
      out.observation.phas_sets_capacity =
          !options_.dry_run && verdict.hold == GuardRule::kNone;
      // Since when AWS has not delivered the desired capacity (guard rule
      // 1c; a standby measures it too, for when it takes the lease). An
      // Unhealthy instance was delivered (kept while ReplaceUnhealthy is
      // suspended, it launches nothing).
      // Unread for 10 minutes or more (a role revoked, not a throttled
      // describe now and then), it is measured anew.
      const GroupView& seen = out.observation.group;
      if (m.last_found && now - *m.last_found >= std::chrono::minutes(10)) {
        m.state.guard.not_delivered_since.reset();
      }
      m.last_found = now;
      if (seen.in_service + seen.pending + seen.unhealthy >= seen.desired) {
        m.state.guard.not_delivered_since.reset();
      } else if (!m.state.guard.not_delivered_since ||
                 *m.state.guard.not_delivered_since > now) {  // clock back
        m.state.guard.not_delivered_since = now;
      }
      Decision d = Decide(*m.policy, m.guard, out.observation, m.state.policy,
                          m.state.guard);
      controls_->Notify(out.group, verdict, &out.warnings);
      out.decision = ApplyCoexistence(std::move(d), verdict);
      // A standby decides (its forecast and log stay warm) and never acts
      // or saves: the holder's state is the one kept.
      if (out.standby.empty()) actuator_->Act(now, &m.state, &out);
    }
    env_.reporter->Report(now, out);
  }
  env_.reporter->EndCycle(now);
  return report;
}

void Scaler::RestoreHistory(TimePoint now) {
  observer_->RestoreHistory(now, env_.reporter);
}

const GroupState& Scaler::state(const std::string& group) const {
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (groups_[i].name == group) return managed_.at(i).state;
  }
  static const GroupState kNone;
  return kNone;
}

LoadHistory* Scaler::history(const std::string& group) {
  return observer_ ? observer_->history(group) : nullptr;
}

}  // namespace phas
