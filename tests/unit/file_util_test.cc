// File helpers (common/file_util.h): WriteFileAtomic writes a regular file
// by rename, and what is not one as it is.
#include "common/file_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

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

// A path linked under /proc (as /dev/stdout is, to /proc/self/fd/1) is
// appended to and stays a link: before, the rename replaced it with a
// regular file (as root, /dev/stdout itself). Here: a pipe, and a file as
// a shell redirects stdout to one.
TEST_F(FileUtilTest, WriteFileAtomicAppendsToWhatDevStdoutLeadsTo) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  fs::create_symlink("/proc/self/fd/" + std::to_string(fds[1]),
                     dir_ / "to-pipe");
  Status st = WriteFileAtomic((dir_ / "to-pipe").string(), "through\n");
  ::close(fds[1]);
  char buf[64] = {};
  ssize_t n = ::read(fds[0], buf, sizeof(buf) - 1);
  ::close(fds[0]);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "through\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "to-pipe"));

  std::string file = (dir_ / "results.txt").string();
  int out = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(out, 0);
  ASSERT_EQ(::write(out, "table\n", 6), 6);
  fs::create_symlink("/proc/self/fd/" + std::to_string(out), dir_ / "stdout");
  st = WriteFileAtomic((dir_ / "stdout").string(), "json\n");
  ::close(out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(*ReadFile(file), "table\njson\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "stdout"));
}

// A FIFO elsewhere is replaced, as any file, and never waited on: the
// daemon's status file is written from the loop.
TEST_F(FileUtilTest, WriteFileAtomicNeverWaitsForAFifosReader) {
  std::string fifo = (dir_ / "status.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto write = std::async(std::launch::async,
                          [&] { return WriteFileAtomic(fifo, "x"); });
  if (write.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "still waiting for a reader after 10 s";
    int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  Status st = write.get();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(*ReadFile(fifo), "x");

  Status dir = WriteFileAtomic(dir_.string(), "x");
  EXPECT_FALSE(dir.ok());
}

}  // namespace
}  // namespace phas
