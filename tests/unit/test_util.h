// Helpers shared by phas's tests: paths of the source tree and test data.
#ifndef PHAS_TESTS_UNIT_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace phas::testing {

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
