// Precision: the storage formats of a deployment, which fix the bytes each tensor moves and
// the dtype each operator computes in (hw/compute_dtypes.h).
#pragma once

#include "core/dtype.h"

namespace llmsim::hw {

/// Storage formats of a deployment. Compute runs in fp8 when weights are fp8 and in fp4 when
/// they are nvfp4/mxfp4, each where the GPU has that peak, else in bf16/fp16 (int8/int4
/// weights, and fp8/fp4 on a GPU without the mode, are weight-only quantisation:
/// dequantised to 16-bit). The KV cache takes nvfp4 (TensorRT-LLM's NVFP4 KV cache) but
/// not mxfp4 or int4 (core/input_checks.h).
/// Attention and the LM head run in 16-bit whatever the weights (hw/compute_dtypes.h).
struct Precision {
  core::DType weights = core::DType::bf16;
  core::DType kv_cache = core::DType::bf16;
  core::DType activations = core::DType::bf16;  ///< activation tensors and collective payloads
};

}  // namespace llmsim::hw
