#include "core/architecture.h"

#include "core/invariant.h"
#include "core/model_dims.h"

namespace llmsim::core {
namespace {

FfnKind ffn_of(const ModelSpec& model) {
  if (!model.is_moe()) return DenseFfn{model.intermediate_size};
  return MoeFfn{model.num_experts, model.experts_per_token, expert_width(model),
                model.num_shared_experts, shared_expert_width(model)};
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
  const FfnKind ffn = ffn_of(model);
  num_layers_ = model.num_layers;
  layers_ = static_cast<double>(model.num_layers);
  // A window as long as the context never binds: full attention, the plain arithmetic.
  const bool binds = model.sliding_window > 0 &&
                     (model.max_position_embeddings <= 0 || model.sliding_window < model.max_position_embeddings);
  const std::int64_t windowed = binds ? model.sliding_window_layers : 0;
  if (windowed < model.num_layers) groups_.push_back({model.num_layers - windowed, FullAttention{}, ffn});
  if (windowed > 0) {
    groups_.push_back({windowed, SlidingWindowAttention{model.sliding_window}, ffn});
    windows_.push_back({static_cast<double>(windowed), static_cast<double>(model.sliding_window)});
  }
  full_layers_ = static_cast<double>(model.num_layers - windowed);
  ffn_width_per_token_ = ffn_width(ffn);
  kv_elements_per_token_layer_ = 2.0 * static_cast<double>(kv_width(model));
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
