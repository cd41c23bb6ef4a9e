// Where the terms come from (per GPU of a tensor-parallel group of p GPUs):
//
// Sharding. Megatron-style tensor parallelism (Shoeybi et al. 2019, "Megatron-LM",
// section 3) splits attention by heads and the MLP by intermediate columns, so each GPU
// holds 1/p of every projection and runs 1/p of its FLOPs; vLLM does the same for the LM
// head (ParallelLMHead, sharded by vocabulary). When p exceeds the KV heads, vLLM keeps one
// KV head per GPU and replicates it (QKVParallelLinear: num_kv_head_replicas =
// tp_size / num_kv_heads), so K/V projections and KV cache are not split further.
//
// GEMM activations. Per token and layer each GPU reads the full hidden vector into the QKV
// and gate/up GEMMs (2h), writes full-size partial sums out of the O and down GEMMs (2h),
// writes its Q, K, V shard and reads its attention output (2q + 2kv), and writes/reads its
// MLP intermediate shard (gate and up out 2I, down in I: m = 3; plain MLP up out I, down
// in I: m = 2). MoE token dispatch (gathering a token's input once per chosen expert) is
// left out: at small T the expert weights dominate, at large T compute does.
//
// Elementwise. vLLM's Llama layer runs two fused residual-add + RMSNorm kernels
// (vllm/model_executor/layers/layernorm.py, fused_add_rms_norm: read x and residual,
// write both = 4h each, 8h per layer, replicated on every GPU), rotary embedding in place
// on Q and K (read + write 2(q + kv)), and the activation (SiluAndMul reads 2I, writes I:
// 3I; a plain GELU reads and writes I: 2I). The final norm (one more RMSNorm, not per
// layer) and the embedding lookup (T rows of h) are left out as negligible.
//
// Attention. FLOPs are the 4·L·B·S·T·D of PaLM appendix B / inference-lab's arithmetic.rs
// (QK^T and PV, 2 FLOPs per multiply-add each) applied to the (query, key) pairs actually
// attended, causal in prefill (BatchShape::prefill_attention_pairs). FlashAttention reads
// Q once and writes O once (2q per token); the KV cache is read (cached tokens) or written
// (new tokens) once per token of context, ignoring re-reads across query tiles. Decode
// attention bytes are the KV read alone.
//
// LM head. 2 FLOPs per parameter per sampled row (a GEMM). Weights are read once per
// iteration when any row samples. vLLM quantises "all Linear modules (except for the final
// lm_head)" (docs.vllm.ai, FP8 W8A8 page), and GPTQ/AWQ checkpoints keep lm_head in 16-bit
// too, so with fp8/int8/int4 weights the head stays in the activation dtype.
//
// Decode attention blocks. Paged decode kernels for grouped-query attention (FlashInfer's
// decode kernels, FlashAttention's pack_gqa, TensorRT-LLM's XQA) give one thread block to a
// (sequence, KV head) pair, the query heads that share the KV head together, so the KV is
// read once per group. The fixed per-block cost (per_block_ns) multiplies sequences x KV
// heads x layers; on a multi-head model (KV heads = query heads, e.g. Llama-2-7B, where the
// A100 attention fit was taken) that is the per-(sequence, head) count it was fitted on.
//
// Kernels. vLLM's Llama layer launches four GEMMs (qkv_proj, o_proj, gate_up_proj with
// gate and up fused, down_proj; a MoE layer adds the router GEMM and runs its experts in
// the fused_moe kernels, counted as the same two MLP launches), four elementwise kernels
// (two fused_add_rms_norm, rotary_embedding, silu_and_mul) and one attention kernel per
// phase present in the batch. The per-kernel fixed times that multiply these counts are
// fitted to measured kernel times (hw/efficiency_fit.h).
//
// Multi-head latent attention (DeepSeek-V2/V3, Kimi K2). The attention arithmetic per
// pair and per cached token is the Architecture's (core/architecture.h): prefill expanded,
// decode absorbed, as vLLM's MLA backends run them. Under tensor parallelism vLLM splits
// q_b_proj, kv_b_proj (column-parallel) and o_proj (row-parallel) by heads and replicates
// q_a_proj and kv_a_proj_with_mqa (ReplicatedLinear in vllm/model_executor/models/
// deepseek_v2.py), and every GPU caches the whole latent (one KV "head"). GEMM activations
// per token and layer: h into the two down projections, q_lora out and in again, the
// latent kv_lora + rope out and kv_lora into kv_b_proj, and the split parts heads (P + R)
// / p (q_b out), heads (P + V) / p (kv_b out), heads V / p (o_proj in); the attention
// kernel reads Q (heads (P + R) / p) and writes O (heads V / p) in prefill.
//
// DeepSeek sparse attention (DSA, DeepSeek-V3.2; tech report arXiv:2512.02556, section 2.1).
// The MLA attention items count the keys each query keeps, min(p + 1, top-k), in the absorbed
// form in both phases (vLLM's FlashMLASparse; core::Architecture). The lightning indexer that
// selects them is its own item (attention_indexer): it scores every earlier key, FLOPs per
// (query, key) pair core::LatentAttention::indexer_flops_per_key, and reads each sequence's
// whole cached indexer key (132 bytes per token and layer, FP8 plus an fp32 scale per 128:
// vLLM's DeepseekV32IndexerCache) once per iteration, writing the new tokens' keys: bytes per
// token of context x (c + s). Its FLOPs run in FP8 (hw/compute_dtypes.h). Left out: the
// indexer's query (FP8, index_heads x index_head_dim per token) and head weights read by the
// logits kernel, and the fp32 logits it writes and the top-k kernel reads (4 bytes per pair
// each way: beside 132 per key in decode, about 6%; in prefill the FLOPs, 16,512 per pair,
// bound the item).
//
// Linear attention (Qwen3-Next's Gated DeltaNet, Nemotron-H's Mamba-2). A linear layer
// attends no key: BatchShape's pairs and KV tokens come from Architecture means that count
// 0 for it, so the 4 L q and KV-byte terms above price the attention layers alone. Its own
// work does not grow with the context: per token the recurrence and conv FLOPs
// (core::LinearAttention::flops_per_token), per sequence and iteration the state read and
// written back, as vLLM's decode kernels (fused_recurrent_gated_delta_rule,
// selective_state_update) and its chunked prefill kernels (which load the initial state
// and store the final one) do. The state is kept in the model's dtype (vLLM's
// mamba_cache_dtype "auto"), the activation dtype here, and sharded by heads over the TP
// group. Left out: the chunked prefill kernels' intra-chunk work (chunk 64: per token a few
// x 64 x (d_k + d_v) per head, beside 7 d_k d_v), and the linear layers' own GEMM activation
// and elementwise widths (priced like an attention layer's). Nemotron-H's single-block
// layers (ffn_only_layers) are priced with the mean layer's parameters and FFN width; their
// kernel counts and elementwise traffic are a Llama layer's (two norms, four GEMMs), an
// over-count for blocks that hold one norm and one or two GEMMs.
//
// Dense and MoE layers (DeepSeek-V3's first_k_dense_replace, Llama 4's interleaving): the
// routed-expert weight terms count the MoE layers only; I is the mean over layers.
//
// All-reduce. Two per layer in the forward pass (after the attention O projection and
// after the MLP down projection: Megatron-LM, section 3, "g" operators) plus one after the
// vocabulary-parallel embedding lookup (vLLM VocabParallelEmbedding.forward calls
// tensor_model_parallel_all_reduce), each of the full T x h activation tensor.
#include "hw/iteration_work_model.h"

