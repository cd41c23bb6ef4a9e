// KvBlockManager: the paged KV cache of one replica, with vLLM-style prefix caching.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/check.h"
#include "sim/engine/content_index.h"
#include "sim/engine/kv_offload.h"

namespace llmsim::sim {

class KvBlockManager;

/// The KV blocks one holder has (a sequence, the decode group's pool of owed blocks), in
/// token order. Filled and emptied only by a KvBlockManager: one that tracks block ids
/// lists them here; one that only counts blocks (KvBlockManager::tracks_ids() false) keeps
/// the count alone, so that allocating and releasing n blocks costs O(1), not O(n).
class BlockList {
 public:
  using BlockId = std::int32_t;

  std::int64_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  /// The ids, in token order; empty when the manager that filled the list counts only.
  std::span<const BlockId> ids() const { return ids_; }
  /// Moves the last `count` blocks of `from` to the end of this list (same manager).
  /// Precondition: 0 <= count <= from.size().
  void take_tail(BlockList& from, std::int64_t count);

 private:
  friend class KvBlockManager;
  std::vector<BlockId> ids_;  ///< empty unless the manager tracks ids
  std::int64_t count_ = 0;    ///< == ids_.size() when the manager tracks ids
};

/// A fixed pool of KV blocks (block_size tokens each; the manager only counts blocks).
///
/// Every block is in exactly one of three states:
///   allocated         ref_count > 0: held by one or more requests (shared prefix blocks);
///   free              ref_count == 0, no content id: never used or its content is unknown;
///   cached-evictable  ref_count == 0 with a content id: kept for the prefix cache, in LRU
///                     order (least recently released first), reclaimed when free runs out.
/// Invariant, checked after every mutation: allocated + free + cached_evictable == total.
///
/// Prefix cache: a full block whose content is identified (a content id, see
/// block_content_ids.h) is registered with register_block(); while it stays allocated or
/// cached-evictable a later request whose chain has the same id reuses it (ref count up)
/// instead of recomputing it. With prefix caching off nothing is ever registered.
///
/// Counting only (track_ids false): when no block is ever registered or shared (no request
/// carries prefix identities, none has parallel samples), no result depends on which blocks
/// a request holds, only on how many. The manager then keeps counts alone: BlockLists carry
/// no ids, allocate() and release() are O(1), lookup() finds nothing, and share(),
/// acquire_cached() and register_block() must not be called.
class KvBlockManager {
 public:
  using BlockId = BlockList::BlockId;

  /// Precondition: num_blocks >= 1 and fits an int32.
  KvBlockManager(std::int64_t num_blocks, bool prefix_caching, bool track_ids = true);

  std::int64_t num_blocks() const { return num_blocks_; }
  std::int64_t num_allocated() const { return num_allocated_; }
  std::int64_t num_free() const { return free_count_; }
  std::int64_t num_cached_evictable() const { return lru_size_; }
  /// Blocks an allocate() can obtain now: free plus cached-evictable.
  std::int64_t num_available() const { return num_free() + lru_size_; }
  bool prefix_caching() const { return prefix_caching_; }
  bool tracks_ids() const { return track_ids_; }
  /// Makes room in `list` for `blocks` ids without reallocating (nothing when counting only).
  void reserve(BlockList& list, std::int64_t blocks) const;

  /// The longest leading run of `content_ids` present in the cache (allocated or evictable),
  /// and how many of those blocks are cached-evictable (acquiring them takes them out of
  /// num_available()). offloaded_blocks: the blocks right after that run held in offload
  /// tiers (KvOffloadTiers; Replica::prefix_hit fills it, lookup() leaves it 0): they are
  /// not recomputed but loaded into newly allocated GPU blocks.
  struct PrefixHit {
    std::int64_t blocks = 0;
    std::int64_t evictable_blocks = 0;
    std::int64_t offloaded_blocks = 0;
    /// Leading blocks whose tokens are not computed: GPU hits and offload hits.
    std::int64_t cached_blocks() const { return blocks + offloaded_blocks; }
  };
  PrefixHit lookup(std::span<const std::uint64_t> content_ids) const;

  /// Takes a reference on the cached blocks of content_ids[0..count) and appends them to
  /// `out`. Precondition: lookup(content_ids).blocks >= count (so prefix caching is on).
  void acquire_cached(std::span<const std::uint64_t> content_ids, std::int64_t count, BlockList& out);

  /// Appends `count` blocks with ref_count 1 to `out`, taking free blocks first and then
  /// evicting cached blocks least recently released first. Returns false, and changes
  /// nothing, when num_available() < count. Inline when counting only: every step of a
  /// decode group allocates.
  bool allocate(std::int64_t count, BlockList& out) {
    if (track_ids_) return allocate_ids(count, out);
    LLMSIM_CHECK(count >= 0, "allocate takes a non-negative block count");
    if (count > num_available()) return false;
    out.count_ += count;
    num_allocated_ += count;
    free_count_ -= count;
    check_counts();
    return true;
  }

