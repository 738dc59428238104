// File helpers (common/file_util.h): WriteFileAtomic writes a regular file
// by rename, and what is not one as it is.
#include "common/file_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using FileUtilTest = phas::testing::TempDirTest;

TEST_F(FileUtilTest, WriteFileAtomicReplacesARegularFile) {
  std::string path = (dir_ / "out.json").string();
  std::ofstream(path) << "old";
  ASSERT_TRUE(WriteFileAtomic(path, "new").ok());
  EXPECT_EQ(*ReadFile(path), "new");
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
}

// A pipe reached through a symlink (as /dev/stdout is) is written to, and
// stays a pipe behind its link: before, the rename replaced the link with a
// regular file (as root, /dev/stdout itself).
TEST_F(FileUtilTest, WriteFileAtomicWritesToWhatIsNotAFile) {
  std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink(fifo, dir_ / "stdout");
  std::string got;
  std::thread reader([&] {
    std::ifstream in(fifo);
    std::getline(in, got);
  });
  Status st = WriteFileAtomic((dir_ / "stdout").string(), "through\n");
  // A reader still waiting for a writer (the write went elsewhere) gets
  // an end of file instead of waiting forever.
  int unblock = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  reader.join();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(got, "through");
  EXPECT_TRUE(fs::is_symlink(dir_ / "stdout"));
  EXPECT_TRUE(fs::is_fifo(fifo));

  Status dir = WriteFileAtomic(dir_.string(), "x");
  EXPECT_FALSE(dir.ok());
  EXPECT_NE(dir.message().find("is a directory"), std::string::npos)
      << dir.message();
}

}  // namespace
}  // namespace phas
