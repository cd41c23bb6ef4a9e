#include "core/architecture.h"

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
                         model.qk_nope_head_dim,    model.qk_rope_head_dim, model.v_head_dim};
}

double ffn_width(const FfnKind& ffn) {
  if (const auto* dense = std::get_if<DenseFfn>(&ffn)) return static_cast<double>(dense->intermediate_size);
  const auto& moe = std::get<MoeFfn>(ffn);
  return static_cast<double>(moe.experts_per_token * moe.expert_width +
                             moe.num_shared_experts * moe.shared_expert_width);
}

}  // namespace

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
  // Groups: which layers are windowed and which are dense is not recorded, so a model may
  // vary one of the two but not both (the loader refuses the rest).
  check_invariant(windowed == 0 || !model.is_moe() || dense_layers == 0,
                  "ModelSpec: sliding window with dense and MoE layers mixed");
  const AttentionKind full = full_attention_of(model);
  if (!model.is_moe() || dense_layers == 0) {
    const FfnKind ffn = model.is_moe() ? moe_ffn_of(model) : FfnKind{DenseFfn{model.intermediate_size}};
    if (windowed < model.num_layers) groups_.push_back({model.num_layers - windowed, full, ffn});
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
  full_layers_ = static_cast<double>(model.num_layers - windowed);
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
  } else {
    // QK^T and softmax(QK^T)V, 2 x D FLOPs each per pair, D = heads x head_dim.
    prefill_flops_per_pair_ = 4.0 * static_cast<double>(query_width(model));
    decode_flops_per_pair_ = prefill_flops_per_pair_;
  }
}

double Architecture::kv_token_layers(std::int64_t tokens) const {
  const double t = static_cast<double>(tokens);
  if (windows_.empty()) return layers_ * t;
  double sum = full_layers_ * t;
  for (const Window& w : windows_) sum += w.layers * std::min(t, w.tokens);
  return sum;
}

double Architecture::sequence_kv_bytes(std::int64_t tokens, DType kv_dtype) const {
  return kv_token_layers(tokens) * kv_elements_per_token_layer_ * bytes_per_element(kv_dtype);
}

}  // namespace llmsim::core