#include <cmath>
#include <string>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/input_error.h"
#include "core/invariant.h"
#include "core/model_dims.h"
#include "hw/compute_dtypes.h"
#include "hw/grouped_gemm.h"

namespace llmsim::hw {
namespace {

double as_double(std::int64_t value) { return static_cast<double>(value); }

void check_tensor_parallel(const core::ModelSpec& model, int tensor_parallel) {
  if (tensor_parallel < 1) {
    throw core::InputError("tensor_parallel must be a positive integer, got " +
                           std::to_string(tensor_parallel));
  }
  if (model.num_attention_heads % tensor_parallel != 0) {
    throw core::InputError("tensor_parallel " + std::to_string(tensor_parallel) +
                           " must divide the " + std::to_string(model.num_attention_heads) +
                           " attention heads of model " + model.id);
  }
  // vLLM shards a linear-attention mixer by heads (Qwen3-Next's GDN: num_k_heads / tp and
  // num_v_heads / tp per rank; Mamba-2's heads and groups likewise).
  if (model.has_linear_attention() && model.linear_num_key_heads % tensor_parallel != 0) {
    throw core::InputError("tensor_parallel " + std::to_string(tensor_parallel) + " must divide the " +
                           std::to_string(model.linear_num_key_heads) +
                           " linear-attention key heads (groups) of model " + model.id);
  }
}

}  // namespace

std::int64_t kv_heads_per_gpu(const core::ModelSpec& model, int tensor_parallel) {
  const std::int64_t p = tensor_parallel;
  if (model.num_kv_heads >= p && model.num_kv_heads % p == 0) return model.num_kv_heads / p;
  if (model.num_kv_heads < p && p % model.num_kv_heads == 0) return 1;
  throw core::InputError("tensor_parallel " + std::to_string(p) + " must divide the " +
                         std::to_string(model.num_kv_heads) + " KV heads of model " + model.id +
                         " or be a multiple of them");
}

double expected_distinct_experts(double num_experts, double experts_per_token, double tokens) {
  if (tokens <= 0.0) return 0.0;
  return num_experts * (1.0 - std::pow(1.0 - experts_per_token / num_experts, tokens));
}

IterationWorkModel::IterationWorkModel(const core::ModelSpec& model,
                                       const core::ParameterCounts& params,
                                       const Precision& precision,
                                       const Parallelism& parallelism,
                                       int scale_up_domain_gpus, SoftwareDequant dequant) {
  const int tensor_parallel = parallelism.tensor_parallel;
  core::check_model_spec(model);
  check_tensor_parallel(model, tensor_parallel);
  const double p = tensor_parallel;
  const double h = as_double(model.hidden_size);
  const double head_dim = as_double(core::resolved_head_dim(model));
  const double kv_heads_gpu = as_double(kv_heads_per_gpu(model, tensor_parallel));
  const double q = as_double(core::query_width(model)) / p;  // query width on this GPU
  const double kv = kv_heads_gpu * head_dim;                  // K (or V) width on this GPU
  const double kv_full = as_double(core::kv_width(model));
  const double w = core::bytes_per_element(precision.weights);
  const double a = core::bytes_per_element(precision.activations);
  const double m = model.gated_mlp ? 3.0 : 2.0;
  const double layers = as_double(model.num_layers);

  hidden_size_ = h;
  activation_bytes_ = a;

  // K and V projections (with biases when present) are replicated, not split, past the
  // KV heads: add back what dividing by p took away.
  // A hybrid's K and V projections are in its attention layers only: their share of the
  // mean layer (exactly 1.0 without linear-attention layers, so those bits are kept).
  const double attention_share = model.has_linear_attention() || model.ffn_only_layers > 0
                                     ? as_double(model.attention_layers()) / as_double(model.num_layers)
                                     : 1.0;
  const double kv_proj_full = 2.0 * kv_full * (h + (model.attention_bias ? 1.0 : 0.0)) * attention_share;
  const double kv_proj_gpu = kv_proj_full * kv_heads_gpu / as_double(model.num_kv_heads);
  const core::Architecture architecture(model);
  const double mla_replicated = core::latent_attention_replicated_parameters(model);
  const double layer_params_gpu =
      model.is_mla() ? (params.per_layer_active - mla_replicated) / p + mla_replicated
                     : (params.per_layer_active - kv_proj_full) / p + kv_proj_gpu;

  double routed_params_gpu = 0.0;  // one routed expert in one layer, this GPU's share
  const double mlp_width = architecture.ffn_width_per_token();  // I
  // Share of the layers that are MoE: exactly 1.0 when all are (x * 1.0 == x, bit for bit).
  double moe_share = 0.0;
  if (model.is_moe()) {
    num_experts_ = as_double(model.num_experts);
    experts_per_token_ = as_double(model.experts_per_token);
    routed_params_gpu = m * h * as_double(core::expert_width(model)) / p;
    moe_share = as_double(architecture.moe_layers()) / layers;
  }

  gemm_flops_per_token_ = 2.0 * layers * layer_params_gpu;
  gemm_fixed_weight_bytes_ =
      w * layers * (layer_params_gpu - experts_per_token_ * routed_params_gpu * moe_share);
  // Experts stored in their own format (gpt-oss's MXFP4) are read at its bytes per weight.
  const double w_expert = model.expert_bytes_per_weight > 0.0 ? model.expert_bytes_per_weight : w;
  expert_weight_bytes_ = w_expert * layers * routed_params_gpu * moe_share;
  expert_gemm_flop_share_ = experts_per_token_ * routed_params_gpu * moe_share / layer_params_gpu;
  expert_flops_per_row_ = 2.0 * layers * routed_params_gpu * moe_share;
  dense_gemm_flops_per_token_ = gemm_flops_per_token_ - experts_per_token_ * expert_flops_per_row_;
  // Weight-only GEMMs: the dense part's weights once per 64-row tile, one expert's per M tile.
  const double dense_weights = layers * (layer_params_gpu - experts_per_token_ * routed_params_gpu * moe_share);
  dense_dequant_per_tile_ = dequant.dense_per_weight * dense_weights;
  const double expert_instructions =
      model.expert_bytes_per_weight > 0.0 ? dequant.expert_per_weight : dequant.dense_per_weight;
  expert_dequant_per_tile_ = expert_instructions * layers * routed_params_gpu * moe_share;
  gemm_activation_bytes_per_token_ =
      a * layers * (4.0 * h + 2.0 * q + 2.0 * kv + m * mlp_width / p);

  attention_flops_per_key_ = 4.0 * layers * q;
  decode_attention_flops_per_key_ = attention_flops_per_key_;
  kv_bytes_per_token_ = core::kv_cache_bytes_per_token(model, precision.kv_cache) *
                        kv_heads_gpu / as_double(model.num_kv_heads);
  attention_activation_bytes_per_token_ = 2.0 * a * layers * q;
  if (model.is_mla()) {
    set_latent_attention_terms(architecture, {.tensor_parallel = p,
                                              .layers = layers,
                                              .activation_bytes = a,
                                              .kv_bytes_per_element = core::bytes_per_element(precision.kv_cache),
                                              .packed_latent_bytes =
                                                  core::uses_fp8_ds_mla(model, precision.kv_cache)
                                                      ? core::kv_bytes_per_token_layer(model, precision.kv_cache)
                                                      : 0.0,
                                              .ffn_io_per_layer = m * mlp_width / p});
  }

  if (model.has_linear_attention()) {
    // Linear-attention layers: the recurrence and conv per token, and each sequence's state
    // (in the model's dtype, vLLM's mamba_cache_dtype "auto") read and written back once per
    // iteration it runs in; both sharded by heads over the TP group.
    linear_flops_per_token_ = architecture.linear_attention_flops_per_token() / p;
    state_bytes_per_sequence_ = architecture.sequence_state_bytes(precision.activations) / p;
  }

  elementwise_bytes_per_token_ = a * layers * (8.0 * h + 2.0 * (q + kv) + m * mlp_width / p);

  const double head_outputs = model.head == core::HeadKind::reward
                                  ? as_double(model.reward_head_outputs)
                                  : as_double(model.vocab_size);
  const double head_weight_bytes_per_param = core::bytes_per_element(
      lm_head_weight_dtype(precision.weights, precision.activations));
  lm_head_flops_per_row_ = 2.0 * params.lm_head / p;
  lm_head_weight_bytes_ = head_weight_bytes_per_param * params.lm_head / p;
  lm_head_activation_bytes_per_row_ = a * (h + head_outputs / p);

  allreduce_calls_ = tensor_parallel > 1 ? 2.0 * layers + 1.0 : 0.0;
  if (scale_up_domain_gpus > 0 && tensor_parallel > scale_up_domain_gpus) {
    // Hierarchical all-reduce across n = p / d scale-up domains (the two-level
    // decomposition of Jia et al. 2018, arXiv:1807.11205, section 4.3: reduce-scatter
    // inside the domain, all-reduce across domains, all-gather inside the domain). Each
    // intra-domain phase moves (d-1)/d of the payload over each GPU's scale-up link; the
    // inter-domain phase is a ring all-reduce of each GPU's 1/d shard among the n GPUs of
    // its rank, one per domain, over their own NICs: 2 (n-1)/n x payload / d on the
    // scale-out link, in 2 (n-1) latency-bound steps (Thakur, Rabenseifner and Gropp,
    // IJHPCA 2005, ring cost 2(n-1) alpha + 2(n-1)/n x bytes x beta; NCCL's tuning model,
    // src/graph/tuning.cc, counts the same 2 (nNodes-1) inter-node steps).
    core::check_invariant(tensor_parallel % scale_up_domain_gpus == 0,
                          "IterationWorkModel: a group across domains is a multiple of the domain");
    const double d = scale_up_domain_gpus;
    const double n = p / d;
    ring_link_factor_ = 2.0 * (d - 1.0) / d;
    scale_out_link_factor_ = 2.0 * (n - 1.0) / (n * d);
    scale_out_steps_ = 2.0 * (n - 1.0);
  } else {
    ring_link_factor_ = 2.0 * (p - 1.0) / p;
  }
  layers_ = layers;
  gemm_kernels_per_layer_ = model.is_moe() ? 5.0 : 4.0;
  // MLA caches one latent "KV head" per GPU that all its query heads share (vLLM's MLA
  // backends: num_kv_heads 1).
  kv_head_groups_per_gpu_ = model.is_mla() ? 1.0 : kv_heads_gpu;
  set_parallel_terms(model, precision, parallelism, scale_up_domain_gpus);  // stage_items only
}

void IterationWorkModel::set_latent_attention_terms(const core::Architecture& architecture,
                                                    const LatentTermInputs& in) {
  const core::LatentAttention& mla = architecture.latent_attention();
  const double p = in.tensor_parallel;
  const double layers = in.layers;
  const double heads = as_double(mla.heads);
  const double qk_head = as_double(mla.qk_nope_head_dim + mla.qk_rope_head_dim);
  const double v = as_double(mla.v_head_dim);
  const double latent = as_double(mla.kv_lora_rank);
  const double q_lora = as_double(mla.q_lora_rank);
  const double cached_latent = architecture.kv_elements_per_token_layer();  // kv_lora + rope
  attention_flops_per_key_ =
      layers * architecture.attention_flops_per_pair(core::AttentionPhase::prefill) / p;
  decode_attention_flops_per_key_ =
      layers * architecture.attention_flops_per_pair(core::AttentionPhase::decode) / p;
  prefill_flops_per_cached_token_ = layers * architecture.prefill_flops_per_cached_token() / p;
  kv_bytes_per_token_ = in.packed_latent_bytes > 0.0 ? layers * in.packed_latent_bytes  // DSA, fp8_ds_mla
                                                     : layers * cached_latent * in.kv_bytes_per_element;
  // (all of it, every GPU)
  // DSA: vLLM builds the Indexer's heads unsplit on every TP rank (its linears are
  // ReplicatedLinear) and caches every token's indexer key on each: no division by p.
  indexer_flops_per_pair_ = architecture.indexer_flops_per_key();
  indexer_key_bytes_per_token_ = architecture.indexer_key_bytes_per_token();
  attention_activation_bytes_per_token_ = in.activation_bytes * layers * (heads * qk_head + heads * v) / p;
  const double projection_io =
      2.0 * q_lora + cached_latent + latent +
      (heads * qk_head + heads * (as_double(mla.qk_nope_head_dim) + v) + heads * v) / p;
  gemm_activation_bytes_per_token_ =
      in.activation_bytes * layers * (4.0 * hidden_size_ + projection_io + in.ffn_io_per_layer);
}

void IterationWorkModel::add_routed_expert_work(WorkItem& gemm, double tokens, double f) const {
  const MoeTiling tiling = moe_tiling(num_experts_, experts_per_token_, tokens);
  gemm.flops += f * expert_flops_per_row_ * tiling.rows;
  const double dense_tiles = std::ceil(tokens / kDenseWeightOnlyTileRows);
  const double instructions = dense_dequant_per_tile_ * dense_tiles + expert_dequant_per_tile_ * tiling.tiles;
  if (instructions > 0.0) gemm.alu_instructions += f * instructions;
}

WorkItem IterationWorkModel::indexer_item(double pairs, double keys_read, bool prefill, bool decode,
                                          double layers) const {
  const double f = layers / layers_;
  WorkItem indexer{.op = Operator::attention_indexer};
  indexer.flops = f * indexer_flops_per_pair_ * pairs;
  indexer.hbm_bytes = f * indexer_key_bytes_per_token_ * keys_read;
  // Per layer one kernel quantises and caches the new tokens' keys, and per phase one computes
  // the logits and one selects the top-k (vLLM's sparse_attn_indexer: indexer_k_quant_and_cache;
  // fp8_mqa_logits and top_k_per_row for prompt chunks, fp8_paged_mqa_logits and
  // top_k_per_row_decode for decode rows).
  indexer.kernels = layers * (1.0 + (prefill ? 2.0 : 0.0) + (decode ? 2.0 : 0.0));
  return indexer;
}

WorkItemList IterationWorkModel::items(const BatchShape& batch) const {
  check_batch(batch);
  // Every expression below is the one golden runs were priced with: reordering a product
  // or a sum changes its rounding.
  // A CUDA graph's padding tokens run through every token-proportional item (adding +0.0
  // without padding changes no bits). In the routed experts they are one placeholder row
  // repeated, routed alike (an ASSUMPTION: hw/cuda_graphs.h): they add one token's experts
  // and tiles, and every further one adds its k rows of FLOPs there.
  const double padding = batch.graph_padding_tokens;
  const double tokens = as_double(batch.total_new_tokens()) + padding;
  const double routed_tokens = padding > 0.0 ? as_double(batch.total_new_tokens()) + 1.0 : tokens;
  const bool any_tokens = tokens > 0.0;
  const double sampled = as_double(batch.sampled_seqs);
  // An item is emitted when it has any work (a non-zero field): one with none would be
  // priced at 0 s and add +0.0 or -0.0 to every sum, which changes no sum's bits.
  WorkItemList list;
  if (any_tokens) {
    WorkItem& gemm = list.emplace_back();
    gemm.op = Operator::gemm;
    if (num_experts_ > 0.0) {
      gemm.flops = dense_gemm_flops_per_token_ * tokens;
      add_routed_expert_work(gemm, routed_tokens, 1.0);
      if (padding > 1.0) gemm.flops += expert_flops_per_row_ * experts_per_token_ * (padding - 1.0);
    } else {
      gemm.flops = gemm_flops_per_token_ * tokens;
      if (dense_dequant_per_tile_ > 0.0) {
        gemm.alu_instructions = dense_dequant_per_tile_ * std::ceil(tokens / kDenseWeightOnlyTileRows);
      }
    }
    const double experts_read =
        num_experts_ > 0.0 ? expected_distinct_experts(num_experts_, experts_per_token_, routed_tokens)
                           : 0.0;
    gemm.hbm_bytes = gemm_fixed_weight_bytes_ + experts_read * expert_weight_bytes_ +
                     gemm_activation_bytes_per_token_ * tokens;
    gemm.kernels = gemm_kernels_per_layer_ * layers_;
  }
  if (batch.prefill_tokens > 0 || batch.prefill_attention_pairs != 0.0 ||
      batch.prefill_kv_tokens != 0.0) {
    WorkItem prefill{.op = Operator::attention_prefill};
    prefill.flops = attention_flops_per_key_ * batch.prefill_attention_pairs;
    if (prefill_flops_per_cached_token_ > 0.0) {  // MLA: cached latents up-projected
      prefill.flops += prefill_flops_per_cached_token_ *
                       (batch.prefill_kv_tokens - as_double(batch.prefill_tokens));
    }
    prefill.hbm_bytes = kv_bytes_per_token_ * batch.prefill_kv_tokens +
                        attention_activation_bytes_per_token_ * as_double(batch.prefill_tokens);
    if (state_bytes_per_sequence_ > 0.0) {  // linear attention: per token and per sequence
      prefill.flops += linear_flops_per_token_ * as_double(batch.prefill_tokens);
      prefill.hbm_bytes += 2.0 * state_bytes_per_sequence_ * as_double(batch.prefill_seqs);
    }
    prefill.kernels = batch.prefill_tokens > 0 ? layers_ : 0.0;
    if (!prefill.empty()) list.push_back(prefill);
  }
  if (batch.has_decode_attention() || batch.decode_kv_tokens != 0.0) {
    list.push_back(decode_attention_item(batch));
  }
  if (any_tokens) {
    WorkItem& elementwise = list.emplace_back();
    elementwise.op = Operator::elementwise;
    elementwise.hbm_bytes = elementwise_bytes_per_token_ * tokens;
    elementwise.kernels = 4.0 * layers_;
  }
  if (sampled > 0.0) {
    WorkItem& head = list.emplace_back();
    head.op = Operator::lm_head;
    head.flops = lm_head_flops_per_row_ * sampled;
    head.hbm_bytes = lm_head_weight_bytes_ + lm_head_activation_bytes_per_row_ * sampled;
    head.kernels = 1.0;
  }
  if (any_tokens && allreduce_calls_ > 0.0) {  // no collective on one GPU
    WorkItem& allreduce = list.emplace_back();
    allreduce.op = Operator::allreduce;
    allreduce.kernels = allreduce_calls_;
    allreduce.payload_bytes = activation_bytes_ * tokens * hidden_size_;
    allreduce.link_bytes = ring_link_factor_ * allreduce.payload_bytes;
    if (scale_out_steps_ > 0.0) {
      allreduce.scale_out_link_bytes = scale_out_link_factor_ * allreduce.payload_bytes;
      allreduce.scale_out_steps = scale_out_steps_;
    }
  }
  if (indexer_flops_per_pair_ > 0.0 && batch.has_indexer_work()) {
    // Verify rows score their uncapped pairs and read each sequence's keys once, as decode
    // rows (vLLM's indexer passes next_n query rows per request to its decode kernels in the
    // MTP path: vllm/v1/attention/backends/mla/indexer.py, DeepSeekV32IndexerDecodeMetadata).
    list.push_back(indexer_item(
        batch.prefill_indexer_pairs + batch.decode_indexer_keys + batch.verify_indexer_pairs,
        batch.prefill_kv_tokens + batch.decode_indexer_keys + batch.verify_indexer_keys, batch.prefill_tokens > 0,
        batch.has_decode_attention(), layers_));
  }
  return list;
}

}  // namespace llmsim::hw
