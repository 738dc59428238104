// Recorder: what the loop writes down.
//   <output>/ec2_monitor.log          human log, in the original's line format
//       "2026-11-28 05:10:00,123 - INFO - [asg-prod] - SCALING UP: 2 -> 3
//       instances" (the original's threadName column carries the group name)
//   <output>/ec2_metrics_data.jsonl   one JSON record per group per cycle
// Both are appended (the original rewrote one growing JSON array every
// cycle: slow, and lost on a crash) and rotated at a bounded size:
// file -> file.1 -> ... -> file.<keep>, the oldest dropped.
// Lines carry the loop's time (virtual time in the simulator).
//
// Under disk pressure a line is written whole or not at all: one write(2)
// of the line and its newline on an O_APPEND descriptor, and a short write
// (the disk filled up mid-line) is cut back with ftruncate(2), so a reader
// never sees a torn line. The first failure of a file is logged (spdlog);
// later ones are only counted (phas_scaler_record_write_errors_total{file}
// when a registry is given) until a line is written again, which is logged
// with the number of lines lost. Nothing stops: the next line is tried.
//
// Thread-safety: one thread at a time (the loop).
#ifndef PHAS_SCALER_RECORDER_H_
#define PHAS_SCALER_RECORDER_H_

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace phas {

class MetricsRegistry;
class Counter;

// How a RotatingFile writes: write(2)'s contract (bytes written, or -1 and
// errno). Tests inject short writes and ENOSPC with it.
using WriteFn = std::function<ssize_t(int fd, const void* data, size_t n)>;

class RotatingFile {
 public:
  RotatingFile() = default;
  ~RotatingFile();
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;
  // Opens (creates) `path` for appending. `write` null: ::write.
  Status Open(const std::string& path, size_t max_bytes, int keep,
              WriteFn write = nullptr);
  // Appends `line` and a newline whole or not at all, rotating first when
  // the file would pass max_bytes. IoError (naming the path and errno's
  // words) when the line could not be written; the file then ends where it
  // ended before (a partial write is cut back). A file that could not be
  // reopened after a rotation is reopened by the next Append.
  Status Append(const std::string& line);
  // Nothing to flush (every Append is one write(2)); kept for callers.
  void Flush() {}
  const std::string& path() const { return path_; }

 private:
  Status Reopen();
  Status Rotate();
  std::string path_;
  size_t max_bytes_ = 0;
  int keep_ = 0;
  WriteFn write_;
  int fd_ = -1;
  size_t size_ = 0;
};

struct RecorderOptions {
  std::string output_dir = "output";
  // Rotate each file at this size. Default: 50 MiB.
  size_t max_bytes = 50u << 20;
  // Rotated files kept. Default: 5.
  int keep = 5;
  // Also print log lines here (stderr for the daemon, stdout for the demo);
  // null: file only.
  FILE* echo = nullptr;
  // Write files at all (a backtest may only want the echo). Default: true.
  bool write_files = true;
  // Which lines to echo (all when null).
  std::function<bool(TimePoint, const std::string& message)> echo_filter;
  // Also send each log line to the process log (spdlog, at the line's
  // level, "[group] message"): the daemon's stderr, in --log-format and
  // filtered by --log-level. Default: false.
  bool echo_to_log = false;
  // Count write failures here (phas_scaler_record_write_errors_total{file});
  // null: only logged. Not owned.
  MetricsRegistry* metrics = nullptr;
  // How the files are written (tests); null: ::write.
  WriteFn write;
};

class Recorder {
 public:
  explicit Recorder(RecorderOptions options) : options_(std::move(options)) {}
  Status Open();
  void Log(TimePoint t, const char* level, const std::string& group,
           const std::string& message);
  void Record(const nlohmann::json& record);
  void Flush();

  // "2026-11-28 05:10:00,123", the original's %(asctime)s.
  static std::string AscTime(TimePoint t);

  // Lines that could not be written, per file, since Open.
  uint64_t log_write_errors() const { return log_.errors; }
  uint64_t record_write_errors() const { return records_.errors; }

 private:
  // A file, and whether its last write failed (the failure is logged once).
  struct Sink {
    RotatingFile file;
    Counter* counter = nullptr;
    bool failing = false;
    uint64_t errors = 0;
    uint64_t lost = 0;  // lines lost in the current run of failures
  };
  Status OpenSink(Sink* sink, const std::string& name);
  void Write(Sink* sink, const std::string& line);

  RecorderOptions options_;
  Sink log_, records_;
};

}  // namespace phas

#endif  // PHAS_SCALER_RECORDER_H_
