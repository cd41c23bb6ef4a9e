#include "core/precision_defaults.h"

namespace llmsim::core {

DType default_kv_cache_dtype(const ModelSpec& model, DType weights) {
  if (model.checkpoint_kv_cache) return *model.checkpoint_kv_cache;
  // DSA (DeepSeek-V3.2): vLLM turns the "auto" cache dtype into its fp8_ds_mla layout whatever
  // the weights (DeepseekV32ForCausalLM.verify_and_update_config, vllm/model_executor/models/
  // config.py); bf16 only when asked for.
  if (model.has_sparse_attention()) return DType::fp8;
  return weights == DType::fp8 ? DType::fp8 : DType::bf16;
}

}  // namespace llmsim::core
