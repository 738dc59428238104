#include "cmd/world_flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "cmd/number_checks.h"
#include "common/file_util.h"
#include "sim/backtest_config.h"

namespace phas {

void AddWorldFlags(CLI::App* cmd, WorldFlags* f,
                   const std::string& threads_what) {
  cmd->add_option("--config", f->config,
                  "YAML: world, demand, model, per-policy settings");
  cmd->add_option("--capacity-per-instance", f->capacity_per_instance,
                  "Trace units one instance serves at 100% CPU")
      ->check(NumberAbove(0));
  cmd->add_option("--peak-instances", f->peak_instances,
                  "Scale so the trace's peak needs N instances at the target "
                  "utilization (default 20)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--target-utilization", f->target_utilization, "Default 0.6")
      ->check(NumberIn(0.05, 1.0));
  cmd->add_option("--smoothing", f->smoothing_minutes,
                  "Moving-average window, minutes (default 10; 0: none)")
      ->check(NumberIn(0.0, double{kMinutesPerDay}));
  cmd->add_option("--boot-time", f->boot_seconds,
                  "Seconds from launch to InService (default 300)")
      ->check(NumberIn(0.0, 86400.0));
  cmd->add_option("--metric-delay", f->metric_delay_seconds,
                  "CloudWatch delay, seconds (default 60)")
      ->check(NumberIn(0.0, 3600.0));
  cmd->add_option("--interval", f->interval_seconds,
                  "Loop interval, seconds (default 10)")
      ->check(NumberIn(1.0, 3600.0));
  cmd->add_option("--min", f->min_size, "Group MinSize (default 1)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--max", f->max_size, "Group MaxSize (default 40)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--price", f->price,
                  "Dollars per instance-hour (default 0.10)")
      ->check(NumberIn(0.0, 1000.0));
  cmd->add_option("--over-threshold", f->over_threshold,
                  "Utilization counted as over-utilized (default 0.9)")
      ->check(NumberIn(0.01, 10.0));
  cmd->add_option("--hours", f->hours, "Replay only this many hours")
      ->check(NumberIn(0.0, 1e6));
  cmd->add_option("--skip-hours", f->skip_hours,
                  "Start this far into the trace")
      ->check(NumberIn(0.0, 1e6));
  cmd->add_option("--threads", f->threads, threads_what)
      ->check(CLI::Range(0, 256));
}

Status ApplyWorldFlags(const WorldFlags& f, BacktestOptions* o) {
  if (!f.config.empty()) {
    PHAS_ASSIGN_OR_RETURN(std::string text, ReadFile(f.config, 1 << 20));
    PHAS_RETURN_IF_ERROR(ParseBacktestConfig(text, f.config, o));
  }
  auto secs = [](double s) {
    return std::chrono::duration_cast<Duration>(Seconds(s));
  };
  if (f.capacity_per_instance >= 0 && f.peak_instances > 0) {
    // Either scales the trace: the one would silently undo the other.
    return Status::InvalidArgument(
        "--capacity-per-instance and --peak-instances: give one of them "
        "(each sets how the trace maps to instances)");
  }
  if (f.capacity_per_instance >= 0)
    o->mapping.capacity_per_instance = f.capacity_per_instance;
  if (f.peak_instances > 0) {
    o->mapping.peak_instances = f.peak_instances;
    o->mapping.capacity_per_instance = 0;
  }
  if (f.target_utilization > 0)
    o->mapping.target_utilization = f.target_utilization;
  if (f.smoothing_minutes >= 0)
    o->mapping.smoothing = secs(f.smoothing_minutes * 60);
  if (f.boot_seconds >= 0) o->boot_time = secs(f.boot_seconds);
  if (f.metric_delay_seconds >= 0)
    o->metric_delay = secs(f.metric_delay_seconds);
  if (f.interval_seconds > 0) o->interval = secs(f.interval_seconds);
  if (f.min_size >= 0) o->min_size = f.min_size;
  if (f.max_size > 0) o->max_size = f.max_size;
  if (f.price >= 0) o->score.price_per_hour = f.price;
  if (f.over_threshold > 0) o->score.over_threshold = f.over_threshold;
  o->hours = f.hours;
  o->skip_hours = f.skip_hours;
  o->threads = f.threads;
  if (o->min_size > o->max_size) {
    return Status::InvalidArgument("--min must not exceed --max");
  }
  return Status::OK();
}

namespace {

bool SameFile(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec1, ec2, ec3;
  if (fs::equivalent(a, b, ec1)) return true;
  // A file not written yet: the same path once symlinks and dots resolve.
  fs::path ca = fs::weakly_canonical(a, ec2), cb = fs::weakly_canonical(b, ec3);
  return !ec2 && !ec3 && ca == cb;
}

}  // namespace

Status CheckOutputPaths(const std::vector<FlagPath>& outputs,
                        const std::vector<FlagPath>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const FlagPath& out = outputs[i];
    if (out.path.empty()) continue;
    for (const FlagPath& in : inputs) {
      if (!in.path.empty() && SameFile(out.path, in.path)) {
        return Status::InvalidArgument(fmt::format(
            "{} {}: the same file as {} {}: it would be overwritten", out.flag,
            out.path, in.flag, in.path));
      }
    }
    for (size_t k = 0; k < i; ++k) {
      if (!outputs[k].path.empty() && SameFile(out.path, outputs[k].path)) {
        return Status::InvalidArgument(
            fmt::format("{} {}: the same file as {}: one would overwrite the "
                        "other",
                        out.flag, out.path, outputs[k].flag));
      }
    }
  }
  return Status::OK();
}

Result<std::vector<std::string>> PolicyList(
    const std::string& flag, const std::vector<std::string>& known) {
  std::vector<std::string> out;
  if (flag.empty() || flag == "all") return known;
  size_t pos = 0;
  while (pos <= flag.size()) {
    size_t comma = flag.find(',', pos);
    if (comma == std::string::npos) comma = flag.size();
    std::string p = flag.substr(pos, comma - pos);
    if (std::find(known.begin(), known.end(), p) == known.end()) {
      return Status::InvalidArgument(
          fmt::format("--policy: unknown policy '{}' (known: {})", p,
                      fmt::join(known, ", ")));
    }
    if (std::find(out.begin(), out.end(), p) != out.end()) {
      // Each would run and be scored twice, side by side.
      return Status::InvalidArgument(
          fmt::format("--policy: '{}' named twice", p));
    }
    out.push_back(p);
    pos = comma + 1;
  }
  return out;
}

}  // namespace phas
