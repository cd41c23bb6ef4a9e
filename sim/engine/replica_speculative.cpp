// Replica: speculative decoding's verify steps and draft passes (sim/engine/speculative.h).
#include <algorithm>

#include "sim/check.h"
#include "sim/engine/replica.h"
#include "sim/engine/speculative.h"

namespace llmsim::sim {

std::int64_t Replica::draft_tokens(Slot slot) const {
  if (!speculating_) return 0;
  const Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  if (!seq.decoding()) return 0;
  return drafts_for(config_.engine.speculative, seq.output_tokens - seq.generated_tokens);
}

void Replica::begin_speculative_plan() {
  const SpeculativeConfig& speculative = config_.engine.speculative;
  // disable_above_batch: counted at the iteration's start, before admissions.
  speculating_ = speculative.disable_above_batch == 0 || num_running() <= speculative.disable_above_batch;
  plan_.verify_seqs = 0;
  plan_.verify_tokens = 0;
  plan_.verify_context_tokens = 0;
  plan_.verify_attention_pairs = 0.0;
  plan_.verify_emitted = 0;
  plan_.draft_pass_seqs.assign(static_cast<std::size_t>(speculative.num_speculative_tokens), 0);
  plan_.draft_pass_keys.assign(static_cast<std::size_t>(speculative.num_speculative_tokens), 0.0);
  plan_.draft_time_s = 0.0;
  plan_.draft_flops = 0.0;
}

void Replica::schedule_verify(ScheduledSeq& s, const Sequence& seq) {
  LLMSIM_CHECK(speculating_ && s.decode && s.new_tokens >= 2 &&
                   s.new_tokens - 1 <= drafts_for(config_.engine.speculative, seq.output_tokens - seq.generated_tokens),
               "a verify step checks at most the drafts its sequence may make");
  s.draft_tokens = s.new_tokens - 1;
  s.samples = true;
  s.accepted = draw_accepted(config_.engine.speculative.acceptance, s.draft_tokens, acceptance_rng_);
  plan_.seqs.push_back(s);
  // The target verifies the last sampled token and the drafts in one pass: like a prompt
  // chunk of new_tokens tokens over the sequence's cached context (causal attention among
  // them), with the LM head over every position (each yields the token after it).
  hw::BatchShape& shape = plan_.shape;
  const core::Architecture& architecture = *config_.architecture;
  const double pairs = architecture.mean_attention_pairs(s.new_tokens, seq.computed_tokens);
  ++shape.prefill_seqs;
  shape.prefill_tokens += s.new_tokens;
  shape.prefill_attention_pairs += pairs;
  shape.prefill_kv_tokens += architecture.mean_prefill_kv_tokens(s.new_tokens, seq.computed_tokens);
  shape.sampled_seqs += s.new_tokens;
  ++plan_.verify_seqs;
  plan_.verify_tokens += s.new_tokens;
  plan_.verify_context_tokens += seq.computed_tokens;
  plan_.verify_attention_pairs += pairs;
  plan_.verify_emitted += s.accepted + 1;
  // Draft pass j proposes the (j+1)-th draft of every sequence that makes one, attending
  // the context, the last sampled token and the j drafts before it.
  for (std::int64_t j = 0; j < s.draft_tokens; ++j) {
    ++plan_.draft_pass_seqs[static_cast<std::size_t>(j)];
    plan_.draft_pass_keys[static_cast<std::size_t>(j)] += static_cast<double>(seq.computed_tokens + 1 + j);
  }
  if (seq.generated_tokens + s.accepted + 1 == seq.output_tokens) ++plan_.finishing_seqs;
}

void Replica::price_drafts() {
  const StepPricer* draft = config_.draft_pricer.get();
  if (draft == nullptr) return;  // drafting costs no GPU time (ngram)
  for (std::size_t j = 0; j < plan_.draft_pass_seqs.size(); ++j) {
    const std::int64_t seqs = plan_.draft_pass_seqs[j];
    if (seqs == 0) break;  // later passes draft for fewer sequences, never more
    const hw::StepTotals pass = draft->price(draft_pass_shape(seqs, plan_.draft_pass_keys[j]));
    plan_.draft_time_s += pass.time_s;
    plan_.draft_flops += pass.flops;
    plan_.cost.flops += pass.flops;
    plan_.cost.hbm_bytes += pass.hbm_bytes;
  }
  // The drafts run on the same GPUs before the verify, one after the other.
  plan_.cost.time_s += plan_.draft_time_s;
}

}  // namespace llmsim::sim

namespace llmsim::sim {

void Replica::release_rejected_blocks(Sequence& seq) {
  // The blocks past kv_layout_.blocks_held(computed) were allocated for this step's drafts:
  // fresh, unregistered and held by this sequence alone.
  const std::int64_t excess = seq.blocks.size() - kv_layout_.blocks_held(seq.computed_tokens);
  if (excess <= 0) return;
  rejected_blocks_.take_tail(seq.blocks, excess);
  kv_.release(rejected_blocks_);
}

}  // namespace llmsim::sim
