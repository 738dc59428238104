#include "scaler/recorder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/file_util.h"
#include "common/json_util.h"
#include "common/metrics.h"
#include "common/text.h"

namespace phas {

RotatingFile::~RotatingFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status RotatingFile::Open(const std::string& path, size_t max_bytes, int keep,
                          WriteFn write) {
  path_ = path;
  max_bytes_ = max_bytes;
  keep_ = keep;
  write_ = write ? std::move(write) : WriteFn(&::write);
  return Reopen();
}

Status RotatingFile::Reopen() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::IoError(path_ + ": " + std::strerror(errno));
  struct stat st;
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  return Status::OK();
}

Status RotatingFile::Rotate() {
  ::close(fd_);
  fd_ = -1;
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
  return Reopen();
}

Status RotatingFile::Append(const std::string& line) {
  if (fd_ < 0) PHAS_RETURN_IF_ERROR(Reopen());
  if (size_ > 0 && size_ + line.size() + 1 > max_bytes_)
    PHAS_RETURN_IF_ERROR(Rotate());
  std::string buf = line + "\n";
  struct stat st;
  off_t before =
      ::fstat(fd_, &st) == 0 ? st.st_size : static_cast<off_t>(size_);
  ssize_t n;
  do {
    n = write_(fd_, buf.data(), buf.size());
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(buf.size())) {
    size_ = static_cast<size_t>(before) + buf.size();
    return Status::OK();
  }
  // A short write is what a disk that fills up mid-line gives: no errno.
  std::string why = n < 0 ? std::strerror(errno) : std::strerror(ENOSPC);
  if (n > 0) {
    if (::ftruncate(fd_, before) != 0) {
      return Status::IoError(fmt::format(
          "{}: {} (wrote {} of {} bytes, and could not cut the partial line "
          "back: {})",
          path_, why, n, buf.size(), std::strerror(errno)));
    }
    why += fmt::format(" (wrote {} of {} bytes, cut back)", n, buf.size());
  }
  return Status::IoError(path_ + ": " + why);
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

Status Recorder::OpenSink(Sink* sink, const std::string& name) {
  if (options_.metrics) {
    sink->counter = &options_.metrics->GetCounter(
        "phas_scaler_record_write_errors_total",
        "Lines of the scaler's files (the log, the JSONL records) that could "
        "not be written (a full disk): not written at all, never torn.",
        {{"file", name}});
  }
  return sink->file.Open(JoinPath(options_.output_dir, name),
                         options_.max_bytes, options_.keep, options_.write);
}

Status Recorder::Open() {
  if (!options_.write_files) return Status::OK();
  PHAS_RETURN_IF_ERROR(MakeDirs(options_.output_dir));
  PHAS_RETURN_IF_ERROR(OpenSink(&log_, "ec2_monitor.log"));
  return OpenSink(&records_, "ec2_metrics_data.jsonl");
}

void Recorder::Write(Sink* sink, const std::string& line) {
  Status st = sink->file.Append(line);
  if (st.ok()) {
    if (sink->failing) {
      spdlog::warn("{}: writing again ({} line(s) lost)", sink->file.path(),
                   sink->lost);
    }
    sink->failing = false;
    sink->lost = 0;
    return;
  }
  ++sink->errors;
  ++sink->lost;
  if (sink->counter) sink->counter->Inc();
  if (!sink->failing) {
    spdlog::error(
        "cannot write: {}; the line is dropped whole, and further failures "
        "are counted (phas_scaler_record_write_errors_total), not logged, "
        "until a line is written again",
        st.message());
  }
  sink->failing = true;
}

void Recorder::Log(TimePoint t, const char* level, const std::string& group,
                   const std::string& message) {
  // One line, no escape sequence: a group's name and the text of AWS's
  // and a predictor's errors come from outside phas (a line break in one
  // split the line; an escape reached the terminal of `tail -f`).
  const std::string safe_group = Printable(group);
  const std::string safe_message = Printable(message);
  std::string line = fmt::format("{} - {} - [{}] - {}", AscTime(t), level,
                                 safe_group, safe_message);
  if (options_.write_files) Write(&log_, line);
  if (options_.echo_to_log) {
    std::string_view l(level);
    auto lvl = l == "ERROR"     ? spdlog::level::err
               : l == "WARNING" ? spdlog::level::warn
               : l == "DEBUG"   ? spdlog::level::debug
                                : spdlog::level::info;
    // The log's formatter makes it safe (common/log_format.h: Printable in
    // text, escaped in JSON); escaped here too, a backslash was doubled
    // twice.
    spdlog::log(lvl, "[{}] {}", group, message);
  }
  if (options_.echo &&
      (!options_.echo_filter || options_.echo_filter(t, message))) {
    std::fputs(line.c_str(), options_.echo);
    std::fputc('\n', options_.echo);
  }
}

void Recorder::Record(const nlohmann::json& record) {
  if (!options_.write_files) return;
  Write(&records_, DumpJson(record));
}

void Recorder::Flush() {
  if (options_.echo) std::fflush(options_.echo);
}

}  // namespace phas
