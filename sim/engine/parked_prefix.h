// ParkedBlocks: the KV blocks that preempted requests leave in the prefix cache.
//
// vLLM V1 with prefix caching (on by default) hashes every full block of a request, prompt
// and generated tokens alike. Preemption frees the blocks, tail block first, and they keep
// their hashes until the block is handed out again; when the request is scheduled again
// its computed blocks still cached are a prefix hit and only the rest is recomputed
// (vllm/v1/core/sched/scheduler.py _preempt_request and schedule(); kv_cache_manager.py
// get_computed_blocks; block_pool.py: a block handed out loses its hash). Without this a
// replica under KV pressure recomputes every preempted prompt in full, which the engine
// does not (issue 21).
//
// llmsim registers only identifiable prompt blocks (content ids) in KvBlockManager; the
// other full blocks a preempted request had computed are "parked" here, by count alone:
// they are free blocks to the manager (any allocate() may take them) and this ledger says
// how many of each request's survive. A parked block is evicted only when no other free
// block is left, the oldest parked request first and its tail block first, which is the
// manager's own order (free blocks before cached ones, cached ones least recently released
// first; vLLM keeps one queue in release order, so it can evict a parked block while a
// block released later is still free: llmsim keeps parked blocks somewhat longer).
#pragma once

#include <cstdint>
#include <vector>

namespace llmsim::sim {

class ParkedBlocks {
 public:
  using Slot = std::int32_t;

  /// Parks the `blocks` leading blocks of `slot`, just released to the free blocks.
  /// Precondition: blocks >= 0 and `slot` has nothing parked.
  void park(Slot slot, std::int64_t blocks);
  /// After an allocation left `free_blocks` blocks free: evicts parked blocks until the
  /// parked total fits in them.
  void evict_to(std::int64_t free_blocks) {
    if (total_ > free_blocks) evict(total_ - free_blocks);
  }
  /// Blocks of `slot` still parked (0 if none).
  std::int64_t surviving(Slot slot) const;
  /// `slot` resumes: its parked blocks leave the ledger (the caller allocates them).
  /// Returns how many there were.
  std::int64_t take(Slot slot);
  std::int64_t total() const { return total_; }

 private:
  struct Run {
    Slot slot = 0;
    std::int64_t blocks = 0;
  };
  void evict(std::int64_t blocks);

  std::vector<Run> runs_;  ///< in the order parked (oldest first); no run is empty
  std::int64_t total_ = 0;
};

}  // namespace llmsim::sim
