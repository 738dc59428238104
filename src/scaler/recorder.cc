#include "scaler/recorder.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/file_util.h"

namespace phas {

RotatingFile::~RotatingFile() {
  if (f_) std::fclose(f_);
}

Status RotatingFile::Open(const std::string& path, size_t max_bytes, int keep) {
  path_ = path;
  max_bytes_ = max_bytes;
  keep_ = keep;
  f_ = std::fopen(path.c_str(), "a");
  if (!f_) return Status::IoError(path + ": " + std::strerror(errno));
  std::error_code ec;
  size_ = std::filesystem::exists(path, ec)
              ? std::filesystem::file_size(path, ec)
              : 0;
  return Status::OK();
}

Status RotatingFile::Rotate() {
  std::fclose(f_);
  f_ = nullptr;
  std::error_code ec;
  std::filesystem::remove(fmt::format("{}.{}", path_, keep_), ec);
  for (int i = keep_ - 1; i >= 1; --i) {
    std::filesystem::rename(fmt::format("{}.{}", path_, i),
                            fmt::format("{}.{}", path_, i + 1), ec);
  }
  if (keep_ >= 1) {
    std::filesystem::rename(path_, path_ + ".1", ec);
  } else {
    std::filesystem::remove(path_, ec);
  }
  f_ = std::fopen(path_.c_str(), "a");
  size_ = 0;
  if (!f_) return Status::IoError(path_ + ": " + std::strerror(errno));
  return Status::OK();
}

Status RotatingFile::Append(const std::string& line) {
  if (!f_) return Status::FailedPrecondition(path_ + " is not open");
  if (size_ > 0 && size_ + line.size() + 1 > max_bytes_)
    PHAS_RETURN_IF_ERROR(Rotate());
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() ||
      std::fputc('\n', f_) == EOF) {
    return Status::IoError(path_ + ": " + std::strerror(errno));
  }
  size_ += line.size() + 1;
  std::fflush(f_);  // a crash loses no complete line
  return Status::OK();
}

void RotatingFile::Flush() {
  if (f_) std::fflush(f_);
}

std::string Recorder::AscTime(TimePoint t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                t.time_since_epoch())
                .count() %
            1000;
  std::string iso = FormatIso8601(t);  // 2026-11-28T05:10:00Z
  return fmt::format("{} {},{:03d}", iso.substr(0, 10), iso.substr(11, 8),
                     ms < 0 ? 0 : ms);
}

Status Recorder::Open() {
  if (!options_.write_files) return Status::OK();
  PHAS_RETURN_IF_ERROR(MakeDirs(options_.output_dir));
  PHAS_RETURN_IF_ERROR(
      log_.Open(JoinPath(options_.output_dir, "ec2_monitor.log"),
                options_.max_bytes, options_.keep));
  return records_.Open(JoinPath(options_.output_dir, "ec2_metrics_data.jsonl"),
                       options_.max_bytes, options_.keep);
}

void Recorder::Log(TimePoint t, const char* level, const std::string& group,
                   const std::string& message) {
  std::string line =
      fmt::format("{} - {} - [{}] - {}", AscTime(t), level, group, message);
  if (options_.write_files) {
    Status st = log_.Append(line);
    if (!st.ok()) spdlog::error("cannot write the log: {}", st.message());
  }
  if (options_.echo &&
      (!options_.echo_filter || options_.echo_filter(t, message))) {
    std::fputs(line.c_str(), options_.echo);
    std::fputc('\n', options_.echo);
  }
}

void Recorder::Record(const nlohmann::json& record) {
  if (!options_.write_files) return;
  Status st = records_.Append(
      record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!st.ok())
    spdlog::error("cannot write the metrics record: {}", st.message());
}

void Recorder::Flush() {
  log_.Flush();
  records_.Flush();
  if (options_.echo) std::fflush(options_.echo);
}

}  // namespace phas
