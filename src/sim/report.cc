#include "sim/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "sim/report_charts.h"

namespace phas {
namespace {

using nlohmann::json;

double Norm(const Scores& s) {
  return std::sqrt(s.theta_u * s.theta_u + s.theta_o * s.theta_o +
                   s.tau_u * s.tau_u + s.tau_o * s.tau_o);
}

const PolicyRun* Find(const BacktestResult& r, const std::string& policy) {
  for (const PolicyRun& p : r.runs) {
    if (p.policy == policy) return &p;
  }
  return nullptr;
}

// One line naming what was billed in minutes without data ("" when none).
std::string NoDataNote(const BacktestResult& r) {
  if (r.runs.empty() || r.runs.front().scores.no_data_minutes == 0) return "";
  std::string out = fmt::format(
      "{}: {:.0f} minutes without data are left out of every score, "
      "instance-hours included; "
      "billed in them:",
      r.trace, r.runs.front().scores.no_data_minutes);
  for (const PolicyRun& p : r.runs) {
    out += fmt::format(" {} {:.1f}", p.policy, p.scores.no_data_instance_hours);
  }
  return out;
}

}  // namespace

std::string MetricsReadWords(const BacktestOptions& o) {
  Duration refresh = MetricsRefresh(o.metrics_refresh, o.interval);
  if (refresh == Duration::zero()) return "every cycle";
  return fmt::format("every {} s",
                     std::chrono::duration<double>(refresh).count());
}

std::string ScoreTable(const BacktestResult& r) {
  // The whole trace's (the days are the replayed range's).
  std::string holes;
  if (r.trace_gaps > 0) {
    holes += fmt::format("; the trace has {} gap{}", r.trace_gaps,
                         r.trace_gaps > 1 ? "s" : "");
  }
  if (r.trace_missing > 0) {
    holes += fmt::format("{} {} row{} without a value",
                         holes.empty() ? "; the trace has" : ",",
                         r.trace_missing, r.trace_missing > 1 ? "s" : "");
  }
  std::string out = fmt::format(
      "trace {} ({}; smoothing {}; boot {} s; interval {} s; metrics read "
      "{}; {:.1f} days{})\n",
      r.trace, r.mapping, r.smoothing,
      std::chrono::duration_cast<std::chrono::seconds>(r.options.boot_time)
          .count(),
      std::chrono::duration_cast<std::chrono::seconds>(r.options.interval)
          .count(),
      MetricsReadWords(r.options),
      std::chrono::duration<double>(r.end - r.start).count() / 86400, holes);
  out += fmt::format(
      "{:<18} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>8} {:>8} "
      "{:>9}\n",
      "policy", "thetaU%", "thetaO%", "tauU%", "tauO%", "instab%", "jitter/h",
      "inst-h", "cost $", "actions", ">90%", "unserved");
  for (const PolicyRun& p : r.runs) {
    const Scores& s = p.scores;
    out += fmt::format(
        "{:<18} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} "
        "{:>10.1f} {:>9.2f} {:>8} "
        "{:>7.2f}% {:>9.2f}\n",
        p.policy, s.theta_u, s.theta_o, s.tau_u, s.tau_o, s.instability,
        s.jitter, s.instance_hours, s.cost, s.actions, s.over_threshold_pct,
        s.unserved_instance_hours);
  }
  std::string note = NoDataNote(r);
  if (!note.empty()) out += note + " inst-h\n";
  return out;
}

json BacktestJson(const BacktestResult& r) {
  json runs = json::array();
  for (const PolicyRun& p : r.runs) {
    const Scores& s = p.scores;
    json actions = json::array();
    for (const ActionEvent& a : p.result.actions) {
      actions.push_back(
          {{"time", FormatIso8601(a.time)}, {"from", a.from}, {"to", a.to}});
    }
    runs.push_back({{"policy", p.policy},
                    {"theta_u", s.theta_u},
                    {"theta_o", s.theta_o},
                    {"tau_u", s.tau_u},
                    {"tau_o", s.tau_o},
                    {"instability", s.instability},
                    {"jitter_per_hour", s.jitter},
                    {"instance_hours", s.instance_hours},
                    {"cost", s.cost},
                    {"actions", s.actions},
                    {"over_threshold_pct", s.over_threshold_pct},
                    {"unserved_instance_hours", s.unserved_instance_hours},
                    {"minutes_scored", s.minutes},
                    {"minutes_no_data", s.no_data_minutes},
                    {"instance_hours_no_data", s.no_data_instance_hours},
                    {"wall_seconds", p.wall_seconds},
                    {"cycle_us",
                     {{"p50", p.cycle_us.p50},
                      {"p90", p.cycle_us.p90},
                      {"p99", p.cycle_us.p99},
                      {"max", p.cycle_us.max},
                      {"mean", p.cycle_us.mean}}},
                    {"action_log", actions}});
  }
  const BacktestOptions& o = r.options;
  return {
      {"trace", r.trace},
      {"trace_gaps", r.trace_gaps},
      {"trace_rows_without_value", r.trace_missing},
      {"start", FormatIso8601(r.start)},
      {"end", FormatIso8601(r.end)},
      {"mapping", r.mapping},
      {"smoothing", r.smoothing},
      {"target_utilization", o.score.target_utilization},
      {"over_threshold", o.score.over_threshold},
      {"price_per_hour", o.score.price_per_hour},
      {"boot_seconds", std::chrono::duration<double>(o.boot_time).count()},
      {"metric_delay_seconds",
       std::chrono::duration<double>(o.metric_delay).count()},
      {"interval_seconds", std::chrono::duration<double>(o.interval).count()},
      {"metrics_refresh_seconds",
       std::chrono::duration<double>(
           MetricsRefresh(o.metrics_refresh, o.interval))
           .count()},
      {"min_size", o.min_size},
      {"max_size", o.max_size},
      {"peak_instance_units", r.trace_peak},
      {"runs", runs}};
}

namespace {

const char* kStyle =
    "body{font-family:sans-serif;margin:24px auto;color:#222;"
    "max-width:1000px;padding:0 12px}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}"
    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
    "th{background:#eef;font-weight:normal;vertical-align:bottom}"
    "td:first-child,th:first-child{text-align:left}"
    "h2{margin-top:36px;border-bottom:1px solid #ddd}"
    "ul.verdict li{margin:6px 0;line-height:1.4}"
    ".note{font-size:12px;color:#555}"
    ".timechart{position:relative;margin:8px 0 20px}"
    ".tc-bar button{margin-right:6px;font-size:12px}"
    ".tc-hint{font-size:12px;color:#666;margin-left:8px}"
    ".tc-legend span{display:inline-block;margin:4px 14px 0 0;font-size:12px}"
    ".tc-tip{position:absolute;display:none;background:#fff;border:1px solid "
    "#999;padding:6px 8px;font-size:12px;pointer-events:none;"
    "box-shadow:0 2px 6px rgba(0,0,0,.15);min-width:200px}";

// The flagship run whose worst day the report shows: predictive, else
// target tracking (at its default, or the curve's run that kept minutes),
// else the first run that kept its minutes. Null when none did.
const PolicyRun* Flagship(const BacktestResult& r) {
  const PolicyRun* tt = nullptr;
  const PolicyRun* first = nullptr;
  for (const PolicyRun& p : r.runs) {
    if (p.result.minutes.empty()) continue;
    if (p.policy == "predictive") return &p;
    if (!tt && p.policy.rfind("target-tracking", 0) == 0) tt = &p;
    if (!first) first = &p;
  }
  return tt ? tt : first;
}

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = s[0] - 'a' + 'A';
  return s;
}

// A time chart: its box and its data. Every '<' of the JSON (in names
// only) is \u003c: "</script>" would end the element, and "<!--<script>"
// (a run named so) made the parser take the element's end for text, so the
// rest of the report, its script included, became script data.
std::string TimeChart(const std::string& id, const nlohmann::json& data) {
  std::string j = DumpJson(data);
  for (size_t at = j.find('<'); at != std::string::npos; at = j.find('<', at))
    j.replace(at, 1, "\\u003c");
  return fmt::format(
      "<div class='timechart' data-src='{0}'></div>"
      "<script type='application/json' id='{0}'>{1}</script>",
      id, j);
}

std::string ScoresHtml(const BacktestResult& r) {
  const PolicyRun* oracle = Find(r, "oracle");
  std::string h =
      "<table class='scores'><tr><th>policy</th>"
      "<th>short of capacity, % of time (&tau;<sub>U</sub>)</th>"
      "<th>shortfall, % of the need (&theta;<sub>U</sub>)</th>"
      "<th>instance-hours</th>"
      "<th>vs perfect foresight</th>"
      "<th>time above 90 % utilisation, %</th>"
      "<th>unserved demand, instance-hours</th>"
      "<th>excess capacity, % of time (&tau;<sub>O</sub>)</th>"
      "<th>excess, % of the need (&theta;<sub>O</sub>)</th>"
      "<th>scaling actions</th>"
      "<th>supply and demand moving apart, % (instability)</th>"
      "<th>extra adaptations per hour (jitter)</th>"
      "<th>cost $</th></tr>";
  for (const PolicyRun& p : r.runs) {
    const Scores& s = p.scores;
    std::string vs = "-";
    if (oracle && oracle->scores.instance_hours > 0) {
      vs = fmt::format(
          "{:+.1f} %",
          100 * (s.instance_hours / oracle->scores.instance_hours - 1));
    }
    h += fmt::format(
        "<tr><td style='color:{}'>{}</td><td>{:.2f}</td><td>{:.2f}</td>"
        "<td>{:.1f}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td><td>{:.2f}</td><td>{}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td><td>{:.2f}</td></tr>",
        PolicyColor(p.policy), HtmlEscape(PolicyTitle(p.policy)), s.tau_u,
        s.theta_u, s.instance_hours, vs, s.over_threshold_pct,
        s.unserved_instance_hours, s.tau_o, s.theta_o, s.actions, s.instability,
        s.jitter, s.cost);
  }
  return h + "</table>";
}

std::string WorldLine(const BacktestResult& r) {
  const BacktestOptions& o = r.options;
  return fmt::format(
      "<p class='note'>{} &middot; smoothing {} &middot; boot {:.0f} s "
      "&middot; metric delay {:.0f} s &middot; metrics read {} &middot; "
      "group {}..{} &middot; scored {} to {}{}</p>",
      HtmlEscape(r.mapping), HtmlEscape(r.smoothing),
      std::chrono::duration<double>(o.boot_time).count(),
      std::chrono::duration<double>(o.metric_delay).count(),
      MetricsReadWords(o), o.min_size, o.max_size, FormatIso8601(r.scored_from),
      FormatIso8601(r.end),
      o.history_hours > 0
          ? fmt::format(" &middot; load history preloaded: {:.0f} h",
                        o.history_hours)
          : "");
}

std::string VerdictsHtml(const std::vector<BacktestResult>& results,
                         const std::vector<TraceFrontier>& fs) {
  std::string h = "<section id='verdicts'><h2>Verdict</h2>";
  for (size_t i = 0; i < results.size(); ++i) {
    h += fmt::format("<h3>{}</h3>", HtmlEscape(results[i].trace));
    if (fs[i].policies.empty()) {
      h += "<p class='verdict'>No comparison: target tracking did not run, "
           "or no other policy did.</p>";
      continue;
    }
    h += "<ul class='verdict'>";
    for (const FrontierComparison& c : fs[i].policies) {
      h += "<li>" + HtmlEscape(Capitalized(c.verdict)) + ".</li>";
    }
    h += "</ul>";
    if (fs[i].curve.size() == 1) {
      h += "<p class='note'>Against target tracking at its default target "
           "only: <code>phas backtest --frontier</code> compares at equal "
           "cost and equal shortfall over its targets.</p>";
    }
  }
  return h + "</section>";
}

std::string TraceHtml(const BacktestResult& r, const TraceFrontier& f,
                      size_t index) {
  std::string h = fmt::format("<section class='trace'><h2>{}</h2>{}",
                              HtmlEscape(r.trace), WorldLine(r));
  if (std::string svg = FrontierSvg(f); !svg.empty()) {
    h += "<h3>Cost vs time short of capacity</h3><p class='note'>Lower and "
         "to the left is better. Target tracking's line joins its runs at "
         "each target (scores judged at the world's target utilisation); "
         "hover a point for its figures.</p>" +
         svg;
  }
  h += "<h3>Over time</h3>" + TimeChart(fmt::format("tc-{}-all", index),
                                        TimeChartData(r, r.scored_from, r.end));
  if (const PolicyRun* flagship = Flagship(r)) {
    WorstDay w = FindWorstDay(r, *flagship);
    h += fmt::format(
        "<h3>Worst day</h3><p class='note'>{} to {}: the 24 hours with the "
        "most minutes {} was short of capacity ({} minutes), every policy at "
        "full resolution.</p>",
        FormatIso8601(w.from), FormatIso8601(w.to),
        HtmlEscape(PolicyTitle(flagship->policy)), w.short_minutes);
    h += TimeChart(fmt::format("tc-{}-worst", index),
                   TimeChartData(r, w.from, w.to));
  }
  h += "<h3>Scores</h3>" + ScoresHtml(r);
  if (std::string note = NoDataNote(r); !note.empty())
    h += "<p class='note'>" + HtmlEscape(note) + " instance-h.</p>";
  return h + "</section>";
}

}  // namespace

