// GpuSets: co-located pools (PoolSpec::colocated_with), two or more serving engines on the
// same GPUs, the way two vLLM engines share one GPU, each with its own
// gpu_memory_utilization share.
//
// A co-location group is a pool with GPUs of its own (its "owner") and every pool that
// names it, or names a pool of its group, in colocated_with. All pools of a group have the
// same hardware, tensor_parallel, GPUs per replica and replicas; replica r of each runs on the group's GPU set
// r (tensor_parallel GPUs). Memory: each engine keeps its weights and KV cache within its
// own share (kv_capacity() of its PoolSpec), and the shares of a group sum to at most 1.
// Time: one iteration at a time per GPU set; an engine with work waits while another
// engine's iteration holds its GPU set and is planned again when that iteration ends.
// Fairness: when several engines of a group want a free GPU set at the same instant, the
// next after the one that ran last on it goes first, in pool order, cyclically (with two
// engines they alternate, so neither starves); before anything ran, the owner goes first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/check.h"
#include "sim/scenario.h"

namespace llmsim::sim {

/// Why pools[p].colocated_with cannot stand, as a message for that key; empty when it is
/// empty (own GPUs) or valid: it must name a pool before p (not p itself, not a later or an
/// unknown pool) with the same hardware id, tensor_parallel, GPUs per replica and replicas, and the
/// gpu_memory_utilization shares of pools[p]'s group up to p must sum to at most 1.
/// Precondition: p < pools.size(), and the pools before p pass this check.
std::string colocation_error(const std::vector<PoolSpec>& pools, std::size_t p);
/// Throws core::InputError(file, 0, "pools[p].colocated_with", colocation_error()) for the
/// first pool p that fails colocation_error(); for scenarios built in code (the loader
/// checks files itself, located at the key's line).
void check_colocation(const std::string& file, const std::vector<PoolSpec>& pools);

/// Whether any pool runs on another pool's GPUs (colocated_with set).
bool any_colocated(const std::vector<PoolSpec>& pools);
/// Distinct GPU sets of a deployment: replicas summed over pools with GPUs of their own
/// (a co-located group counts once). Equals the total replica count without co-location.
std::int64_t gpu_set_count(const std::vector<PoolSpec>& pools);
/// Distinct GPUs: replicas x GPUs per replica (PP x DP x TP) summed over pools with GPUs of their own.
std::int64_t gpu_count(const std::vector<PoolSpec>& pools);

/// Which engine holds each shared GPU set, for the simulator. Pools alone on their GPUs are
/// not tracked (shared() is false and the other calls must not be made for them).
class GpuSets {
 public:
  /// Precondition: colocation_error() is empty for every pool.
  explicit GpuSets(const std::vector<PoolSpec>& pools);

  /// Whether pool's GPUs are shared with another pool.
  bool shared(std::int32_t pool) const { return group_of_[static_cast<std::size_t>(pool)] >= 0; }
  /// The pools of pool's group, in pool order (pool included). Precondition: shared(pool).
  const std::vector<std::int32_t>& group(std::int32_t pool) const {
    return groups_[static_cast<std::size_t>(group_of_[static_cast<std::size_t>(pool)])].pools;
  }
  /// Whether an iteration of some engine holds GPU set `replica` of pool's group.
  bool busy(std::int32_t pool, std::int32_t replica) const { return set(pool, replica).running >= 0; }

  /// The pool of the group whose replica `replica` gets the free GPU set next, among those
  /// for which wants(pool) is true (fairness above); -1 when none wants it.
  template <typename Wants>
  std::int32_t next(std::int32_t pool, std::int32_t replica, Wants wants) const {
    const std::vector<std::int32_t>& members = group(pool);
    const auto n = members.size();
    std::size_t first = 0;
    const std::int32_t last = set(pool, replica).last;
    for (std::size_t i = 0; i < n; ++i) {
      if (members[i] == last) first = i + 1;
    }
    for (std::size_t k = 0; k < n; ++k) {
      const std::int32_t candidate = members[(first + k) % n];
      if (wants(candidate)) return candidate;
    }
    return -1;
  }

  /// Takes GPU set `replica` for pool's replica when the set is free and that replica goes
  /// next (next()) among those for which wants(pool) is true; false: it waits.
  template <typename Wants>
  bool take(std::int32_t pool, std::int32_t replica, Wants wants) {
    if (busy(pool, replica) || next(pool, replica, wants) != pool) return false;
    start(pool, replica);
    return true;
  }

  /// An iteration of pool's replica `replica` starts on its GPU set. Precondition: !busy().
  void start(std::int32_t pool, std::int32_t replica);
  /// That iteration ended: the GPU set is free, and `pool` is the one that ran last.
  /// Precondition: pool's replica holds it.
  void finish(std::int32_t pool, std::int32_t replica);

 private:
  struct Set {
    std::int32_t running = -1;  ///< pool whose iteration holds the set; -1: free
    std::int32_t last = -1;     ///< pool that ran last on it; -1: none yet
  };
  struct Group {
    std::vector<std::int32_t> pools;  ///< in pool order, the owner first
    std::vector<Set> sets;            ///< one per replica index
  };
  Set& set(std::int32_t pool, std::int32_t replica) {
    return groups_[static_cast<std::size_t>(group_of_[static_cast<std::size_t>(pool)])]
        .sets[static_cast<std::size_t>(replica)];
  }
  const Set& set(std::int32_t pool, std::int32_t replica) const {
    return groups_[static_cast<std::size_t>(group_of_[static_cast<std::size_t>(pool)])]
        .sets[static_cast<std::size_t>(replica)];
  }

  std::vector<std::int32_t> group_of_;  ///< per pool: index into groups_, -1 when alone
  std::vector<Group> groups_;           ///< groups of two or more pools
};

}  // namespace llmsim::sim
