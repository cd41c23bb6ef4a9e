// IterationWorkModel: the work items of one iteration on one GPU of a replica (DESIGN.md
// section 3): Architecture x Parallelism x Precision x batch -> a list of operator work
// items. Pure arithmetic on the model shape; rates and time live in StepTimeModel.
#pragma once

#include <cstdint>

#include "core/architecture.h"
#include "core/invariant.h"
#include "core/model_spec.h"
#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/parallelism.h"
#include "hw/precision.h"
#include "hw/work_item.h"
#include "hw/work_item_list.h"

namespace llmsim::hw {

/// Expected number of distinct experts that `tokens` tokens touch when each picks
/// `experts_per_token` of `num_experts` uniformly and independently of the others:
/// E x (1 - (1 - k/E)^T). Derivation: a token's k distinct experts miss a given expert with
/// probability C(E-1, k) / C(E, k) = 1 - k/E, T independent tokens all miss it with
/// probability (1 - k/E)^T, and by linearity of expectation over the E experts (the
/// classical occupancy problem) the distinct count is E (1 - (1 - k/E)^T).
/// 0 tokens -> 0; 1 token -> k; many tokens -> E. Real routers are skewed (DeepSeek-V3's
/// balancing keeps batches near, not at, uniform load); since 1 - (1 - p)^T is concave in
/// an expert's share p, uniform shares maximise the sum, so this is the most experts (and
/// expert weight bytes) T tokens can be expected to read.
double expected_distinct_experts(double num_experts, double experts_per_token, double tokens);

/// KV heads each GPU of a tensor-parallel group holds: kv / p when p divides them, else 1
/// (replicated, as vLLM does past the KV heads). Throws core::InputError when neither p
/// divides the KV heads nor the KV heads divide p.
std::int64_t kv_heads_per_gpu(const core::ModelSpec& model, int tensor_parallel);

/// Per-GPU work items of one iteration. Formulas (L layers, h hidden, T = total new tokens,
/// a / w = activation / weight bytes per element, p = tensor_parallel,
/// q = heads x head_dim / p and kv = KV heads per GPU x head_dim, I = the MLP width a
/// token passes through (intermediate_size, or for MoE experts_per_token x
/// expert_intermediate_size plus the shared experts'), m = 3 for a gated MLP else 2):
///   gemm             flops = 2 T L Pl;  bytes = w L Wl(T) + a L T (4h + 2q + 2kv + m I / p)
///                    Pl = active params of one layer on this GPU; Wl(T) = params read:
///                    all of them (dense), or the shared part plus the expected distinct
///                    experts of T tokens (MoE); kernels 4L (5L for MoE: + router)
///   attention_prefill flops = 4 L q x prefill_attention_pairs;
///                    bytes = prefill_kv_tokens x KV bytes per token on this GPU
///                            + 2 a L q x prefill_tokens (Q read, O written); kernels L
///   (MLA: flops per pair are the Architecture's, expanded in prefill plus the cached
///   latents' up-projection per cached token, absorbed in decode; KV bytes are the whole
///   latent on every GPU; see iteration_work_model.cpp)
///   attention_decode flops = 4 L q x decode_kv_tokens;
///                    bytes = decode_kv_tokens x KV bytes per token on this GPU; kernels L;
///                    blocks = L x decode seqs x query heads per GPU
///   elementwise      flops = 0 (O(h) per token, left out as in the `precise` FLOP method);
///                    bytes = a L T (8h + 2(q + kv) + m I / p); kernels 4L
///   lm_head          flops = 2 S Ph / p; bytes = wh Ph / p + a S (h + V / p); kernels 1
///                    S = sampled_seqs, Ph = head params, V = vocab (or reward outputs)
///   allreduce        calls = 2L + 1 when p > 1; payload = a T h each; link bytes
///                    2 (p-1)/p x payload each (ring) within one scale-up domain.
///                    Across n = p / d domains of d GPUs (hierarchical all-reduce:
///                    reduce-scatter in the domain, all-reduce of each GPU's 1/d shard
///                    over scale-out among the n GPUs of its rank, all-gather in the
///                    domain): link bytes 2 (d-1)/d x payload (scale-up), scale-out link
///                    bytes 2 (n-1)/n x payload / d, scale-out steps 2 (n-1) per call
/// An operator's kernels count only when it runs (T > 0, prefill tokens > 0, decode
/// sequences > 0, S > 0). See iteration_work_model.cpp for where each term comes from.
class IterationWorkModel {
 public:
  /// Throws core::InputError when tensor_parallel < 1, does not divide the attention
  /// heads, or neither divides nor is a multiple of the KV heads, or when the model has a
  /// non-positive dimension or inconsistent MoE fields.
  /// `scale_up_domain_gpus`: GPUs that share the scale-up interconnect (hw::Fabric; 0 =
  /// not stated, the whole group shares it). A group larger than the domain must be a
  /// multiple of it (hw::Fabric::group_problem; aborts otherwise: callers check first).
  IterationWorkModel(const core::ModelSpec& model, const core::ParameterCounts& params,
                     const Precision& precision, const Parallelism& parallelism,
                     int scale_up_domain_gpus = 0);

