#include "sim/engine/kv_offload.h"

#include <cmath>
#include <limits>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

std::size_t at(std::int32_t slot) { return static_cast<std::size_t>(slot); }

}  // namespace

LruIdSet::LruIdSet(std::int64_t capacity) : capacity_(capacity), index_(capacity) {
  LLMSIM_CHECK(capacity >= 0 && capacity <= std::numeric_limits<std::int32_t>::max(),
               "an LRU id set holds between 0 and 2^31-1 ids");
}

void LruIdSet::unlink(Slot slot) {
  const Slot prev = prev_[at(slot)];
  const Slot next = next_[at(slot)];
  if (prev != kNone) {
    next_[at(prev)] = next;
  } else {
    head_ = next;
  }
  if (next != kNone) {
    prev_[at(next)] = prev;
  } else {
    tail_ = prev;
  }
}

void LruIdSet::link_most_recent(Slot slot) {
  prev_[at(slot)] = tail_;
  next_[at(slot)] = kNone;
  if (tail_ != kNone) {
    next_[at(tail_)] = slot;
  } else {
    head_ = slot;
  }
  tail_ = slot;
}

void LruIdSet::touch(std::uint64_t id) {
  const Slot slot = index_.find(id);
  LLMSIM_CHECK(slot != ContentIndex::kAbsent, "touch takes an id the set holds");
  if (slot == tail_) return;
  unlink(slot);
  link_most_recent(slot);
}

void LruIdSet::insert(std::uint64_t id) {
  LLMSIM_CHECK(size() < capacity_, "an LRU id set holds at most its capacity");
  Slot slot = kNone;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<Slot>(ids_.size());
    ids_.push_back(0);
    prev_.push_back(kNone);
    next_.push_back(kNone);
  }
  const bool inserted = index_.insert(id, slot);
  LLMSIM_CHECK(inserted, "insert takes an id the set does not hold");
  ids_[at(slot)] = id;
  link_most_recent(slot);
}

std::uint64_t LruIdSet::pop_least_recent() {
  LLMSIM_CHECK(head_ != kNone, "pop_least_recent takes from a set that holds ids");
  const Slot slot = head_;
  unlink(slot);
  const std::uint64_t id = ids_[at(slot)];
  index_.erase(id);
  free_.push_back(slot);
  return id;
}

KvOffloadTiers::KvOffloadTiers(const KvOffloadSpec& spec, double block_bytes, std::int64_t block_size)
    : specs_(spec.tiers), block_bytes_(block_bytes), block_size_(block_size) {
  LLMSIM_CHECK(std::isfinite(block_bytes) && block_bytes > 0.0 && block_size >= 1,
               "offload tiers move blocks of positive size");
  for (const KvOffloadTierSpec& tier : specs_) {
    LLMSIM_CHECK(tier.capacity_bytes >= 0.0 && tier.bandwidth_bytes_per_s > 0.0,
                 "an offload tier has a capacity and a bandwidth (the loader checks them)");
    const double blocks = std::floor(tier.capacity_bytes / block_bytes);
    LLMSIM_CHECK(blocks <= static_cast<double>(std::numeric_limits<std::int32_t>::max()),
                 "an offload tier holds at most 2^31-1 blocks (the loader checks it)");
    tiers_.emplace_back(static_cast<std::int64_t>(blocks));
    KvTierStats stats;
    stats.capacity_blocks = static_cast<std::int64_t>(blocks);
    stats_.push_back(stats);
  }
}

int KvOffloadTiers::tier_of(std::uint64_t content_id) const {
  for (std::size_t t = 0; t < tiers_.size(); ++t) {
    if (tiers_[t].contains(content_id)) return static_cast<int>(t);
  }
  return -1;
}

void KvOffloadTiers::put(std::size_t t, std::uint64_t content_id) {
  // Walk down: each full tier hands its least recent block to the next; the last drops it.
  std::uint64_t id = content_id;
  for (std::size_t tier = t; tier < tiers_.size(); ++tier) {
    LruIdSet& set = tiers_[tier];
    if (set.capacity() == 0) continue;  // a tier that keeps nothing passes the block on
    std::uint64_t pushed_out = 0;
    const bool full = set.size() == set.capacity();
    if (full) {
      pushed_out = set.pop_least_recent();
      ++stats_[tier].blocks_dropped;
    }
    set.insert(id);
    ++stats_[tier].blocks_in;
    if (!full) return;
    id = pushed_out;
  }
}

void KvOffloadTiers::store(std::uint64_t content_id) {
  if (tiers_.empty()) return;
  const int held = tier_of(content_id);
  if (held >= 0) {
    tiers_[static_cast<std::size_t>(held)].touch(content_id);
    return;
  }
  put(0, content_id);
}

std::int64_t KvOffloadTiers::lookup(std::span<const std::uint64_t> content_ids) const {
  std::int64_t found = 0;
  for (const std::uint64_t id : content_ids) {
    if (tier_of(id) < 0) break;
    ++found;
  }
  return found;
}

double KvOffloadTiers::load(std::span<const std::uint64_t> content_ids, bool first_admission) {
  double seconds = 0.0;
  for (const std::uint64_t id : content_ids) {
    const int held = tier_of(id);
    LLMSIM_CHECK(held >= 0, "load takes blocks a tier holds");
    const auto t = static_cast<std::size_t>(held);
    tiers_[t].touch(id);
    KvTierStats& stats = stats_[t];
    ++stats.blocks_loaded;
    if (first_admission) stats.hit_tokens += block_size_;
    const double block_seconds = block_bytes_ / specs_[t].bandwidth_bytes_per_s;
    stats.load_time_s += block_seconds;
    seconds += block_seconds;
  }
  return seconds;
}

}  // namespace llmsim::sim
