#include "sim/tune_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sim/report.h"

namespace phas {
namespace {

using nlohmann::json;

std::string Window(TimePoint a, TimePoint b) {
  return fmt::format("{} .. {} ({:.1f} h)", FormatIso8601(a), FormatIso8601(b),
                     std::chrono::duration<double>(b - a).count() / 3600);
}

// "target (cpu, %)" or "slo.max_underprovisioned_pct".
std::string KnobTitle(const TuneKnob& k, const BacktestOptions& world) {
  if (!k.in_signal_share) return k.key;
  LoadSignal s = SimulatedSignal(world.signal).Describe(60);
  std::string unit = s.unit;
  if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  return fmt::format("{} ({}, {})", k.key, s.name, unit);
}

std::string Indent(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out += "  " + text.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  return out;
}

json ScoresJson(const Scores& s) {
  return {{"instance_hours", s.instance_hours},
          {"tau_u", s.tau_u},
          {"theta_u", s.theta_u},
          {"tau_o", s.tau_o},
          {"theta_o", s.theta_o},
          {"actions", s.actions},
          {"minutes", s.minutes}};
}

}  // namespace

std::string TuneText(const TuneResult& r) {
  const BacktestOptions& w = r.world;
  std::string out = fmt::format(
      "phas tune: trace {} ({}; smoothing {}; boot {:.0f} s; interval {:.0f} "
      "s; metrics read {}; group {}..{})\n",
      r.trace, r.mapping, r.smoothing,
      std::chrono::duration<double>(w.boot_time).count(),
      std::chrono::duration<double>(w.interval).count(), MetricsReadWords(w),
      w.min_size, w.max_size);
  out += fmt::format(
      "fit window:   {}: every setting below ran here, and the choice was "
      "made here\n",
      Window(r.windows.start, r.windows.split));
  out += fmt::format(
      "score window: {}: not used for any choice; only the check at the end "
      "is scored there\n",
      Window(r.windows.split, r.windows.end));
  out += fmt::format(
      "SLO: under-provisioned (tau_U) at most {} % of the time; {} backtests "
      "in {:.1f} s\n",
      TuneNumber(r.slo_tau_u), r.runs, r.wall_seconds);
  for (const TunePolicy& p : r.policies) {
    out += fmt::format("\n{}, knob {}, fit window (* on the frontier)\n",
                       p.knob.policy, KnobTitle(p.knob, w));
    size_t wide = std::max<size_t>(10, p.knob.key.size());
    out += fmt::format("  {:>{}} {:>10} {:>8} {:>8}\n", p.knob.key, wide,
                       "inst-h", "tauU%", "thetaU%");
    for (size_t j = 0; j < p.points.size(); ++j) {
      const TunePoint& pt = p.points[j];
      bool chosen = r.choice.policy >= 0 &&
                    &p == &r.policies[r.choice.policy] &&
                    static_cast<int>(j) == r.choice.point;
      out +=
          fmt::format("  {:>{}} {:>10.1f} {:>8.2f} {:>8.2f} {:1}{}\n",
                      TuneNumber(pt.setting), wide, pt.fit.instance_hours,
                      pt.fit.tau_u, pt.fit.theta_u, pt.on_frontier ? "*" : "",
                      chosen ? " <- recommended" : "");
    }
  }
  if (r.choice.policy < 0) return out;
  const Scores& fit = r.policies[r.choice.policy].points[r.choice.point].fit;
  out += fmt::format(
      "\nrecommendation: {}: {:.1f} instance-hours, tau_U {:.2f} % on the fit "
      "window: {}\n",
      r.label, fit.instance_hours, fit.tau_u,
      r.choice.meets_slo
          ? fmt::format("the cheapest setting within the SLO ({} %)",
                        TuneNumber(r.slo_tau_u))
          : fmt::format("no setting meets the SLO ({} %); this one is the "
                        "least under-provisioned",
                        TuneNumber(r.slo_tau_u)));
  out += fmt::format(
      "\ncheck on the score window ({:.1f} h after the fit window, never used "
      "to choose):\n",
      r.windows.score_hours());
  out += fmt::format("  {:<40} {:>10} {:>8} {:>8}  SLO {} %\n", "setting",
                     "inst-h", "tauU%", "thetaU%", TuneNumber(r.slo_tau_u));
  auto row = [&](const std::string& label, const Scores& s) {
    out += fmt::format("  {:<40} {:>10.1f} {:>8.2f} {:>8.2f}  {}\n", label,
                       s.instance_hours, s.tau_u, s.theta_u,
                       s.tau_u <= r.slo_tau_u ? "held" : "missed");
  };
  row(r.label, r.score_choice);
  row(r.untuned_label, r.score_untuned);
  out += fmt::format(
      "\npaste into the group's entry (docs/scaler.md, \"Configuration "
      "shape\"):\n{}",
      Indent(r.snippet));
  return out;
}

json TuneJson(const TuneResult& r) {
  json policies = json::array();
  for (const TunePolicy& p : r.policies) {
    json points = json::array();
    for (const TunePoint& pt : p.points) {
      json j = ScoresJson(pt.fit);
      j["setting"] = pt.setting;
      j["on_frontier"] = pt.on_frontier;
      points.push_back(j);
    }
    policies.push_back({{"policy", p.knob.policy},
                        {"section", p.knob.section},
                        {"key", p.knob.key},
                        {"points", points}});
  }
  json out = {{"trace", r.trace},
              {"mapping", r.mapping},
              {"smoothing", r.smoothing},
              {"fit_window",
               {{"start", FormatIso8601(r.windows.start)},
                {"end", FormatIso8601(r.windows.split)},
                {"hours", r.windows.fit_hours()}}},
              {"score_window",
               {{"start", FormatIso8601(r.windows.split)},
                {"end", FormatIso8601(r.windows.end)},
                {"hours", r.windows.score_hours()}}},
              {"slo_tau_u", r.slo_tau_u},
              {"policies", policies},
              {"runs", r.runs},
              {"wall_seconds", r.wall_seconds}};
  if (r.choice.policy >= 0) {
    out["recommendation"] = {
        {"label", r.label},
        {"policy", r.policies[r.choice.policy].knob.policy},
        {"setting", r.policies[r.choice.policy].points[r.choice.point].setting},
        {"meets_slo_on_fit", r.choice.meets_slo},
        {"snippet", r.snippet},
        {"score_window", ScoresJson(r.score_choice)}};
    out["untuned"] = {{"label", r.untuned_label},
                      {"score_window", ScoresJson(r.score_untuned)}};
  }
  return out;
}

}  // namespace phas
