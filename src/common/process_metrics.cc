#include "common/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "common/file_util.h"
#include "common/version.h"

namespace phas {

Result<ProcessStat> ParseProcStat(const std::string& stat, long ticks,
                                  double boot_time, long page_size) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields are counted from the last ')'.
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return Status::Corruption("/proc/self/stat: no ')' after the command");
  }
  std::istringstream in(stat.substr(paren + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string tok; in >> tok;) f.push_back(tok);
  if (f.size() < 22 || ticks <= 0) {
    return Status::Corruption("/proc/self/stat: fewer than 24 fields");
  }
  auto field = [&f](int n) { return std::strtod(f[n - 3].c_str(), nullptr); };
  ProcessStat s;
  s.cpu_seconds = (field(14) + field(15)) / static_cast<double>(ticks);
  s.start_time_seconds = boot_time + field(22) / static_cast<double>(ticks);
  s.virtual_bytes = field(23);
  s.resident_bytes = field(24) * static_cast<double>(page_size);
  return s;
}

Result<double> ParseBootTime(const std::string& proc_stat) {
  std::istringstream in(proc_stat);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) {
      return std::strtod(line.c_str() + 6, nullptr);
    }
  }
  return Status::Corruption("/proc/stat: no btime line");
}

namespace {

// When the binary was loaded (static initialization), Unix seconds.
const double kLoadedAt =
    std::chrono::duration<double>(
        std::chrono::system_clock::now().time_since_epoch())
        .count();

int CountOpenFds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

void UpdateProcessMetrics(MetricsRegistry* r) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto stat = ReadFile("/proc/self/stat");
  // The host's boot time, read once (it does not change). Under systemd's
  // ProcSubset=pid (the shipped units) /proc/stat is hidden: then the start
  // time is when this binary was loaded.
  static const std::optional<double> btime = []() -> std::optional<double> {
    auto boot = ReadFile("/proc/stat");
    if (!boot.ok()) return std::nullopt;
    auto b = ParseBootTime(*boot);
    return b.ok() ? std::optional<double>(*b) : std::nullopt;
  }();
  if (stat.ok()) {
    auto s = ParseProcStat(*stat, ::sysconf(_SC_CLK_TCK), btime.value_or(0),
                           ::sysconf(_SC_PAGESIZE));
    if (s.ok() && !btime) s->start_time_seconds = kLoadedAt;
    if (s.ok()) {
      Counter& cpu = r->GetCounter("process_cpu_seconds_total",
                                   "Total user and system CPU time spent in "
                                   "seconds.");
      if (s->cpu_seconds > cpu.Value()) cpu.Inc(s->cpu_seconds - cpu.Value());
      r->GetGauge("process_resident_memory_bytes",
                  "Resident memory size in bytes.")
          .Set(s->resident_bytes);
      r->GetGauge("process_virtual_memory_bytes",
                  "Virtual memory size in bytes.")
          .Set(s->virtual_bytes);
      r->GetGauge("process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.")
          .Set(s->start_time_seconds);
    }
  }
  int fds = CountOpenFds();
  if (fds >= 0) {
    r->GetGauge("process_open_fds", "Number of open file descriptors.")
        .Set(fds);
  }
  struct rlimit lim;
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    r->GetGauge("process_max_fds", "Maximum number of open file descriptors.")
        .Set(static_cast<double>(lim.rlim_cur));
  }
}

void SetBuildInfo(MetricsRegistry* r) {
  r->GetGauge("phas_build_info", "phas's version and compiler; always 1.",
              {{"version", kVersion}, {"compiler", "g++ " __VERSION__}})
      .Set(1);
}

}  // namespace phas
