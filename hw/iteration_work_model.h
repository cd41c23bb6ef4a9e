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
#include "hw/weight_dequant.h"
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

/// One pipeline stage's place in the replica (hw/pipeline_stages.h): which layers it runs
/// and what it sends. A replica without pipeline parallelism is one stage of every layer.
struct StageSlice {
  double layers = 0.0;          ///< decoder layers of this stage, > 0
  bool first = true;            ///< runs the embedding (and its all-reduce)
  bool last = true;             ///< runs the LM head; otherwise sends its activations on
  bool send_crosses_domain = false;  ///< the next stage's GPUs are in another scale-up domain
};

/// The share of one iteration's batch that ONE attention rank of ONE micro-batch processes,
/// as real numbers (a split of the batch's BatchShape sums), and what the expert layers see.
struct RankShare {
  double prefill_tokens = 0.0;
  double prefill_attention_pairs = 0.0;
  double prefill_kv_tokens = 0.0;
  double decode_seqs = 0.0;
  double decode_kv_tokens = 0.0;
  double sampled_seqs = 0.0;
  double prefill_indexer_pairs = 0.0;  ///< DSA only (BatchShape)
  double decode_indexer_keys = 0.0;    ///< DSA only (BatchShape)
  double verify_seqs = 0.0;            ///< speculative verify rows (BatchShape)
  double verify_tokens = 0.0;
  double verify_attention_pairs = 0.0;
  double verify_kv_tokens = 0.0;
  double verify_indexer_pairs = 0.0;   ///< DSA only (BatchShape)
  double verify_indexer_keys = 0.0;    ///< DSA only (BatchShape)
  /// Tokens of the micro-batch over all DP ranks of the stage: the tokens the EP group routes.
  double group_tokens = 0.0;
  /// Routed (token, expert) pairs on the busiest EP GPU over the mean (hw/expert_balance.h);
  /// 1 for the mean GPU.
  double expert_load = 1.0;
  /// Some rank of the step computes prompt tokens (BatchShape::lockstep_extends): the
  /// all-to-all runs the normal kernels even when this share has no prompt tokens.
  bool group_extends = false;

  double tokens() const { return prefill_tokens + decode_seqs + verify_tokens; }
};

