// The per-instance CloudWatch metrics phas reads, in one table: the
// original's seven from AWS/EC2 and the CloudWatch agent's memory. The loop
// plans its queries from it (scaler/observe.h), the simulator answers from
// it (cloud/sim_cloud.h), and the aggregated metrics are keyed by it
// (model/features.h).
//
// Thread-safety: constants.
#ifndef PHAS_CLOUD_INSTANCE_METRICS_H_
#define PHAS_CLOUD_INSTANCE_METRICS_H_

#include <cstddef>
#include <cstdint>

namespace phas {

enum class InstanceMetric : uint8_t {
  kCpu,
  kNetworkIn,
  kNetworkOut,
  kDiskReadBytes,
  kDiskWriteBytes,
  kNetworkPacketsIn,
  kNetworkPacketsOut,
  kMemory,  // the CloudWatch agent's; namespace and name configurable
};
inline constexpr size_t kInstanceMetricCount = 8;

struct InstanceMetricInfo {
  InstanceMetric id;
  const char* key;  // the aggregated metrics' key: "cpu_utilization"
  const char* ns;   // default namespace
  const char* name;
};

// In InstanceMetric order.
inline constexpr InstanceMetricInfo kInstanceMetrics[kInstanceMetricCount] = {
    {InstanceMetric::kCpu, "cpu_utilization", "AWS/EC2", "CPUUtilization"},
    {InstanceMetric::kNetworkIn, "network_in", "AWS/EC2", "NetworkIn"},
    {InstanceMetric::kNetworkOut, "network_out", "AWS/EC2", "NetworkOut"},
    {InstanceMetric::kDiskReadBytes, "disk_read_bytes", "AWS/EC2",
     "DiskReadBytes"},
    {InstanceMetric::kDiskWriteBytes, "disk_write_bytes", "AWS/EC2",
     "DiskWriteBytes"},
    {InstanceMetric::kNetworkPacketsIn, "network_packets_in", "AWS/EC2",
     "NetworkPacketsIn"},
    {InstanceMetric::kNetworkPacketsOut, "network_packets_out", "AWS/EC2",
     "NetworkPacketsOut"},
    {InstanceMetric::kMemory, "memory_utilization", "CWAgent",
     "mem_used_percent"},
};

inline constexpr const InstanceMetricInfo& Info(InstanceMetric m) {
  return kInstanceMetrics[static_cast<size_t>(m)];
}

}  // namespace phas

#endif  // PHAS_CLOUD_INSTANCE_METRICS_H_
