#include "core/architecture.h"

#include <algorithm>

#include "core/invariant.h"
#include "core/model_dims.h"

namespace llmsim::core {
namespace {

FfnKind moe_ffn_of(const ModelSpec& model) {
  return MoeFfn{model.num_experts, model.experts_per_token, expert_width(model),
                model.num_shared_experts, shared_expert_width(model)};
}

AttentionKind full_attention_of(const ModelSpec& model) {
  if (!model.is_mla()) return FullAttention{};
  return LatentAttention{model.num_attention_heads, model.q_lora_rank,  model.kv_lora_rank,
                         model.qk_nope_head_dim,    model.qk_rope_head_dim, model.v_head_dim,
                         model.index_n_heads,       model.index_head_dim,   model.index_topk};
}

double ffn_width(const FfnKind& ffn) {
  if (const auto* dense = std::get_if<DenseFfn>(&ffn)) return static_cast<double>(dense->intermediate_size);
  if (std::holds_alternative<NoFfn>(ffn)) return 0.0;
  const auto& moe = std::get<MoeFfn>(ffn);
  return static_cast<double>(moe.experts_per_token * moe.expert_width +
                             moe.num_shared_experts * moe.shared_expert_width);
}

LinearAttention linear_attention_of(const ModelSpec& model) {
  return LinearAttention{model.linear_mixer,          model.linear_num_key_heads,   model.linear_key_head_dim,
                         model.linear_num_value_heads, model.linear_value_head_dim, model.linear_conv_kernel_dim,
                         model.linear_recurrent_state_dtype};
}

}  // namespace

double LatentAttention::indexer_flops_per_key() const {
  if (!sparse()) return 0.0;
  const auto indexer_heads = static_cast<double>(index_heads);
  return 2.0 * indexer_heads * static_cast<double>(index_head_dim) + 2.0 * indexer_heads;
}

double LatentAttention::cache_bytes_per_token(DType kv_dtype) const {
  ModelSpec shape;
  shape.kv_lora_rank = kv_lora_rank;
  shape.qk_rope_head_dim = qk_rope_head_dim;
  shape.index_topk = index_topk;
  return kv_bytes_per_token_layer(shape, kv_dtype);
}

double LatentAttention::indexer_key_bytes() const {
  if (!sparse()) return 0.0;
  ModelSpec shape;
  shape.index_topk = index_topk;
  shape.index_head_dim = index_head_dim;
  return indexer_key_bytes_per_token_layer(shape);
}

double LinearAttention::recurrent_state_elements() const {
  return static_cast<double>(value_heads) * static_cast<double>(key_head_dim) * static_cast<double>(value_head_dim);
}

double LinearAttention::state_bytes(DType state_dtype) const {
  return recurrent_state_elements() * bytes_per_element(recurrent_state_dtype.value_or(state_dtype)) +
         conv_state_elements() * bytes_per_element(state_dtype);
}

double LinearAttention::conv_channels() const {
  return 2.0 * static_cast<double>(key_heads) * static_cast<double>(key_head_dim) +
         static_cast<double>(value_heads) * static_cast<double>(value_head_dim);
}

double LinearAttention::conv_state_elements() const {
  return conv_channels() * static_cast<double>(conv_kernel - 1);
}

double LinearAttention::flops_per_token() const {
  const double per_state_element = mixer == LinearMixer::mamba2 ? 5.0 : 7.0;
  return per_state_element * recurrent_state_elements() + 2.0 * static_cast<double>(conv_kernel) * conv_channels();
}

Architecture::Architecture(const ModelSpec& model) {
  check_model_spec(model);
  check_invariant(model.sliding_window >= 0 && model.sliding_window_layers >= 0 &&
                      model.sliding_window_layers <= model.num_layers &&
                      (model.sliding_window > 0) == (model.sliding_window_layers > 0),
                  "ModelSpec: sliding_window_layers in 1..num_layers exactly when sliding_window > 0");
  num_layers_ = model.num_layers;
  layers_ = static_cast<double>(model.num_layers);
  moe_layers_ = moe_layer_count(model);
  const std::int64_t dense_layers = model.num_layers - moe_layers_;
  // A window as long as the context never binds: full attention, the plain arithmetic.
  const bool binds = model.sliding_window > 0 &&
                     (model.max_position_embeddings <= 0 || model.sliding_window < model.max_position_embeddings);
  const std::int64_t windowed = binds ? model.sliding_window_layers : 0;
  check_invariant(!(model.is_mla() && windowed > 0), "ModelSpec: MLA with a sliding window");
  // Linear-attention layers (hybrids) replace full-attention ones; the loader refuses them
  // beside a window, MLA, or mixed dense/MoE layers.
  const std::int64_t linear = model.linear_attention_layers;
  check_invariant(linear == 0 || (windowed == 0 && !model.is_mla() && (!model.is_moe() || dense_layers == 0)),
                  "ModelSpec: linear attention beside a window, MLA or mixed dense/MoE layers");
  // A chunk as long as the context never binds either.
  const bool chunk_binds = model.attention_chunk_size > 0 && (model.max_position_embeddings <= 0 ||
                                                              model.attention_chunk_size < model.max_position_embeddings);
  const std::int64_t chunked = chunk_binds ? model.chunked_attention_layers : 0;
  check_invariant(model.attention_chunk_size >= 0 && model.chunked_attention_layers >= 0 &&
                      (model.attention_chunk_size > 0) == (model.chunked_attention_layers > 0) &&
                      (chunked == 0 || (windowed == 0 && linear == 0 && !model.is_mla() &&
                                        chunked <= model.num_layers)),
                  "ModelSpec: chunked_attention_layers in 1..num_layers exactly with attention_chunk_size, "
                  "and no window, linear attention or MLA beside it");
  const std::int64_t ffn_only = model.ffn_only_layers;
  check_invariant(linear >= 0 && ffn_only >= 0 && model.attention_layers() >= 1,
                  "ModelSpec: linear_attention_layers and ffn_only_layers leave at least one attention layer");
  check_invariant(ffn_only == 0 || (windowed == 0 && !model.is_mla() && !model.is_moe()),
                  "ModelSpec: single-block layers (ffn_only_layers) with a window, MLA or MoE");
  // Groups: which layers are windowed and which are dense is not recorded, so a model may
  // vary one of the two but not both (the loader refuses the rest).
  check_invariant(windowed == 0 || !model.is_moe() || dense_layers == 0,
                  "ModelSpec: sliding window with dense and MoE layers mixed");
  const AttentionKind full = full_attention_of(model);
  if (chunked > 0) {
    // Llama 4: chunked (RoPE) and full (NoPE) layers, dense and MoE FFNs interleaved. Which
    // attention kind sits on which FFN kind is not recorded, and no formula reads it (a
    // chunked layer has a full layer's parameters): the groups pair them in order.
    const DenseFfn dense{model.intermediate_size};
    // dense_layers is num_layers for a dense model, so no layer gets the MoE kind then.
    const FfnKind moe = model.is_moe() ? moe_ffn_of(model) : FfnKind{dense};
    const std::int64_t full_count = model.num_layers - chunked;
    const std::int64_t full_on_dense = std::min(full_count, dense_layers);
    const std::int64_t chunked_on_dense = std::min(chunked, dense_layers - full_on_dense);
    const ChunkedLocalAttention chunk{model.attention_chunk_size};
    if (full_on_dense > 0) groups_.push_back({full_on_dense, full, dense});
    if (full_count > full_on_dense) groups_.push_back({full_count - full_on_dense, full, moe});
    if (chunked_on_dense > 0) groups_.push_back({chunked_on_dense, chunk, dense});
    if (chunked > chunked_on_dense) groups_.push_back({chunked - chunked_on_dense, chunk, moe});
    ffn_width_per_token_ = (static_cast<double>(dense_layers) * static_cast<double>(dense.intermediate_size) +
                            static_cast<double>(moe_layers_) * ffn_width(moe)) /
                           layers_;
    chunked_layers_ = static_cast<double>(chunked);
    chunk_tokens_ = model.attention_chunk_size;
  } else if (ffn_only > 0) {
    // Nemotron-H: mixer-only blocks (attention, Mamba) and MLP-only blocks.
    const FfnKind dense = DenseFfn{model.intermediate_size};
    groups_.push_back({model.attention_layers(), full, NoFfn{}});
    if (linear > 0) groups_.push_back({linear, linear_attention_of(model), NoFfn{}});
    groups_.push_back({ffn_only, NoMixer{}, dense});
    ffn_width_per_token_ = static_cast<double>(ffn_only) * ffn_width(dense) / layers_;
  } else if (!model.is_moe() || dense_layers == 0) {
    const FfnKind ffn = model.is_moe() ? moe_ffn_of(model) : FfnKind{DenseFfn{model.intermediate_size}};
    if (windowed + linear < model.num_layers) groups_.push_back({model.num_layers - windowed - linear, full, ffn});
    if (linear > 0) groups_.push_back({linear, linear_attention_of(model), ffn});
    if (windowed > 0) {
      groups_.push_back({windowed, SlidingWindowAttention{model.sliding_window}, ffn});
      windows_.push_back({static_cast<double>(windowed), static_cast<double>(model.sliding_window)});
    }
    ffn_width_per_token_ = ffn_width(ffn);
  } else {
    const FfnKind dense = DenseFfn{model.intermediate_size};
    const FfnKind moe = moe_ffn_of(model);
    groups_.push_back({dense_layers, full, dense});
    groups_.push_back({moe_layers_, full, moe});
    ffn_width_per_token_ = (static_cast<double>(dense_layers) * ffn_width(dense) +
                            static_cast<double>(moe_layers_) * ffn_width(moe)) /
                           layers_;
  }
  full_layers_ = static_cast<double>(model.num_layers - windowed - linear - ffn_only - chunked);
  all_full_ = windows_.empty() && linear == 0 && ffn_only == 0 && chunked == 0;
  if (linear > 0) {
    linear_ = linear_attention_of(model);
    linear_layers_ = linear;
    sequence_state_elements_ = static_cast<double>(linear) * linear_->state_elements();
    linear_flops_per_token_ = static_cast<double>(linear) * linear_->flops_per_token();
  }
  kv_elements_per_token_layer_ = static_cast<double>(core::kv_elements_per_token_layer(model));

  if (model.is_mla()) {
    const LatentAttention mla = std::get<LatentAttention>(full);
    latent_ = mla;
    const double heads = static_cast<double>(mla.heads);
    const double nope = static_cast<double>(mla.qk_nope_head_dim);
    const double rope = static_cast<double>(mla.qk_rope_head_dim);
    const double v = static_cast<double>(mla.v_head_dim);
    const double latent = static_cast<double>(mla.kv_lora_rank);
    // vllm/v1/attention/backends/mla/common.py: prefill is MHA with QK head dim P + R and
    // V head dim V; decode is MQA with QK head dim Lkv + R and V head dim Lkv.
    prefill_flops_per_pair_ = 2.0 * heads * (nope + rope) + 2.0 * heads * v;
    decode_flops_per_pair_ = 2.0 * heads * (latent + rope) + 2.0 * heads * latent;
    // Chunked prefill up-projects each cached latent chunk: kv_c @ W_UK and kv_c @ W_UV.
    prefill_flops_per_cached_token_ = 2.0 * latent * heads * (nope + v);
    if (mla.sparse()) {
      // DSA: vLLM's FlashMLASparse backend (vllm/v1/attention/backends/mla/flashmla_sparse.py)
      // and SGLang's NSA backend run prefill as well as decode in the absorbed form over the
      // latent (FlashMLA's flash_mla_sparse_fwd: query/key width kv_lora + rope, value width
      // kv_lora, on the top-k selected latents), so no cached latent is up-projected.
      prefill_flops_per_pair_ = decode_flops_per_pair_;
      prefill_flops_per_cached_token_ = 0.0;
      topk_ = static_cast<double>(mla.index_topk);
      indexer_flops_per_key_ = layers_ * mla.indexer_flops_per_key();
      indexer_key_bytes_per_token_ = layers_ * mla.indexer_key_bytes();
    }
  } else {
    // QK^T and softmax(QK^T)V, 2 x D FLOPs each per pair, D = heads x head_dim.
    prefill_flops_per_pair_ = 4.0 * static_cast<double>(query_width(model));
    decode_flops_per_pair_ = prefill_flops_per_pair_;
  }
}

double Architecture::kv_token_layers(std::int64_t tokens) const {
  const double t = static_cast<double>(tokens);
  if (all_full_) return layers_ * t;
  double sum = full_layers_ * t;
  for (const Window& w : windows_) sum += w.layers * std::min(t, w.tokens);
  if (chunked_layers_ > 0.0 && tokens > 0) sum += chunked_layers_ * static_cast<double>((tokens - 1) % chunk_tokens_ + 1);
  return sum;
}

double Architecture::sequence_kv_bytes(std::int64_t tokens, DType kv_dtype) const {
  if (indexer_key_bytes_per_token_ == 0.0) {
    return kv_token_layers(tokens) * kv_elements_per_token_layer_ * bytes_per_element(kv_dtype);
  }
  // DSA: every layer is full attention; an fp8 cache is vLLM's fp8_ds_mla layout.
  const double kv = kv_token_layers(tokens) * latent_->cache_bytes_per_token(kv_dtype);
  return kv + static_cast<double>(tokens) * indexer_key_bytes_per_token_;
}

}  // namespace llmsim::core
