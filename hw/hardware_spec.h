// HardwareSpec: one accelerator's datasheet facts plus the efficiencies that turn
// datasheet peaks into achieved rates (DESIGN.md section 3).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/efficiencies.h"

namespace llmsim::hw {

/// Dense (no structured sparsity) peak throughput per compute dtype, FLOP/s.
/// A missing entry (std::nullopt) means the GPU has no such tensor-core mode (e.g. fp8 on A100).
struct PeakFlops {
  std::optional<double> fp32_flops_per_s;
  std::optional<double> tf32_flops_per_s;
  std::optional<double> bf16_flops_per_s;  ///< also used for fp16
  std::optional<double> fp8_flops_per_s;
  std::optional<double> int8_ops_per_s;
  std::optional<double> int4_ops_per_s;
};

struct HardwareSpec {
  std::string id;      ///< preset id, e.g. "h100-sxm"
  std::string name;    ///< marketing name, e.g. "NVIDIA H100 SXM5 80GB"
  std::vector<std::string> aliases;  ///< device names that identify it, e.g. "NVIDIA H100 80GB HBM3"
  std::string source;  ///< datasheet URL(s)

  PeakFlops peak;
  double hbm_bandwidth_bytes_per_s = 0.0;
  double hbm_capacity_bytes = 0.0;
  double interconnect_bandwidth_bytes_per_s = 0.0;  ///< per GPU, one direction (NVLink / PCIe)
  double interconnect_latency_s = 0.0;
  double tdp_w = 0.0;
  double idle_power_w = 0.0;
  double price_per_gpu_hour_usd = 0.0;

  Efficiencies efficiency;       ///< per operator by name, and the fixed per-iteration costs
  std::string efficiency_source;  ///< "calibrated from ..." or "documented defaults"

  /// Peak FLOP/s for compute in `dtype` (fp16 -> bf16 entry, int4 -> int4 entry).
  /// std::nullopt when the GPU lacks that mode.
  std::optional<double> peak_flops_per_s(core::DType dtype) const;
};

}  // namespace llmsim::hw
