// The `precise` FLOP method, the simulator's default (DESIGN.md section 2), after
// inference-lab's src/compute/arithmetic.rs (doublewordai/inference-lab):
//   FLOPs = 2 x tokens x active parameters  +  4 x L x B x S x T x D (attention)
// with three refinements:
//   - the matmul term uses active_non_embedding parameters (attention and MLP/expert
//     projections, norms; a PRM's score head) because the embedding is a lookup and the
//     LM head runs only where a token is sampled;
//   - attention counts the (query, key) pairs actually attended: causal within the new
//     tokens, all cached tokens before them (inference-lab charges every new token the
//     whole context);
//   - the LM head, 2 x hidden x vocab, is charged once per sampled position.
// D = num_attention_heads x head_dim: QK^T and softmax(QK^T)V each cost 2 x D per pair
// and layer, whatever the number of KV heads.
// Multi-head latent attention (MLA) is priced the way vLLM and SGLang run it
// (core/architecture.h, AttentionPhase): prompt tokens expanded (per pair 2 H (P + R) +
// 2 H V, plus the up-projection of every cached latent a prefill chunk reads), decode
// steps absorbed (per pair 2 H (Lkv + R) + 2 H Lkv). For GQA/MHA the two coefficients are
// equal and the cached-token term is 0.
#pragma once

#include <cstdint>

#include "core/flop_breakdown.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// inference-lab's attention FLOPs, 4 x L x B x S x T x D: L layers, B sequences, each with
/// S new tokens that all attend T tokens, attention width D. Pure arithmetic, no causality.
double attention_flops(double layers, double batch, double new_tokens, double attended_tokens,
                       double width);

/// (query, key) pairs of one sequence processing `new_tokens` on top of `cached_tokens`
/// with a causal mask: new token i (1-based) sees cached + i keys, so
/// pairs = new x cached + new x (new + 1) / 2. A decode step (new = 1) attends cached + 1.
double causal_attention_pairs(std::int64_t new_tokens, std::int64_t cached_tokens);

/// Per-unit costs of one model, computed once so the simulator prices a step in O(1).
struct PreciseFlopCoefficients {
  /// 2 x active_non_embedding, plus a hybrid's linear-attention recurrences per token
  /// (Architecture::linear_attention_flops_per_token: they do not grow with the context)
  double matmul_flops_per_token = 0.0;
  /// Prefill: 4 x num_layers x num_attention_heads x head_dim (MLA: layers x the expanded pair)
  double attention_flops_per_pair = 0.0;
  /// Decode: equal to attention_flops_per_pair except for MLA (layers x the absorbed pair)
  double decode_attention_flops_per_pair = 0.0;
  /// Prefill, per cached token the chunk attends: 0 except for MLA (layers x kv_b_proj up-projection)
  double prefill_flops_per_cached_token = 0.0;
  double lm_head_flops_per_sample = 0.0;  ///< 2 x hidden x vocab; 0 for a reward head (in matmul)
};
PreciseFlopCoefficients precise_flop_coefficients(const ModelSpec& model);

/// FLOPs of one sequence's share of one iteration, by part.
struct StepFlops {
  double matmul_flops = 0.0;
  double attention_flops = 0.0;
  double lm_head_flops = 0.0;
  double total() const { return matmul_flops + attention_flops + lm_head_flops; }
};

/// One sequence processing `new_tokens` (>= 0) on top of `cached_tokens` (>= 0) in one
/// iteration; `sampled` when the iteration samples a token for it (the last prompt chunk,
/// or a decode step). One new token on top of cached ones is a decode step (vLLM's
/// reorder_batch_threshold 1), more is a prefill chunk. Aborts on negative counts (a
/// broken caller, not user input).
StepFlops precise_step_flops(const ModelSpec& model, std::int64_t new_tokens,
                             std::int64_t cached_tokens, bool sampled);
StepFlops precise_step_flops(const PreciseFlopCoefficients& coefficients, std::int64_t new_tokens,
                             std::int64_t cached_tokens, bool sampled);

/// A whole request the way the engine runs it, equal to the sum of precise_step_flops over
/// its iterations with no prefix cache: prefill processes the I prompt tokens and samples
/// the first output token (so flops_prefill includes one LM head per sequence when O > 0);
/// decode runs O - 1 steps, step k processing one token on top of I + k - 1 cached and
/// sampling one. The last output token is never fed back, so the body sees I + O - 1 tokens
/// per sequence, one fewer than `simple` counts. A reward model (HeadKind::reward) samples
/// nothing. Throws InputError for a bad query, or output_tokens > 0 with input_tokens 0
/// (nothing to sample the first token from).
FlopBreakdown precise_flops(const ModelSpec& model, const FlopQuery& query);

}  // namespace llmsim::core
