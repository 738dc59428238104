#include "decision/coexist.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "common/text.h"
#include "decision/points.h"

namespace phas {
namespace {

// The words of a set tag when it says "on": nullopt when the tag is absent
// or "false". Any other value than "true" counts as on, and says so.
std::optional<std::string> TagOn(const std::map<std::string, std::string>& tags,
                                 const char* key) {
  auto it = tags.find(key);
  if (it == tags.end()) return std::nullopt;
  std::string v = AsciiLower(it->second);
  if (v == "false") return std::nullopt;
  std::string words = fmt::format("tag {}={}", key, it->second);
  if (v != "true") words += " (neither true nor false: read as true)";
  return words;
}

bool Suspended(const CoexistFacts& f, const char* process) {
  return std::find(f.suspended_processes.begin(), f.suspended_processes.end(),
                   process) != f.suspended_processes.end();
}

}  // namespace

const char* AwsPolicySharingName(AwsPolicySharing s) {
  switch (s) {
    case AwsPolicySharing::kRefuse:
      return "refuse";
    case AwsPolicySharing::kScaleOutOnly:
      return "scale_out_only";
  }
  return "refuse";
}

CoexistVerdict JudgeCoexistence(const CoexistFacts& f, const CoexistConfig& c,
                                TimePoint now) {
  CoexistVerdict v;
  for (const ScheduledFact& s : f.scheduled) {
    if (s.next < now || s.next > now + c.scheduled_notice) continue;
    v.notices.push_back(fmt::format(
        "scheduled action {} sets {} at {} (in {} s): AWS changes the group "
        "then, and phas decides on what it finds",
        s.name, s.change, FormatIso8601(s.next), WholeSeconds(s.next - now)));
  }
  auto hold = [&](GuardRule rule, std::string words) {
    v.hold = rule;
    v.words = std::move(words);
    return v;
  };
  // 1. An operator's pause.
  if (auto on = TagOn(f.tags, kPausedTag)) {
    return hold(GuardRule::kPausedByTag, "paused by " + *on);
  }
  // 2. AWS could not carry out a change of desired capacity.
  std::vector<std::string> blocking;
  for (const char* p : {"Launch", "Terminate"}) {
    if (Suspended(f, p)) blocking.push_back(p);
  }
  if (!blocking.empty()) {
    return hold(
        GuardRule::kSuspended,
        fmt::format("process{} {} suspended on the group: AWS would not "
                    "carry out a new desired capacity",
                    blocking.size() > 1 ? "es" : "",
                    fmt::join(blocking, " and ")));
  }
  // 3. Blind to AWS's own scaling.
  if (!f.controls_read) {
    return hold(
        GuardRule::kControlsUnknown,
        fmt::format("AWS scaling controls not read ({}): an AWS "
                    "policy or an instance refresh cannot be ruled "
                    "out",
                    f.controls_error.empty() ? "not yet" : f.controls_error));
  }
  // 3b. A desired capacity in other units than instances: phas's targets,
  // its +1, its bounds on steps would be read as vCPUs, MiB or weights.
  if (!f.capacity_units.empty()) {
    return hold(GuardRule::kCapacityUnits,
                "the desired capacity does not count instances (" +
                    f.capacity_units +
                    "): phas sizes in instances and does not scale such a "
                    "group");
  }
  // 4. AWS is replacing instances.
  if (!f.refresh.empty()) {
    return hold(
        GuardRule::kInstanceRefresh,
        "instance refresh " + f.refresh + ": AWS is replacing instances");
  }
  // 5. Another controller on the same capacity.
  std::vector<std::string> acting;
  bool alarms_off = Suspended(f, "AlarmNotification");
  for (const AwsPolicyFact& p : f.policies) {
    if (p.alarm_driven && alarms_off) continue;
    acting.push_back(fmt::format("{} ({})", p.name, p.type));
  }
  if (!acting.empty()) {
    std::string names = fmt::format("{}", fmt::join(acting, ", "));
    if (c.aws_policies == AwsPolicySharing::kRefuse) {
      v.hold = GuardRule::kAwsPolicyConflict;
      v.words = fmt::format(
          "AWS scaling polic{} {} on the group: two controllers would fight "
          "(aws_policies: scale_out_only shares it: phas raises, AWS lowers)",
          acting.size() > 1 ? "ies" : "y", names);
      return v;
    }
    v.hold_scale_in = GuardRule::kAwsScaleIn;
    v.scale_in_words = fmt::format(
        "scale-in left to AWS (aws_policies: scale_out_only; {})", names);
  }
  // 6. Decide and log, never act.
  if (auto on = TagOn(f.tags, kForecastOnlyTag)) {
    return hold(GuardRule::kForecastOnly, "forecast-only by " + *on);
  }
  if (c.forecast_only) {
    return hold(GuardRule::kForecastOnly, "forecast-only (--forecast-only)");
  }
  return v;
}

Decision ApplyCoexistence(Decision d, const CoexistVerdict& v) {
  GuardRule rule = v.hold;
  const std::string* words = &v.words;
  if (rule == GuardRule::kNone && v.hold_scale_in != GuardRule::kNone &&
      d.wish() == Direction::kDown) {
    rule = v.hold_scale_in;
    words = &v.scale_in_words;
  }
  if (rule == GuardRule::kNone) return d;
  if (d.acts()) {
    d.reason = fmt::format("{}; wanted {} -> {}, {}: hold at {}", d.reason,
                           d.current, d.target, *words, d.current);
  } else {
    d.reason = fmt::format("{}; {}: hold at {}", d.reason, *words, d.current);
  }
  d.kind = Decision::Kind::kHold;
  d.target = d.current;
  d.held_by = rule;
  return d;
}

}  // namespace phas
