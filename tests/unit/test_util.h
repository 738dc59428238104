// Helpers shared by phas's tests: paths of the source tree and test data.
#ifndef PHAS_TESTS_UNIT_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "cloud/sim_demand.h"
#include "common/clock.h"

namespace phas::testing {

// The tests' virtual start: 2026-01-01T00:00:00Z, a Thursday.
inline const TimePoint kStart = FromUnixSeconds(1767225600);

// The same demand, in instance-units, every minute (SimCloud's world).
class FlatDemand final : public SimDemand {
 public:
  explicit FlatDemand(double units) : units_(units) {}
  double Mean(TimePoint, Duration) const override { return units_; }

 private:
  double units_;
};

// The newest timestamp of a GetMetricData answer (its series' last).
inline TimePoint NewestTimestamp(const std::vector<MetricSeries>& answer) {
  TimePoint newest{};
  for (const MetricSeries& s : answer) {
    if (!s.timestamps.empty()) newest = std::max(newest, s.timestamps.back());
  }
  return newest;
}

inline std::string SourcePath(const std::string& rel) {
  return std::string(PHAS_SOURCE_DIR) + "/" + rel;
}
inline std::string TestData(const std::string& rel) {
  return SourcePath("testdata/" + rel);
}
inline std::string PhasBinary() { return PHAS_BINARY; }

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of `key` in an x-www-form-urlencoded body, not decoded ("" when
// absent).
inline std::string FormValue(const std::string& body, const std::string& key) {
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string kv = body.substr(pos, amp - pos);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) {
      return eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    pos = amp + 1;
  }
  return "";
}

// promtool's verdict on a Prometheus exposition: "" when `promtool check
// metrics` finds it clean, else what it says. promtool is Debian's
// prometheus package (make deps); without it the verdict says so.
inline std::string PromtoolCheck(const std::string& text) {
  std::string path = ::testing::TempDir() + "/phas_metrics_" +
                     std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << text;
  std::string cmd = "promtool check metrics < " + path + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof(buf), p)) out += buf;
  int rc = p ? ::pclose(p) : -1;
  std::remove(path.c_str());
  if (rc != 0 && out.empty()) out = "promtool failed (is it installed?)";
  return rc == 0 ? "" : out;
}

// A fresh directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phas_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // Writes `text` to dir_/name; its path.
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_TEST_UTIL_H_
