// Byte counts of weights and KV cache.
#pragma once

#include "core/dtype.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// Bytes of KV cache one token occupies across all layers and KV heads:
/// 2 (K and V) x num_layers x num_kv_heads x head_dim x bytes_per_element(kv_dtype).
/// Llama-3.1-8B in bf16: 2 x 32 x 8 x 128 x 2 = 131,072 bytes. For MLA,
/// num_layers x (kv_lora_rank + qk_rope_head_dim) x bytes: DeepSeek-V3 in bf16
/// 61 x (512 + 64) x 2 = 70,272 bytes. With DeepSeek sparse attention each layer adds the
/// token's indexer key in its fixed FP8 format whatever kv_dtype (indexer_key_bytes_per_token_layer):
/// DeepSeek-V3.2 in bf16 61 x (576 x 2 + 132) = 78,324 bytes; in fp8, vLLM's 656-byte
/// fp8_ds_mla entry (kv_bytes_per_token_layer): 61 x (656 + 132) = 48,068. What the KV pool holds per token
/// and what disaggregation transfers.
double kv_cache_bytes_per_token(const ModelSpec& model, DType kv_dtype);

/// Bytes of all weights (total parameters, embeddings included) stored in `weights_dtype`.
/// 7e9 parameters in bf16 = 14e9 bytes. With ModelSpec::expert_bytes_per_weight set, the
/// routed experts take that many bytes each instead. With nvfp4/mxfp4/mxfp6 weights the
/// embedding table and LM head (ParameterCounts::embedding) stay bf16: FP4 and FP6
/// checkpoints quantise only the Linear layers and exclude the LM head.
double weight_bytes(const ModelSpec& model, DType weights_dtype);

/// Bytes of `parameters` parameters stored in `dtype`: 7e9 in bf16 = 14e9 bytes.
double parameter_bytes(double parameters, DType dtype);

/// Bytes of KV cache `tokens` tokens of one sequence occupy: tokens x kv_cache_bytes_per_token.
double kv_cache_bytes(const ModelSpec& model, DType kv_dtype, double tokens);

}  // namespace llmsim::core
