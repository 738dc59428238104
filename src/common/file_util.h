// Small file helpers that return Status instead of throwing.
// Thread-safety: stateless functions; safe from any thread.
#ifndef PHAS_COMMON_FILE_UTIL_H_
#define PHAS_COMMON_FILE_UTIL_H_

#include <string>

#include "common/status.h"

namespace phas {

// Reads the whole file. NotFound when it does not exist, IoError otherwise.
// Refuses files larger than max_bytes (InvalidArgument).
Result<std::string> ReadFile(const std::string& path,
                             size_t max_bytes = 512u << 20);

// As ReadFile, for a file that must be a regular one (a model): a FIFO, a
// socket or a device is InvalidArgument, refused at once (ReadFile waits,
// without end, for a FIFO's writer).
Result<std::string> ReadRegularFile(const std::string& path,
                                    size_t max_bytes = 512u << 20);

// Writes `data` to path via a temporary file and rename(2), so a reader sees
// either the old or the new content, never a partial file (a FIFO or a
// symlink at `path` is replaced). An entry of /dev itself or of /proc
// (/dev/stdout, /dev/null, /dev/fd/1) is InvalidArgument: the rename would
// replace it.
Status WriteFileAtomic(const std::string& path, const std::string& data);

bool FileExists(const std::string& path);

// Joins two path parts with exactly one '/'.
std::string JoinPath(const std::string& a, const std::string& b);

// Creates the directory and its parents (like mkdir -p).
Status MakeDirs(const std::string& path);

}  // namespace phas

#endif  // PHAS_COMMON_FILE_UTIL_H_
