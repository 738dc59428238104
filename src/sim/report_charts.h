// The charts of the backtest report (sim/report.h, BacktestHtml):
//   - the cost vs under-provisioning frontier, static SVG: target tracking's
//     curve over its targets, each other policy a point, the oracle's
//     corner;
//   - time charts: the data (per-policy capacity, the demand in instances
//     needed at the target, the forecast a policy saw and its band,
//     utilisation), downsampled to at most kMaxChartPoints buckets (each the
//     highest value of its minutes), as JSON that the inline script
//     (TimeChartScript) draws as SVG with zoom and hover;
//   - the worst day: the 24 hours with the most minutes short of capacity.
//
// Thread-safety: stateless functions.
#ifndef PHAS_SIM_REPORT_CHARTS_H_
#define PHAS_SIM_REPORT_CHARTS_H_

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/time_chart_script.h"  // TimeChartScript, the charts' script
#include "sim/backtest.h"
#include "sim/frontier.h"

namespace phas {

// Buckets of a time chart at most (the file stays small on long traces).
inline constexpr int kMaxChartPoints = 6000;

// `s` safe inside HTML text and attribute values.
std::string HtmlEscape(const std::string& s);

// A policy's colour in every chart of the report ("#1f6fb2"), stable by
// name; a curve label ("target-tracking@60") takes target tracking's.
std::string PolicyColor(const std::string& policy);
// "target-tracking@60" -> "target tracking at 60 %"; other names as they
// are.
std::string PolicyTitle(const std::string& policy);

// The frontier chart of one trace (an <svg> element, class "frontier").
// "" when the frontier has no curve.
std::string FrontierSvg(const TraceFrontier& f);

// The 24 hours (or the whole scored range, when shorter) of `r` with the
// most minutes `run` was short of capacity: [from, to).
struct WorstDay {
  TimePoint from, to;
  int short_minutes = 0;
};
WorstDay FindWorstDay(const BacktestResult& r, const PolicyRun& run);

// The data of a time chart over [from, to) (on minutes): every run of `r`
// that kept its minutes, downsampled to buckets of the smallest of 1, 5,
// 15, 30, 60, 120 ... minutes that keeps at most kMaxChartPoints.
nlohmann::json TimeChartData(const BacktestResult& r, TimePoint from,
                             TimePoint to);

}  // namespace phas

#endif  // PHAS_SIM_REPORT_CHARTS_H_
