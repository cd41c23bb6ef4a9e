// Sources:
// - vLLM runs fp8 checkpoints as W8A8 (fp8 tensor cores) on compute capability >= 8.9 and
//   as weight-only W8A16 via FP8 Marlin below that, e.g. on A100: "FP8 models will run on
//   compute capability >= 7.5 (Turing) as weight-only W8A16, utilizing FP8 Marlin"
//   (docs.vllm.ai, features/quantization/fp8, "FP8 W8A8"; vllm-project/vllm PR 5975).
// - The same page: "all Linear modules (except for the final lm_head) have their weights
//   quantized down to FP8"; GPTQ/AWQ int4/int8 checkpoints likewise leave lm_head in 16-bit.
// - GPTQ/AWQ (int4/int8) kernels dequantise to fp16/bf16 and multiply there (Marlin,
//   Frantar et al. 2024), so their math runs at the 16-bit peak.
#include "hw/compute_dtypes.h"

namespace llmsim::hw {

bool is_quantised(core::DType weights) {
  return weights == core::DType::fp8 || weights == core::DType::int8 ||
         weights == core::DType::int4;
}

core::DType unquantised_compute_dtype(core::DType activations) {
  if (activations == core::DType::fp32 || activations == core::DType::tf32) return activations;
  return core::DType::bf16;
}

core::DType gemm_compute_dtype(const HardwareSpec& hardware, core::DType weights) {
  switch (weights) {
    case core::DType::fp8:
      return hardware.peak_flops_per_s(core::DType::fp8) ? core::DType::fp8 : core::DType::bf16;
    case core::DType::fp32:
    case core::DType::tf32:
      return weights;
    case core::DType::fp16:
    case core::DType::bf16:
    case core::DType::int8:
    case core::DType::int4:
      return core::DType::bf16;
  }
  return core::DType::bf16;
}

core::DType lm_head_weight_dtype(core::DType weights, core::DType activations) {
  return is_quantised(weights) ? activations : weights;
}

std::optional<core::DType> operator_compute_dtype(Operator op, const HardwareSpec& hardware,
                                                  const Precision& precision) {
  switch (op) {
    case Operator::gemm:
      return gemm_compute_dtype(hardware, precision.weights);
    case Operator::lm_head:
      return is_quantised(precision.weights) ? unquantised_compute_dtype(precision.activations)
                                             : gemm_compute_dtype(hardware, precision.weights);
    case Operator::attention_prefill:
    case Operator::attention_decode:
      return unquantised_compute_dtype(precision.activations);
    case Operator::elementwise:
    case Operator::allreduce:
    case Operator::all_to_all:
    case Operator::send_recv:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace llmsim::hw
