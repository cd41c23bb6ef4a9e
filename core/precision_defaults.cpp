#include "core/precision_defaults.h"

namespace llmsim::core {

DType default_kv_cache_dtype(const ModelSpec& model, DType weights) {
  if (model.checkpoint_kv_cache) return *model.checkpoint_kv_cache;
  return weights == DType::fp8 ? DType::fp8 : DType::bf16;
}

}  // namespace llmsim::core
