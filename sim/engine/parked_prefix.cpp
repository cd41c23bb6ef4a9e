#include "sim/engine/parked_prefix.h"

#include <algorithm>

#include "sim/check.h"

namespace llmsim::sim {

void ParkedBlocks::park(Slot slot, std::int64_t blocks) {
  LLMSIM_CHECK(blocks >= 0 && surviving(slot) == 0, "a request parks its blocks once, a non-negative count");
  if (blocks == 0) return;
  runs_.push_back({slot, blocks});
  total_ += blocks;
}

std::int64_t ParkedBlocks::surviving(Slot slot) const {
  for (const Run& run : runs_) {
    if (run.slot == slot) return run.blocks;
  }
  return 0;
}

std::int64_t ParkedBlocks::take(Slot slot) {
  const auto it = std::find_if(runs_.begin(), runs_.end(), [slot](const Run& run) { return run.slot == slot; });
  if (it == runs_.end()) return 0;
  const std::int64_t blocks = it->blocks;
  runs_.erase(it);
  total_ -= blocks;
  return blocks;
}

void ParkedBlocks::evict(std::int64_t blocks) {
  LLMSIM_CHECK(blocks > 0 && blocks <= total_, "eviction takes parked blocks that exist");
  std::size_t gone = 0;
  while (blocks > 0) {
    Run& oldest = runs_[gone];
    const std::int64_t n = std::min(blocks, oldest.blocks);
    oldest.blocks -= n;  // its tail blocks, released first
    total_ -= n;
    blocks -= n;
    if (oldest.blocks == 0) ++gone;
  }
  runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(gone));
}

}  // namespace llmsim::sim
