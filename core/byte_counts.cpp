#include "core/byte_counts.h"

#include "core/model_dims.h"
#include "core/parameter_counts.h"

namespace llmsim::core {

double kv_cache_bytes_per_token(const ModelSpec& model, DType kv_dtype) {
  // K and V, each num_kv_heads x head_dim per layer: GQA shrinks this by heads / kv_heads.
  // MLA keeps kv_lora_rank + qk_rope_head_dim per layer instead (model_dims.h).
  return static_cast<double>(model.num_layers) * static_cast<double>(kv_elements_per_token_layer(model)) *
         bytes_per_element(kv_dtype);
}

double weight_bytes(const ModelSpec& model, DType weights_dtype) {
  if (model.expert_bytes_per_weight <= 0.0) return parameter_bytes(count_parameters(model).total, weights_dtype);
  // Experts in their checkpoint format (gpt-oss: MXFP4), everything else in weights_dtype.
  const double experts = routed_expert_parameters(model);
  return parameter_bytes(count_parameters(model).total - experts, weights_dtype) +
         experts * model.expert_bytes_per_weight;
}

double parameter_bytes(double parameters, DType dtype) {
  return parameters * bytes_per_element(dtype);
}

double kv_cache_bytes(const ModelSpec& model, DType kv_dtype, double tokens) {
  return tokens * kv_cache_bytes_per_token(model, kv_dtype);
}

}  // namespace llmsim::core
