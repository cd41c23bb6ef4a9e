#include "sim/engine/kv_block_manager.h"

#include <algorithm>
#include <limits>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

std::size_t at(KvBlockManager::BlockId block) { return static_cast<std::size_t>(block); }

}  // namespace

void BlockList::take_tail(BlockList& from, std::int64_t count) {
  LLMSIM_CHECK(count >= 0 && count <= from.count_, "a list gives at most the blocks it holds");
  if (!from.ids_.empty()) {
    const auto first = from.ids_.end() - static_cast<std::ptrdiff_t>(count);
    ids_.insert(ids_.end(), first, from.ids_.end());
    from.ids_.erase(first, from.ids_.end());
  }
  count_ += count;
  from.count_ -= count;
}

KvBlockManager::KvBlockManager(std::int64_t num_blocks, bool prefix_caching, bool track_ids)
    : num_blocks_(num_blocks),
      prefix_caching_(prefix_caching),
      track_ids_(track_ids),
      cached_(prefix_caching ? num_blocks : 0) {
  LLMSIM_CHECK(num_blocks >= 1 && num_blocks <= std::numeric_limits<std::int32_t>::max(),
               "a KV block manager holds between 1 and 2^31-1 blocks");
  if (!track_ids) {
    free_count_ = num_blocks;
    return;
  }
  const auto n = static_cast<std::size_t>(num_blocks);
  ref_count_.assign(n, 0);
  content_id_.assign(n, 0);
  registered_.assign(n, 0);
  lru_prev_.assign(n, kNone);
  lru_next_.assign(n, kNone);
  free_list_.resize(n);
  // Pushed in reverse so that block 0 is handed out first.
  for (std::int64_t b = num_blocks - 1; b >= 0; --b) {
    free_list_[static_cast<std::size_t>(free_count_++)] = static_cast<BlockId>(b);
  }
  check_counts();
}

std::span<const KvBlockManager::BlockId> KvBlockManager::cached_run(std::span<const std::uint64_t> content_ids) const {
  std::size_t known = 0;  // leading blocks of the run taken from the previous call
  if (run_version_ == map_version_) {
    const std::size_t comparable = std::min(content_ids.size(), run_ids_.size());
    std::size_t same = 0;
    while (same < comparable && content_ids[same] == run_ids_[same]) ++same;
    if (same > run_blocks_.size()) {
      // The id that ended the previous run is asked again: still absent, the run is the same.
      run_ids_.assign(content_ids.begin(), content_ids.end());
      return run_blocks_;
    }
    known = same;
  }
  run_version_ = map_version_;
  run_ids_.assign(content_ids.begin(), content_ids.end());
  run_blocks_.resize(known);
  for (std::size_t j = known; j < content_ids.size(); ++j) {
    const BlockId block = cached_.find(content_ids[j]);
    if (block == ContentIndex::kAbsent) break;
    run_blocks_.push_back(block);
  }
  return run_blocks_;
}

KvBlockManager::PrefixHit KvBlockManager::lookup(std::span<const std::uint64_t> content_ids) const {
  PrefixHit hit;
  if (!prefix_caching_ || !track_ids_) return hit;
  for (const BlockId block : cached_run(content_ids)) {
    ++hit.blocks;
    if (ref_count_[at(block)] == 0) ++hit.evictable_blocks;
  }
  return hit;
}

void KvBlockManager::reserve(BlockList& list, std::int64_t blocks) const {
  if (track_ids_) list.ids_.reserve(static_cast<std::size_t>(blocks));
}

void KvBlockManager::acquire_cached(std::span<const std::uint64_t> content_ids, std::int64_t count,
                                    BlockList& list) {
  LLMSIM_CHECK(track_ids_ && count >= 0 && static_cast<std::size_t>(count) <= content_ids.size(),
               "acquire_cached takes at most the ids it is given, from a manager that tracks them");
  std::vector<BlockId>& out = list.ids_;
  const std::span<const BlockId> run = cached_run(content_ids.first(static_cast<std::size_t>(count)));
  LLMSIM_CHECK(run.size() == static_cast<std::size_t>(count), "acquire_cached only takes blocks lookup found");
  for (const BlockId block : run) {
    if (ref_count_[at(block)] == 0) {
      lru_remove(block);
      ++num_allocated_;
    }
    ++ref_count_[at(block)];
    out.push_back(block);
  }
  list.count_ += count;
  check_counts();
}

bool KvBlockManager::allocate_ids(std::int64_t count, BlockList& list) {
  LLMSIM_CHECK(count >= 0, "allocate takes a non-negative block count");
  if (count > num_available()) return false;
  list.count_ += count;
  num_allocated_ += count;
  std::vector<BlockId>& out = list.ids_;
  // Free blocks first, in the order pop_back() would hand them out (a plain loop: this runs
  // for every block of every request).
  const std::int64_t from_free = std::min(count, free_count_);
  const std::size_t first = out.size();
  out.resize(first + static_cast<std::size_t>(count));
  BlockId* dest = out.data() + first;
  const BlockId* top = free_list_.data() + free_count_;
  std::int32_t* refs = ref_count_.data();
  for (std::int64_t i = 0; i < from_free; ++i) {
    const BlockId block = *--top;
    refs[block] = 1;
    *dest++ = block;
  }
  free_count_ -= from_free;
  for (std::int64_t i = from_free; i < count; ++i) {
    const BlockId block = lru_head_;
    lru_remove(block);
    if (offload_ != nullptr) offload_->store(content_id_[at(block)]);
    cached_.erase(content_id_[at(block)]);
    ++map_version_;
    registered_[at(block)] = 0;
    ref_count_[at(block)] = 1;
    *dest++ = block;
  }
  check_counts();
  return true;
}

