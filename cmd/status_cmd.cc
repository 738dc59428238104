// `phas status`: per group, conditions in the manner of `kubectl describe
// hpa` and the last actions, from the status file the daemon writes every
// cycle (<output_dir>/status.json: scaler/status_board.h), so that it works
// with the daemon stopped; the live equivalent is GET /status on the
// metrics listener.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "scaler/config.h"
#include "scaler/status_board.h"

namespace phas {
namespace {

struct StatusFlags {
  std::string config;
  std::string output_dir;
  bool json = false;
};

int RunStatus(const StatusFlags& f) {
  std::string dir = "output";
  if (!f.config.empty()) {
    auto c = LoadScalerConfig(f.config);
    if (!c.ok()) return ReportError(c.status());
    dir = c->output_dir;
  }
  if (!f.output_dir.empty()) dir = f.output_dir;
  std::string path = JoinPath(dir, "status.json");
  // A FIFO there would be waited on for ever.
  auto text = ReadRegularFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "phas: %s%s\n", text.status().message().c_str(),
                 text.status().IsNotFound()
                     ? " (phas scaler writes it every cycle; is --output-dir "
                       "or the config's output_dir the daemon's?)"
                     : "");
    return kExitFailure;
  }
  nlohmann::json status =
      nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  Status valid = status.is_discarded() ? Status::InvalidArgument("not JSON")
                                       : CheckStatusDocument(status);
  if (!valid.ok()) {
    std::fprintf(stderr, "phas: %s: not a status document phas wrote: %s\n",
                 path.c_str(), valid.message().c_str());
    return kExitFailure;
  }
  if (f.json) {
    std::printf("%s\n", DumpJson(status, 2).c_str());
    return kExitOk;
  }
  TimePoint now = SystemClock().Now();
  // fwrite: a NUL in the text (now shown as \x00) must not end it.
  const std::string described = DescribeStatus(status, now);
  std::fwrite(described.data(), 1, described.size(), stdout);
  TimePoint written;
  double interval = status.value("interval_seconds", 10.0);
  if (ParseIso8601(status.value("time", ""), &written) &&
      now - written > std::chrono::duration_cast<Duration>(
                          std::chrono::duration<double>(3 * interval))) {
    std::printf(
        "\nNOTE: written %s ago, more than 3 intervals: the daemon is stopped "
        "or stuck (this is its last state)\n",
        FormatAge(now - written).c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterStatusCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<StatusFlags>();
  CLI::App* cmd = app.add_subcommand(
      "status",
      "Show each group's conditions (AbleToScale, ScalingActive, "
      "ScalingLimited) and last actions, from the scaler's status file");
  cmd->add_option("--config", f->config,
                  "The scaler's YAML configuration (for its output_dir)");
  cmd->add_option("--output-dir", f->output_dir,
                  "The scaler's output directory (default output)");
  cmd->add_flag("--json", f->json, "Print the status document as JSON");
  cmd->callback([f, exit_code] { *exit_code = RunStatus(*f); });
}

}  // namespace phas
