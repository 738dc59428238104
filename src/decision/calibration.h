// Online calibration of the predictive policy's margin (pure: outcomes in,
// estimates out).
//
// Two loops, both fed only by what a group's own metrics show afterwards:
//   1. per lead window (the scale-out window, boot + buffer; the scale-in
//      window, metric delay + boot + buffer), the error of the forecast of
//      the window's HIGHEST load: r = actual max - forecast max. Its bias and
//      its spread (mean absolute deviation, robust: one outlier moves it a
//      bounded step) are exponentially weighted averages with a half-day
//      memory; how often the issued bound was exceeded is measured too.
//   2. the margin m, in spreads, that the bound adds:
//        bound = forecast max + bias + m * spread.
//      m is adapted to the service level asked, from the realised outcome of
//      every minute (short of capacity at target, or not):
//        m <- clamp(m + step * (short - slo), lo, hi)
//      the update of adaptive conformal inference (Gibbs & Candes, NeurIPS
//      2021) in its quantile-tracking form (Angelopoulos, Candes & Tibshirani,
//      "Conformal PID control", NeurIPS 2023): whatever the load's
//      distribution, the long-run fraction of short minutes approaches `slo`
//      as long as m stays inside its bounds. A minute at MaxSize is not
//      counted: no margin could have served it.
//
// Thread-safety: plain values and stateless functions.
#ifndef PHAS_DECISION_CALIBRATION_H_
#define PHAS_DECISION_CALIBRATION_H_

#include <optional>
#include <vector>

#include "decision/fields.h"
#include "decision/types.h"

namespace phas {

// One lead window's forecast error, measured as outcomes arrive.
struct WindowCalibration {
  double bias = 0;      // mean of r = actual max - forecast max
  double spread = 0;    // mean |r - bias|
  double exceeded = 0;  // share of outcomes above the issued bound
  int outcomes = 0;

  void Describe(FieldVisitor& v) {
    v.Number("bias", &bias);
    v.Number("spread", &spread, 0);
    v.Number("exceeded", &exceeded, 0, 1);
    v.Integer("outcomes", &outcomes, 0);
  }
  friend bool operator==(const WindowCalibration&,
                         const WindowCalibration&) = default;
};

// The memory of the averages, in outcomes (one per minute): half a day.
inline constexpr double kCalibrationMemory = 720;
// Outcomes before the calibration replaces the forecaster's own band.
inline constexpr int kCalibrationMinOutcomes = 30;

// `c` with one outcome counted: the window's actual highest load, the
// forecast's highest mean over it, and the bound issued for it.
WindowCalibration Calibrate(WindowCalibration c, double actual_max,
                            double forecast_max, double bound);

// A forecast waiting for its window to pass. Times are the load series'
// minutes (the first and last minute of each window).
struct PendingOutcome {
  std::optional<TimePoint> from;
  std::optional<TimePoint> out_until;  // the scale-out window's last minute
  std::optional<TimePoint> in_until;   // the scale-in window's last minute
  double out_max = 0, in_max = 0;      // the forecast's highest mean
  double out_bound = 0, in_bound = 0;  // the bounds issued

  void Describe(FieldVisitor& v) {
    v.Time("from", &from);
    v.Time("out_until", &out_until);
    v.Time("in_until", &in_until);
    v.Number("out_max", &out_max);
    v.Number("in_max", &in_max);
    v.Number("out_bound", &out_bound);
    v.Number("in_bound", &in_bound);
  }
  friend bool operator==(const PendingOutcome&,
                         const PendingOutcome&) = default;
};

// The highest value of `history` (time-ordered) over [from, until], or
// nullopt when fewer than half of those minutes have data.
std::optional<double> MaxOver(const std::vector<MetricSample>& history,
                              TimePoint from, TimePoint until);

// The margin controller (loop 2 above).
struct MarginControl {
  static constexpr double kStep = 0.05;  // spreads per minute short
  static constexpr double kLow = -4, kHigh = 12;
  static constexpr double kStart = 1.5;
};
double AdaptMargin(double margin, bool short_minute, double slo);

}  // namespace phas

#endif  // PHAS_DECISION_CALIBRATION_H_
