// Widths derived from a ModelSpec that several formulas share.
#pragma once

#include <cstdint>

#include "core/model_spec.h"

namespace llmsim::core {

/// The spec's head_dim, or hidden_size / num_attention_heads when it is 0 (what Hugging
/// Face's LlamaConfig assumes when config.json has no "head_dim").
std::int64_t resolved_head_dim(const ModelSpec& model);

/// Output width of the query projection: num_attention_heads x head_dim. This is D in the
/// attention formula 4*L*B*S*T*D. It differs from hidden_size in some models (Qwen3-0.6B:
/// 16 heads x 128 = 2048 vs hidden 1024), so formulas never assume D == hidden_size.
std::int64_t query_width(const ModelSpec& model);

/// Output width of each of the key and value projections: num_kv_heads x head_dim.
std::int64_t kv_width(const ModelSpec& model);

/// Width of one routed expert's MLP: expert_intermediate_size, or intermediate_size when
/// the spec leaves it 0 (Mixtral's config.json has only "intermediate_size", the expert width).
std::int64_t expert_width(const ModelSpec& model);

/// Width of one shared expert: shared_expert_intermediate_size, or expert_width() when 0.
std::int64_t shared_expert_width(const ModelSpec& model);

/// MoE layers of the model: 0 for a dense model; else, after the first_k_dense_replace
/// dense layers, every moe_layer_step-th layer: (num_layers - first_k_dense_replace) /
/// moe_layer_step, rounded down. The remaining layers have a dense MLP of intermediate_size.
std::int64_t moe_layer_count(const ModelSpec& model);

/// KV cache elements one token keeps in one layer: 2 x num_kv_heads x head_dim (K and V),
/// or for MLA the latent plus the shared rotary key, kv_lora_rank + qk_rope_head_dim
/// (DeepSeek-V2 paper, section 2.1.2 and Table 1: (d_c + d_h^R) l elements per token).
std::int64_t kv_elements_per_token_layer(const ModelSpec& model);

/// Bytes one token's KV cache entry takes in one layer with a `kv_dtype` cache:
/// kv_elements_per_token_layer x bytes(kv_dtype), except for DSA (DeepSeek-V3.2) with an fp8
/// cache, which vLLM stores in FlashMLA's "fp8_ds_mla" layout: the kv_lora_rank latent in FP8,
/// one fp32 scale per 128 latent values, and the rope key left in bf16, 512 + 4 x 4 + 64 x 2 =
/// 656 bytes for DeepSeek-V3.2 (vllm/v1/attention/backends/mla/flashmla_sparse.py,
/// FlashMLASparseBackend.get_kv_cache_shape: "custom storage format is 656 bytes"; vLLM's
/// DeepseekV32ForCausalLM.verify_and_update_config, vllm/model_executor/models/config.py,
/// turns "auto" and every fp8 cache dtype into it). Without the indexer key
/// (indexer_key_bytes_per_token_layer).
double kv_bytes_per_token_layer(const ModelSpec& model, DType kv_dtype);
/// Whether kv_bytes_per_token_layer is the fp8_ds_mla layout (DSA with an fp8 cache), not
/// elements x bytes.
bool uses_fp8_ds_mla(const ModelSpec& model, DType kv_dtype);

/// Bytes one token's DSA indexer key takes in one layer, in its own fixed format whatever the
/// KV cache dtype: index_head_dim FP8 values plus a fp32 scale per 128 (132 for DeepSeek-V3.2;
/// core::LatentAttention::indexer_key_bytes). 0 for a model without sparse attention.
double indexer_key_bytes_per_token_layer(const ModelSpec& model);

/// Aborts (broken invariant) unless the counts the arithmetic relies on are sane: layers,
/// hidden size, heads, KV heads and vocabulary positive; a dense model has an
/// intermediate size; a MoE model routes 1..num_experts experts of positive width and has
/// at least one MoE layer (a dense layer among them needs intermediate_size); an MLA model
/// has positive kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim and v_head_dim.
/// The loader rejects bad input before a spec gets here (DESIGN.md section 5).
void check_model_spec(const ModelSpec& model);

}  // namespace llmsim::core
