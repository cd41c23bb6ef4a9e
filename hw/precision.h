// Precision: the storage formats of a deployment, which fix the bytes each tensor moves and
// the dtype each operator computes in (hw/compute_dtypes.h).
#pragma once

#include <optional>

#include "core/dtype.h"

namespace llmsim::hw {

/// Storage formats of a deployment. Compute runs in fp8 when weights are fp8 and in fp4 when
/// they are nvfp4/mxfp4, each where the GPU has that peak, else in bf16/fp16 (int8/int4
/// weights, and fp8/fp4 on a GPU without the mode, are weight-only quantisation:
/// dequantised to 16-bit). The KV cache takes nvfp4 (TensorRT-LLM's NVFP4 KV cache) but
/// not mxfp4 or int4 (core/input_checks.h).
/// The LM head runs in 16-bit whatever the weights, and attention too unless `attention`
/// names FP8 attention kernels (hw/compute_dtypes.h).
struct Precision {
  core::DType weights = core::DType::bf16;
  core::DType kv_cache = core::DType::bf16;
  core::DType activations = core::DType::bf16;  ///< activation tensors and collective payloads
  /// The dtype the attention core (QK^T and PV, prefill and decode) computes in: std::nullopt
  /// for the 16-bit default; fp8 for FP8 attention kernels over an fp8 KV cache (FP8 queries
  /// and keys: SGLang's "FP8 attention" on GB200, TensorRT-LLM's FP8 context FMHA and FP8
  /// generation MLA, FlashAttention-3's FP8 mode), on a GPU with an fp8 peak
  /// (attention_precision_problem).
  std::optional<core::DType> attention = std::nullopt;
};

}  // namespace llmsim::hw