  /// Takes one more reference on each of the first `count` blocks of `from` and appends
  /// them to `out`: a forked parallel sample shares its prompt's blocks (see Replica,
  /// forks). Precondition: tracks_ids(), 0 <= count <= from.size().
  void share(const BlockList& from, std::int64_t count, BlockList& out);

  /// Drops one reference on each block of `blocks`, last block first, so that a request's
  /// tail blocks become least recently used (evicted before its head blocks, as vLLM
  /// does), and empties the list. A block reaching ref_count 0 becomes cached-evictable if
  /// registered, free otherwise.
  void release(BlockList& blocks);

  /// Drops the last `count` blocks of `blocks` (a windowed layer's blocks that left the
  /// window: KvLayout), which become free. Precondition: !tracks_ids(), 0 <= count <=
  /// blocks.size().
  void release_tail(BlockList& blocks, std::int64_t count) {
    LLMSIM_CHECK(!track_ids_ && count >= 0 && count <= blocks.count_,
                 "release_tail drops counted blocks a list holds");
    blocks.count_ -= count;
    num_allocated_ -= count;
    free_count_ += count;
    check_counts();
  }

  /// Records that allocated block `block` now holds the full content `content_id`. Returns
  /// false (and leaves the block unregistered) when prefix caching is off or another block
  /// already holds that content (two requests computed the same prefix concurrently).
  /// Precondition: the block is allocated and not yet registered.
  bool register_block(BlockId block, std::uint64_t content_id);

  /// The references held on `block` (0: free or cached-evictable). Precondition:
  /// tracks_ids() and a block id.
  std::int32_t ref_count(BlockId block) const { return ref_count_[static_cast<std::size_t>(block)]; }

  /// Offload tiers (null: none) that receive the content id of every registered block this
  /// manager evicts (allocate() reclaiming a cached-evictable block). They must outlive
  /// the manager or be unset.
  void set_offload(KvOffloadTiers* offload) { offload_ = offload; }

  /// Recounts every block's state (O(blocks)) and aborts on a mismatch with the counters.
  /// For tests and end-of-run checks.
  void audit() const;

 private:
  static constexpr BlockId kNone = -1;

  void lru_push_back(BlockId block);
  void lru_remove(BlockId block);
  void check_counts() const {
    LLMSIM_CHECK(num_allocated_ + num_free() + lru_size_ == num_blocks_,
                 "KV blocks: allocated + free + cached-evictable == total");
  }
  /// allocate() when the manager tracks ids.
  bool allocate_ids(std::int64_t count, BlockList& out);
  /// The blocks holding the longest leading run of `content_ids` in the content map, in
  /// order. The span stays valid until the next call. Reuses the previous call's result
  /// for the ids it shares with this one while the map has not changed since (requests
  /// that share a prefix are looked up one after another: by the router on each replica,
  /// then by the scheduler at admission), so those ids are compared, not probed.
  std::span<const BlockId> cached_run(std::span<const std::uint64_t> content_ids) const;

  std::int64_t num_blocks_;
  bool prefix_caching_;
  bool track_ids_;
  std::vector<std::int32_t> ref_count_;
  std::vector<std::uint64_t> content_id_;
  std::vector<std::uint8_t> registered_;
  std::vector<BlockId> lru_prev_;
  std::vector<BlockId> lru_next_;
  BlockId lru_head_ = kNone;  ///< least recently released cached block
  BlockId lru_tail_ = kNone;
  std::int64_t lru_size_ = 0;
  /// A stack of free blocks in free_list_[0, free_count_): the most recently freed block is
  /// reused first. Sized for every block, so pushing never reallocates. Counting only: the
  /// per-block arrays are empty and free_count_ is all there is.
  std::vector<BlockId> free_list_;
  std::int64_t free_count_ = 0;
  std::int64_t num_allocated_ = 0;
  ContentIndex cached_;  ///< content id -> registered block (empty without prefix caching)
  /// Bumped whenever cached_ gains or loses an entry (registration, eviction).
  std::uint64_t map_version_ = 0;
  // cached_run()'s memory of its previous call: a cache of the map's answers, not state
  // (hence mutable in a const lookup). run_ids_: the ids asked; run_blocks_: the blocks of
  // their leading run found, so run_ids_[run_blocks_.size()], if any, was absent.
  mutable std::uint64_t run_version_ = ~std::uint64_t{0};
  mutable std::vector<std::uint64_t> run_ids_;
  mutable std::vector<BlockId> run_blocks_;
  KvOffloadTiers* offload_ = nullptr;  ///< see set_offload()
};

}  // namespace llmsim::sim
