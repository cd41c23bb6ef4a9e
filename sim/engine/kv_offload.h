// KvOffloadTiers: the lower tiers (host DRAM, local NVMe) that keep a replica's prefix
// blocks after its GPU KV cache evicts them, and load them back on a prefix hit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/engine/content_index.h"
#include "sim/engine/kv_offload_spec.h"

namespace llmsim::sim {

/// A set of at most `capacity` content ids in least-recently-used order: O(1) find, touch,
/// insert and pop of the least recent. Slots are allocated once (ContentIndex sizes its
/// table at the first insert).
class LruIdSet {
 public:
  /// Precondition: 0 <= capacity <= 2^31 - 1.
  explicit LruIdSet(std::int64_t capacity);

  std::int64_t capacity() const { return capacity_; }
  std::int64_t size() const { return index_.size(); }
  bool contains(std::uint64_t id) const { return capacity_ > 0 && index_.find(id) != ContentIndex::kAbsent; }
  /// Makes a present id the most recent. Precondition: contains(id).
  void touch(std::uint64_t id);
  /// Adds an absent id as the most recent. Preconditions: !contains(id), size() < capacity().
  void insert(std::uint64_t id);
  /// Removes and returns the least recent id. Precondition: size() > 0.
  std::uint64_t pop_least_recent();

 private:
  using Slot = std::int32_t;
  static constexpr Slot kNone = -1;
  void unlink(Slot slot);
  void link_most_recent(Slot slot);

  std::int64_t capacity_;
  ContentIndex index_;  ///< id -> slot
  std::vector<std::uint64_t> ids_;
  std::vector<Slot> prev_;
  std::vector<Slot> next_;
  std::vector<Slot> free_;  ///< unused slots, a stack
  Slot head_ = kNone;       ///< least recent
  Slot tail_ = kNone;       ///< most recent
};

/// What crossed the tiers of one replica (or, summed, of a run). Tier t of a spec is
/// tiers[t]; "down" is towards the slower tier (GPU -> tier 0 -> tier 1), "up" a load back
/// to the GPU.
struct KvTierStats {
  std::int64_t capacity_blocks = 0;
  std::int64_t blocks_in = 0;        ///< blocks written into the tier (from the GPU or the tier above)
  std::int64_t blocks_loaded = 0;    ///< blocks loaded from the tier to the GPU
  std::int64_t blocks_dropped = 0;   ///< blocks pushed out of the tier (demoted or, last tier, lost)
  std::int64_t hit_tokens = 0;       ///< prompt tokens a first admission loaded from the tier
  double load_time_s = 0.0;          ///< sum of blocks_loaded x block bytes / bandwidth
};

/// The offload tiers of one replica. Policy (the KV offload tiers; a choice where
/// engines differ, stated here):
///  - Write on eviction: a prefix block the GPU cache evicts (KvBlockManager's LRU) is
///    written to tier 0 unless some tier already holds its content (then it is only touched
///    there: vLLM's offloading manager skips blocks already stored). SGLang HiCache calls
///    this its write_back policy; vLLM's OffloadingConnector and LMCache write every
///    computed block through instead, which keeps more blocks but costs the same bytes on a
///    hit. The write is not priced (DMA overlapped with compute) but its bytes are counted.
///  - Each tier is LRU. A tier that is full pushes its least recent block to the next tier
///    (bytes counted as that tier's blocks_in); the last tier drops it. Tiers are exclusive:
///    a block is in at most one of them.
///  - A block loaded back to the GPU keeps its copy in its tier (touched as most recent),
///    as LMCache and vLLM's CPU offload keep theirs.
///  - Loading n blocks from tier t takes n x block_bytes / bandwidth of tier t; the loads of
///    one request's tiers add up (one link, one after another).
class KvOffloadTiers {
 public:
  /// block_bytes: one KV block on one GPU (KvCapacity::block_bytes), > 0;
  /// block_size: its tokens, >= 1.
  KvOffloadTiers(const KvOffloadSpec& spec, double block_bytes, std::int64_t block_size);

  /// The GPU cache evicted the registered block holding `content_id`.
  void store(std::uint64_t content_id);
  /// The leading run of `content_ids` held in some tier.
  std::int64_t lookup(std::span<const std::uint64_t> content_ids) const;
  /// Loads `content_ids` (each held in some tier: lookup() covers them) back to the GPU and
  /// returns the seconds the loads take. first_admission: count their tokens as hits.
  double load(std::span<const std::uint64_t> content_ids, bool first_admission);

  double block_bytes() const { return block_bytes_; }
  std::size_t num_tiers() const { return tiers_.size(); }
  KvTierKind kind(std::size_t tier) const { return specs_[tier].kind; }
  const KvTierStats& stats(std::size_t tier) const { return stats_[tier]; }

 private:
  /// The tier holding `content_id`, or -1.
  int tier_of(std::uint64_t content_id) const;
  /// Puts an id held by no tier into tier `t`, pushing the least recent ones down as needed.
  void put(std::size_t t, std::uint64_t content_id);

  std::vector<KvOffloadTierSpec> specs_;
  std::vector<LruIdSet> tiers_;
  std::vector<KvTierStats> stats_;
  double block_bytes_;
  std::int64_t block_size_;
};

}  // namespace llmsim::sim