void KvBlockManager::share(const BlockList& from, std::int64_t count, BlockList& out) {
  LLMSIM_CHECK(track_ids_ && count >= 0 && count <= from.size(), "shared blocks are tracked and held");
  for (const BlockId block : from.ids().first(static_cast<std::size_t>(count))) {
    LLMSIM_CHECK(block >= 0 && block < num_blocks_ && ref_count_[at(block)] > 0,
                 "only allocated blocks are shared");
    ++ref_count_[at(block)];
    out.ids_.push_back(block);
  }
  out.count_ += count;
}

void KvBlockManager::release(BlockList& list) {
  LLMSIM_CHECK(list.count_ <= num_allocated_, "only allocated blocks are released");
  if (!track_ids_) {
    num_allocated_ -= list.count_;
    free_count_ += list.count_;
    list.count_ = 0;
    check_counts();
    return;
  }
  const std::span<const BlockId> blocks = list.ids_;
  // Raw pointers: this runs for every block of every request.
  const auto n = static_cast<std::uint32_t>(num_blocks_);
  std::int32_t* refs = ref_count_.data();
  const std::uint8_t* registered = registered_.data();
  BlockId* free_top = free_list_.data() + free_count_;
  for (std::size_t i = blocks.size(); i-- > 0;) {
    const BlockId block = blocks[i];
    // One unsigned compare covers block < 0 too.
    LLMSIM_CHECK(static_cast<std::uint32_t>(block) < n && refs[block] > 0,
                 "only allocated blocks are released");
    if (--refs[block] > 0) continue;
    --num_allocated_;
    if (registered[block] != 0) {
      lru_push_back(block);
    } else {
      *free_top++ = block;
    }
  }
  free_count_ = free_top - free_list_.data();
  list.ids_.clear();
  list.count_ = 0;
  check_counts();
}

bool KvBlockManager::register_block(BlockId block, std::uint64_t content_id) {
  LLMSIM_CHECK(track_ids_ && block >= 0 && block < num_blocks_ && ref_count_[at(block)] > 0 &&
                   registered_[at(block)] == 0,
               "only allocated, unregistered blocks are registered");
  if (!prefix_caching_) return false;
  if (!cached_.insert(content_id, block)) return false;
  ++map_version_;
  content_id_[at(block)] = content_id;
  registered_[at(block)] = 1;
  return true;
}

void KvBlockManager::lru_push_back(BlockId block) {
  lru_prev_[at(block)] = lru_tail_;
  lru_next_[at(block)] = kNone;
  if (lru_tail_ != kNone) {
    lru_next_[at(lru_tail_)] = block;
  } else {
    lru_head_ = block;
  }
  lru_tail_ = block;
  ++lru_size_;
}

void KvBlockManager::lru_remove(BlockId block) {
  const BlockId prev = lru_prev_[at(block)];
  const BlockId next = lru_next_[at(block)];
  if (prev != kNone) {
    lru_next_[at(prev)] = next;
  } else {
    lru_head_ = next;
  }
  if (next != kNone) {
    lru_prev_[at(next)] = prev;
  } else {
    lru_tail_ = prev;
  }
  lru_prev_[at(block)] = kNone;
  lru_next_[at(block)] = kNone;
  --lru_size_;
}

void KvBlockManager::audit() const {
  if (!track_ids_) {
    LLMSIM_CHECK(num_allocated_ >= 0 && free_count_ >= 0 && lru_size_ == 0,
                 "KV blocks: counting only, the counts are non-negative and nothing is cached");
    check_counts();
    return;
  }
  std::int64_t allocated = 0;
  std::int64_t evictable = 0;
  std::int64_t unregistered_free = 0;
  for (std::size_t b = 0; b < ref_count_.size(); ++b) {
    LLMSIM_CHECK(ref_count_[b] >= 0, "KV block reference counts are never negative");
    if (ref_count_[b] > 0) {
      ++allocated;
    } else if (registered_[b] != 0) {
      ++evictable;
    } else {
      ++unregistered_free;
    }
  }
  std::int64_t walked = 0;
  for (BlockId b = lru_head_; b != kNone; b = lru_next_[at(b)]) {
    LLMSIM_CHECK(ref_count_[at(b)] == 0 && registered_[at(b)] != 0,
                 "the LRU list holds only unreferenced registered blocks");
    ++walked;
  }
  LLMSIM_CHECK(allocated == num_allocated_, "KV blocks: allocated count matches ref counts");
  LLMSIM_CHECK(evictable == lru_size_ && walked == lru_size_,
               "KV blocks: cached-evictable count matches the LRU list");
  LLMSIM_CHECK(unregistered_free == num_free(), "KV blocks: free count matches the free list");
  std::int64_t registered = 0;
  cached_.for_each([&](std::uint64_t id, BlockId block) {
    LLMSIM_CHECK(registered_[at(block)] != 0 && content_id_[at(block)] == id,
                 "the content map points at blocks registered with that content");
    ++registered;
  });
  std::int64_t flagged = 0;
  for (const std::uint8_t r : registered_) flagged += r;
  LLMSIM_CHECK(registered == flagged, "every registered block is in the content map");
  check_counts();
}

}  // namespace llmsim::sim
