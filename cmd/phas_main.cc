// phas: predictive horizontal auto scaler for EC2 Auto Scaling groups.
// main() only wires subcommands and maps errors to exit codes.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>

#include "cmd/commands.h"
#include "common/log_format.h"
#include "common/version.h"

namespace phas {

std::atomic<bool>& ExitDecided() {
  static std::atomic<bool> decided{false};
  return decided;
}

int ReportError(const Status& st) {
  ExitDecided() = true;
  std::fprintf(stderr, "phas: %s\n", st.ToString().c_str());
  bool usage = st.code() == Status::Code::kInvalidArgument ||
               st.code() == Status::Code::kNotFound;
  return usage ? kExitUsage : kExitFailure;
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int RealMain(int argc, char** argv) {
  CLI::App app{
      "phas: predictive horizontal auto scaler for EC2 Auto Scaling groups"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("phas ") + kVersion);
  int exit_code = kExitOk;
  std::string log_level = "info";
  app.add_option("--log-level", log_level,
                 "Log level: trace, debug, info, warn, error, off")
      ->check(
          CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "Log line format on stderr: text or json (one object per "
                 "line)")
      ->check(CLI::IsMember({"text", "json"}));
  app.parse_complete_callback([&log_level, &log_format] {
    spdlog::set_level(spdlog::level::from_str(log_level));
    (void)SetLogFormat(log_format);  // checked by IsMember
  });
  RegisterPredictorCommands(app, &exit_code);
  RegisterDoctorCommand(app, &exit_code);
  RegisterScalerCommands(app, &exit_code);
  RegisterBacktestCommand(app, &exit_code);
  RegisterDemoCommand(app, &exit_code);
  RegisterTuneCommand(app, &exit_code);
  RegisterForecastCommand(app, &exit_code);
  RegisterTrainCommand(app, &exit_code);
  RegisterHistoryCommand(app, &exit_code);
  RegisterStatusCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "phas: %s (see phas --help)\n", e.what());
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace phas

int main(int argc, char** argv) {
  // Logs go to stderr; stdout carries command output (JSON, tables).
  spdlog::set_default_logger(spdlog::stderr_color_mt("phas"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v",
                      spdlog::pattern_time_type::utc);
  try {
    return phas::RealMain(argc, argv);
  } catch (const std::exception& e) {
    phas::ExitDecided() = true;
    std::fprintf(stderr, "phas: internal error: %s\n", e.what());
    return phas::kExitFailure;
  }
}
