#include "sim/engine/kv_layout.h"

#include <algorithm>
#include <variant>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

KvLayout::KvLayout(const core::Architecture& architecture, std::int64_t block_size)
    : block_size_(block_size) {
  LLMSIM_CHECK(block_size >= 1, "KV blocks hold at least one token");
  std::int64_t full_layers = 0;
  std::int64_t windowed_layers = 0;
  for (const core::LayerGroup& group : architecture.groups()) {
    if (const auto* window = std::get_if<core::SlidingWindowAttention>(&group.attention)) {
      LLMSIM_CHECK(window_tokens_ == 0 || window_tokens_ == window->window_tokens,
                   "one window size per model (the Architecture makes at most one windowed group)");
      window_tokens_ = window->window_tokens;
      windowed_layers += group.layers;
    } else {
      full_layers += group.layers;
    }
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
  if (windowed_groups_ == 0) return all;
  // The chunk's first query (position `cached`) attends from position cached - W + 1 on:
  // whole blocks before that one are out of every query's window.
  const std::int64_t first_attended = std::max<std::int64_t>(0, cached - window_tokens_ + 1);
  const std::int64_t in_window = all - first_attended / block_size_;
  return full_groups_ * all + windowed_groups_ * in_window;
}

std::int64_t KvLayout::peak_blocks(std::int64_t total_tokens, std::int64_t largest_chunk) const {
  const std::int64_t all = ceil_div(total_tokens, block_size_);
  if (windowed_groups_ == 0) return all;
  // A chunk of s tokens and the W - 1 before it span at most ceil((W - 1 + s) / B) + 1 blocks.
  const std::int64_t chunk = std::clamp<std::int64_t>(largest_chunk, 1, std::max<std::int64_t>(total_tokens, 1));
  const std::int64_t in_window = std::min(all, ceil_div(window_tokens_ - 1 + chunk, block_size_) + 1);
  return full_groups_ * all + windowed_groups_ * in_window;
}

std::int64_t request_peak_blocks(const KvLayout& layout, const EngineConfig& engine,
                                 std::int64_t total_tokens) {
  return layout.peak_blocks(total_tokens,
                            engine.chunked_prefill ? engine.max_num_batched_tokens : total_tokens);
}

}  // namespace llmsim::sim