/// Per-GPU work items of one iteration. Formulas (L layers, h hidden, T = total new tokens,
/// a / w = activation / weight bytes per element, p = tensor_parallel,
/// q = heads x head_dim / p and kv = KV heads per GPU x head_dim, I = the MLP width a
/// token passes through (intermediate_size, or for MoE experts_per_token x
/// expert_intermediate_size plus the shared experts'), m = 3 for a gated MLP else 2):
///   gemm             flops = 2 T L Pl;  bytes = w L Wl(T) + a L T (4h + 2q + 2kv + m I / p)
///                    Pl = active params of one layer on this GPU; Wl(T) = params read:
///                    all of them (dense), or the shared part plus the expected distinct
///                    experts of T tokens (MoE); kernels 4L (5L for MoE: + router).
///                    MoE: the routed experts' share of the FLOPs is 2 L_moe Pe x rows(T)
///                    instead of 2 L_moe Pe x k T: each expert's rows padded up to the
///                    grouped GEMM's M tile (hw/grouped_gemm.h; Pe = one expert's params on
///                    this GPU). Weight-only GEMMs (hw/weight_dequant.h) add alu_instructions
///                    = c x (dense weights x ceil(T / 64) + L_moe Pe x expected tiles(T)),
///                    c the instructions per weight of the part dequantised (0 otherwise)
///   attention_prefill flops = 4 L q x prefill_attention_pairs;
///                    bytes = prefill_kv_tokens x KV bytes per token on this GPU
///                            + 2 a L q x prefill_tokens (Q read, O written); kernels L
///   (linear attention, hybrids such as Qwen3-Next: the linear layers attend no key, so
///   the pairs and KV tokens above are means over all layers with 0 for them; each phase
///   adds F x its new tokens and 2 Sb x its sequences, F = the recurrences' FLOPs per token
///   and Sb = one sequence's state bytes, both / p: see iteration_work_model.cpp)
///   (MLA: flops per pair are the Architecture's, expanded in prefill plus the cached
///   latents' up-projection per cached token, absorbed in decode; KV bytes are the whole
///   latent on every GPU; see iteration_work_model.cpp)
///   attention_decode flops = 4 L q x (decode_kv_tokens + verify_attention_pairs);
///                    bytes = (decode_kv_tokens + verify_kv_tokens) x KV bytes per token on
///                    this GPU; kernels L; blocks = L x (decode + verify seqs) x KV head
///                    groups per GPU. Verify rows (speculative decoding, BatchShape) run in
///                    the decode kernel: their KV is read once per sequence, their FLOPs are
///                    per query token and key (absorbed for MLA), their tokens count in T
///   elementwise      flops = 0 (O(h) per token, left out as in the `precise` FLOP method);
///                    bytes = a L T (8h + 2(q + kv) + m I / p); kernels 4L
///   lm_head          flops = 2 S Ph / p; bytes = wh Ph / p + a S (h + V / p); kernels 1
///                    S = sampled_seqs, Ph = head params, V = vocab (or reward outputs)
///   attention_indexer (DSA only: DeepSeek-V3.2's lightning indexer, every layer, replicated
///                    on every GPU of the TP group like its projections)
///                    flops = Fi x (prefill_indexer_pairs + decode_indexer_keys + verify_indexer_pairs);
///                    bytes = Bi x (prefill_kv_tokens + decode_indexer_keys + verify_indexer_keys);
///                    kernels = L (1 + 2 x phases present)
///                    Fi = indexer FLOPs per (query, key) pair, Bi = one token's cached
///                    indexer key bytes, all layers (core::Architecture); the attention items
///                    above then count the top-k capped keys (BatchShape)
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
  /// `dequant`: the weights the GPU's kernels convert in software (hw/weight_dequant.h:
  /// software_dequant); none by default.
  IterationWorkModel(const core::ModelSpec& model, const core::ParameterCounts& params,
                     const Precision& precision, const Parallelism& parallelism,
                     int scale_up_domain_gpus = 0, SoftwareDequant dequant = {});

  /// The iteration's items in pricing order (gemm, attention_prefill, attention_decode,
  /// elementwise, lm_head, allreduce, attention_indexer: hw::Operator's order), leaving out
  /// any item with no work at all (WorkItem::empty: pricing it would add 0 to every sum). At
  /// most one item per operator. Precondition (aborts otherwise): every field of `batch` is >= 0.
  /// Contract a price cache relies on (hw/step_price_cache.h): in a decode-only batch
  /// (BatchShape::decode_only) without indexer work (BatchShape::has_indexer_work) every
  /// item but attention_decode is a function of decode_seqs alone, bit for bit.
  WorkItemList items(const BatchShape& batch) const;

  /// The work items of one GPU of pipeline stage `stage` for one attention rank's `share`
  /// of one micro-batch, under the pipeline, attention-data and expert parallelism the model
  /// was built with (iteration_work_model_parallel.cpp has the formulas). Every per-layer
  /// term is the items() term scaled to the stage's layers; the LM head runs on the last
  /// stage, the embedding's all-reduce on the first; with expert parallelism the GEMMs split
  /// into the attention side (share.tokens()) and the experts (routed pairs of
  /// share.group_tokens on this GPU, times share.expert_load), with all-to-all dispatch and
  /// combine when DP > 1; a stage that is not the last sends its activations (send_recv).
  /// Order: gemm (attention side), gemm (experts), attention_prefill, attention_decode,
  /// elementwise, lm_head, allreduce, all_to_all, send_recv, attention_indexer; items with
  /// no work left out.
  WorkItemList stage_items(const RankShare& share, const StageSlice& stage) const;

  /// Routed (token, expert) pairs that `group_tokens` tokens send to one EP GPU on average:
  /// group_tokens x experts_per_token / expert_parallel (0 without expert parallelism).
  double mean_routed_pairs_per_gpu(double group_tokens) const {
    return expert_parallel_ > 1.0 ? group_tokens * experts_per_token_ / expert_parallel_ : 0.0;
  }
  /// Expert slots on each EP GPU, num_experts / expert_parallel (hw/expert_balance.h).
  double expert_slots_per_gpu() const { return num_experts_ / expert_parallel_; }
  /// The attention-side GEMM item's shares that are the MoE layers' pieces under two-batch
  /// overlap (hw/overlap_schedule.h); all 0 without expert parallelism.
  const AttentionSideShares& attention_side_shares() const { return attention_side_shares_; }
  /// The share of the layers that have routed experts (0 without expert parallelism).
  double moe_layer_share() const { return moe_layers_ / layers_; }
  /// Bytes of the hidden states routed per token and MoE layer, each way: h x a x k
  /// (0 for a dense model).
  double routed_bytes_per_token_layer() const { return hidden_size_ * activation_bytes_ * experts_per_token_; }

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
                              batch.decode_kv_tokens >= 0.0 && batch.sampled_seqs >= 0 &&
                              batch.prefill_indexer_pairs >= 0.0 && batch.decode_indexer_keys >= 0.0 &&
                              batch.verify_seqs >= 0 && batch.verify_tokens >= batch.verify_seqs &&
                              batch.verify_attention_pairs >= 0.0 && batch.verify_kv_tokens >= 0.0 &&
                              batch.verify_indexer_pairs >= 0.0 && batch.verify_indexer_keys >= 0.0 &&
                              batch.graph_padding_tokens >= 0.0 && batch.lockstep_tokens >= 0,
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
  double expert_flops_per_row_ = 0.0;      ///< one row through one routed expert, all MoE layers, this GPU
  double dense_gemm_flops_per_token_ = 0.0;  ///< gemm_flops_per_token_ less the routed experts' k rows
  double dense_dequant_per_tile_ = 0.0;    ///< lane instructions per 64-row tile (weight-only dense part)
  double expert_dequant_per_tile_ = 0.0;   ///< lane instructions per M tile of one expert, all MoE layers
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
  double indexer_flops_per_pair_ = 0.0;    ///< DSA indexer, per (query, key) pair, all layers (0 without)
  double indexer_key_bytes_per_token_ = 0.0;  ///< DSA indexer key of one token, all layers (0 without)
  double linear_flops_per_token_ = 0.0;    ///< linear-attention recurrences of one token (0 without)
  double state_bytes_per_sequence_ = 0.0;  ///< one sequence's linear-attention state on this GPU (0 without)

  // Pipeline, attention-data and expert parallelism (set_parallel_terms); 1 / 0 otherwise.
  double attention_data_parallel_ = 1.0;
  double expert_parallel_ = 1.0;
  double tensor_parallel_ = 1.0;
  double moe_layers_ = 0.0;                      ///< layers with routed experts
  double attention_gemm_flops_per_token_ = 0.0;  ///< gemm_flops_per_token_ less the routed experts
  double attention_gemm_activation_bytes_per_token_ = 0.0;
  double attention_elementwise_bytes_per_token_ = 0.0;
  double expert_flops_per_pair_ = 0.0;           ///< one token through one whole routed expert, all MoE layers
  double whole_expert_weight_bytes_ = 0.0;       ///< one routed expert, unsplit, all MoE layers
  double expert_activation_bytes_per_pair_ = 0.0;
  double expert_elementwise_bytes_per_pair_ = 0.0;
  double a2a_scale_up_share_ = 0.0;   ///< of a GPU's routed pairs, those on other GPUs of its domain
  double a2a_scale_out_share_ = 0.0;  ///< of a GPU's routed pairs, those in other domains
  double a2a_dispatch_bytes_ = 0.0;   ///< bytes per hidden element sent on dispatch (FP8 + scales, or a)
  double a2a_combine_bytes_ = 0.0;    ///< bytes per hidden element sent back on combine (a)
  double a2a_ranks_per_token_ = 0.0;  ///< expected distinct EP GPUs among a token's k experts
  /// Normal kernels across domains: expected other domains among a token's k experts (each
  /// reached once over scale-out, then forwarded over scale-up); 0 within one domain.
  double a2a_remote_domains_per_token_ = 0.0;
  double a2a_forwarded_share_ = 0.0;  ///< normal kernels: of a token's GPUs, those reached over scale-up
  AttentionSideShares attention_side_shares_;  ///< two-batch overlap's MoE-layer pieces

  /// The routed experts' padded FLOPs and the dequantisation instructions of `tokens`
  /// tokens (all of them routed on this GPU's experts, no expert parallelism) added to `gemm`,
  /// whose FLOPs hold the part without the routed experts; scaled by `f` (a stage's share).
  void add_routed_expert_work(WorkItem& gemm, double tokens, double f) const;

  /// The lightning indexer's item (DSA) on `layers` layers of a model of layers_ (its FLOPs
  /// and bytes scaled by layers / layers_): `pairs` (query, key) pairs scored and `keys_read`
  /// cached indexer keys read, uncapped, over the phases present. Precondition:
  /// indexer_flops_per_pair_ > 0.
  WorkItem indexer_item(double pairs, double keys_read, bool prefill, bool decode, double layers) const;

  /// Sets the members above from the ones items() uses (called last by the constructor).
  void set_parallel_terms(const core::ModelSpec& model, const Precision& precision, const Parallelism& parallelism,
                          int scale_up_domain_gpus);

  /// What the MLA terms need from the constructor.
  struct LatentTermInputs {
    double tensor_parallel = 1.0;
    double layers = 0.0;
    double activation_bytes = 0.0;
    double kv_bytes_per_element = 0.0;
    /// One token's latent in one layer, bytes, where the cache is not elements x
    /// kv_bytes_per_element (DSA with fp8: vLLM's 656-byte fp8_ds_mla); 0 otherwise.
    double packed_latent_bytes = 0.0;
    double ffn_io_per_layer = 0.0;  ///< m I / p
  };
  /// Replaces the GQA attention and GEMM-activation terms with MLA's.
  void set_latent_attention_terms(const core::Architecture& architecture, const LatentTermInputs& in);
};

