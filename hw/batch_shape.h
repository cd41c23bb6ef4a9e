// BatchShape: what the step-time model needs to know of one iteration's batch.
#pragma once

#include <cstdint>

namespace llmsim::hw {

/// One iteration's batch, as sums over its sequences, so pricing costs O(1) whatever the
/// batch size. A sequence with s new tokens on top of c cached ones attends causally:
/// its s queries see c+1, c+2, ..., c+s keys. The attention sums are means over layers
/// (core::Architecture): a sliding-window layer caps the keys a query sees at its window,
/// and the work model multiplies by the number of layers. Without windows they are the
/// plain sums below.
///
/// Speculative decoding's verify steps are decode work with several query tokens: a sequence
/// verifying k drafts runs q = k + 1 queries (the last sampled token and the drafts) on top of
/// c cached tokens through the DECODE attention kernel, which reads the sequence's KV once
/// for all q queries (vLLM's MLA backends classify a request of at most 1 + num_speculative_tokens
/// query tokens as a decode, vllm/v1/attention/backends/mla/common.py reorder_batch_threshold,
/// and FlashMLA packs q x heads query rows per sequence, flashmla.py num_q_tokens_per_head_k;
/// TensorRT-LLM runs MTP's K + 1 tokens through its generation-phase MLA kernels, tech blog 2
/// "Attention for MTP"). Their rows are the verify_* fields, kept apart from both phases above.
///
/// DeepSeek sparse attention (DSA, core::LatentAttention::sparse) caps the keys the attention
/// sums above count at the indexer's top-k, while its lightning indexer scores every earlier
/// key: the two indexer fields hold those uncapped counts (0 for every other model). The
/// indexer's cached keys a prefill chunk reads and writes are prefill_kv_tokens, which for
/// DSA already counts every cached token (core::Architecture::mean_prefill_kv_tokens).
struct BatchShape {
  std::int64_t prefill_seqs = 0;        ///< sequences processing prompt tokens this iteration
  std::int64_t prefill_tokens = 0;      ///< sum of s over prefill sequences
  double prefill_attention_pairs = 0;   ///< sum of s*c + s*(s+1)/2 over prefill sequences
  double prefill_kv_tokens = 0;         ///< sum of c + s over prefill sequences (KV read/written)
  std::int64_t decode_seqs = 0;         ///< sequences generating one token each (s = 1)
  double decode_kv_tokens = 0;          ///< sum of c + 1 over decode sequences (keys attended)
  std::int64_t sampled_seqs = 0;        ///< sequences that sample a token (LM head rows)
  double prefill_indexer_pairs = 0;     ///< DSA: sum of s*c + s*(s+1)/2 over prefill sequences, uncapped
  double decode_indexer_keys = 0;       ///< DSA: sum of c + 1 over decode sequences, uncapped
  std::int64_t verify_seqs = 0;         ///< sequences verifying drafts (q >= 2 query tokens each)
  std::int64_t verify_tokens = 0;       ///< sum of q over verify sequences
  double verify_attention_pairs = 0;    ///< sum of q*c + q*(q+1)/2 over verify sequences (causal)
  double verify_kv_tokens = 0;          ///< KV tokens the decode kernel reads for them, once per
                                        ///< sequence: sum of c + q (with DSA the capped pairs:
                                        ///< each query gathers its own top-k)
  double verify_indexer_pairs = 0;      ///< DSA: sum of q*c + q*(q+1)/2 over verify sequences, uncapped
  double verify_indexer_keys = 0;       ///< DSA: sum of c + q over verify sequences (indexer keys read)
  /// Dummy tokens the engine's CUDA graph adds to reach its captured size (hw/cuda_graphs.h):
  /// the token-proportional work (GEMMs, norms, all-reduce, expert routing) runs them; they
  /// attend to nothing and sample nothing. 0 without graph padding. Not counted in
  /// total_new_tokens().
  double graph_padding_tokens = 0;
  /// Attention-DP lockstep (sim/cluster/dp_group.h), for a SUM_LEN step whose ranks run
  /// different batches, priced one rank at a time: this batch is one rank's batch run by
  /// every DP rank (each rank's share of it is that rank's own batch), and the MoE layers
  /// (routed experts and all-to-all) route the new tokens of all the ranks' own batches,
  /// lockstep_tokens of them, instead of this batch's. 0: this batch's own (every other batch).
  /// Used by pipeline/attention-DP pricing only (hw/step_time_model_parallel.cpp).
  std::int64_t lockstep_tokens = 0;
  /// With lockstep_tokens: some rank of the step computes prompt tokens, so the step's
  /// all-to-all runs DeepEP's normal kernels on every rank, this one's batch being decode
  /// only or not (SGLang's prepare_mlp_sync_batch ORs is_extend_in_batch over the DP ranks,
  /// and DeepEPMode.resolve(is_extend_in_batch) picks the kernels for the step).
  bool lockstep_extends = false;

  std::int64_t total_new_tokens() const { return prefill_tokens + decode_seqs + verify_tokens; }
  bool empty() const { return prefill_tokens == 0 && decode_seqs == 0 && verify_tokens == 0; }
  /// Whether the batch has sequences in the decode attention kernel (one-token or verify).
  bool has_decode_attention() const { return decode_seqs > 0 || verify_seqs > 0; }
  /// Whether every sequence of a non-empty batch decodes one token and samples it: no
  /// prefill or verify field set, decode_seqs > 0, sampled_seqs == decode_seqs (the iterations
  /// a simulator's decode stretches run, which hw::StepPriceCache keeps by batch size).
  bool decode_only() const {
    return prefill_seqs == 0 && prefill_tokens == 0 && prefill_attention_pairs == 0.0 &&
           prefill_kv_tokens == 0.0 && prefill_indexer_pairs == 0.0 && verify_seqs == 0 && verify_tokens == 0 &&
           verify_attention_pairs == 0.0 && verify_kv_tokens == 0.0 && verify_indexer_pairs == 0.0 &&
           verify_indexer_keys == 0.0 && decode_seqs > 0 && sampled_seqs == decode_seqs;
  }
  /// Whether the batch has lightning-indexer work (DSA only).
  bool has_indexer_work() const {
    return prefill_indexer_pairs != 0.0 || decode_indexer_keys != 0.0 || verify_indexer_pairs != 0.0;
  }
};

/// `seqs` one-token decodes, each on `context` cached tokens (context + 1 keys) and each
/// sampling: a decode iteration of sequences that all hold the same context.
inline BatchShape uniform_decodes(std::int64_t seqs, double context) {
  BatchShape b;
  b.decode_seqs = seqs;
  b.decode_kv_tokens = static_cast<double>(seqs) * (context + 1.0);
  b.sampled_seqs = seqs;
  return b;
}

/// `seqs` whole prompts of `tokens_each` new tokens on nothing cached, each finishing its
/// prompt (sampling): attention pairs seqs x s(s+1)/2, KV tokens seqs x s.
inline BatchShape whole_prompts(std::int64_t seqs, std::int64_t tokens_each) {
  const auto s = static_cast<double>(tokens_each);
  BatchShape b;
  b.prefill_seqs = seqs;
  b.prefill_tokens = seqs * tokens_each;
  b.prefill_attention_pairs = static_cast<double>(seqs) * s * (s + 1.0) / 2.0;
  b.prefill_kv_tokens = static_cast<double>(seqs) * s;
  b.sampled_seqs = seqs;
  return b;
}

}  // namespace llmsim::hw
