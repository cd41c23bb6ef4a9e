// Sources:
// - Which GEMMs run weight-only: hw/compute_dtypes.cpp (vLLM's Marlin / FP8-Marlin / FP4-Marlin
//   and MXFP4 Marlin-Triton paths on GPUs without the format's tensor cores; TensorRT-LLM's
//   Hopper MoE backend multiplies gpt-oss's MXFP4 experts with BF16 activations).
// - Instructions per weight: Marlin's kernel (IST-DASLab/marlin, marlin/marlin_cuda_kernel.cu,
//   `dequant` and `scale`; the design of Frantar et al., "MARLIN: Mixed-Precision
//   Auto-Regressive Parallel Inference on Large Language Models", PPoPP 2025, arXiv
//   2408.11743). Each thread turns a 32-bit word of 8 int4 weights into fp16 with, per 4
//   weights, two lop3 (mask the nibbles into the mantissa of a magic fp16 pair), one hsub2
//   and one hfma2 (remove the magic bias and the zero point), one shift per 8 weights (the
//   second half of the word), and with grouped scales two hmul2 per 4 weights:
//   (2 + 1 + 1 + 0.5 + 2) / 4 = 1.625 lane instructions per weight. FP4 (E2M1) weights have
//   no conversion instruction before Blackwell (PTX cvt ... e2m1x2 needs sm_100a), so Hopper
//   converts them with the same kind of bit manipulation; 8-bit weights take a byte permute
//   per 2 weights instead of a lop3. Both INFERRED to cost the same 1.625 (no count published).
// - Repeated per token tile: Marlin splits a batch of more than 16 x thread_m_blocks (at most
//   4, so 64) rows into `parallel` problems of 64 rows (marlin_cuda_kernel.cu, the kernel's
//   opening lines), each of which streams and dequantises the whole weight matrix; the MoE
//   kernels tile each expert's rows (hw/grouped_gemm.h), each tile dequantising its expert.
// - Not overlapped with the tensor cores (hw/item_pricer.h adds the two times): the
//   conversion and the MMAs are issued by the same warps, one instruction per clock per
//   scheduler; Marlin interleaves them, so this is an upper bound of their cost. The Marlin
//   paper's result that 4-bit speedups hold "close to maximum (4x)" up to batch 16-32 and
//   decrease at 64-128 is the regime where these instructions stop hiding under the weight
//   reads.
// - Instruction rate: the non-tensor FP32 peak of the preset (H100 SXM 67 TFLOPS: 132 SMs x
//   128 FP32 lanes x 2 FLOPs per FMA x 1.98 GHz) / 2. The INT32 lop3s issue at half that rate
//   on Hopper and GA100 (64 INT32 lanes per SM); left out, so the rate is optimistic for them.
#include "hw/weight_dequant.h"

#include "hw/compute_dtypes.h"

namespace llmsim::hw {

SoftwareDequant software_dequant(const HardwareSpec& hardware, const core::ModelSpec& model,
                                 const Precision& precision) {
  SoftwareDequant dequant;
  const bool weight_only = is_quantised(precision.weights) &&
                           gemm_compute_dtype(hardware, precision.weights) == core::DType::bf16;
  if (weight_only) dequant.dense_per_weight = kDequantInstructionsPerWeight;
  const bool narrow_experts = model.expert_bytes_per_weight > 0.0 &&
                              model.expert_bytes_per_weight < core::bytes_per_element(core::DType::bf16);
  if (narrow_experts && !expert_gemm_compute_dtype(hardware, model) &&
      gemm_compute_dtype(hardware, precision.weights) == core::DType::bf16) {
    dequant.expert_per_weight = kDequantInstructionsPerWeight;
  }
  return dequant;
}

std::optional<double> alu_instructions_per_s(const HardwareSpec& hardware) {
  if (!hardware.peak.fp32_flops_per_s || *hardware.peak.fp32_flops_per_s <= 0.0) return std::nullopt;
  return *hardware.peak.fp32_flops_per_s / 2.0;
}

}  // namespace llmsim::hw
