// The recorder's files (scaler/recorder.h).
#include "scaler/recorder.h"

#include <gtest/gtest.h>

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

TEST(AscTimeTest, IsTheOriginalsFormat) {
  EXPECT_EQ(
      Recorder::AscTime(TimePoint(std::chrono::milliseconds(1764306600123))),
      "2025-11-28 05:10:00,123");
}

}  // namespace
}  // namespace phas
