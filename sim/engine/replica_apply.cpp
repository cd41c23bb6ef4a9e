// Replica: applying a finished iteration (tokens appear at its end).
#include <algorithm>

#include "sim/check.h"
#include "sim/engine/replica.h"

namespace llmsim::sim {

void Replica::apply_iteration(std::vector<RequestIndex>& completed) {
  LLMSIM_CHECK(in_flight_, "apply_iteration follows plan_iteration");
  if (!pending_forks_.empty()) fork_samples();
  ApplyCounts counts;
  if (plan_.group_seqs > 0) {
    apply_group_step(completed, counts);
  } else {
    for (const ScheduledSeq& s : plan_.seqs) apply_scheduled(s, completed, counts);
  }
  if (counts.adjacent_gaps > 0) metrics_->on_itl(plan_.end_ns - last_end_ns_, counts.adjacent_gaps);
  if (counts.finished > 0) {
    std::erase_if(running_, [this](Slot slot) { return seqs_[static_cast<std::size_t>(slot)].done; });
  }

  LLMSIM_CHECK(counts.finished == plan_.finishing_seqs, "an iteration finishes the sequences its plan counted");
  report_iteration(static_cast<std::int64_t>(plan_.seqs.size()) + plan_.group_seqs, kv_.num_allocated());
  if (!has_work()) {
    LLMSIM_CHECK(outstanding_tokens_ == 0 && pending_prompt_tokens_ == 0,
                 "an idle replica has no outstanding tokens");
    LLMSIM_CHECK(decode_seqs_ == 0 && decode_context_tokens_ == 0,
                 "an idle replica has no decode sums");
    LLMSIM_CHECK(kv_.num_allocated() == transfer_blocks(), "an idle replica holds no KV blocks but transfers'");
  }
}

void Replica::apply_scheduled(const ScheduledSeq& s, std::vector<RequestIndex>& completed,
                              ApplyCounts& counts) {
  const workloads::TimeNs end = plan_.end_ns;
  Sequence& seq = seqs_[static_cast<std::size_t>(s.slot)];
  if (s.decode) {
    --decode_seqs_;
    decode_context_tokens_ -= seq.computed_tokens;
  }
  if (seq.computed_tokens < seq.prompt_tokens) {
    const std::int64_t prompt_done = std::min(s.new_tokens, seq.prompt_tokens - seq.computed_tokens);
    outstanding_tokens_ -= prompt_done;
    pending_prompt_tokens_ -= prompt_done;
  }
  // A verify step (speculative decoding) keeps the KV of its last sampled token and of the
  // accepted drafts; the rejected drafts' blocks are freed. It emits accepted + 1 tokens.
  const std::int64_t emitted = s.draft_tokens > 0 ? s.accepted + 1 : 1;
  seq.computed_tokens += s.draft_tokens > 0 ? emitted : s.new_tokens;
  if (!kv_layout_.plain()) trim_blocks(seq);
  if (s.draft_tokens > 0) release_rejected_blocks(seq);
  register_full_blocks(seq);
  if (s.samples) {
    LLMSIM_CHECK(seq.computed_tokens == seq.tokens() + emitted - 1, "a sampling step computed every token");
    seq.generated_tokens += emitted;
    outstanding_tokens_ -= emitted;
    RequestRecord& rec = record(seq);
    rec.generated_tokens += emitted;  // forks of one request add to the same record
    if (seq.generated_tokens == 1) {
      rec.first_token_ns = end;
    } else if (seq.last_token_iteration == plan_.index - 1) {
      LLMSIM_CHECK(seq.last_token_ns == last_end_ns_,
                   "a token of the previous iteration appeared at its end");
      ++counts.adjacent_gaps;
    } else {
      metrics_->on_itl(end - seq.last_token_ns, 1);
    }
    seq.last_token_ns = end;
    seq.last_token_iteration = plan_.index;
    if (seq.generated_tokens == seq.output_tokens) {
      if (finish(s.slot, end)) completed.push_back(seq.request);
      ++counts.finished;
      return;
    }
  }
  if (seq.decoding()) {
    ++decode_seqs_;
    decode_context_tokens_ += seq.computed_tokens;
  }
}

void Replica::register_full_blocks(Sequence& seq) {
  const std::int64_t b = config_.engine.block_size;
  const auto identifiable = static_cast<std::int64_t>(seq.content_ids.size());
  while (seq.registered_blocks < identifiable &&
         (seq.registered_blocks + 1) * b <= seq.computed_tokens) {
    const auto j = static_cast<std::size_t>(seq.registered_blocks);
    kv_.register_block(seq.blocks.ids()[j], seq.content_ids[j]);
    ++seq.registered_blocks;
  }
}

bool Replica::finish(Slot slot, workloads::TimeNs end_ns) {
  Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  if (holds_finished_kv_) {
    // Until the decode replica has read them (disaggregation).
    BlockList& held = transfer_blocks_[seq.request];
    LLMSIM_CHECK(held.empty(), "one KV hold per request");
    held.take_tail(seq.blocks, seq.blocks.size());
  } else {
    kv_.release(seq.blocks);
  }
  seq.done = true;
  free_slots_.push_back(slot);
  RequestRecord& rec = record(seq);
  if (++rec.samples_finished < rec.samples) return false;  // other samples still decode
  rec.status = RequestStatus::completed;
  rec.completion_ns = end_ns;
  return true;
}

}  // namespace llmsim::sim
