#include "sim/report_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

namespace phas {
namespace {

using nlohmann::json;

// About five round steps over [0, span]: 1, 2 or 5 times a power of ten.
double NiceStep(double span) {
  if (!(span > 0)) return 1;
  double raw = span / 5;
  double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

// Plot geometry of the frontier chart.
struct Frame {
  double w = 680, h = 380, l = 64, r = 24, t = 16, b = 48;
  double x0 = 0, x1 = 1, y1 = 1;  // data ranges (y from 0)
  double X(double v) const { return l + (w - l - r) * (v - x0) / (x1 - x0); }
  double Y(double v) const { return (h - b) - (h - b - t) * v / y1; }
};

std::string Axes(const Frame& fr) {
  std::string s;
  double xs = NiceStep(fr.x1 - fr.x0);
  for (double v = std::ceil(fr.x0 / xs) * xs; v <= fr.x1; v += xs) {
    s += fmt::format(
        "<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#e4e4e4'/>"
        "<text x='{0:.1f}' y='{3}' font-size='11' fill='#555' "
        "text-anchor='middle'>{4}</text>",
        fr.X(v), fr.t, fr.h - fr.b, fr.h - fr.b + 14, fmt::format("{:g}", v));
  }
  double ys = NiceStep(fr.y1);
  for (double v = 0; v <= fr.y1; v += ys) {
    s += fmt::format(
        "<line x1='{0}' x2='{1}' y1='{2:.1f}' y2='{2:.1f}' stroke='#e4e4e4'/>"
        "<text x='{3}' y='{4:.1f}' font-size='11' fill='#555' "
        "text-anchor='end'>{5}</text>",
        fr.l, fr.w - fr.r, fr.Y(v), fr.l - 6, fr.Y(v) + 4,
        fmt::format("{:g}", v));
  }
  s += fmt::format(
      "<text x='{:.1f}' y='{}' font-size='12' text-anchor='middle'>cost: "
      "instance-hours</text>"
      "<text x='14' y='{:.1f}' font-size='12' text-anchor='middle' "
      "transform='rotate(-90 14 {:.1f})'>short of capacity, % of time "
      "(&#964;<tspan baseline-shift='sub' font-size='9'>U</tspan>)</text>",
      (fr.l + fr.w - fr.r) / 2, fr.h - 8, (fr.t + fr.h - fr.b) / 2,
      (fr.t + fr.h - fr.b) / 2);
  return s;
}

std::string Tip(const std::string& who, const Scores& s) {
  return fmt::format(
      "<title>{}: {:.1f} instance-hours, short of capacity "
      "{:.2f} % of the time</title>",
      HtmlEscape(who), s.instance_hours, s.tau_u);
}

// `v` to `digits` decimals (dividing: the JSON shows the short decimal).
double Round(double v, int digits) {
  double scale = std::pow(10, digits);
  return std::round(v * scale) / scale;
}

// Minutes per bucket: the smallest of the steps keeping `minutes` within
// kMaxChartPoints buckets.
int BucketMinutes(long minutes) {
  int step = 1;
  for (int s : {1, 5, 15, 30, 60, 120, 240, 480, 1440}) {
    step = s;
    if (minutes / s < kMaxChartPoints) break;
  }
  return step;
}

// The highest value per bucket; null where a bucket has none.
class Buckets {
 public:
  explicit Buckets(size_t n) : v_(n, std::nan("")) {}
  void Add(size_t b, double v) {
    if (b >= v_.size() || std::isnan(v)) return;
    v_[b] = std::isnan(v_[b]) ? v : std::max(v_[b], v);
  }
  json Json(int digits) const {
    json a = json::array();
    for (double v : v_) {
      if (std::isnan(v)) {
        a.push_back(nullptr);
      } else if (digits == 0) {
        a.push_back(std::llround(v));  // printed without a decimal point
      } else {
        a.push_back(Round(v, digits));
      }
    }
    return a;
  }

 private:
  std::vector<double> v_;
};

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string PolicyColor(const std::string& policy) {
  static const std::vector<std::pair<std::string, std::string>> kColors = {
      {"predictive", "#1f6fb2"}, {"target-tracking", "#2a9d3f"},
      {"seed", "#8e44ad"},       {"oracle", "#7f7f7f"},
      {"reactive", "#e9a23b"},   {"step", "#17becf"},
      {"hpa", "#8c564b"},        {"aws-predictive", "#d62790"}};
  std::string name = policy.substr(0, policy.find('@'));
  for (const auto& [p, c] : kColors) {
    if (p == name) return c;
  }
  static const char* kOthers[] = {"#bcbd22", "#393b79", "#637939", "#843c39"};
  return kOthers[std::hash<std::string>{}(policy) % 4];
}

std::string PolicyTitle(const std::string& policy) {
  size_t at = policy.find('@');
  if (at == std::string::npos) return policy;
  return fmt::format("{} at {} %",
                     policy.substr(0, at) == "target-tracking"
                         ? "target tracking"
                         : policy.substr(0, at),
                     policy.substr(at + 1));
}

std::string FrontierSvg(const TraceFrontier& f) {
  if (f.curve.empty()) return "";
  Frame fr;
  double lo = f.curve.front().scores.instance_hours, hi = lo, top = 1;
  auto see = [&](const Scores& s) {
    lo = std::min(lo, s.instance_hours);
    hi = std::max(hi, s.instance_hours);
    top = std::max(top, s.tau_u);
  };
  for (const CurvePoint& p : f.curve) see(p.scores);
  if (f.oracle) see(*f.oracle);
  // A policy far dearer than the curve (the original's policy at its
  // maximum) would squash it: it is drawn at the right edge, its cost in
  // words.
  const double limit = hi + std::max(hi - lo, 0.5 * hi);
  for (const FrontierComparison& c : f.policies) {
    if (c.scores.instance_hours <= limit) see(c.scores);
    top = std::max(top, c.scores.tau_u);
  }
  double pad = std::max(1.0, (hi - lo) * 0.06);
  fr.x0 = lo - pad;
  fr.x1 = hi + pad;
  fr.y1 = top * 1.12;
  std::string s = fmt::format(
      "<svg class='frontier' xmlns='http://www.w3.org/2000/svg' "
      "viewBox='0 0 {0} {1}' width='{0}' height='{1}' role='img' "
      "aria-label='{2}: cost vs time short of capacity'>"
      "<rect width='{0}' height='{1}' fill='#fbfbfd'/>",
      fr.w, fr.h, HtmlEscape(f.trace));
  s += Axes(fr);
  std::vector<CurvePoint> curve = f.curve;
  std::sort(curve.begin(), curve.end(), [](const auto& a, const auto& b) {
    return a.scores.instance_hours < b.scores.instance_hours;
  });
  std::string line;
  for (const CurvePoint& p : curve) {
    line += fmt::format("{:.1f},{:.1f} ", fr.X(p.scores.instance_hours),
                        fr.Y(p.scores.tau_u));
  }
  std::string tt = PolicyColor("target-tracking");
  s += fmt::format(
      "<polyline class='tt-curve' points='{}' fill='none' stroke='{}' "
      "stroke-width='2'/>",
      line, tt);
  for (const CurvePoint& p : curve) {
    double x = fr.X(p.scores.instance_hours), y = fr.Y(p.scores.tau_u);
    s += fmt::format(
        "<g class='tt-point' data-target='{0:g}'><circle cx='{1:.1f}' "
        "cy='{2:.1f}' r='4' fill='{3}'/><text x='{1:.1f}' y='{4:.1f}' "
        "font-size='10' fill='{3}' text-anchor='middle'>{0:g} %</text>{5}</g>",
        p.target, x, y, tt, y - 8,
        Tip(fmt::format("target tracking at {:g} %", p.target), p.scores));
  }
  if (f.oracle) {
    double x = fr.X(f.oracle->instance_hours), y = fr.Y(f.oracle->tau_u);
    s += fmt::format(
        "<g class='oracle-point'><path d='M{0:.1f},{1:.1f} l6,6 l-6,6 l-6,-6 "
        "z' fill='{2}'/><text x='{3:.1f}' y='{4:.1f}' font-size='11' "
        "fill='{2}'>perfect foresight (oracle)</text>{5}</g>",
        x, y - 6, PolicyColor("oracle"), x + 9, y + 10,
        Tip("perfect foresight (oracle)", *f.oracle));
  }
  for (const FrontierComparison& c : f.policies) {
    double y = fr.Y(c.scores.tau_u);
    std::string color = PolicyColor(c.policy);
    if (c.scores.instance_hours > fr.x1) {
      s += fmt::format(
          "<g class='policy-point' data-policy='{0}'><path d='M{1:.1f},"
          "{2:.1f} l-10,-6 l0,12 z' fill='{3}'/><text x='{4:.1f}' "
          "y='{5:.1f}' font-size='12' font-weight='bold' fill='{3}' "
          "text-anchor='end'>{0}: {6:.0f} instance-hours, off the chart "
          "&#8594;</text>{7}</g>",
          HtmlEscape(c.policy), fr.w - fr.r, y, color, fr.w - fr.r - 12, y - 18,
          c.scores.instance_hours, Tip(c.policy, c.scores));
      continue;
    }
    double x = fr.X(c.scores.instance_hours);
    s += fmt::format(
        "<g class='policy-point' data-policy='{0}'><rect x='{1:.1f}' "
        "y='{2:.1f}' width='10' height='10' fill='{3}'/><text x='{4:.1f}' "
        "y='{5:.1f}' font-size='12' font-weight='bold' fill='{3}'>{0}</text>"
        "{6}</g>",
        HtmlEscape(c.policy), x - 5, y - 5, color, x + 8, y - 7,
        Tip(c.policy, c.scores));
  }
  return s + "</svg>";
}

WorstDay FindWorstDay(const BacktestResult& r, const PolicyRun& run) {
  double u = r.options.score.target_utilization;
  std::vector<const SimMinute*> scored;
  for (const SimMinute& m : run.result.minutes) {
    if (m.start >= r.scored_from) scored.push_back(&m);
  }
  WorstDay w;
  w.from = r.scored_from;
  w.to = r.end;
  if (scored.empty()) return w;
  auto is_short = [u](const SimMinute* m) {
    return !std::isnan(m->demand) &&
           m->in_service < DemandInstances(m->demand, u);
  };
  const size_t day = 24 * 60;
  size_t window = std::min(day, scored.size());
  int count = 0;
  for (size_t i = 0; i < window; ++i) count += is_short(scored[i]);
  int best = count;
  size_t best_at = 0;
  for (size_t i = window; i < scored.size(); ++i) {
    count += is_short(scored[i]) - is_short(scored[i - window]);
    if (count > best) {
      best = count;
      best_at = i + 1 - window;
    }
  }
  w.short_minutes = best;
  if (scored.size() > day) {
    w.from = scored[best_at]->start;
    w.to = w.from + std::chrono::hours(24);
  }
  return w;
}

json TimeChartData(const BacktestResult& r, TimePoint from, TimePoint to) {
  using std::chrono::minutes;
  double u = r.options.score.target_utilization;
  long total = std::chrono::duration_cast<minutes>(to - from).count();
  int step = BucketMinutes(std::max(1L, total));
  size_t n = static_cast<size_t>((total + step - 1) / step);
  auto bucket = [&](TimePoint t) -> size_t {
    if (t < from || t >= to) return n;  // Buckets ignore it
    return static_cast<size_t>(
        std::chrono::duration_cast<minutes>(t - from).count() / step);
  };
  Buckets demand(n);
  json runs = json::array(), forecasts = json::array();
  bool demand_done = false;
  for (const PolicyRun& p : r.runs) {
    if (p.result.minutes.empty()) continue;
    Buckets cap(n), util(n);
    for (const SimMinute& m : p.result.minutes) {
      size_t b = bucket(m.start);
      cap.Add(b, m.in_service);
      if (std::isnan(m.demand)) continue;
      if (!demand_done) demand.Add(b, DemandInstances(m.demand, u));
      if (m.in_service > 0) util.Add(b, 100 * m.demand / m.in_service);
    }
    demand_done = true;
    runs.push_back({{"name", PolicyTitle(p.policy)},
                    {"color", PolicyColor(p.policy)},
                    {"cap", cap.Json(0)},
                    {"util", util.Json(1)}});
    if (p.forecasts.empty()) continue;
    Buckets mean(n), upper(n);
    for (const ForecastSeen& f : p.forecasts) {
      size_t b = bucket(FloorMinute(f.point.time));
      mean.Add(b, f.point.mean / u);
      upper.Add(b, f.point.upper / u);
    }
    forecasts.push_back({{"name", PolicyTitle(p.policy)},
                         {"color", PolicyColor(p.policy)},
                         {"mean", mean.Json(2)},
                         {"upper", upper.Json(2)}});
  }
  return {{"t0", std::chrono::duration_cast<std::chrono::milliseconds>(
                     from.time_since_epoch())
                     .count()},
          {"step", step},
          {"n", n},
          {"target", Round(100 * u, 1)},
          {"demand", demand.Json(0)},
          {"runs", runs},
          {"forecasts", forecasts}};
}

}  // namespace phas
