// The recorder's files (scaler/recorder.h).
#include "scaler/recorder.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/file_util.h"
#include "common/log_format.h"
#include "common/metrics.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using RecorderTest = phas::testing::TempDirTest;

TEST_F(RecorderTest, RotatingFileKeepsABoundedNumberOfBoundedFiles) {
  RotatingFile f;
  std::string path = (dir_ / "log").string();
  ASSERT_TRUE(f.Open(path, 100, 2).ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(f.Append(std::string(30, 'a' + i % 26)).ok());
  }
  f.Flush();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path + ".1"));
  EXPECT_TRUE(fs::exists(path + ".2"));
  EXPECT_FALSE(fs::exists(path + ".3"));
  for (const char* suffix : {"", ".1", ".2"}) {
    EXPECT_LE(fs::file_size(path + suffix), 100u);
  }
}

// A disk that the test fills and empties: writes go through, fail with
// ENOSPC, or stop halfway (a short write, as when the disk fills mid-line).
struct FlakyDisk {
  enum Mode { kOk, kFull, kHalf } mode = kOk;
  WriteFn fn() {
    return [this](int fd, const void* data, size_t n) -> ssize_t {
      if (mode == kFull) {
        errno = ENOSPC;
        return -1;
      }
      return ::write(fd, data, mode == kHalf ? n / 2 : n);
    };
  }
};

// Every line of the file, and whether each ends with a newline and parses.
std::vector<std::string> Lines(const std::string& path, bool* all_json) {
  std::string text = phas::testing::ReadAll(path);
  *all_json = text.empty() || text.back() == '\n';
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (nlohmann::json::parse(line, nullptr, false).is_discarded())
      *all_json = false;
    out.push_back(line);
  }
  return out;
}

TEST_F(RecorderTest, AShortWriteIsCutBackSoNoLineIsTorn) {
  FlakyDisk disk;
  RotatingFile f;
  std::string path = (dir_ / "records.jsonl").string();
  ASSERT_TRUE(f.Open(path, 1 << 20, 2, disk.fn()).ok());
  ASSERT_TRUE(f.Append(R"({"n":1})").ok());
  disk.mode = FlakyDisk::kHalf;
  Status st = f.Append(R"({"n":2,"padding":"xxxxxxxxxxxxxxxxxxxx"})");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cut back"), std::string::npos) << st.message();
  disk.mode = FlakyDisk::kFull;
  st = f.Append(R"({"n":3})");
  EXPECT_NE(st.message().find(std::strerror(ENOSPC)), std::string::npos)
      << st.message();
  disk.mode = FlakyDisk::kOk;  // space returns
  ASSERT_TRUE(f.Append(R"({"n":4})").ok());
  bool all_json = false;
  auto lines = Lines(path, &all_json);
  EXPECT_TRUE(all_json);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"({"n":1})");
  EXPECT_EQ(lines[1], R"({"n":4})");
}

// /dev/full: a real descriptor on which every write fails with ENOSPC.
TEST(RotatingFileTest, DevFullGivesAnErrorNamingThePath) {
  RotatingFile f;
  ASSERT_TRUE(f.Open("/dev/full", 1 << 20, 0).ok());
  Status st = f.Append("line");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/dev/full"), std::string::npos);
  EXPECT_NE(st.message().find(std::strerror(ENOSPC)), std::string::npos)
      << st.message();
}

// A full disk under the recorder: each lost record is counted, the failure
// logged once (not every cycle), the recovery logged, and the records
// resume whole.
TEST_F(RecorderTest, WriteFailuresAreCountedLoggedOnceAndRecordsResume) {
  std::ostringstream logged;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logged);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", sink));
  FlakyDisk disk;
  MetricsRegistry metrics;
  RecorderOptions o;
  o.output_dir = (dir_ / "out").string();
  o.metrics = &metrics;
  o.write = disk.fn();
  Recorder rec(o);
  ASSERT_TRUE(rec.Open().ok());
  rec.Record({{"cycle", 1}});
  disk.mode = FlakyDisk::kFull;
  for (int i = 2; i <= 4; ++i) rec.Record({{"cycle", i}});
  disk.mode = FlakyDisk::kHalf;
  rec.Record({{"cycle", 5}, {"padding", std::string(40, 'x')}});
  disk.mode = FlakyDisk::kOk;
  rec.Record({{"cycle", 6}});
  spdlog::set_default_logger(previous);

  EXPECT_EQ(rec.record_write_errors(), 4u);
  EXPECT_NE(metrics.Render().find("phas_scaler_record_write_errors_total{file="
                                  "\"ec2_metrics_data.jsonl\"} 4"),
            std::string::npos)
      << metrics.Render();
  std::string log = logged.str();
  size_t first = log.find("cannot write");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("cannot write", first + 1), std::string::npos) << log;
  EXPECT_NE(log.find("writing again (4 line(s) lost)"), std::string::npos)
      << log;
  bool all_json = false;
  auto lines =
      Lines((dir_ / "out" / "ec2_metrics_data.jsonl").string(), &all_json);
  EXPECT_TRUE(all_json);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], R"({"cycle":6})");
}

// A log line is one line without escape sequences: a group's name or an
// error's text from outside phas with a line break split it (the second
// part read as a line of its own), and an escape reached the terminal of
// `tail -f`, in the file, the journal (stderr) and the echo alike.
TEST_F(RecorderTest, ALogLineIsOneLineWithoutEscapes) {
  std::ostringstream logged;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logged);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("t", sink);
  logger->set_formatter(MakeTextLogFormatter());  // the daemon's default
  spdlog::set_default_logger(logger);
  RecorderOptions o;
  o.output_dir = (dir_ / "out").string();
  o.echo_to_log = true;
  Recorder rec(o);
  ASSERT_TRUE(rec.Open().ok());
  rec.Log(FromUnixSeconds(0), "ERROR", "web\nFAKE",
          "HTTP 500: \x1b[2Jgone\r\n2026 - INFO - [web] - all fine \\x1b");
  spdlog::set_default_logger(previous);
  auto text = ReadFile((dir_ / "out" / "ec2_monitor.log").string());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 1) << *text;
  EXPECT_NE(text->find("[web\\x0aFAKE] - HTTP 500: \\x1b[2Jgone\\x0d\\x0a2026"),
            std::string::npos)
      << *text;
  EXPECT_EQ(logged.str().find('\x1b'), std::string::npos) << logged.str();
  EXPECT_NE(logged.str().find("[web\\x0aFAKE] HTTP 500: \\x1b[2J"),
            std::string::npos)
      << logged.str();
  // Escaped once, in the journal as in the file: a literal backslash is
  // two, not four.
  EXPECT_NE(text->find("all fine \\\\x1b\n"), std::string::npos) << *text;
  EXPECT_NE(logged.str().find("all fine \\\\x1b\n"), std::string::npos)
      << logged.str();
}

TEST(AscTimeTest, IsTheOriginalsFormat) {
  EXPECT_EQ(
      Recorder::AscTime(TimePoint(std::chrono::milliseconds(1764306600123))),
      "2025-11-28 05:10:00,123");
}

}  // namespace
}  // namespace phas
