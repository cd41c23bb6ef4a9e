#include "core/model_dims.h"

#include "core/invariant.h"

namespace llmsim::core {

std::int64_t resolved_head_dim(const ModelSpec& model) {
  if (model.head_dim > 0) return model.head_dim;
  check_invariant(model.num_attention_heads > 0, "ModelSpec: num_attention_heads must be positive");
  return model.hidden_size / model.num_attention_heads;
}

std::int64_t query_width(const ModelSpec& model) {
  return model.num_attention_heads * resolved_head_dim(model);
}

std::int64_t kv_width(const ModelSpec& model) {
  return model.num_kv_heads * resolved_head_dim(model);
}

std::int64_t expert_width(const ModelSpec& model) {
  return model.expert_intermediate_size > 0 ? model.expert_intermediate_size
                                            : model.intermediate_size;
}

std::int64_t shared_expert_width(const ModelSpec& model) {
  return model.shared_expert_intermediate_size > 0 ? model.shared_expert_intermediate_size
                                                   : expert_width(model);
}

std::int64_t moe_layer_count(const ModelSpec& model) {
  if (!model.is_moe()) return 0;
  return (model.num_layers - model.first_k_dense_replace) / model.moe_layer_step;
}

std::int64_t kv_elements_per_token_layer(const ModelSpec& model) {
  if (model.is_mla()) return model.kv_lora_rank + model.qk_rope_head_dim;
  return 2 * kv_width(model);
}

bool uses_fp8_ds_mla(const ModelSpec& model, DType kv_dtype) {
  return model.has_sparse_attention() && kv_dtype == DType::fp8;
}

double kv_bytes_per_token_layer(const ModelSpec& model, DType kv_dtype) {
  if (!uses_fp8_ds_mla(model, kv_dtype)) {
    return static_cast<double>(kv_elements_per_token_layer(model)) * bytes_per_element(kv_dtype);
  }
  constexpr std::int64_t kScaleBlock = 128;  // latent values per fp32 scale
  constexpr double kScaleBytes = 4.0;
  constexpr double kRopeBytes = 2.0;  // bf16, not quantised
  const std::int64_t scale_blocks = (model.kv_lora_rank + kScaleBlock - 1) / kScaleBlock;
  return static_cast<double>(model.kv_lora_rank) + static_cast<double>(scale_blocks) * kScaleBytes +
         static_cast<double>(model.qk_rope_head_dim) * kRopeBytes;
}

double indexer_key_bytes_per_token_layer(const ModelSpec& model) {
  if (!model.has_sparse_attention()) return 0.0;
  // vLLM's DeepseekV32IndexerCache: head_dim + head_dim // quant_block_size (128) * 4 uint8.
  constexpr std::int64_t kScaleBlock = 128;
  constexpr double kScaleBytes = 4.0;  // one float32 per block
  const std::int64_t scale_blocks = (model.index_head_dim + kScaleBlock - 1) / kScaleBlock;
  return static_cast<double>(model.index_head_dim) + static_cast<double>(scale_blocks) * kScaleBytes;
}

void check_model_spec(const ModelSpec& model) {
  check_invariant(model.num_layers > 0, "ModelSpec: num_layers must be positive");
  check_invariant(model.hidden_size > 0, "ModelSpec: hidden_size must be positive");
  check_invariant(model.num_attention_heads > 0, "ModelSpec: num_attention_heads must be positive");
  check_invariant(model.num_kv_heads > 0, "ModelSpec: num_kv_heads must be positive");
  check_invariant(model.head_dim >= 0, "ModelSpec: head_dim must not be negative");
  check_invariant(resolved_head_dim(model) > 0, "ModelSpec: head_dim resolves to 0");
  check_invariant(model.vocab_size > 0, "ModelSpec: vocab_size must be positive");
  check_invariant(model.reward_head_outputs > 0 || model.head != HeadKind::reward,
                  "ModelSpec: a reward head needs reward_head_outputs > 0");
  if (model.is_moe()) {
    check_invariant(model.experts_per_token >= 1 && model.experts_per_token <= model.num_experts,
                    "ModelSpec: experts_per_token must be in 1..num_experts");
    check_invariant(expert_width(model) > 0, "ModelSpec: MoE expert width must be positive");
    check_invariant(model.num_shared_experts >= 0, "ModelSpec: num_shared_experts is negative");
    check_invariant(model.first_k_dense_replace >= 0 && model.first_k_dense_replace < model.num_layers &&
                        model.moe_layer_step >= 1 && moe_layer_count(model) >= 1,
                    "ModelSpec: a MoE model needs at least one MoE layer after first_k_dense_replace");
    check_invariant(moe_layer_count(model) == model.num_layers || model.intermediate_size > 0,
                    "ModelSpec: dense layers of a MoE model need intermediate_size");
  } else {
    check_invariant(model.num_experts == 0, "ModelSpec: num_experts is negative");
    check_invariant(model.intermediate_size > 0, "ModelSpec: intermediate_size must be positive");
  }
  if (model.is_mla()) {
    check_invariant(model.q_lora_rank >= 0 && model.qk_nope_head_dim > 0 && model.qk_rope_head_dim > 0 &&
                        model.v_head_dim > 0,
                    "ModelSpec: MLA needs positive qk_nope_head_dim, qk_rope_head_dim, v_head_dim");
  } else {
    check_invariant(model.kv_lora_rank == 0 && model.q_lora_rank == 0,
                    "ModelSpec: q_lora_rank without kv_lora_rank (MLA)");
  }
  check_invariant(model.index_topk >= 0 && model.index_n_heads >= 0 && model.index_head_dim >= 0 &&
                      (model.index_topk == 0
                           ? model.index_n_heads == 0 && model.index_head_dim == 0
                           : model.is_mla() && model.q_lora_rank > 0 && model.index_n_heads > 0 &&
                                 model.index_head_dim > 0),
                  "ModelSpec: DSA (index_topk > 0) needs MLA with a query latent and positive indexer heads "
                  "and width; without it no indexer field");
}

}  // namespace llmsim::core