std::string BacktestHtml(const std::vector<BacktestResult>& results,
                         const std::vector<TraceFrontier>& frontiers) {
  std::vector<TraceFrontier> fs = frontiers;
  if (fs.size() != results.size()) {
    fs.clear();
    for (const BacktestResult& r : results) fs.push_back(DefaultComparison(r));
  }
  std::string h = fmt::format(
      "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
      "<title>phas backtest: which policy, and why</title><style>{}</style>"
      "</head><body><h1>phas backtest: which policy, and why</h1>",
      kStyle);
  h += VerdictsHtml(results, fs);
  for (size_t i = 0; i < results.size(); ++i) {
    h += TraceHtml(results[i], fs[i], i);
  }
  h += "<p class='note'>&tau;: timeshare, &theta;: accuracy (SPEC RG "
       "elasticity metrics, Herbst et al., BUNGEE 2015); definitions in "
       "docs/backtest.md. Demand: the instances needed to serve the load at "
       "the target utilisation.</p><script>";
  h += TimeChartScript();
  h += "</script></body></html>\n";
  return h;
}

namespace {

struct Aggregate {
  double norm = 0, theta_u = 0, theta_o = 0, tau_u = 0, tau_o = 0,
         actions_per_day = 0;
  double rel_cost = 0;
  int rel_n = 0, n = 0;
};

std::vector<std::pair<std::string, Aggregate>> Aggregates(
    const std::vector<BacktestResult>& rs) {
  std::map<std::string, Aggregate> by;
  std::vector<std::string> order;
  for (const BacktestResult& r : rs) {
    const PolicyRun* oracle = Find(r, "oracle");
    double days = std::max(
        1e-9, std::chrono::duration<double>(r.end - r.start).count() / 86400);
    for (const PolicyRun& p : r.runs) {
      if (!by.count(p.policy)) order.push_back(p.policy);
      Aggregate& a = by[p.policy];
      const Scores& s = p.scores;
      a.norm += Norm(s);
      a.theta_u += s.theta_u;
      a.theta_o += s.theta_o;
      a.tau_u += s.tau_u;
      a.tau_o += s.tau_o;
      a.actions_per_day += s.actions / days;
      a.n += 1;
      if (oracle && oracle->scores.instance_hours > 0) {
        a.rel_cost +=
            100.0 * (s.instance_hours / oracle->scores.instance_hours - 1.0);
        a.rel_n += 1;
      }
    }
  }
  std::vector<std::pair<std::string, Aggregate>> out;
  for (const std::string& p : order) {
    Aggregate a = by[p];
    a.norm /= a.n;
    a.theta_u /= a.n;
    a.theta_o /= a.n;
    a.tau_u /= a.n;
    a.tau_o /= a.n;
    a.actions_per_day /= a.n;
    if (a.rel_n) a.rel_cost /= a.rel_n;
    out.emplace_back(p, a);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.second.norm < y.second.norm;
  });
  return out;
}

}  // namespace

