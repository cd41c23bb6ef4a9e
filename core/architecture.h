// Architecture: a model's decoder layers as groups that share an attention kind and an FFN
// kind, derived once from a ModelSpec (DESIGN.md section 2). Every formula that depends on
// which keys a query attends or how much KV a sequence keeps reads it, so a new attention
// kind (MLA, linear attention, chunked local attention) is one more variant member here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// (query, key) pairs of `new_tokens` queries on top of `cached` tokens with a causal mask:
/// new token i (1-based) sees cached + i keys, so pairs = s c + s (s + 1) / 2. The one
/// place this formula is written (core::causal_attention_pairs and Architecture use it).
inline double causal_pairs(double new_tokens, double cached) {
  return new_tokens * cached + new_tokens * (new_tokens + 1.0) / 2.0;
}

/// Every query attends every earlier token of its sequence (causal GQA/MHA).
struct FullAttention {};
/// Each query attends at most the last `window_tokens` tokens, itself included (Mistral's
/// and Gemma's sliding window: FlashAttention window (W - 1, 0)). Holds window_tokens >= 1.
struct SlidingWindowAttention {
  std::int64_t window_tokens = 0;
};
/// Multi-head latent attention (DeepSeek-V2 paper, arXiv:2405.04434, section 2.1; DeepSeek-V3,
/// Kimi K2): attends every earlier token like FullAttention, but caches one latent of
/// kv_lora_rank elements and a rotary key of qk_rope_head_dim per token and layer, shared by
/// all `heads` heads. Field meanings as in ModelSpec.
struct LatentAttention {
  std::int64_t heads = 0;
  std::int64_t q_lora_rank = 0;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t v_head_dim = 0;
};
using AttentionKind = std::variant<FullAttention, SlidingWindowAttention, LatentAttention>;

/// Which way an engine computes attention. For GQA/MHA both are the same arithmetic. For
/// MLA, vLLM (vllm/v1/attention/backends/mla/common.py, module docstring) and SGLang run:
///   prefill  the "compute friendly" expanded form: the cached and new latents are
///            up-projected by kv_b_proj (W_UK, W_UV) to per-head keys and values, then
///            multi-head attention with query/key width qk_nope + qk_rope and value width
///            v_head_dim;
///   decode   the "data-movement friendly" absorbed form: W_UK is folded into the query
///            and W_UV applied to the output, and attention runs over the latent itself as
///            multi-query attention with query/key width kv_lora_rank + qk_rope and value
///            width kv_lora_rank (DeepSeek-V2 paper, section 2.1.2, "absorbed").
/// vLLM labels a request a decode when it schedules one query token for it
/// (reorder_batch_threshold 1) and a prefill otherwise.
enum class AttentionPhase { prefill, decode };

/// A dense MLP of `intermediate_size` columns.
struct DenseFfn {
  std::int64_t intermediate_size = 0;
};
/// A mixture of experts: `experts_per_token` of `num_experts` routed experts of
/// `expert_width` columns, plus `num_shared_experts` always-on experts of `shared_expert_width`.
struct MoeFfn {
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t expert_width = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t shared_expert_width = 0;
};
using FfnKind = std::variant<DenseFfn, MoeFfn>;

/// `layers` decoder layers with the same attention and FFN kind (layer order is not kept:
/// no formula here depends on it).
struct LayerGroup {
  std::int64_t layers = 0;
  AttentionKind attention;
  FfnKind ffn;
};

/// The layer groups of one model and the per-sequence attention arithmetic over them.
///
/// "Mean over layers" below: attention work is the same per layer up to the keys a layer's
/// queries see, so a batch's attention work is (FLOPs or bytes per key and layer) x layers x
/// the mean over layers of the keys attended. A model without windows gets exactly the
/// full-attention numbers (no rounding: the same expressions are evaluated).
class Architecture {
 public:
  /// Precondition: a spec the loader validated (aborts otherwise). A window of at least
  /// max_position_embeddings tokens never binds and is kept as full attention.
  explicit Architecture(const ModelSpec& model);

  const std::vector<LayerGroup>& groups() const { return groups_; }
  std::int64_t num_layers() const { return num_layers_; }
  /// Whether any layer's window is shorter than the model's context.
  bool has_sliding_window() const { return !windows_.empty(); }

  /// I, the MLP width one token passes through in a layer: intermediate_size for a dense
  /// FFN; experts_per_token x expert width + shared experts x their width for MoE; the mean
  /// over layers when dense and MoE layers mix (DeepSeek-V3's first_k_dense_replace).
  double ffn_width_per_token() const { return ffn_width_per_token_; }
  /// Layers whose FFN is a mixture of experts (0 for a dense model).
  std::int64_t moe_layers() const { return moe_layers_; }

  /// Whether the layers use multi-head latent attention (every layer or none does).
  bool has_latent_attention() const { return latent_.has_value(); }
  /// The MLA shape; precondition has_latent_attention().
  const LatentAttention& latent_attention() const { return *latent_; }

