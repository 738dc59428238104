// The frontier (`phas backtest --frontier`): which policy, and why, against
// target tracking's cost-vs-under-provisioning curve.
//
// Target tracking's cost and its time short of capacity both follow its
// target: a lower target buys fewer short minutes with more instances. Its
// runs at several targets (scores always judged at the world's target
// utilization; only the policy's own target moves) make a curve of
// (instance-hours, tau_U). Each other policy is one point, judged against it
// two ways, with the curve read linearly between the two targets that
// bracket the value:
//   at equal cost       target tracking's tau_U and theta_U at the policy's
//                       instance-hours (and the target that costs that);
//   at equal shortfall  the instance-hours target tracking needs to be short
//                       of capacity as little as the policy is;
// and against the oracle (perfect foresight): instance-hours vs its. Out of
// the curve's range there is no reading: the comparison is with the nearest
// end, and the words say so. The verdict is one sentence made from those
// numbers, honest when the policy loses.
//
// Thread-safety: stateless functions.
#ifndef PHAS_SIM_FRONTIER_H_
#define PHAS_SIM_FRONTIER_H_

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/backtest.h"
#include "sim/scoring.h"

namespace phas {

// Target tracking at one target (% of one instance fully used).
struct CurvePoint {
  double target = 0;
  Scores scores;
};

// Where a value falls against the curve's range.
enum class CurveSide { kInside, kBelow, kAbove };

// One policy against the curve. Percentages are of time (tau) or of need
// (theta), as Scores has them.
struct FrontierComparison {
  std::string policy;
  Scores scores;
  // At equal cost: where the policy's instance-hours fall on the curve.
  CurveSide cost_side = CurveSide::kInside;
  // Inside: target tracking interpolated at the policy's instance-hours.
  // Below / above: the curve's cheapest / dearest point.
  double tt_target = 0;
  double tt_instance_hours = 0;
  double tt_tau_u = 0;
  double tt_theta_u = 0;
  // policy / target tracking; unset when target tracking's is 0.
  std::optional<double> tau_u_ratio, theta_u_ratio;
  // At equal shortfall: where the policy's tau_U falls among the curve's
  // (kBelow: target tracking is never that rarely short; kAbove: it is
  // always less often short).
  CurveSide shortfall_side = CurveSide::kInside;
  // Inside: the instance-hours target tracking needs for the policy's
  // tau_U (the cheapest crossing), and the policy's cost against them, %.
  double tt_instance_hours_at_tau_u = 0;
  double tt_target_at_tau_u = 0;
  double cost_vs_tt_pct = 0;
  // Instance-hours against the oracle's, %; unset without an oracle.
  std::optional<double> vs_oracle_pct;
  std::string verdict;
};

// `policy` with `scores` against the curve (any order; at least one point)
// and the oracle's scores if it ran. The verdict is filled.
FrontierComparison CompareToCurve(const std::vector<CurvePoint>& curve,
                                  const std::string& policy,
                                  const Scores& scores,
                                  const std::optional<Scores>& oracle);

// One trace's frontier: target tracking's curve, the oracle, each other
// policy compared.
struct TraceFrontier {
  std::string trace;
  std::vector<CurvePoint> curve;  // in the targets' order
  std::optional<Scores> oracle;
  std::vector<FrontierComparison> policies;
};

// The default targets of --frontier, %.
const std::vector<double>& DefaultFrontierTargets();

// The label of target tracking's run at `target` ("target-tracking@57.5").
std::string CurveLabel(double target);

// OK for a list of target tracking's targets a frontier can draw: not
// empty, each in (0, 100] %, no two alike once rounded (runs are matched
// to the curve by label); InvalidArgument saying which.
Status CheckFrontierTargets(const std::vector<double>& targets);

// The runs of a frontier on `world`: target tracking at each target (`%` of
// one instance fully used, in the world's signal), then `policies` (any
// but target-tracking and oracle; configured as world.policies says, else
// at their defaults), then the oracle. Runs of the curve other than the
// default target (60) keep no per-minute record. InvalidArgument when
// CheckFrontierTargets refuses the targets.
Result<std::vector<BacktestRun>> FrontierRuns(
    const std::vector<double>& targets,
    const std::vector<std::string>& policies, const BacktestOptions& world);

// The frontier of a backtest run with FrontierRuns' runs (found by their
// labels; runs not of the curve nor the oracle are the policies).
TraceFrontier AnalyzeFrontier(const BacktestResult& r,
                              const std::vector<double>& targets);

// Without a curve: each policy but target tracking and the oracle against
// target tracking at its default target (a one-point curve) and the
// oracle. Empty when target tracking did not run.
TraceFrontier DefaultComparison(const BacktestResult& r);

// A text table (one row per policy: its cost and shortfall, target
// tracking's at equal cost and the ratios, the cost target tracking needs
// for its shortfall, vs the oracle), the curve in one line, the verdicts.
std::string FrontierTable(const TraceFrontier& f);
// Every point and every comparison, with the verdicts.
nlohmann::json FrontierJson(const TraceFrontier& f);

}  // namespace phas

#endif  // PHAS_SIM_FRONTIER_H_
