// KvLayout: how a replica's paged KV cache covers a model's layers, after vLLM V1's hybrid
// KV-cache manager (docs/design/hybrid_kv_cache_manager.md in vLLM: one pool of equal-size
// pages; layers of one attention type form KV-cache groups of G layers, G = the smallest
// layer count among the types, the last group of a type padded; a full-attention group
// keeps a block for every token, a sliding-window group frees blocks that fall out of the
// window, a Mamba (linear-attention) group keeps one state per sequence whatever its length).
#pragma once

#include <cstdint>

#include "core/architecture.h"
#include "sim/scenario.h"

namespace llmsim::sim {

/// A block (page) is block_size tokens of G layers; every count here is in pages.
/// For a model without windows G = num_layers, one group, and a sequence of t tokens holds
/// ceil(t / block_size) blocks: plain() is true and every formula reduces to that.
class KvLayout {
 public:
  /// Precondition: block_size >= 1, state_tokens >= 0 (aborts otherwise). `state_tokens`:
  /// for a hybrid with linear-attention layers, the bytes of one layer's state of one
  /// sequence over the bytes one token keeps in one attention layer, both on one GPU
  /// (state_token_equivalents()); ignored (0) without linear layers.
  KvLayout(const core::Architecture& architecture, std::int64_t block_size, double state_tokens = 0.0);

  /// One full-attention group: blocks are whole-model token blocks, shareable by prefix
  /// caching and parallel samples, and the decode fast path applies.
  bool plain() const { return windowed_groups_ == 0 && state_groups_ == 0; }
  std::int64_t block_size() const { return block_size_; }
  /// G / num_layers: the share of one token's whole-model KV bytes that one page holds per
  /// token. 1 when plain().
  double page_layer_share() const { return page_layer_share_; }

  /// Blocks a sequence holds while an iteration computes `new_tokens` on top of `cached`:
  /// full groups ceil((c + s) / B) each; windowed groups the blocks from the one holding
  /// position c - W + 1 (the first key the chunk's first query attends) to the last, i.e.
  /// ceil((c + s) / B) - floor(max(0, c - W + 1) / B) each. Whole blocks before the window
  /// are freed, as vLLM's SlidingWindowManager does (vLLM's design document: 10 full and
  /// 20 windowed layers, B 16, W 32, 112 tokens: 7 + 2 + 2 = 11 blocks). Chunked groups
  /// (Llama 4) the blocks from the one holding the current chunk's first position,
  /// floor(c / C) C, to the last, as vLLM's ChunkedLocalAttentionManager frees the blocks of
  /// earlier chunks: ceil((c + s) / B) - floor(floor(c / C) C / B). Linear-attention
  /// groups hold state_pages() each for any sequence with a token, 0 before its first.
  std::int64_t blocks_while_computing(std::int64_t cached, std::int64_t new_tokens) const;
  /// Blocks a sequence keeps between iterations once it has computed `tokens`:
  /// blocks_while_computing(tokens, 0), never more than the blocks it held while computing.
  std::int64_t blocks_held(std::int64_t tokens) const { return blocks_while_computing(tokens, 0); }
  /// An upper bound of blocks_while_computing(c, s) over c + s <= total_tokens and
  /// s <= largest_chunk: full groups ceil(T / B), windowed groups
  /// min(ceil(T / B), ceil((W - 1 + s) / B) + 1) (chunked: W = C, since a chunk starts at
  /// most C - 1 positions before c), linear-attention groups state_pages().
  std::int64_t peak_blocks(std::int64_t total_tokens, std::int64_t largest_chunk) const;

  /// Pages one sequence's state takes in one linear-attention group: ceil(state_tokens / B).
  /// vLLM instead raises the attention block size until one page holds one state (Qwen3-Next
  /// at bf16 on one GPU: 544 tokens per block); keeping the engine's block size and rounding
  /// the state up to whole pages holds the same bytes up to one page's rounding. 0 without
  /// linear layers.
  std::int64_t state_pages() const { return state_pages_; }

 private:
  std::int64_t block_size_ = 1;
  std::int64_t full_groups_ = 1;
  std::int64_t windowed_groups_ = 0;
  std::int64_t window_tokens_ = 0;  ///< the window, or the chunk when chunked_
  bool chunked_ = false;            ///< Llama 4's chunked local attention: keep the current chunk
  std::int64_t state_groups_ = 0;
  std::int64_t state_pages_ = 0;
  double page_layer_share_ = 1.0;
};

/// The bytes of one linear-attention layer's state of one sequence over the bytes one token
/// keeps in one attention layer, both per GPU of `pool`'s tensor-parallel group: state
/// elements x bytes(activation dtype) / tp over 2 x ceil(kv_heads / tp) x head_dim x
/// bytes(KV dtype) (core::kv_cache_bytes_per_token_per_gpu / num_layers). 0 without linear
/// layers.
double state_token_equivalents(const PoolSpec& pool);

/// The pool's layout: its model's groups, its engine's block size, state_token_equivalents.
KvLayout kv_layout_of(const PoolSpec& pool);

/// The most blocks a request whose sequence computes `total_tokens` tokens (prompt + output
/// - 1) holds under `engine`: its largest chunk is max_num_batched_tokens with chunked
/// prefill, the whole recompute without.
std::int64_t request_peak_blocks(const KvLayout& layout, const EngineConfig& engine,
                                 std::int64_t total_tokens);

}  // namespace llmsim::sim
