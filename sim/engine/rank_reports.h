// RankReports: where an attention data-parallel rank sends its per-iteration metrics.
#pragma once

#include <cstdint>

#include "sim/metrics/metrics_collector.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

/// A Replica that is one attention-DP rank of a replica (ReplicaConfig::rank_reports set,
/// sim/cluster/dp_group.h) reports its iterations and its KV usage here instead of to the
/// MetricsCollector: the group folds its ranks' lockstep iterations into one iteration of
/// the replica (the batch of all ranks, the replica's KV blocks), so that the summary's
/// per-replica metrics mean what they mean for a replica without attention DP.
class RankReports {
 public:
  /// The rank's iteration, applied (Replica::report_iteration's stats).
  virtual void on_rank_iteration(std::int32_t rank, const IterationStats& stats) = 0;
  /// The rank's allocated KV blocks at `now` (at an iteration's start and end).
  virtual void on_rank_kv_usage(std::int32_t rank, workloads::TimeNs now, std::int64_t allocated_blocks) = 0;

 protected:
  ~RankReports() = default;
};

}  // namespace llmsim::sim
