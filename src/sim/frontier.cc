#include "sim/frontier.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/tune.h"

namespace phas {
namespace {

using nlohmann::json;

// The curve ordered by cost (then by tau_U, the better first).
std::vector<CurvePoint> ByCost(std::vector<CurvePoint> curve) {
  std::stable_sort(curve.begin(), curve.end(),
                   [](const CurvePoint& a, const CurvePoint& b) {
                     if (a.scores.instance_hours != b.scores.instance_hours)
                       return a.scores.instance_hours < b.scores.instance_hours;
                     return a.scores.tau_u < b.scores.tau_u;
                   });
  return curve;
}

double Lerp(double a, double b, double f) { return a + f * (b - a); }

// Target tracking read at the policy's instance-hours.
void AtEqualCost(const std::vector<CurvePoint>& c, FrontierComparison* out) {
  double cost = out->scores.instance_hours;
  auto take = [&](const CurvePoint& p, CurveSide side) {
    out->cost_side = side;
    out->tt_target = p.target;
    out->tt_instance_hours = p.scores.instance_hours;
    out->tt_tau_u = p.scores.tau_u;
    out->tt_theta_u = p.scores.theta_u;
  };
  if (cost < c.front().scores.instance_hours) {
    take(c.front(), CurveSide::kBelow);
  } else if (cost > c.back().scores.instance_hours) {
    take(c.back(), CurveSide::kAbove);
  } else {
    size_t i = 0;
    while (i + 1 < c.size() && c[i + 1].scores.instance_hours < cost) ++i;
    const CurvePoint& a = c[i];
    const CurvePoint& b = i + 1 < c.size() ? c[i + 1] : c[i];
    double span = b.scores.instance_hours - a.scores.instance_hours;
    double f = span > 0 ? (cost - a.scores.instance_hours) / span : 0;
    out->cost_side = CurveSide::kInside;
    out->tt_target = Lerp(a.target, b.target, f);
    out->tt_instance_hours = cost;
    out->tt_tau_u = Lerp(a.scores.tau_u, b.scores.tau_u, f);
    out->tt_theta_u = Lerp(a.scores.theta_u, b.scores.theta_u, f);
  }
  const Scores& s = out->scores;
  if (out->tt_tau_u > 0) out->tau_u_ratio = s.tau_u / out->tt_tau_u;
  if (out->tt_theta_u > 0) out->theta_u_ratio = s.theta_u / out->tt_theta_u;
}

// The instance-hours target tracking needs to be short as rarely as the
// policy: the cheapest crossing of the policy's tau_U along the curve.
void AtEqualShortfall(const std::vector<CurvePoint>& c,
                      FrontierComparison* out) {
  double tau = out->scores.tau_u;
  double lo = c.front().scores.tau_u, hi = lo;
  for (const CurvePoint& p : c) {
    lo = std::min(lo, p.scores.tau_u);
    hi = std::max(hi, p.scores.tau_u);
  }
  if (tau < lo) {
    out->shortfall_side = CurveSide::kBelow;
    return;
  }
  if (tau > hi) {
    out->shortfall_side = CurveSide::kAbove;
    return;
  }
  for (size_t i = 0; i < c.size(); ++i) {
    const CurvePoint& a = c[i];
    const CurvePoint& b = i + 1 < c.size() ? c[i + 1] : c[i];
    double ta = a.scores.tau_u, tb = b.scores.tau_u;
    if (tau < std::min(ta, tb) || tau > std::max(ta, tb)) continue;
    double f = ta != tb ? (ta - tau) / (ta - tb) : 0;
    out->shortfall_side = CurveSide::kInside;
    out->tt_instance_hours_at_tau_u =
        Lerp(a.scores.instance_hours, b.scores.instance_hours, f);
    out->tt_target_at_tau_u = Lerp(a.target, b.target, f);
    if (out->tt_instance_hours_at_tau_u > 0) {
      out->cost_vs_tt_pct =
          100 *
          (out->scores.instance_hours / out->tt_instance_hours_at_tau_u - 1);
    }
    return;
  }
}

// A percentage as the verdicts write it: 2 decimals below 10, else 1.
std::string Pct(double v) {
  return std::fabs(v) < 10 ? fmt::format("{:.2f} %", v)
                           : fmt::format("{:.1f} %", v);
}

std::string Times(double r) {
  return r < 10 ? fmt::format("{:.1f}x", r) : fmt::format("{:.0f}x", r);
}

std::string TargetWords(double t) {
  return fmt::format("target tracking at {:.0f} %", t);
}

// "is short of capacity 4.1x less often (τ_U 1.20 % vs 4.90 %)", against
// target tracking's `tt` tau_U.
std::string ShortWords(double tau, double tt) {
  if (tau == 0 && tt == 0)
    return "is never short of capacity, nor is target tracking";
  if (tau == 0)
    return fmt::format(
        "is never short of capacity, where target tracking is short {} of "
        "the time",
        Pct(tt));
  if (tt == 0)
    return fmt::format(
        "is short of capacity {} of the time, where target tracking never is",
        Pct(tau));
  double r = tau / tt;
  std::string how = r < 1 / 1.05 ? Times(1 / r) + " less often"
                    : r > 1.05   ? Times(r) + " MORE often"
                                 : "about as often";
  return fmt::format("is short of capacity {} (τ_U {} vs {})", how, Pct(tau),
                     Pct(tt));
}

// "costs 18 % less" / "costs 3.2 % more" / "costs about the same".
std::string CostWords(double pct) {
  if (std::fabs(pct) < 0.5) return "costs about the same";
  return fmt::format("costs {:.0f} % {}", std::fabs(pct),
                     pct < 0 ? "less" : "more");
}

// The verdict: at equal cost, at equal shortfall (with more than one point
// on the curve), against the oracle.
std::string Verdict(const FrontierComparison& c,
                    const std::vector<CurvePoint>& curve) {
  std::string shortfall = ShortWords(c.scores.tau_u, c.tt_tau_u);
  std::string v;
  if (c.cost_side == CurveSide::kInside) {
    v = fmt::format("at the cost of {}, {} {}", TargetWords(c.tt_target),
                    c.policy, shortfall);
  } else {
    double pct = 100 * (c.scores.instance_hours / c.tt_instance_hours - 1);
    if (curve.size() == 1) {
      v = fmt::format("{} {} than {} and {}", c.policy, CostWords(pct),
                      TargetWords(c.tt_target), shortfall);
    } else {
      v = fmt::format(
          "{} costs {} than target tracking at any target tried ({:.0f} % {} "
          "than at {:.0f} %) and {}",
          c.policy, c.cost_side == CurveSide::kBelow ? "less" : "more",
          std::fabs(pct), pct < 0 ? "less" : "more", c.tt_target, shortfall);
    }
  }
  if (curve.size() > 1) {
    if (c.shortfall_side == CurveSide::kInside) {
      v += fmt::format("; at equal shortfall ({}) it {}",
                       TargetWords(c.tt_target_at_tau_u),
                       CostWords(c.cost_vs_tt_pct));
    } else if (c.shortfall_side == CurveSide::kBelow) {
      const CurvePoint& best = *std::min_element(
          curve.begin(), curve.end(), [](const auto& a, const auto& b) {
            return a.scores.tau_u < b.scores.tau_u;
          });
      v += fmt::format(
          "; no target tried makes target tracking short that rarely (at "
          "best τ_U {} at {:.0f} %)",
          Pct(best.scores.tau_u), best.target);
    } else {
      v += "; target tracking is short less often at every target tried";
    }
  }
  if (c.vs_oracle_pct) {
    double pct = *c.vs_oracle_pct;
    v += std::fabs(pct) < 0.5
             ? std::string(
                   "; it uses as many instance-hours as perfect "
                   "foresight")
             : fmt::format(
                   "; it uses {:.0f} % {} instance-hours than perfect "
                   "foresight",
                   std::fabs(pct), pct < 0 ? "fewer" : "more");
  }
  return v;
}

}  // namespace

const std::vector<double>& DefaultFrontierTargets() {
  static const std::vector<double> kTargets = {70, 65, 60, 55, 50, 45, 40, 35};
  return kTargets;
}

std::string CurveLabel(double target) {
  return "target-tracking@" + TuneNumber(target);
}

FrontierComparison CompareToCurve(const std::vector<CurvePoint>& curve,
                                  const std::string& policy,
                                  const Scores& scores,
                                  const std::optional<Scores>& oracle) {
  FrontierComparison out;
  out.policy = policy;
  out.scores = scores;
  if (oracle && oracle->instance_hours > 0) {
    out.vs_oracle_pct =
        100 * (scores.instance_hours / oracle->instance_hours - 1);
  }
  if (curve.empty()) return out;
  std::vector<CurvePoint> c = ByCost(curve);
  AtEqualCost(c, &out);
  AtEqualShortfall(c, &out);
  out.verdict = Verdict(out, c);
  return out;
}

Status CheckFrontierTargets(const std::vector<double>& targets) {
  if (targets.empty()) return Status::InvalidArgument("none given");
  for (size_t i = 0; i < targets.size(); ++i) {
    const double t = targets[i];
    if (!(t > 0 && t <= 100)) {
      return Status::InvalidArgument(
          fmt::format("{} is not a target in (0, 100] %", t));
    }
    // Runs are matched to the curve by label: a target given twice (or two
    // that print alike) put each of its runs on the curve twice.
    for (size_t k = 0; k < i; ++k) {
      if (CurveLabel(targets[k]) != CurveLabel(t)) continue;
      if (targets[k] == t) {
        return Status::InvalidArgument(
            fmt::format("{} given twice", TuneNumber(t)));
      }
      return Status::InvalidArgument(
          fmt::format("{} and {} are one target once rounded ({})", targets[k],
                      t, TuneNumber(t)));
    }
  }
  return Status::OK();
}

Result<std::vector<BacktestRun>> FrontierRuns(
    const std::vector<double>& targets,
    const std::vector<std::string>& policies, const BacktestOptions& world) {
  PHAS_RETURN_IF_ERROR(
      CheckFrontierTargets(targets).WithContext("frontier targets"));
  PHAS_ASSIGN_OR_RETURN(TuneKnob knob, FindTuneKnob("target-tracking"));
  // The curve's run nearest the default target keeps its minutes (charts).
  double keep = *std::min_element(
      targets.begin(), targets.end(), [&](double a, double b) {
        return std::fabs(a - knob.untuned) < std::fabs(b - knob.untuned);
      });
  std::vector<BacktestRun> runs;
  // The forecasting policies first: the longest runs.
  std::vector<std::string> order = policies;
  std::stable_partition(order.begin(), order.end(), [](const std::string& p) {
    return p.find("predictive") != std::string::npos;
  });
  for (const std::string& p : order) {
    if (p == "target-tracking" || p == "oracle") continue;
    auto it = world.policies.find(p);
    runs.push_back({p, it == world.policies.end()
                           ? std::nullopt
                           : std::optional<PolicyConfig>(it->second)});
  }
  for (double t : targets) {
    std::string snippet = TuneSnippet(knob, KnobSetting(knob, t, world), world);
    PHAS_ASSIGN_OR_RETURN(PolicyConfig pc, SnippetConfig(snippet, world));
    runs.push_back({knob.policy, pc, CurveLabel(t), t == keep});
  }
  runs.push_back({"oracle", std::nullopt});
  return runs;
}

TraceFrontier AnalyzeFrontier(const BacktestResult& r,
                              const std::vector<double>& targets) {
  TraceFrontier f;
  f.trace = r.trace;
  std::vector<std::string> labels;
  for (double t : targets) {
    labels.push_back(CurveLabel(t));
    for (const PolicyRun& p : r.runs) {
      if (p.policy == labels.back()) f.curve.push_back({t, p.scores});
    }
  }
  for (const PolicyRun& p : r.runs) {
    if (p.policy == "oracle") f.oracle = p.scores;
  }
  for (const PolicyRun& p : r.runs) {
    bool on_curve =
        std::find(labels.begin(), labels.end(), p.policy) != labels.end();
    if (on_curve || p.policy == "oracle" || p.policy == "target-tracking")
      continue;
    f.policies.push_back(CompareToCurve(f.curve, p.policy, p.scores, f.oracle));
  }
  return f;
}

TraceFrontier DefaultComparison(const BacktestResult& r) {
  TraceFrontier f;
  f.trace = r.trace;
  double target = 60;
  if (auto it = r.options.policies.find("target-tracking");
      it != r.options.policies.end()) {
    double full = SimulatedSignal(r.options.signal).full.value_or(100);
    target = 100 * it->second.target.value / full;
  }
  for (const PolicyRun& p : r.runs) {
    if (p.policy == "target-tracking") f.curve.push_back({target, p.scores});
    if (p.policy == "oracle") f.oracle = p.scores;
  }
  if (f.curve.empty()) return f;
  for (const PolicyRun& p : r.runs) {
    if (p.policy == "oracle" || p.policy == "target-tracking") continue;
    f.policies.push_back(CompareToCurve(f.curve, p.policy, p.scores, f.oracle));
  }
  return f;
}

std::string FrontierTable(const TraceFrontier& f) {
  std::string out = fmt::format(
      "frontier of {} (target tracking's tauU and thetaU at the policy's "
      "instance-hours; its instance-hours at the policy's tauU)\n",
      f.trace);
  out += fmt::format(
      "{:<16} {:>9} {:>9} {:>7} {:>14} {:>6} {:>8} {:>9} "
      "{:>6} {:>14} {:>8}\n",
      "policy", "inst-h", "vs oracle", "tauU%", "TT tauU% (at)", "ratio",
      "thetaU%", "TT thetaU", "ratio", "TT inst-h same", "cost");
  auto ratio = [](const std::optional<double>& r) {
    return r ? fmt::format("{:.2f}", *r) : std::string("-");
  };
  for (const FrontierComparison& c : f.policies) {
    std::string at =
        c.cost_side == CurveSide::kInside
            ? fmt::format("{:.2f} ({:.0f})", c.tt_tau_u, c.tt_target)
            : std::string("outside curve");
    std::string same = c.shortfall_side == CurveSide::kInside
                           ? fmt::format("{:.1f}", c.tt_instance_hours_at_tau_u)
                           : std::string("outside curve");
    out += fmt::format(
        "{:<16} {:>9.1f} {:>9} {:>7.2f} {:>14} {:>6} {:>8.2f} {:>9} {:>6} "
        "{:>14} {:>8}\n",
        c.policy, c.scores.instance_hours,
        c.vs_oracle_pct ? fmt::format("{:+.1f}%", *c.vs_oracle_pct) : "-",
        c.scores.tau_u, at,
        c.cost_side == CurveSide::kInside ? ratio(c.tau_u_ratio) : "-",
        c.scores.theta_u,
        c.cost_side == CurveSide::kInside ? fmt::format("{:.2f}", c.tt_theta_u)
                                          : "-",
        c.cost_side == CurveSide::kInside ? ratio(c.theta_u_ratio) : "-", same,
        c.shortfall_side == CurveSide::kInside
            ? fmt::format("{:+.1f}%", c.cost_vs_tt_pct)
            : "-");
  }
  out += "target tracking (target: inst-h, tauU):";
  for (const CurvePoint& p : f.curve) {
    out += fmt::format(" {:.0f}%: {:.1f}, {:.2f};", p.target,
                       p.scores.instance_hours, p.scores.tau_u);
  }
  if (f.oracle) {
    out += fmt::format(" oracle: {:.1f}, {:.2f}", f.oracle->instance_hours,
                       f.oracle->tau_u);
  }
  out += "\n";
  for (const FrontierComparison& c : f.policies) {
    out += "verdict: " + c.verdict + "\n";
  }
  return out;
}

namespace {

json PointJson(const Scores& s) {
  return {{"instance_hours", s.instance_hours},
          {"tau_u", s.tau_u},
          {"theta_u", s.theta_u},
          {"tau_o", s.tau_o},
          {"theta_o", s.theta_o},
          {"actions", s.actions}};
}

std::string SideName(CurveSide s) {
  switch (s) {
    case CurveSide::kInside:
      return "inside";
    case CurveSide::kBelow:
      return "below";
    case CurveSide::kAbove:
      return "above";
  }
  return "inside";
}

json Optional(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json FrontierJson(const TraceFrontier& f) {
  json curve = json::array();
  for (const CurvePoint& p : f.curve) {
    json j = PointJson(p.scores);
    j["target"] = p.target;
    curve.push_back(j);
  }
  json policies = json::array();
  for (const FrontierComparison& c : f.policies) {
    json j = PointJson(c.scores);
    j["policy"] = c.policy;
    j["equal_cost"] = {{"side", SideName(c.cost_side)},
                       {"target", c.tt_target},
                       {"instance_hours", c.tt_instance_hours},
                       {"tau_u", c.tt_tau_u},
                       {"theta_u", c.tt_theta_u},
                       {"tau_u_ratio", Optional(c.tau_u_ratio)},
                       {"theta_u_ratio", Optional(c.theta_u_ratio)}};
    j["equal_shortfall"] = {{"side", SideName(c.shortfall_side)}};
    if (c.shortfall_side == CurveSide::kInside) {
      j["equal_shortfall"]["target"] = c.tt_target_at_tau_u;
      j["equal_shortfall"]["instance_hours"] = c.tt_instance_hours_at_tau_u;
      j["equal_shortfall"]["cost_vs_tt_pct"] = c.cost_vs_tt_pct;
    }
    j["vs_oracle_pct"] = Optional(c.vs_oracle_pct);
    j["verdict"] = c.verdict;
    policies.push_back(j);
  }
  return {{"trace", f.trace},
          {"curve", curve},
          {"oracle", f.oracle ? PointJson(*f.oracle) : json(nullptr)},
          {"policies", policies}};
}

}  // namespace phas
