// Numeric formats for weights, KV cache and compute peaks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace llmsim::core {

enum class DType { fp32, tf32, fp16, bf16, fp8, int8, int4, nvfp4, mxfp4, mxfp6 };

/// Storage bytes per element: fp32 4, fp16/bf16 2, fp8/int8 1, int4 0.5.
/// tf32 is a compute mode stored as fp32 (4 bytes).
/// The two 4-bit float formats count their block scales with the elements:
///   nvfp4  E2M1 elements, one FP8 (E4M3) scale per 16: 4 + 8/16 = 4.5 bits = 0.5625 bytes
///          (NVIDIA, "Introducing NVFP4 for Efficient and Accurate Low-Precision Inference",
///          developer.nvidia.com blog 2025-06; the one FP32 scale per tensor is not counted)
///   mxfp4  E2M1 elements, one E8M0 scale per 32: 4 + 8/32 = 4.25 bits = 0.53125 bytes
///          (OCP Microscaling Formats (MX) Specification v1.0, 2023, section 5)
/// and the 6-bit one likewise:
///   mxfp6  FP6 elements (E2M3 or E3M2: the same 6 bits, the same bytes), one E8M0 scale per
///          32: 6 + 8/32 = 6.25 bits = 0.78125 bytes (the same specification, section 5:
///          MXFP6 is one of its concrete formats, block size 32, scale E8M0).
double bytes_per_element(DType dtype);

/// "bf16" -> DType::bf16; std::nullopt for a name we do not know.
std::optional<DType> parse_dtype(std::string_view name);

std::string_view to_string(DType dtype);

/// The names parse_dtype takes, in enum order, comma-separated: "fp32, tf32, ..., mxfp6".
/// Error messages list them from here so a new format cannot be left out of one.
std::string dtype_names();

/// Whether `dtype` is one of the 4-bit float formats with block scales (nvfp4, mxfp4).
bool is_fp4(DType dtype);

/// Whether `dtype` is the 6-bit float format with block scales (mxfp6).
bool is_fp6(DType dtype);

/// Whether `dtype` is a block-scaled float narrower than a byte (nvfp4, mxfp4, mxfp6): the
/// formats whose checkpoints quantise the Linear layers only, leaving the embedding table
/// and the LM head in 16-bit (core/byte_counts.h gives the sources).
bool is_sub_byte_float(DType dtype);

}  // namespace llmsim::core
