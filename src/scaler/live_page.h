// The scaler's live page (GET / on the metrics listener): one
// self-contained HTML document whose script fetches /status every 15 s
// and shows, per group, its conditions (AbleToScale, ScalingActive,
// ScalingLimited), capacity, signal, forecast at the horizon, last decision
// and last actions, and a time chart of the last hours: the load as
// instances needed at the target, the capacity in service and desired, the
// forecast and its band. The chart is drawn by the backtest report's chart
// script (common/time_chart_script.h) from the StatusBoard's
// TimeChart data, so there is one chart library. No network beyond
// /status, no external assets.
//
// Thread-safety: stateless.
#ifndef PHAS_SCALER_LIVE_PAGE_H_
#define PHAS_SCALER_LIVE_PAGE_H_

#include <string>

namespace phas {

std::string LivePageHtml();

}  // namespace phas

#endif  // PHAS_SCALER_LIVE_PAGE_H_
