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
// Thread-safety: one thread at a time (the loop).
#ifndef PHAS_SCALER_RECORDER_H_
#define PHAS_SCALER_RECORDER_H_

#include <cstdio>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace phas {

class RotatingFile {
 public:
  RotatingFile() = default;
  ~RotatingFile();
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;
  Status Open(const std::string& path, size_t max_bytes, int keep);
  // Appends `line` and a newline, rotating first when the file would pass
  // max_bytes.
  Status Append(const std::string& line);
  void Flush();

 private:
  Status Rotate();
  std::string path_;
  size_t max_bytes_ = 0;
  int keep_ = 0;
  FILE* f_ = nullptr;
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

 private:
  RecorderOptions options_;
  RotatingFile log_, records_;
};

}  // namespace phas

#endif  // PHAS_SCALER_RECORDER_H_
