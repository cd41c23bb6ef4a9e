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
  /// 4-bit float tensor cores (Blackwell's NVFP4/MXFP4 block-scaled MMA; AMD CDNA4's MXFP4),
  /// dense. It serves the formats flagged below (hardware YAML `fp4_formats`; both when
  /// not stated): AMD's CDNA4 multiplies MXFP4 but not NVFP4's E4M3-scaled blocks.
  std::optional<double> fp4_flops_per_s;
  bool fp4_runs_nvfp4 = true;
  bool fp4_runs_mxfp4 = true;
  /// 6-bit float tensor cores multiplying MXFP6 (E2M3/E3M2 elements, E8M0 scales), dense.
  /// NVIDIA Blackwell runs them at its FP8 rate ("FP8/FP6 Tensor Core", one datasheet row),
  /// AMD CDNA4 at its FP4 rate; each preset cites its figure. None on Hopper, Ampere, CDNA3.
  std::optional<double> fp6_flops_per_s;
};

/// How the GPUs of a deployment are wired (issue 24): a scale-up domain of GPUs that share
/// the `interconnect` (an NVLink/NVSwitch board, a PCIe peer group) and, past it, scale-out
/// links (InfiniBand/RoCE NICs) per GPU. A collective is priced on the slowest link it
/// crosses (hw/iteration_work_model.h, hw/item_pricer.h).
struct Fabric {
  /// GPUs that share the scale-up interconnect, >= 1. 0 = not stated (a hardware file
  /// without `scale_up_domain_gpus`): every tensor-parallel group is priced on the
  /// interconnect alone, as before the key existed. Every shipped preset states it.
  int scale_up_domain_gpus = 0;
  /// Per GPU, one direction, bytes/s; 0 = no scale-out link known (groups larger than the
  /// domain are refused).
  double scale_out_bandwidth_bytes_per_s = 0.0;
  /// One inter-domain step of a collective (NIC + switch + NIC), seconds.
  double scale_out_latency_s = 0.0;

  bool has_scale_out() const { return scale_out_bandwidth_bytes_per_s > 0.0; }
  /// Whether a group of `gpus` spans more than one scale-up domain.
  bool crosses_scale_out(int gpus) const {
    return scale_up_domain_gpus > 0 && gpus > scale_up_domain_gpus;
  }
  /// Why a tensor-parallel group of `gpus` cannot run on this fabric (it crosses the
  /// domain without scale-out links, or is not a whole number of domains), or nullopt.
  std::optional<std::string> group_problem(int gpus) const;
};

struct HardwareSpec {
  std::string id;      ///< preset id, e.g. "h100-sxm"
  std::string name;    ///< marketing name, e.g. "NVIDIA H100 SXM5 80GB"
  std::vector<std::string> aliases;  ///< device names that identify it, e.g. "NVIDIA H100 80GB HBM3"
  std::string source;  ///< datasheet URL(s)

  PeakFlops peak;
  double hbm_bandwidth_bytes_per_s = 0.0;
  double hbm_capacity_bytes = 0.0;
  double interconnect_bandwidth_bytes_per_s = 0.0;  ///< per GPU, one direction (NVLink / PCIe): the scale-up link
  double interconnect_latency_s = 0.0;
  Fabric fabric;  ///< scale-up domain size and scale-out links
  /// Streaming multiprocessors (NVIDIA) per GPU, from the datasheet or architecture
  /// whitepaper; 0: the preset states none. Two-batch overlap needs it: DeepEP's normal
  /// kernels hold a fixed number of them while they run (hw/overlap_schedule.h).
  int sm_count = 0;
  double tdp_w = 0.0;
  double idle_power_w = 0.0;
  double price_per_gpu_hour_usd = 0.0;

  Efficiencies efficiency;       ///< per operator by name, and the fixed per-iteration costs
  std::string efficiency_source;  ///< "calibrated from ..." or "documented defaults"

  /// Peak FLOP/s for compute in `dtype` (fp16 -> bf16 entry, int4 -> int4 entry,
  /// nvfp4 and mxfp4 -> fp4 entry, mxfp6 -> fp6 entry).
  /// std::nullopt when the GPU lacks that mode.
  std::optional<double> peak_flops_per_s(core::DType dtype) const;
};

}  // namespace llmsim::hw
