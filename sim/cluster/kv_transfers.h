// KvTransfers: the KV-cache transfers of a disaggregated run on their links (issue 24).
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cluster/disaggregation_spec.h"
#include "sim/metrics/relative_error_sketch.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

/// Books each transfer on the link and keeps the counts the summary reports.
///
/// Contention, per replica and direction: a replica's GPUs each have one link of the kind
/// the transfer crosses (one NIC per GPU on HGX H100/H200/B200, or its NVLink ports), and a
/// transfer is striped over all of them (KvLink::lanes), so a prefill replica sends one
/// transfer at a time and a decode replica receives one at a time; sending and receiving
/// are separate directions (full duplex). A transfer starts when it is ready and both its
/// sender's and its receiver's links are free, first come first served in booking order,
/// and holds both for KvLink::transfer_s(bytes), rounded up to whole nanoseconds (so it
/// never takes less than bytes / (lanes x bandwidth)). The switch fabric between NICs is
/// taken as non-blocking (a rail-optimised, full-bisection InfiniBand fabric).
class KvTransfers {
 public:
  /// Preconditions: link.bandwidth_bytes_per_s > 0, link.lanes >= 1, replica counts >= 1.
  KvTransfers(const KvLink& link, std::int32_t prefill_replicas, std::int32_t decode_replicas);

  struct Booking {
    workloads::TimeNs start_ns = 0;  ///< when it leaves the queue (>= ready)
    workloads::TimeNs end_ns = 0;    ///< when the KV has landed on the decode replica
  };

  /// Books a transfer of `bytes` (>= 0) ready at `ready_ns` from prefill replica `from` to
  /// decode replica `to`. Precondition: ready_ns is not before any earlier booking's ready_ns.
  Booking book(workloads::TimeNs ready_ns, std::int32_t from, std::int32_t to, double bytes);

  std::int64_t count() const { return count_; }
  double bytes() const { return bytes_; }
  /// Time on the link of each transfer (end - start) and its wait (start - ready), in ns.
  const RelativeErrorSketch& durations_ns() const { return durations_; }
  const RelativeErrorSketch& waits_ns() const { return waits_; }
  double duration_sum_ns() const { return duration_sum_ns_; }
  double wait_sum_ns() const { return wait_sum_ns_; }

 private:
  KvLink link_;
  std::vector<workloads::TimeNs> send_free_ns_;     ///< by prefill replica
  std::vector<workloads::TimeNs> receive_free_ns_;  ///< by decode replica
  workloads::TimeNs last_ready_ns_ = 0;
  std::int64_t count_ = 0;
  double bytes_ = 0.0;
  double duration_sum_ns_ = 0.0;
  double wait_sum_ns_ = 0.0;
  RelativeErrorSketch durations_;
  RelativeErrorSketch waits_;
};

}  // namespace llmsim::sim
