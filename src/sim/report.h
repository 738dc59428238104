// How backtest results are shown: a text table (policies as rows), JSON for
// machines, one self-contained HTML report with SVG charts, and the suite's
// leaderboard.
//
// Thread-safety: stateless functions.
#ifndef PHAS_SIM_REPORT_H_
#define PHAS_SIM_REPORT_H_

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "sim/backtest.h"
#include "sim/frontier.h"

namespace phas {

std::string ScoreTable(const BacktestResult& r);
// How often the loop read the metrics: "every 60 s", "every cycle".
std::string MetricsReadWords(const BacktestOptions& o);
nlohmann::json BacktestJson(const BacktestResult& r);
// A complete HTML document, inline CSS, SVG and script, no network: "which
// policy, and why". A verdict per trace (from `frontiers`, parallel to
// `results`; otherwise each policy against target tracking at its default
// and the oracle, DefaultComparison), then per trace the cost vs
// under-provisioning chart, a time chart of every run that kept its
// minutes (zoom and hover), the worst day of the flagship policy
// (predictive, else target tracking) and the scores in plain words with
// the BUNGEE symbols.
std::string BacktestHtml(const std::vector<BacktestResult>& results,
                         const std::vector<TraceFrontier>& frontiers = {});

// One row per policy, averaged over traces, ranked by the Euclidean norm of
// (theta_U, theta_O, tau_U, tau_O) (lower is better: the distance from the
// ideal of supply equal to demand at every minute), with instance-hours
// relative to the oracle where it ran.
std::string Leaderboard(const std::vector<BacktestResult>& results);
// The same as a Markdown table (docs/benchmarks.md).
std::string LeaderboardMarkdown(const std::vector<BacktestResult>& results);
// Per trace x policy, Markdown.
std::string ScoresMarkdown(const std::vector<BacktestResult>& results);

}  // namespace phas

#endif  // PHAS_SIM_REPORT_H_
