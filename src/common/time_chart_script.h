// The time charts' inline script, shared by the backtest report
// (sim/report_charts.h) and the scaler's live page (scaler/live_page.h):
// it draws every <div class="timechart" data-src="ID"> from the JSON in the
// <script type="application/json" id="ID"> its data-src names (the shape
// of sim/report_charts.h's TimeChartData, which the scaler's StatusBoard
// also writes).
//
// Thread-safety: a constant.
#ifndef PHAS_COMMON_TIME_CHART_SCRIPT_H_
#define PHAS_COMMON_TIME_CHART_SCRIPT_H_

namespace phas {

const char* TimeChartScript();

}  // namespace phas

#endif  // PHAS_COMMON_TIME_CHART_SCRIPT_H_
