#include "sim/engine/kv_capacity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/memory_footprint.h"
#include "sim/engine/kv_layout.h"
#include "sim/engine/speculative.h"

namespace llmsim::sim {

double activation_reserve_bytes(const core::ModelSpec& model, const EngineConfig& engine,
                                const hw::Precision& precision, int tensor_parallel) {
  const auto tokens = static_cast<double>(engine.max_num_batched_tokens);
  const auto tp = static_cast<double>(std::max(tensor_parallel, 1));
  const double ffn_width = core::Architecture(model).ffn_width_per_token();
  const double per_token_elements = 4.0 * static_cast<double>(model.hidden_size) + 2.0 * ffn_width / tp;
  const double hidden_bytes =
      tokens * per_token_elements * core::bytes_per_element(precision.activations);
  const double head_width = model.head == core::HeadKind::reward
                                ? static_cast<double>(model.reward_head_outputs)
                                : static_cast<double>(model.vocab_size);
  const double sampled_rows =
      static_cast<double>(std::min(engine.max_num_seqs, engine.max_num_batched_tokens));
  const double logits_bytes = sampled_rows * head_width * 4.0;
  return hidden_bytes + logits_bytes;
}

KvCapacity kv_capacity(const PoolSpec& pool) {
  KvCapacity c;
  c.usable_bytes = pool.hardware.hbm_capacity_bytes * pool.engine.gpu_memory_utilization;
  const core::GpuLayout layout_of_gpus{.tensor_parallel = pool.tensor_parallel,
                                       .pipeline_parallel = pool.pipeline_parallel,
                                       .attention_data_parallel = pool.attention_data_parallel,
                                       .expert_parallel = pool.expert_parallel};
  // weight_bytes / TP under tensor parallelism alone (the same expression, bit for bit).
  c.weight_bytes = core::weight_bytes_per_gpu(pool.model, pool.precision.weights, layout_of_gpus);
  // Each attention DP rank runs its own share of the replica's batch limits (the loader
  // multiplies the per-rank engine limits by DP): its GPUs reserve for one rank's.
  EngineConfig rank_engine = pool.engine;
  rank_engine.max_num_batched_tokens /= pool.attention_data_parallel;
  rank_engine.max_num_seqs /= pool.attention_data_parallel;
  c.activation_reserve_bytes =
      activation_reserve_bytes(pool.model, rank_engine, pool.precision, pool.tensor_parallel);
  // A token's KV lives whole on the GPUs of the one attention-DP rank that holds its
  // sequence, and each rank has its own blocks (the simulator gives every rank `blocks`): per
  // token, a rank's GPU stores the TP group's share, not that share averaged over the DP
  // ranks (which GpuLayout's KV gives: it counted every rank's blocks DP times over).
  core::GpuLayout rank_of_gpus = layout_of_gpus;
  rank_of_gpus.attention_data_parallel = 1;
  c.kv_bytes_per_token = core::kv_cache_bytes_per_token_per_gpu(pool.model, pool.precision.kv_cache, rank_of_gpus);
  const DraftFootprint draft = draft_footprint(pool);
  c.draft_weight_bytes = draft.weight_bytes;
  c.draft_kv_bytes_per_token = draft.kv_bytes_per_token;
  c.kv_budget_bytes = c.usable_bytes - c.weight_bytes - c.draft_weight_bytes - c.activation_reserve_bytes;
  const KvLayout layout = kv_layout_of(pool);
  c.block_bytes = static_cast<double>(pool.engine.block_size) *
                  (c.kv_bytes_per_token * layout.page_layer_share() + c.draft_kv_bytes_per_token);
  if (c.kv_budget_bytes <= 0.0 || c.block_bytes <= 0.0) {
    c.blocks = 0;
  } else {
    // Clamp to int32: the block manager indexes blocks with 32-bit ids.
    c.blocks = static_cast<std::int64_t>(std::min(std::floor(c.kv_budget_bytes / c.block_bytes), 2.0e9));
  }
  return c;
}

std::string describe_shortfall(const PoolSpec& pool, const KvCapacity& capacity) {
  char draft[96] = "";
  if (capacity.draft_weight_bytes > 0.0) {
    std::snprintf(draft, sizeof draft, " + draft weights %.2f GB", capacity.draft_weight_bytes / 1e9);
  }
  char text[640];
  std::snprintf(text, sizeof text,
                "weights %.2f GB%s + activation reserve %.2f GB per GPU leave %.2f GB of the "
                "%.2f GB usable (%.2f GiB x gpu_memory_utilization %.2f) for the KV cache, "
                "less than one block of %lld tokens (%.0f bytes per token per GPU) on %s with "
                "tensor_parallel %d",
                capacity.weight_bytes / 1e9, draft, capacity.activation_reserve_bytes / 1e9,
                capacity.kv_budget_bytes / 1e9, capacity.usable_bytes / 1e9,
                pool.hardware.hbm_capacity_bytes / (1024.0 * 1024.0 * 1024.0),
                pool.engine.gpu_memory_utilization,
                static_cast<long long>(pool.engine.block_size), capacity.kv_bytes_per_token,
                pool.hardware.id.c_str(), pool.tensor_parallel);
  return text;
}

}  // namespace llmsim::sim
