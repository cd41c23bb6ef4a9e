// Replica: admission of waiting requests (step 2 of the scheduler, see replica.h).
#include <algorithm>

#include "sim/check.h"
#include "sim/replica.h"

namespace llmsim::sim {

void Replica::admit_waiting(std::int64_t& budget, bool whole_prompts) {
  const std::int64_t b = config_.engine.block_size;
  while (!waiting_.empty() && budget > 0 &&
         num_running() + fork_seats_reserved_ < config_.engine.max_num_seqs) {
    const Slot slot = waiting_.front();
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    // A request with parallel samples takes a seat for each fork to come.
    const std::int64_t forks = pending_forks(slot);
    if (num_running() + fork_seats_reserved_ + 1 + forks >
        config_.engine.max_num_seqs) {
      break;
    }
    const KvBlockManager::PrefixHit hit = prefix_hit(seq);
    const std::int64_t hit_tokens = hit.blocks * b;
    const std::int64_t rest = seq.tokens() - hit_tokens;
    std::int64_t n = std::min(rest, budget);
    if (whole_prompts) {
      n = rest;
      const bool batch_empty = plan_.seqs.empty() && budget == config_.engine.max_num_batched_tokens;
      // A whole prompt must fit the budget; only a preempted request's recompute (prompt +
      // generated) may exceed it, and then it runs alone.
      if (rest > budget && !(batch_empty && seq.generated_tokens > 0)) {
        plan_.admission_stop = AdmissionStop::token_budget;
        return;
      }
    }
    const std::int64_t blocks_needed = kv_layout_.blocks_while_computing(hit_tokens, n) - hit.blocks;
    if (blocks_needed > kv_.num_available() - hit.evictable_blocks) {
      plan_.admission_stop = AdmissionStop::kv_blocks;
      return;
    }

    waiting_.pop_front();
    metrics_->on_waiting_change(-1);
    LLMSIM_CHECK(seq.blocks.empty() && seq.computed_tokens == 0,
                 "a waiting request holds no KV blocks");
    if (hit.blocks > 0) kv_.acquire_cached(seq.content_ids, hit.blocks, seq.blocks);
    const bool allocated = kv_.allocate(blocks_needed, seq.blocks);
    LLMSIM_CHECK(allocated, "admission allocates only blocks it counted as available");
    seq.computed_tokens = hit_tokens;
    seq.registered_blocks = hit.blocks;
    if (seq.decoding()) {
      // A resumed request whose cache hit covers every token but the last runs a decode
      // step at once: it joins the running decode sums like a request that decoded before.
      ++decode_seqs_;
      decode_context_tokens_ += seq.computed_tokens;
    }
    outstanding_tokens_ -= std::min(hit_tokens, seq.prompt_tokens);
    RequestRecord& rec = record(seq);
    if (!seq.admitted_before) {
      seq.admitted_before = true;
      rec.scheduled_ns = plan_.start_ns;
      rec.cached_tokens = hit_tokens;
    }
    push_running(slot);
    fork_seats_reserved_ += forks;
    schedule(slot, n);
    ++plan_.admitted;
    budget = std::max<std::int64_t>(0, budget - n);
  }
  if (waiting_.empty()) {
    plan_.admission_stop = AdmissionStop::queue_empty;
  } else if (budget <= 0) {
    plan_.admission_stop = AdmissionStop::token_budget;
  } else {
    plan_.admission_stop = AdmissionStop::max_num_seqs;
  }
}

}  // namespace llmsim::sim
