// Which dtype each kind of math runs in, and which dtype the LM head is stored in, for a
// deployment's Precision on a given GPU. Sources in compute_dtypes.cpp.
#pragma once

#include "core/dtype.h"
#include "core/model_spec.h"
#include <optional>
#include <string>

#include "hw/hardware_spec.h"
#include "hw/operator.h"
#include "hw/precision.h"

namespace llmsim::hw {

/// fp8, int8, int4, nvfp4, mxfp4 and mxfp6 weights are quantised; fp32, tf32, fp16 and bf16 are not.
bool is_quantised(core::DType weights);

/// The dtype unquantised math (attention, a 16-bit LM head) runs in: fp32 or tf32 when the
/// activations are, else bf16 (whose peak entry also covers fp16).
core::DType unquantised_compute_dtype(core::DType activations);

/// The dtype the QKV/O/MLP GEMMs run in: fp8 for fp8 weights on a GPU with an fp8 peak,
/// nvfp4/mxfp4 for those weights on a GPU with an fp4 peak for that format (W4A4, priced
/// at HardwareSpec::peak_flops_per_s of the format), mxfp6 at the fp6 peak (W6A6; a GPU
/// without one is refused first: weights_hardware_problem), fp32/tf32 for fp32/tf32 weights, else
/// bf16 (fp16, bf16, and weight-only int8/int4, fp8-without-hardware-fp8 and
/// fp4-without-hardware-fp4, all dequantised to 16-bit: W8A16 / W4A16).
core::DType gemm_compute_dtype(const HardwareSpec& hardware, core::DType weights);

/// The dtype DSA's lightning indexer computes its logits in: fp8 on a GPU with an fp8 peak,
/// else the unquantised dtype (sources in compute_dtypes.cpp).
core::DType indexer_compute_dtype(const HardwareSpec& hardware, const Precision& precision);

/// The dtype operator `op` computes in under `precision` on `hardware`: gemm_compute_dtype
/// for the GEMMs; the unquantised dtype for attention (indexer_compute_dtype for DSA's
/// indexer), and for the LM head when the weights
/// are quantised (else the GEMMs'); std::nullopt for an operator whose FLOPs are not priced
/// (OperatorInfo::counts_flops).
std::optional<core::DType> operator_compute_dtype(Operator op, const HardwareSpec& hardware,
                                                  const Precision& precision);

/// The dtype the routed experts' GEMMs run in when it differs from gemm_compute_dtype's:
/// experts stored at MXFP4's bytes (ModelSpec::expert_bytes_per_weight, gpt-oss) on a GPU
/// whose fp4 peak takes mxfp4 and that has an fp8 peak run as W4A8 (MXFP4 weights x MXFP8
/// activations) at the fp8 peak; experts stored at NVFP4's bytes (ModelOpt's FP4 DeepSeek
/// checkpoints) on a GPU whose fp4 peak takes nvfp4 run as W4A4 at that peak. std::nullopt
/// otherwise (the experts share the GEMMs' rate: W4A16 on Hopper).
std::optional<core::DType> expert_gemm_compute_dtype(const HardwareSpec& hardware, const core::ModelSpec& model);

/// Why `precision.attention` cannot be run on `hardware`: a dtype attention kernels do not
/// compute in (not bf16, fp16 or fp8), fp8 over a KV cache that is not fp8, or fp8 on a GPU
/// without an fp8 peak. std::nullopt when it can (or is not set).
std::optional<std::string> attention_precision_problem(const HardwareSpec& hardware, const Precision& precision);

/// Why `kv_cache` cannot hold the KV cache on `hardware`: nvfp4 KV on a GPU whose fp4 peak
/// does not take nvfp4 (TensorRT-LLM's NVFP4 KV cache is a Blackwell feature). Nothing when
/// it can; the dtype itself is core::kv_cache_dtype_problem's to check.
std::optional<std::string> kv_cache_hardware_problem(const HardwareSpec& hardware, core::DType kv_cache);

/// Why `weights` cannot be served on `hardware`: mxfp6 weights on a GPU without an fp6 peak.
/// No engine found runs MXFP6 through a weight-only kernel there: vLLM's Quark OCP MX scheme
/// dequantises the weights and multiplies in 16-bit PyTorch ("simulated weight
/// dequantization ... computed in high precision"), an accuracy path with no measured
/// cost, so unlike fp8/fp4 (W8A16/W4A16 through Marlin) it is refused, not priced as W6A16.
/// Nothing for every other format, which runs on any GPU (natively or weight-only).
std::optional<std::string> weights_hardware_problem(const HardwareSpec& hardware, core::DType weights);

/// The dtype the LM head's weights are stored in: the weights' dtype, except that
/// quantised checkpoints keep the LM head in the activation dtype.
core::DType lm_head_weight_dtype(core::DType weights, core::DType activations);

}  // namespace llmsim::hw
