// LoadSignal: what a group serves, as the target-based policies see it. A
// metric whose per-instance mean the policies hold at a target
// (ScalingTarget), and whose sum over the group is the group's load, in
// instance-units (the load of one instance fully used).
//
// The default is average CPU (the original's): per instance in %, one
// instance fully used = 100 %. The metric behind a signal (CPU, network, an
// ALB's requests, a custom metric) is chosen by the loop
// (scaler/signal_source.h, scaler/observe.h); policies see only its values.
//
// Thread-safety: plain values.
#ifndef PHAS_DECISION_LOAD_SIGNAL_H_
#define PHAS_DECISION_LOAD_SIGNAL_H_

#include <string>

namespace phas {

struct LoadSignal {
  // How reasons name it ("cpu 72.0% above target 60%"). Default: cpu.
  std::string name = "cpu";
  // How sentences name it ("no CPU metric this cycle"). Default: CPU.
  std::string title = "CPU";
  std::string unit = "%";
  // The per-instance value of one instance fully used: a load in
  // instance-units is the group's sum divided by this. Default: 100 (CPU %).
  double full = 100;
  // The metric shows at most `full` per instance: a group at full may have
  // more load than it shows. Default: true (CPU, whose 100 % is a hard
  // bound); false for the others (SignalSource::Describe): a network
  // signal's `full` is an estimate, the target when not configured, and
  // requests and custom loads are counted where they arrive.
  bool censored_at_full = true;
};

struct ScalingTarget {
  LoadSignal signal;
  // The per-instance value to hold, in the signal's unit. Default: 60 (%).
  double value = 60;
  // The target as a fraction of one instance fully used (0.6).
  double utilization() const { return value / signal.full; }
};

}  // namespace phas

#endif  // PHAS_DECISION_LOAD_SIGNAL_H_
