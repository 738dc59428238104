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
    if (!std::isnan(f) && !std::isnan(y) && std::isfinite(c.recent_mae))
      c.recent_mae += alpha_ * (std::fabs(y - f) - c.recent_mae);
    f = kNaN;
    c.cursor->Append(y);
  }
  ++steps_;
}

const std::vector<double>& LiveChoice::Forecast(int horizon) {
  if (c_.empty()) {
    out_.assign(static_cast<size_t>(std::max(0, horizon)), kNaN);
    return out_;
  }
  if (forecast_at_ != steps_ + 1 ||
      out_.size() != static_cast<size_t>(horizon)) {
    const int h = std::max(horizon, o_.horizon);
    // The newest value is step steps_ - 1; what each says o_.horizon steps
    // after it is scored when that step arrives.
    const size_t slot = (steps_ - 1 + o_.horizon) % o_.horizon;
    for (Candidate& c : c_) {
      c.forecast = c.cursor->Forecast(h);
      if (steps_ > 0 && c.forecast.size() >= static_cast<size_t>(o_.horizon))
        c.pending[slot] = c.forecast[o_.horizon - 1];
    }
    size_t best = active_;
    for (size_t i = 0; i < c_.size(); ++i) {
      if (c_[i].recent_mae < c_[best].recent_mae) best = i;
    }
    if (best != active_) {
      active_ = best;
      since_ = steps_;
    }
    out_ = c_[active_].forecast;
    out_.resize(static_cast<size_t>(std::max(0, horizon)), kNaN);
    forecast_at_ = steps_ + 1;
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
  if (active_ == chosen_) return c_[active_].name;
  return fmt::format(
      "{} for the last {} steps (recent error {:.3f}, {} {:.3f})",
      c_[active_].name, steps_ - since_, c_[active_].recent_mae,
      c_[chosen_].name, c_[chosen_].recent_mae);
}

}  // namespace phas::forecast