  /// The iteration's items in pricing order (gemm, attention_prefill, attention_decode,
  /// elementwise, lm_head, allreduce: hw::Operator's order), leaving out any item with no
  /// work at all (WorkItem::empty: pricing it would add 0 to every sum). At most one item
  /// per operator. Precondition (aborts otherwise): every field of `batch` is >= 0.
  /// Contract a price cache relies on (hw/step_price_cache.h): in a decode-only batch
  /// (BatchShape::decode_only) every item but attention_decode is a function of
  /// decode_seqs alone, bit for bit.
  WorkItemList items(const BatchShape& batch) const;

  /// The attention_decode item of `batch` (all zero when it has no decode work), as items()
  /// computes it. Unchecked. Inline: a price cache computes it for every decode step it
  /// prices (hw/step_price_cache.h).
  WorkItem decode_attention_item(const BatchShape& batch) const;

  /// The routed experts' share of the GEMM FLOPs per token (0 for a dense model): what the
  /// step-time model weighs a separate expert compute rate by (hw/compute_dtypes.h,
  /// expert_gemm_compute_dtype).
  double expert_gemm_flop_share() const { return expert_gemm_flop_share_; }

  /// Aborts (a broken invariant) unless every field of `batch` is >= 0.
  static void check_batch(const BatchShape& batch) {
    core::check_invariant(batch.prefill_seqs >= 0 && batch.prefill_tokens >= 0 &&
                              batch.prefill_attention_pairs >= 0.0 &&
                              batch.prefill_kv_tokens >= 0.0 && batch.decode_seqs >= 0 &&
                              batch.decode_kv_tokens >= 0.0 && batch.sampled_seqs >= 0,
                          "BatchShape: every count must be >= 0");
  }

 private:
  double hidden_size_ = 0.0;
  double activation_bytes_ = 0.0;     ///< bytes per activation element
  // MoE routing; num_experts_ == 0 for a dense model.
  double num_experts_ = 0.0;
  double experts_per_token_ = 0.0;
  // Per-GPU constants, all layers together unless the name says otherwise.
  double gemm_flops_per_token_ = 0.0;
  double gemm_fixed_weight_bytes_ = 0.0;   ///< weights read whatever T is (all, if dense)
  double expert_weight_bytes_ = 0.0;       ///< one routed expert in every layer
  double expert_gemm_flop_share_ = 0.0;    ///< routed experts' FLOPs / all GEMM FLOPs per token
  double gemm_activation_bytes_per_token_ = 0.0;
  double attention_flops_per_key_ = 0.0;   ///< per (query, key) pair
  double kv_bytes_per_token_ = 0.0;        ///< this GPU's share of one token's KV cache
  double attention_activation_bytes_per_token_ = 0.0;
  double elementwise_bytes_per_token_ = 0.0;
  double lm_head_flops_per_row_ = 0.0;
  double lm_head_weight_bytes_ = 0.0;
  double lm_head_activation_bytes_per_row_ = 0.0;
  double allreduce_calls_ = 0.0;
  double ring_link_factor_ = 0.0;          ///< 2 (p-1)/p: link bytes per payload byte of a ring all-reduce
                                           ///< (2 (d-1)/d, the scale-up part, across domains)
  double scale_out_link_factor_ = 0.0;     ///< 2 (n-1)/(n d): scale-out bytes per payload byte (0 in a domain)
  double scale_out_steps_ = 0.0;           ///< 2 (n-1): inter-domain steps per call (0 in a domain)
  double layers_ = 0.0;
  double gemm_kernels_per_layer_ = 0.0;
  double kv_head_groups_per_gpu_ = 0.0;  ///< KV heads on this GPU (MLA: 1, the latent): one decode block each per sequence
  double decode_attention_flops_per_key_ = 0.0;  ///< = attention_flops_per_key_ except MLA (absorbed)
  double prefill_flops_per_cached_token_ = 0.0;  ///< MLA only: kv_b_proj on a cached latent

  /// What the MLA terms need from the constructor.
  struct LatentTermInputs {
    double tensor_parallel = 1.0;
    double layers = 0.0;
    double activation_bytes = 0.0;
    double kv_bytes_per_element = 0.0;
    double ffn_io_per_layer = 0.0;  ///< m I / p
  };
  /// Replaces the GQA attention and GEMM-activation terms with MLA's.
  void set_latent_attention_terms(const core::Architecture& architecture, const LatentTermInputs& in);
};

inline WorkItem IterationWorkModel::decode_attention_item(const BatchShape& batch) const {
  WorkItem decode;
  decode.op = Operator::attention_decode;
  decode.flops = decode_attention_flops_per_key_ * batch.decode_kv_tokens;
  decode.hbm_bytes = kv_bytes_per_token_ * batch.decode_kv_tokens;
  decode.kernels = batch.decode_seqs > 0 ? layers_ : 0.0;
  decode.blocks = static_cast<double>(batch.decode_seqs) * kv_head_groups_per_gpu_ * layers_;
  return decode;
}

}  // namespace llmsim::hw
