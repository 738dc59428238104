// The standard process_* series of a Prometheus client (as client_golang's
// process collector exports them), read from /proc/self, and phas's
// build_info:
//   process_cpu_seconds_total       user + system CPU time
//   process_resident_memory_bytes   resident set size
//   process_virtual_memory_bytes    virtual memory size
//   process_start_time_seconds      start time (Unix seconds)
//   process_open_fds, process_max_fds
//   phas_build_info{version,compiler} 1
//
// Thread-safety: UpdateProcessMetrics may be called from any thread
// (serialised inside); the parsers are pure.
#ifndef PHAS_COMMON_PROCESS_METRICS_H_
#define PHAS_COMMON_PROCESS_METRICS_H_

#include <string>

#include "common/metrics.h"
#include "common/status.h"

namespace phas {

struct ProcessStat {
  double cpu_seconds = 0;
  double start_time_seconds = 0;  // Unix seconds
  double resident_bytes = 0;
  double virtual_bytes = 0;
};

// Parses /proc/self/stat (`stat`) given the clock ticks per second, the
// boot time (Unix seconds: /proc/stat's btime) and the page size.
// Corruption naming the field when it cannot.
Result<ProcessStat> ParseProcStat(const std::string& stat, long ticks,
                                  double boot_time, long page_size);
// The btime line of /proc/stat; Corruption when absent.
Result<double> ParseBootTime(const std::string& proc_stat);

// Reads /proc/self and sets the process_* series of `registry`. A file
// that cannot be read leaves its series as they were; without /proc/stat
// (systemd's ProcSubset=pid) the start time is when the binary was loaded.
void UpdateProcessMetrics(MetricsRegistry* registry);

// Sets phas_build_info{version,compiler} to 1.
void SetBuildInfo(MetricsRegistry* registry);

}  // namespace phas

#endif  // PHAS_COMMON_PROCESS_METRICS_H_
