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

double Replica::request_acceptance(const workloads::RequestSpec& request) const {
  const SpeculativeConfig& speculative = config_.engine.speculative;
  if (request.acceptance_length <= 0.0 || !speculative.enabled()) return -1.0;
  return acceptance_for_length(request.acceptance_length, speculative.depth());
}

void Replica::begin_speculative_plan() {
  const SpeculativeConfig& speculative = config_.engine.speculative;
  // disable_above_batch: counted at the iteration's start, before admissions.
  speculating_ = speculative.disable_above_batch == 0 || num_running() <= speculative.disable_above_batch;
  plan_.verify_seqs = 0;
  plan_.verify_tokens = 0;
  plan_.verify_context_tokens = 0;
  plan_.verify_emitted = 0;
  plan_.draft_pass_seqs.assign(static_cast<std::size_t>(speculative.num_speculative_tokens), 0);
  plan_.draft_pass_keys.assign(static_cast<std::size_t>(speculative.num_speculative_tokens), 0.0);
  plan_.parallel_draft_shape = hw::BatchShape{};
  plan_.draft_time_s = 0.0;
  plan_.draft_flops = 0.0;
  plan_.draft_hbm_bytes = 0.0;
}

void Replica::schedule_verify(ScheduledSeq& s, const Sequence& seq) {
  LLMSIM_CHECK(speculating_ && s.decode && s.new_tokens >= 2 &&
                   s.new_tokens - 1 <= drafts_for(config_.engine.speculative, seq.output_tokens - seq.generated_tokens),
               "a verify step checks at most the drafts its sequence may make");
  const SpeculativeConfig& speculative = config_.engine.speculative;
  s.draft_tokens = s.new_tokens - 1;
  s.samples = true;
  // A chain accepts a prefix of its drafts; a tree a path of at most its depth.
  const std::int64_t depth = std::min(s.draft_tokens, speculative.depth());
  s.accepted = seq.acceptance_p >= 0.0 ? draw_accepted(seq.acceptance_p, depth, acceptance_rng_)
                                       : draw_accepted(speculative.acceptance, depth, acceptance_rng_);
  plan_.seqs.push_back(s);
  // The target verifies the last sampled token and the drafts in one pass, as a decode with
  // q = new_tokens query tokens over the sequence's cached context (causal among them), in
  // the decode attention kernel (hw::BatchShape, verify rows: its KV read once, absorbed MLA),
  // with the LM head over every position (each yields the token after it). A tree's nodes
  // attend only their ancestors among the drafts: the causal count over-states those pairs
  // by at most q^2 / 2, small beside q x context.
  hw::BatchShape& shape = plan_.shape;
  const core::Architecture& architecture = *config_.architecture;
  const std::int64_t q = s.new_tokens;
  const std::int64_t c = seq.computed_tokens;
  const double pairs = architecture.mean_attention_pairs(q, c);
  ++shape.verify_seqs;
  shape.verify_tokens += q;
  shape.verify_attention_pairs += pairs;
  // The keys the q queries attend, read once: c + q in a full layer (the window's in a
  // windowed one). DSA: each query gathers its own top-k latents, so the pairs; its indexer
  // scores every key (uncapped pairs) and reads each once.
  if (architecture.has_sparse_attention()) {
    shape.verify_kv_tokens += pairs;
    shape.verify_indexer_pairs += architecture.indexer_pairs(q, c);
    shape.verify_indexer_keys += static_cast<double>(c + q);
  } else {
    shape.verify_kv_tokens += architecture.mean_prefill_kv_tokens(q, c);
  }
  shape.sampled_seqs += q;
  ++plan_.verify_seqs;
  plan_.verify_tokens += q;
  plan_.verify_context_tokens += c;
  plan_.verify_emitted += s.accepted + 1;
  if (speculative.parallel_drafting) {
    // One pass proposes all the drafts, after the context and the last sampled token.
    add_parallel_draft(plan_.parallel_draft_shape, s.draft_tokens, seq.computed_tokens + 1);
  } else if (speculative.tree()) {
    tree_draft_passes(depth, speculative.tree_top_k, seq.computed_tokens);
  } else {
    serial_draft_passes(s.draft_tokens, seq.computed_tokens);
  }
  if (seq.generated_tokens + s.accepted + 1 == seq.output_tokens) ++plan_.finishing_seqs;
}

