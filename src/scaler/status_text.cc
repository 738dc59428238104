// `phas status`'s text (scaler/status_board.h DescribeStatus).
#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"
#include "scaler/status_board.h"

namespace phas {

using nlohmann::json;

std::string FormatAge(Duration d) {
  long s = static_cast<long>(std::chrono::duration<double>(d).count());
  if (s < 0) s = 0;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02d}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02d}h", s / 86400, s % 86400 / 3600);
}

namespace {

// The field as text for a terminal (Printable: the text of AWS's and a
// predictor's errors, group names, came from outside phas).
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return Printable(it->is_string() ? it->get<std::string>() : it->dump());
}

// "2026-11-28T04:12:14Z (5m10s ago)".
std::string When(const std::string& iso, TimePoint now) {
  TimePoint t;
  if (iso.empty() || !ParseIso8601(iso, &t)) return iso.empty() ? "-" : iso;
  return fmt::format("{} ({} ago)", iso, FormatAge(now - t));
}

void WriteConditions(const json& g, TimePoint now, std::string* out) {
  const json& cs = g.value("conditions", json::array());
  size_t reason_w = 6;
  for (const json& c : cs)
    reason_w = std::max(reason_w, Str(c, "reason").size());
  *out += "Conditions:\n";
  *out += fmt::format("  {:<15} {:<7} {:<{}} {:<34} {}\n", "Type", "Status",
                      "Reason", reason_w, "Since", "Message");
  *out += fmt::format("  {:<15} {:<7} {:<{}} {:<34} {}\n", "----", "------",
                      "------", reason_w, "-----", "-------");
  for (const json& c : cs) {
    *out += fmt::format("  {:<15} {:<7} {:<{}} {:<34} {}\n", Str(c, "type"),
                        Str(c, "status"), Str(c, "reason"), reason_w,
                        When(Str(c, "since"), now), Str(c, "message"));
  }
}

void WriteActions(const json& g, std::string* out) {
  const json& as = g.value("actions", json::array());
  *out += "Last actions:";
  if (as.empty()) *out += " <none since the daemon started>";
  *out += "\n";
  for (const json& a : as) {
    *out += fmt::format("  {}  {:<10} {} -> {}  {}: {}\n", Str(a, "time"),
                        Str(a, "kind"), Str(a, "from"), Str(a, "to"),
                        Str(a, "result"), Str(a, "reason"));
  }
}

void DescribeGroup(const json& g, TimePoint now, std::string* out) {
  *out += fmt::format("Name:           {}\n", Str(g, "name"));
  *out += fmt::format("Policy:         {}{}\n", Str(g, "policy"),
                      g.value("dry_run", false) ? " (dry run)" : "");
  std::string read = When(Str(g, "last_read"), now);
  if (!g.value("ready", true)) {
    read += "  NOT READY: " + Str(g, "not_ready");
  }
  *out += fmt::format("Last read:      {}\n", read);
  if (const auto c = g.find("capacity"); c != g.end() && c->is_object()) {
    *out += fmt::format(
        "Capacity:       desired {}, in service {}, pending {} (min {}, max "
        "{})\n",
        Str(*c, "desired"), Str(*c, "in_service"), Str(*c, "pending"),
        Str(*c, "min"), Str(*c, "max"));
  }
  // "(5 instances at 60 %)": what a load in instance-units needs.
  const std::string unit = Str(g, "signal_unit");
  auto needs = [&](const json& o, const char* key) {
    const std::string n = Str(o, key);
    const auto t = g.find("signal_target");
    if (n.empty() || t == g.end() || !t->is_number()) return std::string();
    // fmt's shortest exact form: 50000000, 41000000.5, 60.
    return fmt::format(" ({} instance(s) at target {}{}{})", n,
                       t->get<double>(), unit.empty() ? "" : " ", unit);
  };
  *out += fmt::format(
      "Signal:         {}{}{} per instance; load {} instance-units{}\n",
      Str(g, "signal_name").empty() ? "" : Str(g, "signal_name") + " ",
      Str(g, "signal").empty() ? "-" : Str(g, "signal"),
      unit.empty() || Str(g, "signal").empty() ? "" : " " + unit,
      Str(g, "load").empty() ? "-" : Str(g, "load"), needs(g, "load_needs"));
  if (const auto f = g.find("forecast"); f != g.end() && f->is_object()) {
    *out += fmt::format(
        "Forecast:       {} at {}: mean {}, upper {} instance-units{}\n",
        Str(*f, "model"), Str(*f, "time"), Str(*f, "mean"), Str(*f, "upper"),
        needs(*f, "upper_needs"));
  }
  if (const auto s = g.find("slo"); s != g.end() && s->is_object()) {
    auto number = [&](const char* key) {
      auto it = s->find(key);
      return it != s->end() && it->is_number() ? it->get<double>() : NAN;
    };
    double realised = number("underprovisioned_pct");
    *out += fmt::format(
        "SLO:            short of capacity {} of {:.0f} min counted (at most "
        "{:g} % asked), margin {:g} spreads\n",
        std::isnan(realised) ? "-" : fmt::format("{:g} %", realised),
        number("minutes"), number("max_underprovisioned_pct"),
        number("margin_spreads"));
  }
  if (const auto d = g.find("decision"); d != g.end() && d->is_object()) {
    *out += fmt::format("Last decision:  {} {} -> {} (wanted {}) [{}]: {}\n",
                        Str(*d, "kind"), Str(*d, "from"), Str(*d, "to"),
                        Str(*d, "wanted"), Str(*d, "code"), Str(*d, "reason"));
  }
  WriteConditions(g, now, out);
  WriteActions(g, out);
}

}  // namespace

