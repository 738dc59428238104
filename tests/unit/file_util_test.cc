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

// An entry of /proc (as /dev/stdout leads to, /proc/self/fd/1) is refused,
// naming it, before anything is written: renamed over, an entry of /dev was
// replaced by a regular file (as root, /dev/stdout itself). A file under a
// link to a directory (as a link to /proc would be) is judged by where the
// link leads.
TEST_F(FileUtilTest, AnEntryOfDevOrProcIsRefused) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string fd_path = "/proc/self/fd/" + std::to_string(fds[1]);
  fs::create_directory_symlink("/proc/self/fd", dir_ / "fds");
  for (const std::string& path :
       {fd_path, (dir_ / "fds" / std::to_string(fds[1])).string()}) {
    SCOPED_TRACE(path);
    Status st = WriteFileAtomic(path, "x");
    EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
    EXPECT_NE(st.message().find(path + ": an entry of /dev or /proc"),
              std::string::npos)
        << st.message();
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

// A FIFO is replaced, as any file, and never waited on: the daemon's
// status file is written from the loop (744d798 waited for its reader).
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
  // A symlink at the path is replaced, as ever (the link, not its target).
  std::ofstream(dir_ / "target") << "kept";
  fs::create_symlink(dir_ / "target", dir_ / "link.json");
  EXPECT_TRUE(WriteFileAtomic((dir_ / "link.json").string(), "new").ok());
  EXPECT_EQ(*ReadFile((dir_ / "target").string()), "kept");
}

}  // namespace
}  // namespace phas
