// Replica: parallel sampling, forking a request's samples after its prompt (see replica.h).
#include <span>

#include "sim/engine/block_content_ids.h"
#include "sim/check.h"
#include "sim/engine/replica.h"

namespace llmsim::sim {

std::int64_t Replica::pending_forks(Slot slot) const {
  if (pending_forks_.empty()) return 0;
  const auto found = pending_forks_.find(slot);
  return found == pending_forks_.end() ? 0 : found->second.num_samples() - 1;
}

void Replica::fork_samples() {
  const std::int64_t b = config_.engine.block_size;
  const workloads::TimeNs end = plan_.end_ns;
  for (const ScheduledSeq& s : plan_.seqs) {
    if (!s.samples) continue;
    const auto found = pending_forks_.find(s.slot);
    if (found == pending_forks_.end()) continue;
    const workloads::RequestSpec request = std::move(found->second);
    pending_forks_.erase(found);
    const std::size_t parent_index = static_cast<std::size_t>(s.slot);
    LLMSIM_CHECK(seqs_[parent_index].generated_tokens == 0 &&
                     seqs_[parent_index].computed_tokens + s.new_tokens == seqs_[parent_index].prompt_tokens,
                 "a request forks when its prompt is done and its first token sampled");
    const std::int64_t forks = request.num_samples() - 1;
    fork_seats_reserved_ -= forks;
    const std::int64_t prompt = request.input_tokens;
    const std::int64_t full_blocks = prompt / b;  // shared; a partial last block is copied on write
    RequestRecord& rec = (*records_)[seqs_[parent_index].request];
    for (std::int64_t k = 1; k <= forks; ++k) {
      const std::int64_t output = request.forked_sample_output_tokens[static_cast<std::size_t>(k - 1)];
      // The fork's first token comes from the prompt's last position, sampled now.
      ++rec.generated_tokens;
      --outstanding_tokens_;
      if (output == 1) {
        ++rec.samples_finished;  // done with its first token; the parent's sample is still running
        continue;
      }
      const Slot slot = take_slot();  // may reallocate seqs_: index, do not hold references
      Sequence& child = seqs_[static_cast<std::size_t>(slot)];
      const Sequence& parent = seqs_[parent_index];
      child.request = parent.request;
      child.prompt_tokens = prompt;
      child.output_tokens = output;
      child.generated_tokens = 1;
      child.computed_tokens = prompt;
      // The shared blocks are the parent's to register; the fork registers its own.
      child.registered_blocks = full_blocks;
      child.last_token_iteration = plan_.index;
      child.last_token_ns = end;
      child.admitted_before = true;
      child.done = false;
      child.acceptance_p = parent.acceptance_p;
      LLMSIM_CHECK(child.blocks.empty(), "a free slot holds no KV blocks");
      kv_.share(parent.blocks, full_blocks, child.blocks);
      if (kv_.prefix_caching()) {
        sample_block_content_ids(request, k, b, child.content_ids);
      } else {
        child.content_ids.clear();
      }
      push_running(slot);
      ++decode_seqs_;
      decode_context_tokens_ += child.computed_tokens;
    }
  }
}

}  // namespace llmsim::sim
