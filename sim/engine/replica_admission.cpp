// Replica: admitting the waiting request the scheduling policy chose (SchedulerContext).
#include <algorithm>

#include "sim/check.h"
#include "sim/engine/replica.h"

namespace llmsim::sim {

void Replica::admit_front(const KvBlockManager::PrefixHit& hit, std::int64_t blocks_needed,
                          std::int64_t new_tokens) {
  const Slot slot = waiting_.front();
  Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  // KV that landed from a prefill replica counts as computed, like a cache hit (never both:
  // admit_waiting looks nothing up for such a request).
  const std::int64_t hit_tokens =
      seq.landed_tokens > 0 ? seq.landed_tokens : hit.cached_blocks() * config_.engine.block_size;
  LLMSIM_CHECK(seq.landed_tokens == 0 || hit.cached_blocks() == 0, "landed KV is not also a prefix-cache hit");
  const bool landed = seq.landed_tokens > 0;
  seq.landed_tokens = 0;
  waiting_.pop_front();
  metrics_->on_waiting_change(-1);
  LLMSIM_CHECK(seq.blocks.empty() && seq.computed_tokens == 0, "a waiting request holds no KV blocks");
  // The hit is registered blocks first (acquired by content id), then either the request's
  // own parked blocks, taken back out of the free blocks, or blocks loaded from an offload
  // tier (prefix_hit: never both).
  const std::int64_t parked = parked_.surviving(slot) > 0 ? parked_hit(slot, registered_hit(seq)) : 0;
  parked_.take(slot);
  if (hit.blocks > parked) kv_.acquire_cached(seq.content_ids, hit.blocks - parked, seq.blocks);
  if (hit.offloaded_blocks > 0) {
    // Loaded before the allocation below: its evictions write to the tiers and may push
    // these blocks down, but their copies are read first. The load precedes this
    // iteration's forward pass (KvOffloadTiers: priced in price()).
    LLMSIM_CHECK(offload_ != nullptr && blocks_needed >= hit.offloaded_blocks,
                 "offloaded prefix blocks are loaded into blocks allocated for them");
    const std::span<const std::uint64_t> loaded(seq.content_ids.data() + hit.blocks,
                                                static_cast<std::size_t>(hit.offloaded_blocks));
    plan_.offload_load_s += offload_->load(loaded, !seq.admitted_before);
  }
  // A transferred request's blocks were reserved before its KV was sent: it takes them.
  std::int64_t reserved = 0;
  if (landed) {
    if (const auto it = transfer_blocks_.find(seq.request); it != transfer_blocks_.end()) {
      reserved = it->second.size();
      LLMSIM_CHECK(reserved <= blocks_needed, "a reservation is what admission allocates, or less");
      seq.blocks.take_tail(it->second, reserved);
      transfer_blocks_.erase(it);
    }
  }
  const bool allocated = allocate_blocks(parked + blocks_needed - reserved, seq.blocks);
  LLMSIM_CHECK(allocated, "admission allocates only blocks it counted as available");
  seq.computed_tokens = hit_tokens;
  seq.registered_blocks = hit.blocks - parked;  // parked blocks are cached but not registered
  // The loaded blocks hold their content again: register them as a computed block would be.
  if (hit.offloaded_blocks > 0) register_full_blocks(seq);
  if (seq.decoding()) {
    // A resumed request whose cache hit covers every token but the last runs a decode
    // step at once: it joins the running decode sums like a request that decoded before.
    ++decode_seqs_;
    decode_context_tokens_ += seq.computed_tokens;
  }
  outstanding_tokens_ -= std::min(hit_tokens, seq.prompt_tokens);
  pending_prompt_tokens_ -= std::min(hit_tokens, seq.prompt_tokens);
  RequestRecord& rec = record(seq);
  if (!seq.admitted_before) {
    seq.admitted_before = true;
    rec.scheduled_ns = plan_.start_ns;
    rec.cached_tokens = hit_tokens;
  }
  push_running(slot);
  fork_seats_reserved_ += pending_forks(slot);
  schedule(slot, new_tokens);
  ++plan_.admitted;
}

}  // namespace llmsim::sim