Status CheckStatusDocument(const json& status) {
  if (!status.is_object()) {
    return Status::InvalidArgument("not a JSON object");
  }
  using Is = bool (json::*)() const noexcept;
  struct Field {
    const char* key;
    Is is;
    const char* what;
  };
  auto check = [](const json& j, const std::string& where,
                  const Field& f) -> Status {
    auto it = j.find(f.key);
    if (it == j.end() || it->is_null() || ((*it).*f.is)()) return Status::OK();
    return Status::InvalidArgument(fmt::format("{}{}: {} where {} was expected",
                                               where, f.key, it->type_name(),
                                               f.what));
  };
  for (const Field& f :
       {Field{"time", &json::is_string, "text"},
        Field{"alive", &json::is_boolean, "true or false"},
        Field{"interval_seconds", &json::is_number, "a number"},
        Field{"groups", &json::is_array, "a list"}}) {
    PHAS_RETURN_IF_ERROR(check(status, "", f));
  }
  // It scales the staleness NOTE: out of range it overflowed the duration
  // (1e300) or always said "stopped" (negative).
  if (auto it = status.find("interval_seconds");
      it != status.end() && it->is_number() &&
      !(it->get<double>() > 0 && it->get<double>() <= 86400)) {
    return Status::InvalidArgument(
        fmt::format("interval_seconds: {} is not in (0, 86400]", it->dump()));
  }
  const json& groups = status.value("groups", json::array());
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string where = fmt::format("groups[{}].", i);
    if (!groups[i].is_object()) {
      return Status::InvalidArgument(
          fmt::format("groups[{}]: {} where an object was expected", i,
                      groups[i].type_name()));
    }
    for (const char* key : {"dry_run", "ready"}) {
      PHAS_RETURN_IF_ERROR(check(
          groups[i], where, Field{key, &json::is_boolean, "true or false"}));
    }
  }
  return Status::OK();
}

std::string DescribeStatus(const json& status, TimePoint now) {
  std::string out;
  out += fmt::format("Status of:      {}\n", When(Str(status, "time"), now));
  if (!status.value("alive", true)) {
    out += "Loop:           NOT ALIVE: " + Str(status, "not_alive") + "\n";
  }
  for (const json& g : status.value("groups", json::array())) {
    if (!g.is_object()) continue;
    out += "\n";
    DescribeGroup(g, now, &out);
  }
  return out;
}

}  // namespace phas
