#include "sim/engine/kv_layout.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "core/dtype.h"
#include "core/memory_footprint.h"

#include "sim/check.h"

namespace llmsim::sim {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

KvLayout::KvLayout(const core::Architecture& architecture, std::int64_t block_size, double state_tokens)
    : block_size_(block_size) {
  LLMSIM_CHECK(block_size >= 1, "KV blocks hold at least one token");
  LLMSIM_CHECK(state_tokens >= 0.0, "a state takes no negative room");
  std::int64_t full_layers = 0;
  std::int64_t windowed_layers = 0;
  std::int64_t linear_layers = 0;
  for (const core::LayerGroup& group : architecture.groups()) {
    if (const auto* window = std::get_if<core::SlidingWindowAttention>(&group.attention)) {
      LLMSIM_CHECK(window_tokens_ == 0 || window_tokens_ == window->window_tokens,
                   "one window size per model (the Architecture makes at most one windowed group)");
      window_tokens_ = window->window_tokens;
      windowed_layers += group.layers;
    } else if (const auto* chunk = std::get_if<core::ChunkedLocalAttention>(&group.attention)) {
      LLMSIM_CHECK(window_tokens_ == 0 || (chunked_ && window_tokens_ == chunk->chunk_tokens),
                   "one chunk size per model, and no window beside it");
      window_tokens_ = chunk->chunk_tokens;
      chunked_ = true;
      windowed_layers += group.layers;
    } else if (std::holds_alternative<core::LinearAttention>(group.attention)) {
      linear_layers += group.layers;
    } else if (std::holds_alternative<core::NoMixer>(group.attention)) {
      // Nemotron-H's MLP blocks keep neither KV nor state (vLLM gives them no KV-cache spec).
    } else {
      full_layers += group.layers;
    }
  }
  if (linear_layers > 0) {
    // vLLM's hybrid allocator: G = min(full, linear) layers per group; each linear group
    // keeps one state per sequence (MambaManager), here state_pages_ pages of G layers.
    LLMSIM_CHECK(windowed_layers == 0 && full_layers > 0, "a hybrid has full-attention layers and no window");
    LLMSIM_CHECK(state_tokens > 0.0, "a hybrid's layout knows its state's size (kv_layout_of)");
    const std::int64_t group_layers = std::min(full_layers, linear_layers);
    full_groups_ = ceil_div(full_layers, group_layers);
    state_groups_ = ceil_div(linear_layers, group_layers);
    state_pages_ = static_cast<std::int64_t>(std::ceil(state_tokens / static_cast<double>(block_size)));
    page_layer_share_ = static_cast<double>(group_layers) / static_cast<double>(architecture.num_layers());
    return;
  }
  if (windowed_layers == 0) return;  // plain: one group of every layer
  const std::int64_t group_layers =
      full_layers == 0 ? windowed_layers : std::min(full_layers, windowed_layers);
  full_groups_ = ceil_div(full_layers, group_layers);
  windowed_groups_ = ceil_div(windowed_layers, group_layers);
  page_layer_share_ = static_cast<double>(group_layers) / static_cast<double>(architecture.num_layers());
}

std::int64_t KvLayout::blocks_while_computing(std::int64_t cached, std::int64_t new_tokens) const {
  const std::int64_t all = ceil_div(cached + new_tokens, block_size_);
  if (state_groups_ > 0) return full_groups_ * all + (cached + new_tokens > 0 ? state_groups_ * state_pages_ : 0);
  if (windowed_groups_ == 0) return all;
  // The chunk's first query (position `cached`) attends from position cached - W + 1 on
  // (chunked attention: from its chunk's start, floor(cached / C) C): whole blocks before
  // that one are out of every query's reach.
  const std::int64_t first_attended = chunked_ ? cached / window_tokens_ * window_tokens_
                                               : std::max<std::int64_t>(0, cached - window_tokens_ + 1);
  const std::int64_t in_window = all - first_attended / block_size_;
  return full_groups_ * all + windowed_groups_ * in_window;
}

std::int64_t KvLayout::peak_blocks(std::int64_t total_tokens, std::int64_t largest_chunk) const {
  const std::int64_t all = ceil_div(total_tokens, block_size_);
  if (state_groups_ > 0) return full_groups_ * all + (total_tokens > 0 ? state_groups_ * state_pages_ : 0);
  if (windowed_groups_ == 0) return all;
  // A chunk of s tokens and the W - 1 before it span at most ceil((W - 1 + s) / B) + 1 blocks.
  const std::int64_t chunk = std::clamp<std::int64_t>(largest_chunk, 1, std::max<std::int64_t>(total_tokens, 1));
  const std::int64_t in_window = std::min(all, ceil_div(window_tokens_ - 1 + chunk, block_size_) + 1);
  return full_groups_ * all + windowed_groups_ * in_window;
}

double state_token_equivalents(const PoolSpec& pool) {
  const core::Architecture architecture(pool.model);
  if (!architecture.has_linear_attention()) return 0.0;
  const double tp = static_cast<double>(pool.tensor_parallel);
  const double state_bytes = architecture.linear_attention().state_bytes(pool.precision.activations) / tp;
  const double token_bytes =
      core::kv_cache_bytes_per_token_per_gpu(pool.model, pool.precision.kv_cache, pool.tensor_parallel) /
      static_cast<double>(architecture.num_layers());
  return state_bytes / token_bytes;
}

KvLayout kv_layout_of(const PoolSpec& pool) {
  return KvLayout(core::Architecture(pool.model), pool.engine.block_size, state_token_equivalents(pool));
}

std::int64_t request_peak_blocks(const KvLayout& layout, const EngineConfig& engine,
                                 std::int64_t total_tokens) {
  return layout.peak_blocks(total_tokens,
                            engine.chunked_prefill ? engine.max_num_batched_tokens : total_tokens);
}

}  // namespace llmsim::sim
