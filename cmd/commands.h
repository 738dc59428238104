// Subcommand registration for the phas binary. Each Register* function adds
// one or more subcommands to the CLI11 app; when a subcommand runs, its
// callback stores the process exit code in *exit_code.
//
// Exit codes: 0 success, 1 runtime failure, 2 bad usage, config or input.
#ifndef PHAS_CMD_COMMANDS_H_
#define PHAS_CMD_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>

#include "common/status.h"

namespace phas {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void RegisterPredictorCommands(CLI::App& app, int* exit_code);
void RegisterDoctorCommand(CLI::App& app, int* exit_code);
void RegisterScalerCommands(CLI::App& app, int* exit_code);
void RegisterBacktestCommand(CLI::App& app, int* exit_code);
void RegisterDemoCommand(CLI::App& app, int* exit_code);
void RegisterTuneCommand(CLI::App& app, int* exit_code);
void RegisterForecastCommand(CLI::App& app, int* exit_code);
void RegisterTrainCommand(CLI::App& app, int* exit_code);
void RegisterHistoryCommand(CLI::App& app, int* exit_code);
void RegisterStatusCommand(CLI::App& app, int* exit_code);

// Prints "phas: <message>" on one line on stderr and returns the exit code
// for the status: 2 for invalid input/config, 1 otherwise.
int ReportError(const Status& st);

// Set by ReportError: the process's exit code is decided (a signal heard
// while it tears down must not replace it).
std::atomic<bool>& ExitDecided();

// The --model value, or the shipped default model when it is empty.
Result<std::string> ResolveModelDir(const std::string& flag);

// Blocks SIGINT and SIGTERM in the calling thread (and threads it starts
// afterwards), so WaitForStopSignal can take them synchronously.
void BlockStopSignals();
// Waits for SIGINT or SIGTERM; returns the signal number.
int WaitForStopSignal();

}  // namespace phas

#endif  // PHAS_CMD_COMMANDS_H_