std::string Leaderboard(const std::vector<BacktestResult>& results) {
  std::string out =
      fmt::format("leaderboard over {} trace(s) (lower distance is better)\n",
                  results.size());
  out +=
      fmt::format("{:>4} {:<16} {:>9} {:>8} {:>8} {:>8} {:>8} {:>14} {:>12}\n",
                  "rank", "policy", "distance", "thetaU%", "thetaO%", "tauU%",
                  "tauO%", "inst-h vs oracle", "actions/day");
  int rank = 1;
  for (const auto& [p, a] : Aggregates(results)) {
    out += fmt::format(
        "{:>4} {:<16} {:>9.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>13.1f}% "
        "{:>12.1f}\n",
        rank++, p, a.norm, a.theta_u, a.theta_o, a.tau_u, a.tau_o, a.rel_cost,
        a.actions_per_day);
  }
  return out;
}

std::string LeaderboardMarkdown(const std::vector<BacktestResult>& results) {
  std::string out =
      "| rank | policy | distance | θ_U % | θ_O % | τ_U % | τ_O % | instance-h "
      "vs oracle | actions/day |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  int rank = 1;
  for (const auto& [p, a] : Aggregates(results)) {
    out += fmt::format(
        "| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:+.1f}% | "
        "{:.1f} |\n",
        rank++, p, a.norm, a.theta_u, a.theta_o, a.tau_u, a.tau_o, a.rel_cost,
        a.actions_per_day);
  }
  return out;
}

std::string ScoresMarkdown(const std::vector<BacktestResult>& results) {
  std::string out =
      "| trace | policy | θ_U % | θ_O % | τ_U % | τ_O % | instability % | "
      "jitter /h | instance-h | "
      "actions | >90% util % | unserved inst-h "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const BacktestResult& r : results) {
    for (const PolicyRun& p : r.runs) {
      const Scores& s = p.scores;
      out += fmt::format(
          "| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | "
          "{:.1f} | "
          "{} | {:.2f} | {:.2f} |\n",
          r.trace, p.policy, s.theta_u, s.theta_o, s.tau_u, s.tau_o,
          s.instability, s.jitter, s.instance_hours, s.actions,
          s.over_threshold_pct, s.unserved_instance_hours);
    }
  }
  for (const BacktestResult& r : results) {
    std::string note = NoDataNote(r);
    if (!note.empty()) out += "\n" + note + " instance-h.\n";
  }
  return out;
}

}  // namespace phas
