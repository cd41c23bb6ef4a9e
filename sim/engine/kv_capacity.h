// How many KV blocks a replica gets: the memory left on each GPU after weights and
// vLLM's profiled activation peak, divided by the per-GPU bytes of one block.
#pragma once

#include <cstdint>
#include <string>

#include "core/model_spec.h"
#include "hw/step_time_model.h"
#include "sim/scenario.h"

namespace llmsim::sim {

/// Every figure is per GPU of the tensor-parallel group; all GPUs of a replica hold the
/// same number of blocks (a block is block_size token positions; each GPU stores the
/// share of their K/V heads it owns), so `blocks` is also the replica's block count. Under
/// attention DP it is one rank's (each rank has its own blocks; the replica DP times them).
struct KvCapacity {
  double usable_bytes = 0.0;              ///< hbm_capacity_bytes x gpu_memory_utilization
  double weight_bytes = 0.0;              ///< weights on one GPU (all / tensor_parallel without PP, DP or EP)
  double activation_reserve_bytes = 0.0;  ///< activation_reserve_bytes(), see below
  double kv_bytes_per_token = 0.0;        ///< KV bytes of one token on one GPU of the rank holding it, all layers (its stage's)
  /// Speculative decoding (sim/engine/speculative.h draft_footprint): the drafter's weights
  /// and its KV bytes per token on one GPU; 0 without a drafter. Its layers attend the whole
  /// context, so each block of the target also holds block_size tokens of the drafter's KV.
  double draft_weight_bytes = 0.0;
  double draft_kv_bytes_per_token = 0.0;
  /// Bytes of one block on one GPU: block_size tokens of the layers of one KV-cache group
  /// (KvLayout: all layers for a model without windows), and of the drafter's layers.
  double block_bytes = 0.0;
  double kv_budget_bytes = 0.0;           ///< usable - weights - draft weights - activation reserve (may be < 0)
  std::int64_t blocks = 0;                ///< floor(kv_budget / (block_size x kv_bytes_per_token)); <= 0: does not fit
};

/// vLLM measures the peak activation memory of a dummy forward pass of
/// max_num_batched_tokens tokens (plus a sampler pass over max_num_seqs rows) and keeps it
/// out of the KV cache. We estimate that peak per GPU as
///   T x (4 x hidden + 2 x mlp_width / tp) x bytes(activations)       hidden-state buffers
///                                                                    (residual, normed input,
///                                                                    attention output, QKV) and
///                                                                    the gate/up MLP output
/// + min(max_num_seqs, T) x head_width x 4                            fp32 logits of the sampler
/// with T = max_num_batched_tokens, mlp_width = intermediate_size for a dense model and
/// experts_per_token x expert width + num_shared_experts x shared expert width for MoE
/// (core/model_dims.h), head_width = vocab_size for a language model
/// and reward_head_outputs for a reward head. CUDA-graph and NCCL buffers (a few hundred MB
/// outside the profile) are not modelled.
double activation_reserve_bytes(const core::ModelSpec& model, const EngineConfig& engine,
                                const hw::Precision& precision, int tensor_parallel);

/// blocks = floor((hbm_capacity_bytes x gpu_memory_utilization - weight_bytes / tp
///                 - activation_reserve_bytes) / (block_size x kv_bytes_per_token_per_gpu
///                 x KvLayout::page_layer_share()))
/// where kv_bytes_per_token_per_gpu = 2 x layers x ceil(kv_heads / tp) x head_dim x
/// bytes(kv dtype): KV heads shard over the TP group, and when tp > kv_heads each GPU keeps
/// one replicated head (vLLM: max(1, kv_heads / tp)). Returns blocks <= 0 when the model
/// does not fit. Throws core::InputError only for tensor_parallel < 1.
KvCapacity kv_capacity(const PoolSpec& pool);

/// "weights 16.06 GB + activation reserve 0.87 GB per GPU exceed the 77.31 GB usable
/// (80.00 GiB x gpu_memory_utilization 0.90)": why a pool does not fit, for the InputError.
std::string describe_shortfall(const PoolSpec& pool, const KvCapacity& capacity);

}  // namespace llmsim::sim