void Replica::serial_draft_passes(std::int64_t drafts, std::int64_t context) {
  // Draft pass j proposes the (j+1)-th draft of every sequence that makes one, attending
  // the context, the last sampled token and the j drafts before it.
  for (std::int64_t j = 0; j < drafts; ++j) {
    ++plan_.draft_pass_seqs[static_cast<std::size_t>(j)];
    plan_.draft_pass_keys[static_cast<std::size_t>(j)] += static_cast<double>(context + 1 + j);
  }
}

void Replica::tree_draft_passes(std::int64_t steps, std::int64_t top_k, std::int64_t context) {
  // Pass 0 drafts from the last sampled token; pass j >= 1 expands the top_k best nodes of
  // depth j, each a row of the draft batch attending the context, the last token and its j
  // ancestors (SGLang's EAGLE worker runs the draft steps at batch x topk rows).
  for (std::int64_t j = 0; j < steps; ++j) {
    const std::int64_t rows = j == 0 ? 1 : top_k;
    plan_.draft_pass_seqs[static_cast<std::size_t>(j)] += rows;
    plan_.draft_pass_keys[static_cast<std::size_t>(j)] += static_cast<double>(rows * (context + 1 + j));
  }
}

namespace {

/// The prompt chunks of `plan`: its shape's prefill part (verify steps are not in it).
hw::BatchShape prompt_chunks(const IterationPlan& plan) {
  hw::BatchShape prompts;
  prompts.prefill_seqs = plan.shape.prefill_seqs;
  prompts.prefill_tokens = plan.shape.prefill_tokens;
  if (prompts.prefill_seqs <= 0 || prompts.prefill_tokens <= 0) return hw::BatchShape{};
  prompts.prefill_attention_pairs = plan.shape.prefill_attention_pairs;
  prompts.prefill_kv_tokens = plan.shape.prefill_kv_tokens;
  prompts.prefill_indexer_pairs = plan.shape.prefill_indexer_pairs;
  prompts.sampled_seqs = plan.prefill_sampled_seqs;
  return prompts;
}

}  // namespace

void Replica::price_drafts() {
  const StepPricer* draft = config_.draft_pricer.get();
  if (draft == nullptr) return;  // drafting costs no GPU time (ngram)
  const auto add = [&](const hw::StepTotals& pass) {
    plan_.draft_time_s += pass.time_s;
    plan_.draft_flops += pass.flops;
    plan_.draft_hbm_bytes += pass.hbm_bytes;
    plan_.cost.flops += pass.flops;
    plan_.cost.hbm_bytes += pass.hbm_bytes;
  };
  // The drafter also runs over the iteration's prompt tokens, building its own KV of the
  // prompt (a draft model) or the features it drafts from (a head), and proposes the first
  // drafts from the last prompt position: the plan's prompt chunks, its verify steps left out.
  const hw::BatchShape prompts = prompt_chunks(plan_);
  if (!prompts.empty()) add(draft->price(prompts));
  if (!plan_.parallel_draft_shape.empty()) add(draft->price(plan_.parallel_draft_shape));
  for (std::size_t j = 0; j < plan_.draft_pass_seqs.size(); ++j) {
    const std::int64_t seqs = plan_.draft_pass_seqs[j];
    if (seqs == 0) break;  // later passes draft for fewer sequences, never more
    add(draft->price(draft_pass_shape(seqs, plan_.draft_pass_keys[j])));
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
