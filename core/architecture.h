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
/// Chunked local attention (Llama 4's RoPE layers, attention_chunk_size; vLLM's
/// ChunkedLocalAttention): the query at position p attends the keys of its own chunk,
/// positions floor(p / C) C .. p, so p mod C + 1 keys. Holds chunk_tokens >= 1.
struct ChunkedLocalAttention {
  std::int64_t chunk_tokens = 0;
};
/// Multi-head latent attention (DeepSeek-V2 paper, arXiv:2405.04434, section 2.1; DeepSeek-V3,
/// Kimi K2): attends every earlier token like FullAttention, but caches one latent of
/// kv_lora_rank elements and a rotary key of qk_rope_head_dim per token and layer, shared by
/// all `heads` heads. Field meanings as in ModelSpec.
///
/// With index_topk > 0, DeepSeek Sparse Attention (DSA; DeepSeek-V3.2 tech report,
/// arXiv:2512.02556, section 2.1): for each query a lightning indexer of index_heads heads of
/// index_head_dim computes I(t, s) = sum_j w(t, j) ReLU(q(t, j) . k(s)) against every earlier
/// token s (one shared indexer key per token, cached), and the MLA attention attends only the
/// index_topk tokens with the highest I, so a query at position p attends min(p + 1, top-k) keys.
struct LatentAttention {
  std::int64_t heads = 0;
  std::int64_t q_lora_rank = 0;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t v_head_dim = 0;
  std::int64_t index_heads = 0;     ///< DSA indexer heads (index_n_heads); 0 without DSA
  std::int64_t index_head_dim = 0;  ///< width of an indexer query head and of the cached indexer key
  std::int64_t index_topk = 0;      ///< keys the attention keeps per query; 0: dense MLA

  bool sparse() const { return index_topk > 0; }
  /// FLOPs the indexer spends on one (query, key) pair in one layer, 2 per multiply-add:
  /// index_heads dot products of index_head_dim (2 x heads x dim) and the weighted sum over
  /// heads of their ReLUs (2 x heads); the ReLU (a max) and the top-k selection (comparisons)
  /// are not counted. The paper runs it in FP8 (section 2.1, "can be implemented in FP8").
  /// 0 without DSA.
  double indexer_flops_per_key() const;
  /// Bytes of one token's cached indexer key in one layer: index_head_dim FP8 values plus one
  /// fp32 scale per 128 of them (vLLM's DeepseekV32IndexerCache: head_dim + head_dim / 128 x 4
  /// bytes of uint8, whatever the KV cache dtype; LightLLM's Deepseek3_2MemoryManager keeps the
  /// same fp8 key and float32 scale): 132 bytes for index_head_dim 128. 0 without DSA.
  double indexer_key_bytes() const;
  /// Bytes of one token's cached latent and rope key in one layer with a `kv_dtype` cache:
  /// (kv_lora_rank + qk_rope_head_dim) x bytes, or with DSA and an fp8 cache vLLM's 656-byte
  /// fp8_ds_mla entry (core::kv_bytes_per_token_layer has the layout and its source).
  double cache_bytes_per_token(DType kv_dtype) const;
};
/// A linear-attention / state-space token mixer (Qwen3-Next's Gated DeltaNet, Nemotron-H's
/// Mamba-2; fields as in ModelSpec): no query attends a key. Each sequence keeps, per layer,
/// a recurrent state of value_heads x key_head_dim x value_head_dim elements and a causal-conv
/// state of the last conv_kernel - 1 inputs of its conv channels, whatever its length; each
/// token updates both in a number of FLOPs fixed by their sizes.
struct LinearAttention {
  LinearMixer mixer = LinearMixer::gated_delta_net;
  std::int64_t key_heads = 0;
  std::int64_t key_head_dim = 0;
  std::int64_t value_heads = 0;
  std::int64_t value_head_dim = 0;
  std::int64_t conv_kernel = 0;
  /// The recurrent state's format when the model fixes it (ModelSpec::linear_recurrent_state_dtype).
  std::optional<DType> recurrent_state_dtype;

