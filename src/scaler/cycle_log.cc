#include "scaler/cycle_log.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/json_util.h"

namespace phas {

using nlohmann::json;

std::string LogReporter::PyFloat(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eninf") == std::string::npos) s += ".0";
  return s;
}

void LogReporter::Note(TimePoint t, const char* level, const std::string& group,
                       const std::string& message) {
  rec_->Log(t, level, group, message);
}

void LogReporter::Report(TimePoint now, const GroupOutcome& o) {
  if (!o.found) {
    if (o.describe_status.ok()) {
      rec_->Log(now, "ERROR", o.group,
                region_.empty() ? fmt::format("ASG {} not found", o.group)
                                : fmt::format("ASG {} not found in region {}",
                                              o.group, region_));
    } else {
      rec_->Log(now, "ERROR", o.group,
                "cannot describe the group: " + o.describe_status.message());
    }
    return;
  }
  LogObservation(now, o);
  LogDecision(now, o);
  Record(now, o);
}

void LogReporter::EndCycle(TimePoint) { rec_->Flush(); }

void LogReporter::LogObservation(TimePoint now, const GroupOutcome& o) {
  for (const std::string& e : o.errors) rec_->Log(now, "ERROR", o.group, e);
  for (const std::string& w : o.warnings) {
    rec_->Log(now, "WARNING", o.group, w);
  }
  int n = o.observation.group.in_service;
  if (n == 0) {
    rec_->Log(now, "WARNING", o.group, "No running instances found in ASG");
  } else if (!o.metrics || o.metrics->instances_with_data == 0) {
    rec_->Log(now, "WARNING", o.group,
              "No metrics collected from any instance");
  } else if (o.features) {
    rec_->Log(now, "INFO", o.group,
              fmt::format("ASG METRICS ({} instances): {}", n,
                          FeaturesJson(*o.features, n)));
  } else {
    // instance_metrics: used: the metrics read, not the model's features.
    json read = json::object();
    for (const auto& [k, a] : o.metrics->aggregate) read[k] = a.value;
    rec_->Log(now, "INFO", o.group,
              fmt::format("ASG METRICS ({} instances): {}", n, DumpJson(read)));
  }
  if (const auto& m = o.observation.model) {
    rec_->Log(now, "INFO", o.group,
              fmt::format("PREDICTION: {} ({}) - Confidence: {}", m->cls,
                          m->label, PyFloat(m->confidence)));
  } else if (!o.predictor_status.ok()) {
    rec_->Log(now, "ERROR", o.group,
              "Prediction failed: " + o.observation.model_error);
  }
  if (!o.metrics_status.ok()) {
    rec_->Log(now, "ERROR", o.group,
              "cannot read metrics: " + o.metrics_status.message());
  }
}

void LogReporter::LogDecision(TimePoint now, const GroupOutcome& o) {
  const Decision& d = o.decision;
  const std::string& name = o.group;
  std::string dry = o.dry_run            ? "DRY RUN: "
                    : !o.standby.empty() ? "STANDBY: "
                                         : "";
  if (d.kind == Decision::Kind::kScaleUp) {
    rec_->Log(now, "INFO", name,
              fmt::format("{}SCALING UP: {} -> {} instances", dry, d.current,
                          d.target));
  } else if (d.kind == Decision::Kind::kScaleDown) {
    rec_->Log(
        now, "INFO", name,
        fmt::format(
            "{}SCALING DOWN: {} -> {} instances ({})", dry, d.current, d.target,
            o.policy == "seed" ? "5min consistent prediction" : d.reason));
  } else if (d.held_by == GuardRule::kCooldown) {
    rec_->Log(now, "INFO", name,
              d.wish() == Direction::kUp
                  ? "Scale up needed but in cooldown period"
                  : "Scale down needed but in cooldown period");
  } else if (d.held_by == GuardRule::kAtMax) {
    rec_->Log(now, "INFO", name,
              fmt::format("Already at maximum capacity of ({} instances)",
                          d.current));
  } else if (d.held_by == GuardRule::kAtMin) {
    rec_->Log(now, "INFO", name,
              fmt::format("Already at minimum capacity of ({} instances)",
                          d.current));
  }
  if (ChangedMeanwhile(o)) {
    rec_->Log(now, "WARNING", name, "not acting: " + o.act_status.message());
  } else if (ActionAttempted(o) && !o.act_status.ok()) {
    rec_->Log(
        now, "ERROR", name,
        fmt::format("SetDesiredCapacity failed{}: {}",
                    o.may_have_acted ? " (it may have been carried out: the "
                                       "cooldown starts all the same)"
                                     : "",
                    o.act_status.message()));
  }
  rec_->Log(
      now, "INFO", name,
      fmt::format("DECISION: {} {} -> {} [{}]: {}", DecisionKindName(d.kind),
                  d.current, d.target, d.code(), d.reason));
}

void LogReporter::Record(TimePoint now, const GroupOutcome& out) {
  const Observation& o = out.observation;
  json raw = json::object();
  const AggregatedMetrics none;
  for (const auto& [k, a] : out.metrics ? out.metrics->aggregate : none) {
    raw[k] = {{"value", a.value},
              {"max_value", a.max_value},
              {"min_value", a.min_value},
              {"instance_count", a.instance_count}};
  }
  json ids = json::array();
  for (const std::string& id : InServiceIds(out.description)) ids.push_back(id);
  json rec = {{"timestamp", FormatIso8601(now)},
              {"asg_name", out.group},
              {"instance_count", o.group.in_service},
              {"instance_ids", ids},
              {"pending", o.group.pending},
              {"desired", o.group.desired},
              {"min", o.group.min_size},
              {"max", o.group.max_size},
              {"raw_cloudwatch", raw}};
  if (out.features) {
    rec["metrics"] =
        json::parse(FeaturesJson(*out.features, o.group.in_service));
    if (!out.features->temporal.empty()) {
      rec["temporal"] = out.features->temporal;
    }
  } else {
    rec["metrics"] = nullptr;
  }
  if (o.model) {
    rec["prediction"] = {{"class", o.model->cls},
                         {"label", o.model->label},
                         {"action", ModelActionName(o.model->action)},
                         {"confidence", o.model->confidence}};
  } else {
    rec["prediction"] = nullptr;
  }
  if (!o.model_error.empty()) rec["prediction_error"] = o.model_error;
  if (!o.forecast.empty()) {
    json pts = json::array();
    for (const ForecastPoint& f : o.forecast) {
      pts.push_back({{"time", FormatIso8601(f.time)},
                     {"mean", f.mean},
                     {"upper", f.upper}});
    }
    rec["forecast"] = {{"model", out.forecast_model}, {"points", pts}};
  } else if (!o.forecast_error.empty()) {
    rec["forecast_error"] = o.forecast_error;
  }
  const Decision& dec = out.decision;
  rec["decision"] = {
      {"policy", out.policy}, {"kind", DecisionKindName(dec.kind)},
      {"from", dec.current},  {"to", dec.target},
      {"code", dec.code()},   {"policy_code", dec.policy_code.ToString()},
      {"reason", dec.reason}, {"dry_run", out.dry_run},
      {"acted", out.acted}};
  if (!dec.clamped_by.empty()) {
    json rules = json::array();
    for (GuardClamp c : dec.clamped_by) rules.push_back(GuardClampName(c));
    rec["decision"]["proposed"] = dec.proposed;
    rec["decision"]["clamped_by"] = rules;
  }
  if (out.may_have_acted) rec["decision"]["may_have_acted"] = true;
  if (!out.standby.empty()) rec["decision"]["standby"] = out.standby;
  if (ChangedMeanwhile(out)) {
    rec["decision"]["not_acting"] = out.act_status.message();
  } else if (!out.act_status.ok()) {
    rec["decision"]["error"] = out.act_status.message();
  }
  // What the operator should know this cycle (a scheduled action about to
  // run, the AWS controls unreadable, ...), as in the log.
  if (!out.warnings.empty()) rec["warnings"] = out.warnings;
  rec_->Record(rec);
}

}  // namespace phas
