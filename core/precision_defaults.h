// The formats a deployment runs in when the scenario or command line does not say.
#pragma once

#include "core/dtype.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// The KV cache format used when none is given: the checkpoint's own (ModelSpec::
/// checkpoint_kv_cache, ModelOpt's kv_cache_quant_algo), else fp8 beside fp8 weights (vLLM
/// and TensorRT-LLM run fp8 checkpoints with an fp8 KV cache when it is calibrated;
/// the project's rule since issue 23's fp8 loader), fp8 for DeepSeek sparse attention
/// (vLLM's default fp8_ds_mla layout: core::kv_bytes_per_token_layer), else bf16.
DType default_kv_cache_dtype(const ModelSpec& model, DType weights);

}  // namespace llmsim::core
