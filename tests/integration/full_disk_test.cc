// Records on a real full filesystem: a 64 KiB tmpfs (mounting one needs
// root; elsewhere the test is skipped, and recorder_test.cc covers the same
// contract with an injected writer and /dev/full). The recorder writes
// records of varied sizes until the disk is full: every line in the file is
// whole JSON, each lost record is counted; once space is freed the records
// resume.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/metrics.h"
#include "scaler/recorder.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(FullDiskTest, RecordsOnAFullTmpfsAreWholeAndResume) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  fs::path dir = fs::temp_directory_path() /
                 ("phas_full_disk_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0) {
    std::string why = std::strerror(errno);
    fs::remove_all(dir);
    GTEST_SKIP() << "cannot mount a tmpfs: " << why;
  }
  // Room to free later.
  std::ofstream(dir / "filler") << std::string(16 * 1024, 'f');
  MetricsRegistry metrics;
  RecorderOptions o;
  o.output_dir = (dir / "out").string();
  o.metrics = &metrics;
  int written = 0;  // records that went through before space returned
  {
    Recorder rec(o);
    ASSERT_TRUE(rec.Open().ok());
    int i = 0;
    while (rec.record_write_errors() < 20 && i < 10000) {
      ++i;
      uint64_t before = rec.record_write_errors();
      rec.Record({{"n", i}, {"pad", std::string(100 + (i * 37) % 800, 'x')}});
      if (rec.record_write_errors() == before) ++written;
    }
    EXPECT_EQ(rec.record_write_errors(), 20u);
    EXPECT_NE(metrics.Render().find(
                  "phas_scaler_record_write_errors_total{file=\"ec2_metrics_"
                  "data.jsonl\"} 20"),
              std::string::npos);
    // Space returns.
    fs::remove(dir / "filler");
    for (int k = 1; k <= 5; ++k) rec.Record({{"n", 100000 + k}});
    EXPECT_EQ(rec.record_write_errors(), 20u);
  }
  std::string text;
  {
    std::ifstream in(dir / "out" / "ec2_metrics_data.jsonl");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }  // closed: the tmpfs can be unmounted
  EXPECT_EQ(::umount(dir.c_str()), 0) << std::strerror(errno);
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream lines(text);
  int n = 0, last = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "torn line " << n << ": " << line;
    last = j["n"];
  }
  EXPECT_GT(written, 10);
  EXPECT_EQ(last, 100005);
  EXPECT_EQ(n, written + 5);  // every record written, and only those
}

}  // namespace
}  // namespace phas