  /// Bytes of one sequence's state in one layer: the recurrent state in recurrent_state_dtype
  /// (else `state_dtype`) plus the conv state in `state_dtype`.
  double state_bytes(DType state_dtype) const;
  /// value_heads x key_head_dim x value_head_dim: GDN's per-head S (d_k x d_v), Mamba-2's
  /// per-head h (d_state x head_dim).
  double recurrent_state_elements() const;
  /// Channels of the causal depthwise conv: 2 x key_heads x key_head_dim + value_heads x
  /// value_head_dim (GDN's q, k, v: conv_dim = key_dim x 2 + value_dim; Mamba-2's x, B, C:
  /// conv_dim = intermediate + 2 x n_groups x d_state).
  double conv_channels() const;
  /// conv_channels x (conv_kernel - 1): the inputs the conv still needs (vLLM's conv state).
  double conv_state_elements() const;
  /// Elements one sequence keeps in one layer: recurrent + conv state.
  double state_elements() const { return recurrent_state_elements() + conv_state_elements(); }
  /// FLOPs of one token in one layer's recurrence and conv (projections are in the
  /// 2 x parameters term), counted from the reference recurrences, 2 FLOPs per multiply-add:
  ///   gated_delta_net  7 per state element: decay S *= g (1), read-out S^T k (2), rank-one
  ///                    update S += k (beta (v - S^T k))^T (2), output S^T q (2)
  ///                    (transformers' torch_recurrent_gated_delta_rule)
  ///   mamba2           5 per state element: h = exp(dt A) h (1) + (dt B) x^T (2), y = C^T h (2)
  ///                    (mamba_ssm's selective_state_update)
  ///   conv             2 x conv_kernel per conv channel (causal_conv1d_update).
  double flops_per_token() const;
};
/// No token mixer: Nemotron-H's MLP-only blocks ('-' in hybrid_override_pattern).
struct NoMixer {};
using AttentionKind = std::variant<FullAttention, SlidingWindowAttention, ChunkedLocalAttention, LatentAttention,
                                   LinearAttention, NoMixer>;

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
/// No FFN: Nemotron-H's mixer-only blocks (attention '*' and Mamba 'M').
struct NoFfn {};
using FfnKind = std::variant<DenseFfn, MoeFfn, NoFfn>;

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
  /// Whether some layers attend within chunks (Llama 4) shorter than the model's context.
  bool has_chunked_attention() const { return chunked_layers_ > 0.0; }

  /// I, the MLP width one token passes through in a layer: intermediate_size for a dense
  /// FFN; experts_per_token x expert width + shared experts x their width for MoE; the mean
  /// over layers when dense and MoE layers mix (DeepSeek-V3's first_k_dense_replace), or
  /// when some layers have no FFN (Nemotron-H: ffn_only_layers x I / layers).
  double ffn_width_per_token() const { return ffn_width_per_token_; }
  /// Layers whose FFN is a mixture of experts (0 for a dense model).
  std::int64_t moe_layers() const { return moe_layers_; }

  /// Whether the layers use multi-head latent attention (every layer or none does).
  bool has_latent_attention() const { return latent_.has_value(); }
  /// The MLA shape; precondition has_latent_attention().
  const LatentAttention& latent_attention() const { return *latent_; }
  /// Whether the MLA attention is sparse (DeepSeek-V3.2's DSA: index_topk keys per query).
  bool has_sparse_attention() const { return topk_ > 0.0; }

  // DSA's lightning indexer, all layers (0 without DSA). It scores every earlier key, so its
  // keys are the full-attention ones: context + 1 for a decode query, causal_pairs(s, c) for a
  // prefill chunk of s tokens on c cached. Its query and key projections and head weights
  // (wq_b, wk, weights_proj) are parameters, in the 2 x parameters matmul term.

  /// Indexer FLOPs per (query, key) pair summed over the layers: layers x
  /// LatentAttention::indexer_flops_per_key().
  double indexer_flops_per_key() const { return indexer_flops_per_key_; }
  /// Cached indexer-key bytes per token summed over the layers: layers x
  /// LatentAttention::indexer_key_bytes() (fixed FP8 format, not the KV cache dtype).
  double indexer_key_bytes_per_token() const { return indexer_key_bytes_per_token_; }
  /// (query, key) pairs the indexer scores for `new_tokens` queries on top of `cached` tokens:
  /// causal_pairs(new_tokens, cached), not capped at the top-k (cached + 1 for a decode step).
  /// 0 without DSA.
  double indexer_pairs(std::int64_t new_tokens, std::int64_t cached) const {
    if (topk_ == 0.0) return 0.0;
    return causal_pairs(static_cast<double>(new_tokens), static_cast<double>(cached));
  }

  /// Whether some layers are linear attention (a hybrid: Qwen3-Next, Nemotron-H).
  bool has_linear_attention() const { return linear_.has_value(); }
  /// Layers whose mixer is linear attention (0 for a plain transformer).
  std::int64_t linear_attention_layers() const { return linear_layers_; }
  /// The linear mixer's shape; precondition has_linear_attention().
  const LinearAttention& linear_attention() const { return *linear_; }
  /// State elements one sequence keeps over all linear-attention layers, whatever its
  /// length: linear layers x LinearAttention::state_elements(). 0 without linear layers.
  /// vLLM's hybrid allocator gives each sequence one such state per layer (MambaSpec).
  double sequence_state_elements() const { return sequence_state_elements_; }
  /// FLOPs one token spends in the recurrences of all linear-attention layers:
  /// linear layers x LinearAttention::flops_per_token(); independent of the context.
  double linear_attention_flops_per_token() const { return linear_flops_per_token_; }

  // Per-layer attention arithmetic, all heads of one layer (a tensor-parallel GPU runs
  // heads / p of it). FLOPs count 2 per multiply-add (PaLM appendix B).

  /// FLOPs of one (query, key) pair in one layer: scores plus the value-weighted sum.
  ///   GQA/MHA, either phase  2 x heads x head_dim + 2 x heads x head_dim = 4 x heads x head_dim
  ///   MLA prefill (expanded) 2 x heads x (qk_nope + qk_rope) + 2 x heads x v_head_dim
  ///   MLA decode (absorbed)  2 x heads x (kv_lora + qk_rope) + 2 x heads x kv_lora
  ///   MLA with DSA           the absorbed form in both phases (sparse kernels run on the latent)
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
  /// before it) attends: context + 1 in a full layer, min(context + 1, W) in a windowed one,
  /// none in a linear-attention layer (its work is per token: linear_attention_flops_per_token)
  /// or a layer without a mixer.
  double mean_decode_keys(std::int64_t context) const {
    const double keys = static_cast<double>(context) + 1.0;
    if (topk_ > 0.0) return std::min(keys, topk_);  // DSA: the indexer's top-k of the keys
    if (all_full_) return keys;
    double sum = full_layers_ * keys;
    for (const Window& w : windows_) sum += w.layers * std::min(keys, w.tokens);
    if (chunked_layers_ > 0.0) sum += chunked_layers_ * static_cast<double>(context % chunk_tokens_ + 1);
    return sum / layers_;
  }

  /// Mean over layers of the (query, key) pairs of `new_tokens` queries on top of `cached`
  /// tokens, causal: new token i (1-based) attends cached + i keys in a full layer
  /// (pairs = s c + s (s + 1) / 2), min(cached + i, W) in a windowed one, (p mod C) + 1 at
  /// position p in a chunked one, none in a linear one.
  double mean_attention_pairs(std::int64_t new_tokens, std::int64_t cached) const {
    const double s = static_cast<double>(new_tokens);
    const double c = static_cast<double>(cached);
    if (topk_ > 0.0) {  // DSA: new token i attends min(c + i, top-k) keys, as a window of top-k counts
      const double uncapped = std::clamp(topk_ - c, 0.0, s);
      return causal_pairs(uncapped, c) + (s - uncapped) * topk_;
    }
    if (all_full_) return causal_pairs(s, c);
    double sum = full_layers_ * causal_pairs(s, c);
    for (const Window& w : windows_) {
      const double uncapped = std::clamp(w.tokens - c, 0.0, s);  // queries that see < W keys
      sum += w.layers * (causal_pairs(uncapped, c) + (s - uncapped) * w.tokens);
    }
    if (chunked_layers_ > 0.0) {
      sum += chunked_layers_ * (chunked_pairs_before(cached + new_tokens) - chunked_pairs_before(cached));
    }
    return sum / layers_;
  }

  /// Mean over layers of the KV tokens a prefill chunk touches (with DSA all cached latents,
  /// counted as read: the chunk's queries select their top-k among all of them): the cached keys it reads
  /// (all `cached` in a full layer, the last W - 1 in a windowed one, cached mod C of the
  /// current chunk in a chunked one) plus the `new_tokens` it writes; none in a linear-attention layer (its state is priced per sequence).
  double mean_prefill_kv_tokens(std::int64_t new_tokens, std::int64_t cached) const {
    const double s = static_cast<double>(new_tokens);
    const double c = static_cast<double>(cached);
    if (all_full_) return c + s;
    double sum = full_layers_ * (c + s);
    for (const Window& w : windows_) sum += w.layers * (std::min(c, w.tokens - 1.0) + s);
    if (chunked_layers_ > 0.0) sum += chunked_layers_ * (static_cast<double>(cached % chunk_tokens_) + s);
    return sum / layers_;
  }

  /// Token-layers of KV a sequence of `tokens` tokens keeps: sum over layers of tokens (full)
  /// or min(tokens, W) (windowed: the window its last query attended; earlier tokens are
  /// never attended again), or (tokens - 1) mod C + 1 (chunked: the chunk its last query
  /// attended); a linear-attention layer keeps none (its state is sequence_state_elements()).
  /// For a model without windows, num_layers x tokens.
  double kv_token_layers(std::int64_t tokens) const;

  /// KV cache bytes one sequence of `tokens` tokens keeps on the whole model:
  /// kv_token_layers(tokens) x kv_elements_per_token_layer() x bytes(kv_dtype), plus with DSA
  /// tokens x indexer_key_bytes_per_token() (every token keeps its indexer key), its latent in
  /// LatentAttention::cache_bytes_per_token (656 bytes a layer with an fp8 cache). The linear
  /// layers' state is sequence_state_bytes().
  double sequence_kv_bytes(std::int64_t tokens, DType kv_dtype) const;

  /// Bytes of one sequence's linear-attention state on the whole model:
  /// sequence_state_elements() x bytes(state_dtype). vLLM keeps it in the model's dtype
  /// whatever the KV cache dtype (CacheConfig.mamba_cache_dtype "auto"), so callers pass the
  /// activation dtype.
  /// A model that fixes its recurrent state's format (LinearAttention::recurrent_state_dtype)
  /// keeps that part in it.
  double sequence_state_bytes(DType state_dtype) const {
    return linear_ ? static_cast<double>(linear_layers_) * linear_->state_bytes(state_dtype) : 0.0;
  }

 private:
  struct Window {
    double layers = 0.0;
    double tokens = 0.0;
  };

  std::vector<LayerGroup> groups_;
  std::int64_t num_layers_ = 0;
  double layers_ = 0.0;
  double full_layers_ = 0.0;
  /// Causal pairs of the queries at positions 0 .. n-1 in a chunked layer: with n = q C + r,
  /// q C (C + 1) / 2 + r (r + 1) / 2.
  double chunked_pairs_before(std::int64_t n) const {
    const std::int64_t q = n / chunk_tokens_;
    const double r = static_cast<double>(n % chunk_tokens_);
    const double chunk = static_cast<double>(chunk_tokens_);
    return static_cast<double>(q) * chunk * (chunk + 1.0) / 2.0 + r * (r + 1.0) / 2.0;
  }

  std::vector<Window> windows_;  ///< windowed groups, windows shorter than the context
  double chunked_layers_ = 0.0;      ///< layers with chunked local attention (0: none)
  std::int64_t chunk_tokens_ = 1;    ///< their chunk, tokens
  bool all_full_ = true;         ///< every layer attends the whole context (no window, chunk or linear layer)
  std::optional<LinearAttention> linear_;
  std::int64_t linear_layers_ = 0;
  double sequence_state_elements_ = 0.0;
  double linear_flops_per_token_ = 0.0;
  double ffn_width_per_token_ = 0.0;
  std::int64_t moe_layers_ = 0;
  std::optional<LatentAttention> latent_;
  double topk_ = 0.0;                         ///< DSA's index_topk; 0: dense attention
  double indexer_flops_per_key_ = 0.0;        ///< all layers
  double indexer_key_bytes_per_token_ = 0.0;  ///< all layers
  double prefill_flops_per_pair_ = 0.0;
  double decode_flops_per_pair_ = 0.0;
  double prefill_flops_per_cached_token_ = 0.0;
  double kv_elements_per_token_layer_ = 0.0;  ///< 2 x kv_heads x head_dim, or the MLA latent + rope key
};

}  // namespace llmsim::core
