// The process log's format (spdlog, on stderr), one for every line:
//   text  "2026-11-28T05:10:00.123Z info [asg-prod] SCALING UP: 2 -> 3
//         instances"
//   json  {"time":"2026-11-28T05:10:00.123Z","level":"info",
//         "group":"asg-prod","msg":"SCALING UP: 2 -> 3 instances"}, one
//         object per line ("group" when the message is a group's line,
//         "[name] ...", as the scaler's recorder sends them)
// The level filter is spdlog's (--log-level). The scaler's own files
// (ec2_monitor.log) keep the original's line format whatever this is.
//
// Thread-safety: SetLogFormat before threads log (main); the formatters
// are spdlog's (one per sink, called under the sink's lock).
#ifndef PHAS_COMMON_LOG_FORMAT_H_
#define PHAS_COMMON_LOG_FORMAT_H_

#include <spdlog/formatter.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace phas {

// Sets the format of every registered logger: "text" or "json";
// InvalidArgument naming --log-format otherwise.
Status SetLogFormat(const std::string& format);

// The JSON line formatter (exposed for tests).
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

// "<time> <level> <message>", the message Printable (common/text.h): one
// line, no escape sequence from text that came from outside phas.
std::unique_ptr<spdlog::formatter> MakeTextLogFormatter();

}  // namespace phas

#endif  // PHAS_COMMON_LOG_FORMAT_H_
