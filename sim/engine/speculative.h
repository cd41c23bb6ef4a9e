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
#include "hw/parallelism.h"
#include "sim/engine/step_pricer.h"
#include "sim/scenario.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

/// The number of leading accepted positions of `drafts` drafts (0..drafts): position i is
/// drawn only if positions 1..i-1 were accepted, one uniform draw of `rng` each, accepted
/// when the draw is below acceptance[i - 1] (so 1.0 always, 0.0 never).
/// Precondition: 0 <= drafts <= acceptance.size().
std::int64_t draw_accepted(const std::vector<double>& acceptance, std::int64_t drafts, workloads::RngStream& rng);

/// draw_accepted with the same probability `p` at every position.
std::int64_t draw_accepted(double p, std::int64_t drafts, workloads::RngStream& rng);

/// Expected tokens a verify step of k = acceptance.size() drafts emits, bonus included:
/// 1 + sum over i of p1 x ... x pi.
double expected_acceptance_length(const std::vector<double>& acceptance);

/// The one probability p in [0, 1] that every one of k draft positions is accepted with so
/// that a verify step emits `length` tokens on average: 1 + p + p^2 + ... + p^k = length
/// (to 1e-12, by bisection). How a published or per-request acceptance length becomes
/// draws. Precondition: k >= 1 and 1 <= length <= k + 1.
double acceptance_for_length(double length, std::int64_t k);

/// Drafts a decoding sequence makes in a step of a speculative engine: k, but never more
/// than its remaining output less one (a verify step emits at most drafts + 1 tokens), so a
/// request never holds KV for more than prompt + output - 1 tokens (what the pool's fit
/// check and admission reserve).
inline std::int64_t drafts_for(const SpeculativeConfig& speculative, std::int64_t remaining_output) {
  return std::max<std::int64_t>(0, std::min(speculative.num_speculative_tokens, remaining_output - 1));
}

/// The shape of a draft head cut from the target (eagle, eagle3, mtp without a draft_model):
/// the target's last draft_layers layers with its embedding and LM head, without sliding
/// windows; a MoE target keeps those layers' MoE count (DeepSeek-V3's one MTP layer is MoE).
core::ModelSpec draft_head_shape(const PoolSpec& pool);

/// The StepPricer of one draft forward pass for the pool's engine, or null when drafting
/// costs no GPU time (ngram) or speculation is off:
///  - draft_model: the draft model on the target's GPUs (same tensor parallelism and
///    precision);
///  - eagle, eagle3 with a draft_model: that head preset's own shape;
///  - eagle, eagle3, mtp otherwise: the target's shape cut to draft_layers decoder layers
///    (embedding and LM head kept: an MTP module and an EAGLE-3 head run both).
/// Host time is the target's alone: the draft pricer adds none.
/// Its GPUs are draft_parallelism(pool)'s: under attention DP with a MoE drafter it prices a
/// replica's draft batch over all DP ranks (the pool pads each rank's batch to every rank).
std::shared_ptr<const StepPricer> make_draft_pricer(const PoolSpec& pool);

/// The drafter's layout: the pool's tensor-parallel group; under attention DP with a drafter
/// that has routed experts (DeepSeek's MTP module, a MoE target's EAGLE head), the pool's DP
/// ranks and expert parallelism as well. Its passes are then lockstep collectives like the
/// target's forward: SGLang runs a draft pass on every DP rank, an idle one where the rank has
/// nothing to draft (python/sglang/srt/speculative/eagle_worker.py, EAGLEWorker.draft:
/// _draft_preprocess_idle for ForwardMode.IDLE), and its MoE layer is sharded as the target's.
/// A dense drafter under DP stays on its rank's GPUs (a dense model's DP ranks share nothing).
/// No two-batch overlap for the drafter.
hw::Parallelism draft_parallelism(const PoolSpec& pool);

/// What the drafter holds on each GPU of the pool beside the target (sim/engine/kv_capacity):
/// its weights, and KV bytes per token of its own layers (it keeps KV for every position
/// the target does, in the same blocks).
struct DraftFootprint {
  double weight_bytes = 0.0;        ///< per GPU
  double kv_bytes_per_token = 0.0;  ///< per GPU, all the drafter's layers
};

/// The pool's drafter footprint; zero for ngram or without speculation:
///  - draft_model, or eagle/eagle3 with a head preset: that model's weights and KV (its own
///    embedding and LM head included), sharded like the target's;
///  - weights on the layout the drafter runs on (draft_parallelism): a MoE drafter on an
///    attention-DP pool holds 1/EP of its routed experts per GPU, its other weights per DP
///    rank over TP (core::weight_bytes_per_gpu); otherwise / TP;
///  - eagle, eagle3, mtp cut from the target: draft_head_shape's layers, their weights
///    (embedding and LM head left out: the heads share the target's, as DeepSeek-V3's MTP
///    modules do, technical report section 2.2) and their KV.
DraftFootprint draft_footprint(const PoolSpec& pool);

/// Adds one sequence's parallel draft pass (SpeculativeConfig::parallel_drafting) to
/// `shape`: `drafts` positions over `context` cached keys, attending causally among
/// themselves (the head has no sliding window), each sampled. Like a verify step, a few
/// query tokens per sequence in the drafter's decode attention kernel (vLLM's backends take
/// up to 1 + num_speculative_tokens query tokens per request as a decode,
/// vllm/v1/attention/backend.py _init_reorder_batch_threshold): hw::BatchShape's verify rows.
void add_parallel_draft(hw::BatchShape& shape, std::int64_t drafts, std::int64_t context);

/// The batch of draft pass `pass`: `seqs` sequences decoding one token each over `keys`
/// keys in all.
hw::BatchShape draft_pass_shape(std::int64_t seqs, double keys);

}  // namespace llmsim::sim