inline WorkItem IterationWorkModel::decode_attention_item(const BatchShape& batch) const {
  WorkItem decode;
  decode.op = Operator::attention_decode;
  // Verify rows add their pairs to the FLOPs and their KV, read once per sequence, to the
  // bytes (+0.0 without them: the one-token sums keep their bits).
  decode.flops = decode_attention_flops_per_key_ * (batch.decode_kv_tokens + batch.verify_attention_pairs);
  decode.hbm_bytes = kv_bytes_per_token_ * (batch.decode_kv_tokens + batch.verify_kv_tokens);
  const std::int64_t seqs = batch.decode_seqs + batch.verify_seqs;
  decode.kernels = seqs > 0 ? layers_ : 0.0;
  decode.blocks = static_cast<double>(seqs) * kv_head_groups_per_gpu_ * layers_;
  if (state_bytes_per_sequence_ > 0.0) {
    // Linear attention: each query token's recurrence, each sequence's state read and written
    // back once (fused_recurrent_gated_delta_rule / selective_state_update load and store it
    // in place).
    decode.flops += linear_flops_per_token_ * static_cast<double>(batch.decode_seqs + batch.verify_tokens);
    decode.hbm_bytes += 2.0 * state_bytes_per_sequence_ * static_cast<double>(seqs);
  }
  return decode;
}

}  // namespace llmsim::hw
