// Weight-only quantisation (W4A16, W8A16, and MXFP4 experts on Hopper): the weights move
// in 4 or 8 bits and are converted to 16-bit in the GEMM kernel, on the non-tensor ALUs,
// before the tensor cores multiply them at the 16-bit peak. The conversion is repeated by
// every M tile (token tile) of the GEMM: a kernel tile holds its slice of the weights in
// registers only for its own rows. Sources in weight_dequant.cpp.
#pragma once

#include "core/dtype.h"
#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/precision.h"

namespace llmsim::hw {

/// Lane instructions that convert one weight element of a weight-only GEMM to 16 bits and
/// apply its group scale: 1.625 (Marlin's int4 dequantisation, weight_dequant.cpp), for every
/// weight-only format (int4, int8, fp8 without fp8 tensor cores, nvfp4/mxfp4 without FP4
/// tensor cores: the 8-bit and FP4 counts are INFERRED to be the same).
inline constexpr double kDequantInstructionsPerWeight = 1.625;

/// Rows of one token tile of a dense weight-only GEMM (Marlin: up to 4 blocks of 16 rows; a
/// larger batch runs as ceil(T / 64) tiles of 64, each dequantising all the weights).
inline constexpr double kDenseWeightOnlyTileRows = 64.0;

/// Which weights of a deployment the GEMM kernels dequantise in software on a GPU, as lane
/// instructions per weight element (0: none, the math runs in the stored format or the
/// weights are 16-bit already).
struct SoftwareDequant {
  double dense_per_weight = 0.0;   ///< every GEMM weight but the routed experts' (and theirs when
                                   ///< they have no format of their own)
  double expert_per_weight = 0.0;  ///< the routed experts' weights, when stored in their own format
  bool any() const { return dense_per_weight > 0.0 || expert_per_weight > 0.0; }
};

/// The weights that `hardware` runs weight-only under `precision`: the quantised weights
/// whose GEMMs compute in 16 bits (hw/compute_dtypes.h: int8, int4, fp8 without an fp8 peak,
/// nvfp4/mxfp4 without an fp4 peak for the format), and experts stored at MXFP4's bytes
/// (ModelSpec::expert_bytes_per_weight, gpt-oss) on a GPU that does not multiply them natively
/// (expert_gemm_compute_dtype is nothing and there is no mxfp4 peak: Hopper, Ampere).
SoftwareDequant software_dequant(const HardwareSpec& hardware, const core::ModelSpec& model,
                                 const Precision& precision);

/// Non-tensor lane instructions per second of one GPU: its non-tensor FP32 peak / 2 (one FMA
/// = 2 FLOPs per lane instruction). std::nullopt when the preset gives no fp32 peak.
std::optional<double> alu_instructions_per_s(const HardwareSpec& hardware);

}  // namespace llmsim::hw
