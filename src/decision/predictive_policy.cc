#include "decision/predictive_policy.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/format.h"
#include "decision/points.h"

namespace phas {
namespace {

using std::chrono::minutes;

TimePoint MinuteOf(TimePoint t) { return std::chrono::floor<minutes>(t); }

// The per-instance mean at which a signal censored at full (CPU's 100 %) is
// taken as at full: the instances are practically saturated.
constexpr double kAtFull = 0.95;

// The forecast's highest mean and band over [from, until] (band: the
// forecaster's own upper - mean at that point, the margin before the
// calibration has outcomes).
struct WindowForecast {
  const ForecastPoint* peak = nullptr;  // the highest mean
  const ForecastPoint* first = nullptr;
  const ForecastPoint* last = nullptr;
  double band = 0;  // the widest upper - mean
};

WindowForecast Window(const std::vector<ForecastPoint>& f, TimePoint from,
                      TimePoint until) {
  WindowForecast w;
  for (const ForecastPoint& p : f) {
    if (p.time < from) continue;
    if (p.time > until) break;
    if (!w.first) w.first = &p;
    w.last = &p;
    if (!w.peak || p.mean > w.peak->mean) w.peak = &p;
    w.band = std::max(w.band, p.upper - p.mean);
  }
  return w;
}

double Bound(const WindowForecast& w, const WindowCalibration& c,
             double margin) {
  if (c.outcomes < kCalibrationMinOutcomes) return w.peak->mean + w.band;
  return std::max(0.0, w.peak->mean + c.bias + margin * c.spread);
}

// Keeps the lowest value seen in each minute (`recs` in time order).
void RecordLowest(Recommendations* recs, TimePoint minute, int value) {
  if (!recs->empty() && recs->back().first == minute) {
    recs->back().second = std::min(recs->back().second, value);
  } else {
    recs->emplace_back(minute, value);
  }
}

// A launch asked before `from` and not delivered at `to`: `desired`
// (RecordLowest of the desired capacity when a cycle saw the group short of
// it with nothing launching, else 0; in time order) has every minute from
// `from` to `to` (a minute no cycle saw, a loop slower than a minute or a
// gap, does not say) and none is 0, and `in_service` is still below the
// least of them. A group climbing has instances Pending; one replacing an
// instance has it Pending, or is short of it for a minute or two.
bool Undelivered(const Recommendations& desired, TimePoint from, TimePoint to,
                 int in_service) {
  TimePoint next = MinuteOf(from);
  if (next < from) next += minutes(1);
  std::optional<int> asked;
  for (const auto& [m, d] : desired) {
    if (m < next) continue;
    if (m > to) break;
    if (m != next || d == 0) return false;
    asked = std::min(asked.value_or(d), d);
    next += minutes(1);
  }
  return next > to && asked && in_service < *asked;
}

// The clock went back (the observer then leaves out the history's minutes
// after now): what `s` keeps after now came from the clock as it was.
// Counting goes on from the history's newest minute up to now (the minutes
// from now on are new ones), and the capacities, uncounted minutes and
// forecasts pending after now are dropped; kept, counting waited until the
// clock caught up, then matched minutes to them. The state's own minutes
// tell it too: a clock that was ahead of CloudWatch's and is set right
// leaves the history as it was, but the capacities kept under it ahead.
void ForgetWhatIsAhead(const Observation& obs, TimePoint minute,
                       PredictiveState* s) {
  const bool counted_ahead = s->last_minute && *s->last_minute > obs.now;
  if (!counted_ahead &&
      (s->capacity.empty() || s->capacity.back().first <= minute)) {
    return;
  }
  if (counted_ahead) {
    s->last_minute.reset();
    if (obs.load_history) {
      const auto& h = *obs.load_history;
      auto it = std::upper_bound(
          h.begin(), h.end(), obs.now,
          [](TimePoint t, const MetricSample& p) { return t < p.time; });
      if (it != h.begin()) s->last_minute = std::prev(it)->time;
    }
  }
  auto after = [&](const auto& c) { return c.first > minute; };
  std::erase_if(s->capacity, after);
  std::erase_if(s->uncounted, after);
  std::erase_if(s->undelivered, after);
  std::erase_if(s->pending, [&](const PendingOutcome& p) {
    return p.from && *p.from > obs.now;
  });
}

}  // namespace

bool PredictivePolicy::AtFull(const MetricSample& load) const {
  return target_.signal.censored_at_full && load.instances > 0 &&
         load.value >= kAtFull * load.instances;
}

bool PredictivePolicy::Learn(const Observation& obs, bool forecast_decides,
                             PredictiveState* s) const {
  // The capacity kept until its minute's load has arrived (a metric delay,
  // and a few minutes for the minute itself and the loop's refresh); the
  // uncounted minutes a boot time longer (they rule the minutes after them).
  const Duration keep_capacity =
      std::max<Duration>(minutes(15), c_.metric_delay + minutes(5));
  const Duration keep_uncounted = keep_capacity + c_.boot_time;
  // A shortfall AWS did not deliver: a launch asked two boot times and a
  // minute before, and none Pending since (one slower than the boot time,
  // an instance replaced, is still counted).
  const Duration undelivered_for = 2 * c_.boot_time + minutes(1);
  const Duration keep_undelivered = keep_capacity + undelivered_for;
  TimePoint minute = MinuteOf(obs.now);
  ForgetWhatIsAhead(obs, minute, s);
  // The capacity serving the current minute: the lowest InService seen in
  // it; and the lowest desired capacity, when every cycle in it saw the
  // group short of it with nothing launching (InService and Pending below
  // it, as PhasGroupCapacityNotDelivered compares them).
  std::optional<TimePoint> previous;  // the minute of the cycle before
  if (!s->capacity.empty()) previous = s->capacity.back().first;
  RecordLowest(&s->capacity, minute, obs.group.in_service);
  RecordLowest(&s->undelivered, minute,
               obs.group.in_service + obs.group.pending + obs.group.unhealthy <
                       obs.group.desired
                   ? obs.group.desired
                   : 0);
  // Counted while the forecast decides and phas sets the capacity: target
  // tracking's shortfalls in a cold start are not the margin's, nor those
  // of a group another scaler sizes while phas only forecasts, nor those of
  // the boot time after either (the capacity launched before, the other's).
  const bool in_control =
      forecast_decides && obs.phas_sets_capacity && !c_.forecast_only;
  // A cycle's decision holds until the next one: after a held cycle, the
  // minutes up to this one (a loop slower than a minute) were held too.
  if (previous && *previous < minute && !s->uncounted.empty() &&
      s->uncounted.back().first == *previous) {
    for (TimePoint m =
             std::max(*previous + minutes(1), minute - keep_uncounted);
         m < minute; m += minutes(1)) {
      s->uncounted.emplace_back(m, 1);
    }
  }
  if (!in_control &&
      (s->uncounted.empty() || s->uncounted.back().first != minute)) {
    s->uncounted.emplace_back(minute, 1);
  }
  std::erase_if(s->capacity, [&](const auto& c) {
    return c.first < minute - keep_capacity;
  });
  std::erase_if(s->uncounted, [&](const auto& c) {
    return c.first < minute - keep_uncounted;
  });
  std::erase_if(s->undelivered, [&](const auto& c) {
    return c.first < minute - keep_undelivered;
  });
  if (!obs.load_history || obs.load_history->empty()) return false;
  const std::vector<MetricSample>& h = *obs.load_history;
  if (s->last_minute && h.back().time <= *s->last_minute) return false;
  // Each new minute: short of capacity at target, or not.
  const double u = target_.utilization();
  const double slo = c_.slo.max_underprovisioned_pct / 100;
  auto it = h.begin();
  if (s->last_minute) {
    it = std::upper_bound(
        h.begin(), h.end(), *s->last_minute,
        [](TimePoint t, const MetricSample& p) { return t < p.time; });
  }
  for (; it != h.end(); ++it) {
    if (std::isnan(it->value)) continue;
    auto lived = [&](const auto& c) { return c.first == it->time; };
    // Served by what was launched up to a boot time before it: the minute
    // that decision was made in, and every minute since.
    const TimePoint launched = MinuteOf(it->time - c_.boot_time);
    auto sized_by_another = [&](const auto& c) {
      return c.first <= it->time && c.first >= launched;
    };
    auto cap = std::find_if(s->capacity.begin(), s->capacity.end(), lived);
    if (cap == s->capacity.end() || cap->second >= obs.group.max_size ||
        std::ranges::any_of(s->uncounted, sized_by_another)) {
      continue;
    }
    // Launches failing (a broken launch template, no capacity in the zone,
    // a quota): counted, hours of them would raise the margin to its
    // ceiling and keep the group above its need for days after AWS
    // delivers again. Counted apart (phas_scaler_slo_undelivered_seconds).
    if (Undelivered(s->undelivered, it->time - undelivered_for, it->time,
                    cap->second)) {
      s->undelivered_minutes += 1;
      continue;
    }
    bool is_short = InstancesFor(it->value, u) > cap->second;
    s->minutes += 1;
    s->short_minutes += is_short ? 1 : 0;
    s->margin = AdaptMargin(s->margin, is_short, slo);
  }
  s->last_minute = h.back().time;
  // Forecasts whose windows have passed: their outcomes.
  std::erase_if(s->pending, [&](const PendingOutcome& p) {
    if (!p.from || !p.out_until || !p.in_until) return true;
    if (h.back().time < *p.in_until) return false;
    if (auto a = MaxOver(h, *p.from, *p.out_until)) {
      s->out = Calibrate(s->out, *a, p.out_max, p.out_bound);
    }
    if (auto a = MaxOver(h, *p.from, *p.in_until)) {
      s->in = Calibrate(s->in, *a, p.in_max, p.in_bound);
    }
    return true;
  });
  return true;
}

TypedProposal<PredictiveState> PredictivePolicy::Evaluate(
    const Observation& obs, const PredictiveState& state) const {
  TypedProposal<AlarmState> tt = tracking_.Evaluate(obs, state.tracking);
  TypedProposal<PredictiveState> p;
  p.state = state;
  p.state.tracking = tt.state;  // keep target tracking's alarm counts going
  const TimePoint out_until = obs.now + c_.boot_time + c_.buffer;
  const TimePoint in_until = out_until + c_.metric_delay;
  WindowForecast out = Window(obs.forecast, obs.now, out_until);
  WindowForecast in = Window(obs.forecast, obs.now, in_until);
  bool new_minute = Learn(obs, out.peak && in.peak, &p.state);
  p.slo = SloStatus{c_.slo.max_underprovisioned_pct / 100, p.state.minutes,
                    p.state.short_minutes, p.state.margin,
                    p.state.undelivered_minutes};
  int current = obs.group.desired;
  const double u = target_.utilization();
  // Now: the latest minute's load, or target tracking's scale-out.
  int now_need = 0;
  std::string now_why;
  if (obs.load_history && !obs.load_history->empty()) {
    const MetricSample& latest = obs.load_history->back();
    now_need = InstancesFor(latest.value, u);
    now_why = Format(FMT_COMPILE("now {} needs {}"), Fixed(latest.value, 2),
                     now_need);
    if (AtFull(latest) && now_need > latest.instances) {
      // The load may be anywhere above what the signal shows (and the target
      // is below full, so its step adds instances). The target's
      // step finds it one round (metric delay + boot) at a time; the next
      // round's increase is taken now, the same number of instances again
      // (1 -> 3 -> 7 -> 17 at 60 %). If the load is no higher than shown,
      // the group holds (2 - u)x what the target asks, one round (the next
      // round's whole step, x 1/u^2 a round, would hold 1/u x).
      const int step = now_need;
      now_need = std::max(step, 2 * step - latest.instances);
      now_why =
          Format(FMT_COMPILE("now {} is at full on {} instance(s) (the "
                             "load above it is not seen): the step to "
                             "{} is taken twice, {}"),
                 Fixed(latest.value, 2), latest.instances, step, now_need);
    }
  }
  if (!out.peak || !in.peak) {
    p.target = tt.target;
    p.reason = "no forecast (" +
               (obs.forecast_error.empty() ? "it does not reach the lead window"
                                           : obs.forecast_error) +
               "); target tracking: " + tt.reason;
    p.code = {tt.code.reason, Via::kPredictiveFallback};
    if (c_.forecast_only) {
      p.target = current;
      p.code = {Reason::kForecastOnly};
    }
    return p;
  }
  if (tt.code == ReasonCode{Reason::kTtScaleOut} && tt.target > now_need) {
    now_need = tt.target;
    now_why = "target tracking: " + tt.reason;
  }
  double out_bound = Bound(out, p.state.out, p.state.margin);
  double in_bound = Bound(in, p.state.in, p.state.margin);
  if (new_minute) {
    // Counted when the scale-in window has passed (the configured windows:
    // the calibration is of those).
    p.state.pending.push_back({out.first->time, out.last->time, in.last->time,
                               out.peak->mean, in.peak->mean, out_bound,
                               in_bound});
  }
  // What the configured windows need; a warm pool may lower them below.
  const int cold_ahead = InstancesFor(out_bound, u);
  const int cold_keep = InstancesFor(in_bound, u);
  int ahead = cold_ahead;
  int keep = cold_keep;
  // A warm pool's launches are quicker (its 90th percentile, measured by
  // the loop): the shorter windows count when the pool holds what they
  // leave to later (scale-out: everything the cold window would add to the
  // current capacity; the way back: what the shorter window's scale-in
  // would have to take back). A launch slower than that has the buffer.
  std::string pool_why;
  if (const auto& pool = obs.group.warm_pool;
      pool && pool->launch && *pool->launch < c_.boot_time) {
    TimePoint warm_out = obs.now + *pool->launch + c_.buffer;
    WindowForecast wo = Window(obs.forecast, obs.now, warm_out);
    WindowForecast wi =
        Window(obs.forecast, obs.now, warm_out + c_.metric_delay);
    std::vector<std::string> used;
    // Only when the cold window adds capacity: otherwise it is a floor of
    // the scale-in, which only the way back may lower.
    if (wo.peak && ahead > current && pool->instances >= ahead - current) {
      int a = InstancesFor(Bound(wo, p.state.out, p.state.margin), u);
      if (a < ahead) {
        used.push_back(fmt::format("scale-out to {} needs {}",
                                   FormatIso8601(warm_out).substr(11, 5), a));
        ahead = std::max(a, current);
      }
    }
    if (wi.peak) {
      int k = InstancesFor(Bound(wi, p.state.in, p.state.margin), u);
      if (k < keep && pool->instances >= keep - k) {
        used.push_back(fmt::format("the way back needs {}", k));
        keep = k;
      }
    }
    if (!used.empty()) {
      pool_why = fmt::format("; warm pool ({} instance(s), launch {} s): {}",
                             pool->instances, WholeSeconds(*pool->launch),
                             fmt::join(used, ", "));
    }
  }
  int raw = std::max({now_need, ahead, 1});
  // Scale-in only to what the way back needs.
  if (raw < current) raw = std::min(current, std::max(raw, keep));
  int want = StabilizeScaleIn(&p.state.recommendations, obs.now,
                              c_.stabilization, raw, current);
  if (raw < current) want = std::min(want, current);
  const WindowCalibration& cal = p.state.out;
  std::string margin_why =
      cal.outcomes < kCalibrationMinOutcomes
          ? Format(FMT_COMPILE("forecaster's band {}, calibrating ({} "
                               "outcomes)"),
                   Fixed(out.band, 2), cal.outcomes)
          : Format(FMT_COMPILE("bias {:+.2f} + margin {} x spread {}; "
                               "short {} % of {} min for SLO {} %"),
                   cal.bias, Fixed(p.state.margin, 2), Fixed(cal.spread, 2),
                   Fixed(p.state.minutes > 0
                             ? 100 * p.state.short_minutes / p.state.minutes
                             : 0.0,
                         1),
                   Fixed(p.state.minutes, 0), c_.slo.max_underprovisioned_pct);
  p.reason =
      Format(FMT_COMPILE("forecast max {} by {} (bound {}: {}) needs {}; {}; "
                         "the way back (to {}) needs {}"),
             Fixed(out.peak->mean, 2), FormatIso8601(out_until).substr(11, 5),
             Fixed(out_bound, 2), margin_why, cold_ahead, now_why,
             FormatIso8601(in_until).substr(11, 5), cold_keep);
  p.reason += pool_why;
  if (want < raw || (raw < current && want == current)) {
    p.reason += Format(FMT_COMPILE("; scale-in held at {} (highest of the last "
                                   "{} s)"),
                       want, WholeSeconds(c_.stabilization));
  }
  p.code = {want > current   ? (ahead >= now_need ? Reason::kPredForecastUp
                                                  : Reason::kPredReactiveUp)
            : want < current ? Reason::kPredForecastDown
                             : Reason::kPredHold};
  p.target = want;
  if (c_.forecast_only) {
    p.reason = fmt::format("forecast-only: would set {} ({})", want, p.reason);
    p.code = {Reason::kForecastOnly};
    p.target = current;
  }
  return p;
}

}  // namespace phas
