// Speculative decoding: how many drafted tokens a verify step accepts, and what the drafts
// cost (SpeculativeConfig in sim/scenario.h).
//
// A decoding sequence of a speculative engine drafts d <= k tokens, then the target model
// verifies the last sampled token and the d drafts in one forward pass over d + 1 new
// tokens. Draft position i is accepted with probability acceptance[i - 1] when every
// position before it was; the step emits the accepted drafts plus one token the target
// samples after them (the bonus token), accepted + 1 in all.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hw/batch_shape.h"
#include "sim/engine/step_pricer.h"
#include "sim/scenario.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

/// The number of leading accepted positions of `drafts` drafts (0..drafts): position i is
/// drawn only if positions 1..i-1 were accepted, one uniform draw of `rng` each, accepted
/// when the draw is below acceptance[i - 1] (so 1.0 always, 0.0 never).
/// Precondition: 0 <= drafts <= acceptance.size().
std::int64_t draw_accepted(const std::vector<double>& acceptance, std::int64_t drafts, workloads::RngStream& rng);

/// Expected tokens a verify step of k = acceptance.size() drafts emits, bonus included:
/// 1 + sum over i of p1 x ... x pi.
double expected_acceptance_length(const std::vector<double>& acceptance);

/// Drafts a decoding sequence makes in a step of a speculative engine: k, but never more
/// than its remaining output less one (a verify step emits at most drafts + 1 tokens), so a
/// request never holds KV for more than prompt + output - 1 tokens (what the pool's fit
/// check and admission reserve).
inline std::int64_t drafts_for(const SpeculativeConfig& speculative, std::int64_t remaining_output) {
  return std::max<std::int64_t>(0, std::min(speculative.num_speculative_tokens, remaining_output - 1));
}

/// The StepPricer of one draft forward pass for the pool's engine, or null when drafting
/// costs no GPU time (ngram) or speculation is off:
///  - draft_model: the draft model on the target's GPUs (same tensor parallelism and
///    precision);
///  - eagle3, mtp: the target's shape cut to draft_layers decoder layers (embedding and LM
///    head kept: an MTP module and an EAGLE-3 head run both).
/// Host time is the target's alone: the draft pricer adds none.
std::shared_ptr<const StepPricer> make_draft_pricer(const PoolSpec& pool);

/// The batch of draft pass `pass`: `seqs` sequences decoding one token each over `keys`
/// keys in all.
hw::BatchShape draft_pass_shape(std::int64_t seqs, double keys);

}  // namespace llmsim::sim
