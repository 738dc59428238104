#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace phas {

namespace {

// ReadFile; with `regular_only`, ReadRegularFile.
Result<std::string> Read(const std::string& path, size_t max_bytes,
                         bool regular_only) {
  // Looked at before it is opened: opening a socket fails (ENXIO, an
  // IoError), and opening a device can act (/dev/watchdog).
  struct stat st;
  if (regular_only && ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) &&
      !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(
        path + ": not a regular file (a FIFO, socket or device)");
  }
  // O_NONBLOCK: opening a FIFO to read waits for a writer, without end if
  // none comes (one made since the stat); it changes nothing for a regular
  // file.
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IoError(path + ": " + std::strerror(err));
  }
  bool stated = ::fstat(fd, &st) == 0;
  if (stated && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory, not a file");
  }
  if (regular_only && !(stated && S_ISREG(st.st_mode))) {
    ::close(fd);
    return Status::InvalidArgument(
        path + ": not a regular file (a FIFO, socket or device)");
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IoError(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Status::InvalidArgument(path + ": larger than " +
                                     std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  return Read(path, max_bytes, /*regular_only=*/false);
}

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  return Read(path, max_bytes, /*regular_only=*/true);
}

namespace {

// Writes all of `data` to `fd`; errno is set when it returns false.
bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

// Whether `path` is an entry of /dev itself (/dev/stdout, /dev/null) or of
// /proc, once the links to its directory are followed: renamed over, such
// an entry was replaced by a regular file (as root: /dev/stdout itself).
// /dev/shm and the like are file systems of files, and written as any.
bool SystemEntry(const std::string& path) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::string real = std::filesystem::canonical(dir, ec).string();
  if (ec) return false;
  return real == "/dev" || real == "/proc" || real.rfind("/proc/", 0) == 0;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  if (SystemEntry(path)) {
    return Status::InvalidArgument(
        path +
        ": an entry of /dev or /proc: phas writes its output to a "
        "file (give a file's path)");
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(tmp + ": " + std::strerror(errno));
  if (!WriteAll(fd, data)) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IoError(tmp + ": " + std::strerror(err));
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError(tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IoError(path + ": " + std::strerror(err));
  }
  return Status::OK();
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (!b.empty() && b[0] == '/') return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IoError(path + ": " + ec.message());
  return Status::OK();
}

}  // namespace phas
