#include "forecast/live.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace phas::forecast {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

LiveChoice::LiveChoice(const FittedForecast& fit, const Series& series,
                       LiveChoiceOptions options)
    : o_(options),
      alpha_(1 - std::pow(0.5, 1.0 / std::max(1, options.half_life))),
      chosen_(fit.chosen),
      active_(fit.chosen),
      steps_(series.size()),
      since_(series.size()) {
  o_.horizon = std::max(1, o_.horizon);
  for (const FittedCandidate& f : fit.fitted) {
    Candidate c;
    c.model = f.model;
    c.name = f.model->name();
    c.upper_margin = f.upper_margin;
    c.cursor = f.model->Follow(series);
    c.recent_mae = f.holdout_mae;
    c.pending.assign(static_cast<size_t>(o_.horizon), kNaN);
    c_.push_back(std::move(c));
  }
  if (active_ >= c_.size()) active_ = chosen_ = 0;
}

void LiveChoice::Append(double y) {
  const size_t slot = steps_ % static_cast<size_t>(o_.horizon);
  for (Candidate& c : c_) {
    double& f = c.pending[slot];
    double e = std::fabs(y - f);  // NaN when either is
    if (std::isfinite(e)) {
      // A score that is not finite (a held-out stretch it could not
      // forecast) starts from the first error.
      c.recent_mae = std::isfinite(c.recent_mae)
                         ? c.recent_mae + alpha_ * (e - c.recent_mae)
                         : e;
    }
    f = kNaN;
    c.cursor->Append(y);
  }
  ++steps_;
}

const std::vector<double>& LiveChoice::Forecast(int horizon) {
  const size_t want = static_cast<size_t>(std::max(0, horizon));
  if (c_.empty()) {
    out_.assign(want, kNaN);
    return out_;
  }
  const int full = std::max(horizon, o_.horizon);
  if (forecast_at_ != steps_ + 1) {
    // The newest value is step steps_ - 1: what each candidate says
    // o_.horizon steps after it is scored when that step arrives. The
    // active one forecasts the whole horizon at once (it most often stays).
    const size_t slot = (steps_ + o_.horizon - 1) % o_.horizon;
    for (size_t i = 0; i < c_.size(); ++i) {
      Candidate& c = c_[i];
      c.forecast = c.cursor->Forecast(i == active_ ? full : o_.horizon);
      c.ahead = c.forecast.size() >= static_cast<size_t>(o_.horizon)
                    ? c.forecast[o_.horizon - 1]
                    : kNaN;
      if (steps_ > 0) c.pending[slot] = c.ahead;
    }
    // The lowest recent error among those that forecast now (NaN counts
    // as no score at all).
    auto score = [](double x) {
      return std::isnan(x) ? std::numeric_limits<double>::infinity() : x;
    };
    size_t best = active_;
    for (size_t i = 0; i < c_.size(); ++i) {
      if (std::isnan(c_[i].ahead)) continue;
      if (std::isnan(c_[best].ahead) ||
          score(c_[i].recent_mae) < score(c_[best].recent_mae))
        best = i;
    }
    if (best != active_) {
      active_ = best;
      since_ = steps_;
    }
    forecast_at_ = steps_ + 1;
    out_.clear();
  }
  if (out_.size() != want) {
    if (c_[active_].forecast.size() < static_cast<size_t>(full))
      c_[active_].forecast = c_[active_].cursor->Forecast(full);
    out_ = c_[active_].forecast;
    out_.resize(want, kNaN);
  }
  return out_;
}

double LiveChoice::recent_mae(size_t candidate) const {
  return candidate < c_.size() ? c_[candidate].recent_mae : kNaN;
}

double LiveChoice::upper_margin() const {
  return c_.empty() ? 0 : c_[active_].upper_margin;
}

const std::string& LiveChoice::name() const {
  static const std::string kNone;
  return c_.empty() ? kNone : c_[active_].name;
}

std::string LiveChoice::Describe() const {
  if (c_.empty()) return "";
  const Candidate& a = c_[active_];
  if (active_ == chosen_) return a.name;
  return fmt::format(
      "{} forecasts, for {} steps (recent error {:.3f} against {}'s {:.3f}; "
      "band {:.3f})",
      a.name, steps_ - since_ + 1, a.recent_mae, c_[chosen_].name,
      c_[chosen_].recent_mae, a.upper_margin);
}

}  // namespace phas::forecast
