#include "sim/engine/content_index.h"

#include <bit>

#include "sim/check.h"

namespace llmsim::sim {

ContentIndex::ContentIndex(std::int64_t max_entries) : max_entries_(max_entries) {
  LLMSIM_CHECK(max_entries >= 0 && max_entries < (std::int64_t{1} << 40),
               "a content index holds between 0 and 2^40 entries");
  if (max_entries == 0) return;
  // At most half full, so probes stay short. The table is allocated by the first insert:
  // a run with prefix caching on but no content ids (synthetic prompts) never touches it.
  const std::size_t capacity = std::bit_ceil(static_cast<std::size_t>(2 * max_entries));
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
}

std::size_t ContentIndex::home(std::uint64_t content_id) const {
  // Fibonacci hashing: the top bits of id x 2^64/phi, so ids that differ only in their low
  // bits still spread. shift_ == 64 only for an empty table (never probed).
  return static_cast<std::size_t>((content_id * 0x9E3779B97F4A7C15ULL) >> shift_);
}

std::size_t ContentIndex::probe(std::uint64_t content_id) const {
  std::size_t i = home(content_id);
  while (entries_[i].block != kAbsent && entries_[i].content_id != content_id) i = (i + 1) & mask_;
  return i;
}

ContentIndex::BlockId ContentIndex::find(std::uint64_t content_id) const {
  if (size_ == 0) return kAbsent;
  return entries_[probe(content_id)].block;
}

bool ContentIndex::insert(std::uint64_t content_id, BlockId block) {
  LLMSIM_CHECK(block >= 0, "a content index maps to a block id");
  LLMSIM_CHECK(max_entries_ > 0, "a content index sized for no entries takes none");
  if (entries_.empty()) entries_.resize(mask_ + 1);
  const std::size_t i = probe(content_id);
  if (entries_[i].block != kAbsent) return false;
  LLMSIM_CHECK(size_ < max_entries_, "a content index holds at most the entries it was sized for");
  entries_[i] = Entry{content_id, block};
  ++size_;
  return true;
}

void ContentIndex::erase(std::uint64_t content_id) {
  LLMSIM_CHECK(size_ > 0, "erase takes an entry that is present");
  std::size_t hole = probe(content_id);
  LLMSIM_CHECK(entries_[hole].block != kAbsent, "erase takes an entry that is present");
  // Backward-shift deletion: later entries of the same probe run move into the hole when
  // their home is not cyclically in (hole, j], so every entry stays reachable without
  // tombstones.
  std::size_t j = hole;
  while (true) {
    j = (j + 1) & mask_;
    if (entries_[j].block == kAbsent) break;
    const std::size_t h = home(entries_[j].content_id);
    const bool home_in_gap = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (home_in_gap) continue;
    entries_[hole] = entries_[j];
    hole = j;
  }
  entries_[hole] = Entry{};
  --size_;
}

}  // namespace llmsim::sim
