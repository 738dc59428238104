#include "scaler/lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <random>

namespace phas {

bool LeaseValidAt(SteadyTime sent, SteadyTime now, const LeaseOptions& o) {
  return now >= sent && now - sent < o.duration - o.margin;
}

std::string MakeHolderId() {
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "unknown-host");
  }
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", host, ::getpid(),
                     static_cast<uint32_t>(rd()));
}

}  // namespace phas
