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
                                       const Parallelism& parallelism) {
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
  const double kv_proj_full = 2.0 * kv_full * (h + (model.attention_bias ? 1.0 : 0.0));
  const double kv_proj_gpu = kv_proj_full * kv_heads_gpu / as_double(model.num_kv_heads);
  const double layer_params_gpu = (params.per_layer_active - kv_proj_full) / p + kv_proj_gpu;

  double routed_params_gpu = 0.0;  // one routed expert in one layer, this GPU's share
  const double mlp_width = core::Architecture(model).ffn_width_per_token();  // I
  if (model.is_moe()) {
    num_experts_ = as_double(model.num_experts);
    experts_per_token_ = as_double(model.experts_per_token);
    routed_params_gpu = m * h * as_double(core::expert_width(model)) / p;
  }

  gemm_flops_per_token_ = 2.0 * layers * layer_params_gpu;
  gemm_fixed_weight_bytes_ =
      w * layers * (layer_params_gpu - experts_per_token_ * routed_params_gpu);
  expert_weight_bytes_ = w * layers * routed_params_gpu;
  gemm_activation_bytes_per_token_ =
      a * layers * (4.0 * h + 2.0 * q + 2.0 * kv + m * mlp_width / p);

  attention_flops_per_key_ = 4.0 * layers * q;
  kv_bytes_per_token_ = core::kv_cache_bytes_per_token(model, precision.kv_cache) *
                        kv_heads_gpu / as_double(model.num_kv_heads);
  attention_activation_bytes_per_token_ = 2.0 * a * layers * q;

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
  ring_link_factor_ = 2.0 * (p - 1.0) / p;
  layers_ = layers;
  gemm_kernels_per_layer_ = model.is_moe() ? 5.0 : 4.0;
  kv_head_groups_per_gpu_ = kv_heads_gpu;
}

WorkItemList IterationWorkModel::items(const BatchShape& batch) const {
  check_batch(batch);
  // Every expression below is the one golden runs were priced with: reordering a product
  // or a sum changes its rounding.
  const double tokens = as_double(batch.total_new_tokens());
  const bool any_tokens = tokens > 0.0;
  const double sampled = as_double(batch.sampled_seqs);
  // An item is emitted when it has any work (a non-zero field): one with none would be
  // priced at 0 s and add +0.0 or -0.0 to every sum, which changes no sum's bits.
  WorkItemList list;
  if (any_tokens) {
    WorkItem& gemm = list.emplace_back();
    gemm.op = Operator::gemm;
    gemm.flops = gemm_flops_per_token_ * tokens;
    const double experts_read =
        num_experts_ > 0.0 ? expected_distinct_experts(num_experts_, experts_per_token_, tokens)
                           : 0.0;
    gemm.hbm_bytes = gemm_fixed_weight_bytes_ + experts_read * expert_weight_bytes_ +
                     gemm_activation_bytes_per_token_ * tokens;
    gemm.kernels = gemm_kernels_per_layer_ * layers_;
  }
  if (batch.prefill_tokens > 0 || batch.prefill_attention_pairs != 0.0 ||
      batch.prefill_kv_tokens != 0.0) {
    WorkItem prefill{.op = Operator::attention_prefill};
    prefill.flops = attention_flops_per_key_ * batch.prefill_attention_pairs;
    prefill.hbm_bytes = kv_bytes_per_token_ * batch.prefill_kv_tokens +
                        attention_activation_bytes_per_token_ * as_double(batch.prefill_tokens);
    prefill.kernels = batch.prefill_tokens > 0 ? layers_ : 0.0;
    if (!prefill.empty()) list.push_back(prefill);
  }
  if (batch.decode_seqs > 0 || batch.decode_kv_tokens != 0.0) {
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
  }
  return list;
}

}  // namespace llmsim::hw
