#include "common/paths.h"

#include <unistd.h>

#include <cstdlib>

#include "common/file_util.h"

namespace phas {

std::string ExecutableDir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string p(buf, static_cast<size_t>(n));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

Result<std::string> FindDataPath(const std::string& rel) {
  std::vector<std::string> tried;
  if (const char* env = std::getenv("PHAS_DATA_DIR"); env && *env) {
    tried.push_back(JoinPath(env, rel));
  }
  std::string exe = ExecutableDir();
  if (!exe.empty()) {
    tried.push_back(JoinPath(exe, "../data/" + rel));
    tried.push_back(JoinPath(exe, "../share/phas/" + rel));
  }
  for (const std::string& p : tried) {
    if (FileExists(p)) return p;
  }
  std::string list;
  for (const std::string& p : tried) list += (list.empty() ? "" : ", ") + p;
  return Status::NotFound("cannot find " + rel + " (looked in: " + list + ")");
}

}  // namespace phas