  // Per-layer attention arithmetic, all heads of one layer (a tensor-parallel GPU runs
  // heads / p of it). FLOPs count 2 per multiply-add (PaLM appendix B).

  /// FLOPs of one (query, key) pair in one layer: scores plus the value-weighted sum.
  ///   GQA/MHA, either phase  2 x heads x head_dim + 2 x heads x head_dim = 4 x heads x head_dim
  ///   MLA prefill (expanded) 2 x heads x (qk_nope + qk_rope) + 2 x heads x v_head_dim
  ///   MLA decode (absorbed)  2 x heads x (kv_lora + qk_rope) + 2 x heads x kv_lora
  double attention_flops_per_pair(AttentionPhase phase) const {
    return phase == AttentionPhase::prefill ? prefill_flops_per_pair_ : decode_flops_per_pair_;
  }

  /// FLOPs per layer to bring one cached token into a prefill chunk's attention beyond the
  /// pairs: 0 for GQA/MHA (K and V are cached as they are used); for MLA's expanded prefill
  /// the up-projection of its cached latent to every head's key and value (kv_b_proj),
  /// 2 x kv_lora x heads x (qk_nope + v_head_dim). The new tokens' own up-projection, and
  /// in decode the absorbed W_UK and W_UV products (2 x heads x kv_lora x (qk_nope + v) per
  /// query token, the same count as kv_b_proj's parameters), are in the 2 x parameters
  /// matmul term.
  double prefill_flops_per_cached_token() const { return prefill_flops_per_cached_token_; }

  /// KV cache elements one token keeps in one (full) layer: 2 x kv_heads x head_dim, or
  /// kv_lora_rank + qk_rope_head_dim for MLA.
  double kv_elements_per_token_layer() const { return kv_elements_per_token_layer_; }

  /// Mean over layers of the keys a query at position `context` (0-based: `context` tokens
  /// before it) attends: context + 1 in a full layer, min(context + 1, W) in a windowed one.
  double mean_decode_keys(std::int64_t context) const {
    const double keys = static_cast<double>(context) + 1.0;
    if (windows_.empty()) return keys;
    double sum = full_layers_ * keys;
    for (const Window& w : windows_) sum += w.layers * std::min(keys, w.tokens);
    return sum / layers_;
  }

  /// Mean over layers of the (query, key) pairs of `new_tokens` queries on top of `cached`
  /// tokens, causal: new token i (1-based) attends cached + i keys in a full layer
  /// (pairs = s c + s (s + 1) / 2) and min(cached + i, W) in a windowed one.
  double mean_attention_pairs(std::int64_t new_tokens, std::int64_t cached) const {
    const double s = static_cast<double>(new_tokens);
    const double c = static_cast<double>(cached);
    if (windows_.empty()) return causal_pairs(s, c);
    double sum = full_layers_ * causal_pairs(s, c);
    for (const Window& w : windows_) {
      const double uncapped = std::clamp(w.tokens - c, 0.0, s);  // queries that see < W keys
      sum += w.layers * (causal_pairs(uncapped, c) + (s - uncapped) * w.tokens);
    }
    return sum / layers_;
  }

  /// Mean over layers of the KV tokens a prefill chunk touches: the cached keys it reads
  /// (all `cached` in a full layer, the last W - 1 in a windowed one) plus the `new_tokens`
  /// it writes.
  double mean_prefill_kv_tokens(std::int64_t new_tokens, std::int64_t cached) const {
    const double s = static_cast<double>(new_tokens);
    const double c = static_cast<double>(cached);
    if (windows_.empty()) return c + s;
    double sum = full_layers_ * (c + s);
    for (const Window& w : windows_) sum += w.layers * (std::min(c, w.tokens - 1.0) + s);
    return sum / layers_;
  }

  /// Token-layers of KV a sequence of `tokens` tokens keeps: sum over layers of tokens (full)
  /// or min(tokens, W) (windowed: the window its last query attended; earlier tokens are
  /// never attended again). For a model without windows, num_layers x tokens.
  double kv_token_layers(std::int64_t tokens) const;

  /// KV cache bytes one sequence of `tokens` tokens keeps on the whole model:
  /// kv_token_layers(tokens) x kv_elements_per_token_layer() x bytes(kv_dtype).
  double sequence_kv_bytes(std::int64_t tokens, DType kv_dtype) const;

 private:
  struct Window {
    double layers = 0.0;
    double tokens = 0.0;
  };

  std::vector<LayerGroup> groups_;
  std::int64_t num_layers_ = 0;
  double layers_ = 0.0;
  double full_layers_ = 0.0;
  std::vector<Window> windows_;  ///< windowed groups, windows shorter than the context
  double ffn_width_per_token_ = 0.0;
  std::int64_t moe_layers_ = 0;
  std::optional<LatentAttention> latent_;
  double prefill_flops_per_pair_ = 0.0;
  double decode_flops_per_pair_ = 0.0;
  double prefill_flops_per_cached_token_ = 0.0;
  double kv_elements_per_token_layer_ = 0.0;  ///< 2 x kv_heads x head_dim, or the MLA latent + rope key
};

}  // namespace llmsim::core
