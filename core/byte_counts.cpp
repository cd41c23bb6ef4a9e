#include "core/byte_counts.h"

#include "core/model_dims.h"
#include "core/parameter_counts.h"

namespace llmsim::core {

double kv_cache_bytes_per_token(const ModelSpec& model, DType kv_dtype) {
  // K and V, each num_kv_heads x head_dim per layer: GQA shrinks this by heads / kv_heads.
  // MLA keeps kv_lora_rank + qk_rope_head_dim per layer instead (model_dims.h).
  if (!model.has_sparse_attention()) {
    return static_cast<double>(model.num_layers) * static_cast<double>(kv_elements_per_token_layer(model)) *
           bytes_per_element(kv_dtype);
  }
  // DSA: an fp8 cache is vLLM's fp8_ds_mla layout (kv_bytes_per_token_layer).
  const double kv = static_cast<double>(model.num_layers) * kv_bytes_per_token_layer(model, kv_dtype);
  // DSA: every token also caches its indexer key in every layer, in its own FP8 format.
  return kv + static_cast<double>(model.num_layers) * indexer_key_bytes_per_token_layer(model);
}

double weight_bytes(const ModelSpec& model, DType weights_dtype) {
  const ParameterCounts counts = count_parameters(model);
  // FP4 and FP6 checkpoints quantise the Linear layers only: the embedding table is not a
  // Linear, ModelOpt excludes the LM head (nvidia/Llama-3.3-70B-Instruct-FP4's
  // hf_quant_config.json, "exclude_modules": ["lm_head"]) and so do AMD Quark's OCP MX
  // exports (quantization_config "exclude": [..., "lm_head"]), so both stay 16-bit. (The
  // other quantised formats keep the older rule: every weight in weights_dtype.)
  const double sixteen_bit = is_sub_byte_float(weights_dtype) ? counts.embedding : 0.0;
  const double sixteen_bit_bytes = parameter_bytes(sixteen_bit, DType::bf16);
  if (model.expert_bytes_per_weight <= 0.0) {
    if (sixteen_bit == 0.0) return parameter_bytes(counts.total, weights_dtype);
    return parameter_bytes(counts.total - sixteen_bit, weights_dtype) + sixteen_bit_bytes;
  }
  // Experts in their checkpoint format (gpt-oss: MXFP4), everything else in weights_dtype.
  const double experts = routed_expert_parameters(model);
  if (sixteen_bit == 0.0) {
    return parameter_bytes(counts.total - experts, weights_dtype) + experts * model.expert_bytes_per_weight;
  }
  return parameter_bytes(counts.total - experts - sixteen_bit, weights_dtype) + experts * model.expert_bytes_per_weight +
         sixteen_bit_bytes;
}

double parameter_bytes(double parameters, DType dtype) {
  return parameters * bytes_per_element(dtype);
}

double kv_cache_bytes(const ModelSpec& model, DType kv_dtype, double tokens) {
  return tokens * kv_cache_bytes_per_token(model, kv_dtype);
}

}  // namespace llmsim::core
