// Memory footprint per GPU: weights, KV cache and activations, with the LLM scaling
// calculator's overhead factors ("LLM Scaling Calculator: Metrics Calculation
// Methodology", section 2), and whether it fits.
//
//   weights      total parameters x bytes(weights dtype) / tensor_parallel, x 1.05
//   KV cache     batch x sequence_tokens x KV bytes per token per GPU, x 1.05 (windowed
//                layers keep their window; a hybrid's linear-attention layers keep no KV
//                but one state per sequence: + batch x state bytes / tensor_parallel, in the
//                activation dtype, the model's, as vLLM keeps it)
//   activations  4 x batch x sequence_tokens x hidden x bytes(activation dtype), x 1.1
//   total        (weights + KV + activations) x 1.05 (system overhead)
//
// Where we differ from the calculator, and why:
//   - weights use our exact parameter count (parameter_counts.h), not the calculator's
//     4H^2L + 2HFL + VH + 4HL + 2H, which ignores GQA, gated MLPs and untied LM heads;
//   - the KV cache is 2 x layers x kv_heads x head_dim x bytes per token (GQA-aware); the
//     calculator's 2 x B x S x H x L x b is the same number for multi-head attention only;
//   - tensor parallelism: weights and KV heads are split over the GPUs (vLLM shards every
//     linear layer and the vocabulary embedding; norms, replicated, are negligible); when
//     tensor_parallel exceeds num_kv_heads each GPU keeps one KV head (vLLM replicates
//     them), in general ceil(kv_heads / tp) heads. Activations are not split: the
//     residual stream, the largest live tensor, is replicated on every rank.
// The calculator states its sizes in GiB (1024^3 bytes); here everything is bytes.
#pragma once

#include <cstdint>

#include "core/dtype.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// Multipliers applied on top of the raw sizes; the defaults are the calculator's
/// "typically" values (weights 5%, KV cache 5%, activations 10%, system 5%).
struct MemoryOverheads {
  double weights = 1.05;
  double kv_cache = 1.05;
  double activations = 1.1;
  double system = 1.05;
};

struct MemoryQuery {
  DType weights_dtype = DType::bf16;
  DType kv_cache_dtype = DType::bf16;
  DType activation_dtype = DType::bf16;
  std::int64_t batch = 1;             ///< sequences held at once, >= 0
  std::int64_t sequence_tokens = 0;   ///< tokens each sequence holds (prompt + output), >= 0
  std::int64_t tensor_parallel = 1;   ///< GPUs the model is split over, >= 1
  /// The replica's other parallelisms (GpuLayout below, hw/parallelism.h), >= 1. The
  /// footprint is then that of the busiest GPU: weights and KV as weight_bytes_per_gpu and
  /// kv_cache_bytes_per_token_per_gpu(layout) give them, for a batch spread over the DP ranks.
  std::int64_t pipeline_parallel = 1;
  std::int64_t attention_data_parallel = 1;
  std::int64_t expert_parallel = 1;
  MemoryOverheads overheads{};
};

/// Sizes on each GPU, in bytes, before overheads; the *_with_overhead views apply them.
struct MemoryFootprint {
  double weight_bytes = 0.0;
  double kv_cache_bytes = 0.0;
  double activation_bytes = 0.0;
  MemoryOverheads overheads{};

  double weight_bytes_with_overhead() const { return weight_bytes * overheads.weights; }
  double kv_cache_bytes_with_overhead() const { return kv_cache_bytes * overheads.kv_cache; }
  double activation_bytes_with_overhead() const { return activation_bytes * overheads.activations; }
  /// (weights + KV + activations, each with its overhead) x system overhead, per GPU.
  double total_bytes() const;
};

/// KV cache bytes one token occupies on each GPU of a tensor-parallel group:
/// 2 x layers x ceil(kv_heads / tp) x head_dim x bytes(kv dtype); for MLA the whole latent,
/// layers x (kv_lora_rank + qk_rope_head_dim) x bytes, on every GPU. Throws InputError
/// unless tensor_parallel >= 1.
double kv_cache_bytes_per_token_per_gpu(const ModelSpec& model, DType kv_dtype,
                                        std::int64_t tensor_parallel);

/// How one replica's GPUs split the model (hw/parallelism.h has the meaning of each size):
/// PP stages of DP attention ranks of TP GPUs; the routed experts sharded whole over EP GPUs
/// when EP > 1. Sizes >= 1.
struct GpuLayout {
  std::int64_t tensor_parallel = 1;
  std::int64_t pipeline_parallel = 1;
  std::int64_t attention_data_parallel = 1;
  std::int64_t expert_parallel = 1;
};

/// Weight bytes on the busiest GPU of `layout` (no overhead factor). Tensor parallelism
/// alone: weight_bytes / TP, as memory_footprint. Otherwise, with f = the largest stage's
/// layers / all layers (vLLM's get_pp_indices cut, hw/parallel_layout.h):
///   layers     (non-embedding weights - routed experts) x f / TP  (replicated on each DP rank)
///   experts    routed experts x f / EP when EP > 1, else / TP
///   embedding  the input embedding and LM head: both on the one stage when PP = 1; with
///              PP the first stage holds the embedding and the last the head (vLLM builds
///              them on the first and last rank), so an end stage holds half of an untied
///              pair, or one copy of a tied one; / TP (vocabulary-parallel).
double weight_bytes_per_gpu(const ModelSpec& model, DType weights_dtype, const GpuLayout& layout);

/// KV cache bytes one token of the replica's batch costs a GPU, averaged over the DP ranks:
/// kv_cache_bytes_per_token_per_gpu(TP) x f / DP (a token's KV lives on one DP rank's TP
/// GPUs, of its layers' stage). Tensor parallelism alone: exactly that function's value.
double kv_cache_bytes_per_token_per_gpu(const ModelSpec& model, DType kv_dtype, const GpuLayout& layout);

/// Per GPU of query's layout (TP, PP, DP, EP): weights = weight_bytes_per_gpu; KV = batch x
/// the sequence's KV tokens x kv_cache_bytes_per_token_per_gpu(layout), plus linear-attention
/// states / TP (x the largest stage's share / DP under the other parallelisms); activations
/// = the calculator's 4 x batch x tokens x hidden values / DP (each DP rank runs its share
/// of the batch). Tensor parallelism alone: the same numbers as before those sizes existed.
/// Throws InputError naming the field when a count or overhead is out of range.
MemoryFootprint memory_footprint(const ModelSpec& model, const MemoryQuery& query);

/// total_bytes() <= capacity_bytes_per_gpu.
bool fits(const MemoryFootprint& footprint, double capacity_bytes_per_gpu);

/// The largest batch of query.sequence_tokens-token sequences whose footprint fits in
/// capacity_bytes_per_gpu (query.batch is ignored); 0 when not even one fits. Throws
/// InputError unless sequence_tokens >= 1 and the capacity is positive.
std::int64_t max_batch_that_fits(const ModelSpec& model, MemoryQuery query,
                                 double capacity_bytes_per_gpu);

}  // namespace llmsim::core
