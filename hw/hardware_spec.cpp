#include "hw/hardware_spec.h"

#include <string>

namespace llmsim::hw {

std::optional<std::string> Fabric::group_problem(int gpus) const {
  if (!crosses_scale_out(gpus)) return std::nullopt;
  const std::string domain = std::to_string(scale_up_domain_gpus);
  if (!has_scale_out()) {
    return std::to_string(gpus) + " GPUs exceed the scale-up domain of " + domain +
           " GPUs and the hardware states no scale_out_bandwidth_gb_per_s to cross it";
  }
  if (gpus % scale_up_domain_gpus != 0) {
    return std::to_string(gpus) + " GPUs exceed the scale-up domain of " + domain +
           " GPUs: a group across domains must be a whole number of domains (a multiple of " +
           domain + ")";
  }
  return std::nullopt;
}

std::optional<double> HardwareSpec::peak_flops_per_s(core::DType dtype) const {
  switch (dtype) {
    case core::DType::fp32:
      return peak.fp32_flops_per_s;
    case core::DType::tf32:
      return peak.tf32_flops_per_s;
    case core::DType::fp16:
    case core::DType::bf16:
      return peak.bf16_flops_per_s;
    case core::DType::fp8:
      return peak.fp8_flops_per_s;
    case core::DType::int8:
      return peak.int8_ops_per_s;
    case core::DType::int4:
      return peak.int4_ops_per_s;
    case core::DType::nvfp4:
      return peak.fp4_runs_nvfp4 ? peak.fp4_flops_per_s : std::nullopt;
    case core::DType::mxfp4:
      return peak.fp4_runs_mxfp4 ? peak.fp4_flops_per_s : std::nullopt;
    case core::DType::mxfp6:
      return peak.fp6_flops_per_s;
  }
  return std::nullopt;
}

}  // namespace llmsim::hw
