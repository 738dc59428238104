#include "sim/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace phas {
namespace {

using nlohmann::json;

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

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

// One chart: demand needed (at the target utilization) and supply over time,
// actions marked.
std::string Chart(const BacktestResult& r, const PolicyRun& run) {
  const auto& minutes = run.result.minutes;
  const double W = 960, H = 200, L = 40, B = 20;
  size_t n = minutes.size();
  if (n == 0) return "<p>no data</p>";
  size_t buckets = std::min<size_t>(n, 960);
  std::vector<double> need(buckets, 0), supply(buckets, 0);
  std::vector<bool> has(buckets, false);
  double u = r.options.score.target_utilization;
  double top = 1;
  for (size_t i = 0; i < n; ++i) {
    size_t b = i * buckets / n;
    supply[b] = std::max<double>(supply[b], minutes[i].in_service);
    if (!std::isnan(minutes[i].demand)) {
      need[b] =
          std::max<double>(need[b], DemandInstances(minutes[i].demand, u));
      has[b] = true;
    }
    top = std::max({top, supply[b], need[b]});
  }
  top *= 1.1;
  auto x = [&](size_t b) { return L + (W - L) * b / buckets; };
  auto y = [&](double v) { return (H - B) - (H - B - 5) * v / top; };
  std::string demand_path, supply_path;
  bool pen_up = true;
  for (size_t b = 0; b < buckets; ++b) {
    if (!has[b]) {
      pen_up = true;
      continue;
    }
    demand_path +=
        fmt::format("{}{:.1f},{:.1f} ", pen_up ? "M" : "L", x(b), y(need[b]));
    pen_up = false;
  }
  for (size_t b = 0; b < buckets; ++b) {
    supply_path += fmt::format("{}{:.1f},{:.1f} H{:.1f} ", b == 0 ? "M" : "L",
                               x(b), y(supply[b]), x(b + 1));
  }
  std::string svg = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{0}' height='{1}' "
      "viewBox='0 0 {0} {1}' "
      "role='img' aria-label='{2}: demand and capacity'>"
      "<rect x='0' y='0' width='{0}' height='{1}' fill='#fbfbfd'/>",
      W, H, Escape(run.policy));
  // Integer grid lines, about four of them.
  int step = std::max(1, static_cast<int>(std::ceil(top / 4)));
  for (int v = 0; v <= top; v += step) {
    svg += fmt::format(
        "<line x1='{}' x2='{}' y1='{:.1f}' y2='{:.1f}' stroke='#ddd'/>"
        "<text x='4' y='{:.1f}' font-size='10' fill='#555'>{}</text>",
        L, W, y(v), y(v), y(v) + 3, v);
  }
  double days =
      std::chrono::duration<double>(r.end - r.start).count() / 86400.0;
  int ticks = std::min(12, std::max(1, static_cast<int>(std::ceil(days))));
  for (int k = 0; k <= ticks; ++k) {
    double xx = L + (W - L) * k / ticks;
    double hours = days * 24 * k / ticks;
    svg += fmt::format(
        "<text x='{:.1f}' y='{}' font-size='10' fill='#555'>{}</text>", xx - 8,
        H - 5,
        hours >= 48 ? fmt::format("{:.0f}d", hours / 24)
                    : fmt::format("{:.0f}h", hours));
  }
  svg += fmt::format(
      "<path d='{}' fill='none' stroke='#e4572e' stroke-width='1.2'/>",
      demand_path);
  svg += fmt::format(
      "<path d='{}' fill='none' stroke='#1f6fb2' stroke-width='1.4'/>",
      supply_path);
  double span = std::chrono::duration<double>(r.end - r.start).count();
  for (const ActionEvent& a : run.result.actions) {
    double f = std::chrono::duration<double>(a.time - r.start).count() / span;
    double xx = L + (W - L) * f;
    bool up = a.to > a.from;
    svg += fmt::format(
        "<path d='M{0:.1f},{1} l-3,{2} l6,0 z' fill='{3}' opacity='0.8'/>", xx,
        up ? 8 : H - B - 2, up ? 6 : -6, up ? "#2a9d3f" : "#b8336a");
  }
  svg += "</svg>";
  return svg;
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
  std::string out = fmt::format(
      "trace {} ({}; smoothing {}; boot {} s; interval {} s; metrics read "
      "{}; {:.1f} days)\n",
      r.trace, r.mapping, r.smoothing,
      std::chrono::duration_cast<std::chrono::seconds>(r.options.boot_time)
          .count(),
      std::chrono::duration_cast<std::chrono::seconds>(r.options.interval)
          .count(),
      MetricsReadWords(r.options),
      std::chrono::duration<double>(r.end - r.start).count() / 86400);
  out += fmt::format(
      "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>8} {:>8} "
      "{:>9}\n",
      "policy", "thetaU%", "thetaO%", "tauU%", "tauO%", "instab%", "jitter/h",
      "inst-h", "cost $", "actions", ">90%", "unserved");
  for (const PolicyRun& p : r.runs) {
    const Scores& s = p.scores;
    out += fmt::format(
        "{:<16} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} "
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
                    {"action_log", actions}});
  }
  const BacktestOptions& o = r.options;
  return {
      {"trace", r.trace},
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

std::string BacktestHtml(const std::vector<BacktestResult>& results) {
  std::string h =
      "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
      "<title>phas backtest</title><style>"
      "body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}"
      "table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}"
      "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
      "th{background:#eef}td:first-child,th:first-child{text-align:left}"
      "h2{margin-top:32px}.legend "
      "span{display:inline-block;margin-right:16px;font-size:12px}"
      "</style></head><body><h1>phas backtest</h1>"
      "<p class='legend'><span style='color:#e4572e'>&#9472; demand: instances "
      "needed at the target "
      "utilization</span><span style='color:#1f6fb2'>&#9472; capacity: "
      "instances InService</span>"
      "<span style='color:#2a9d3f'>&#9650; scale up</span><span "
      "style='color:#b8336a'>&#9660; "
      "scale down</span></p>";
  for (const BacktestResult& r : results) {
    h += fmt::format(
        "<h2>{}</h2><p>{} &middot; smoothing {} &middot; boot {:.0f} s "
        "&middot; "
        "metric delay {:.0f} s &middot; group {}..{} &middot; {} to {}</p>",
        Escape(r.trace), Escape(r.mapping), Escape(r.smoothing),
        std::chrono::duration<double>(r.options.boot_time).count(),
        std::chrono::duration<double>(r.options.metric_delay).count(),
        r.options.min_size, r.options.max_size, FormatIso8601(r.start),
        FormatIso8601(r.end));
    h += "<table><tr><th>policy</th><th>&theta;<sub>U</sub> "
         "%</th><th>&theta;<sub>O</sub> %</th>"
         "<th>&tau;<sub>U</sub> %</th><th>&tau;<sub>O</sub> "
         "%</th><th>instability %</th>"
         "<th>jitter /h</th><th>instance-h</th><th>cost $</th><th>actions</th>"
         "<th>&gt;90% util %</th><th>unserved inst-h</th></tr>";
    for (const PolicyRun& p : r.runs) {
      const Scores& s = p.scores;
      h += fmt::format(
          "<tr><td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</"
          "td><td>{:.2f}</td>"
          "<td>{:.2f}</td><td>{:.2f}</td><td>{:.1f}</td><td>{:.2f}</td><td>{}</"
          "td><td>{:.2f}</td>"
          "<td>{:.2f}</td></tr>",
          Escape(p.policy), s.theta_u, s.theta_o, s.tau_u, s.tau_o,
          s.instability, s.jitter, s.instance_hours, s.cost, s.actions,
          s.over_threshold_pct, s.unserved_instance_hours);
    }
    h += "</table>";
    if (std::string note = NoDataNote(r); !note.empty())
      h += "<p>" + Escape(note) + " instance-h.</p>";
    for (const PolicyRun& p : r.runs) {
      h += fmt::format("<h3>{}</h3>", Escape(p.policy)) + Chart(r, p);
    }
  }
  h += "<p style='font-size:12px;color:#555'>&theta;: accuracy, &tau;: "
       "timeshare (SPEC RG "
       "elasticity metrics, Herbst et al., BUNGEE 2015); definitions in "
       "docs/backtest.md.</p>"
       "</body></html>\n";
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
