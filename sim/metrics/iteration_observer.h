// IterationObserver: read-only view of every finished replica iteration, for recorders
// that are not part of the summary (time series, traces). The simulator calls observers
// after the iteration's tokens are applied; observers must not keep the view's references.
#pragma once

#include <cstdint>

#include "sim/engine/iteration_plan.h"

namespace llmsim::sim {

/// One finished iteration as observers see it. Times are simulated nanoseconds.
struct IterationView {
  std::int32_t pool = 0;
  std::int32_t replica = 0;       ///< within the pool
  std::int32_t replica_slot = 0;  ///< run-wide replica index (pools laid end to end)
  /// Under attention DP (sim/cluster/dp_group.h): the attention rank of the replica whose
  /// iteration this is, 0..DP-1 (each rank of a lockstep step is a view of its own); else 0.
  std::int32_t dp_rank = 0;
  const IterationPlan* plan = nullptr;  ///< the iteration that just ended (never null)
  std::int64_t completed_requests = 0;  ///< requests this iteration finished
  std::int64_t running_requests = 0;    ///< on this replica, after the iteration
  std::int64_t waiting_requests = 0;    ///< on this replica, after the iteration
  std::int64_t waiting_requests_all = 0;  ///< summed over every replica of the run
  std::int64_t kv_blocks_allocated = 0;   ///< on this replica, after the iteration
  std::int64_t kv_blocks_total = 0;       ///< of this replica, >= 1
};

/// Observers see every iteration, in simulated-time order across replicas, with the same
/// views whether the simulator runs step by step or runs replicas ahead (the run-ahead then
/// stops at the next event of any replica, so that nothing another replica does falls
/// between two iterations it reports). In a run-ahead iteration the decode group's members
/// are counted in plan->group_seqs, not listed in plan->seqs.
class IterationObserver {
 public:
  virtual ~IterationObserver() = default;
  virtual void on_iteration_end(const IterationView& view) = 0;
  /// True for an observer that reads every sequence of every iteration (plan->seqs whole):
  /// the simulator then plans every iteration the reference way, with no decode group.
  virtual bool needs_every_sequence() const { return false; }
};

}  // namespace llmsim::sim
