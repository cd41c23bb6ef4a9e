// Sources:
// - vLLM runs fp8 checkpoints as W8A8 (fp8 tensor cores) on compute capability >= 8.9 and
//   as weight-only W8A16 via FP8 Marlin below that, e.g. on A100: "FP8 models will run on
//   compute capability >= 7.5 (Turing) as weight-only W8A16, utilizing FP8 Marlin"
//   (docs.vllm.ai, features/quantization/fp8, "FP8 W8A8"; vllm-project/vllm PR 5975).
// - The same page: "all Linear modules (except for the final lm_head) have their weights
//   quantized down to FP8"; GPTQ/AWQ int4/int8 checkpoints likewise leave lm_head in 16-bit.
// - GPTQ/AWQ (int4/int8) kernels dequantise to fp16/bf16 and multiply there (Marlin,
//   Frantar et al. 2024), so their math runs at the 16-bit peak.
// - FP4 (nvfp4, mxfp4). On a GPU with block-scaled FP4 tensor cores (an `fp4` peak for that
//   format: Blackwell's tcgen05.mma kind::mxf4nvf4 takes both, NVIDIA PTX ISA; AMD CDNA4
//   takes MXFP4) the GEMMs run at the fp4 peak with activations quantised
//   to FP4 as well: ModelOpt's NVFP4 checkpoints quantise the Linear inputs too
//   (config.json quantization_config config_groups input_activations num_bits 4) and
//   TensorRT-LLM runs them as W4A4 ("FP4" recipe, nvidia.github.io/TensorRT-LLM
//   features/quantization). Elsewhere (Hopper, Ampere) they are weight-only W4A16: vLLM
//   runs NVFP4 on GPUs without FP4 through its FP4 Marlin kernel and MXFP4 through Marlin or
//   Triton kernels, dequantising to 16-bit (docs.vllm.ai, features/quantization: the
//   supported-hardware table; "NVFP4 ... Marlin fallback for pre-Blackwell GPUs"), so the
//   weights move at 4.5 / 4.25 bits and the math runs at the 16-bit peak. The
//   dequantisation's own time is left out (no measurement or published per-weight cost
//   found): W4A16 here is an optimistic bound where it is compute-bound.
// - FP6 (mxfp6: OCP MX FP6 elements, E2M3 or E3M2, one E8M0 scale per 32). Blackwell's
//   tcgen05.mma kind::f8f6f4 multiplies FP6 at the FP8 rate (NVIDIA PTX ISA; the DGX/HGX
//   datasheets print one "FP8/FP6 Tensor Core" row: B200 4.5, GB200 5 PFLOPS dense) and
//   AMD CDNA4 at its FP4 rate (MI355X: FP6 and FP4 both 10.1 PFLOPS dense): each preset's
//   `fp6` peak. AMD Quark's MXFP6 checkpoints quantise the activations to the same FP6
//   format (quantization_config input_tensors, vLLM's OCP_MX_Scheme w_fp6_e3m2_a_fp6_e3m2),
//   so the GEMMs run W6A6 at that peak. No engine yet ships that kernel: vLLM's QuarkOCP_MX
//   (vllm/model_executor/layers/quantization/quark/schemes/quark_ocp_mx.py) emulates every
//   MXFP6 combination, dequantising to 16-bit, even on MI355X; the fp6 peak is the hardware's
//   rate, as the fp4 one is. A GPU without an fp6 peak is refused (weights_hardware_problem).
// - MXFP4 experts beside 16-bit attention (gpt-oss). TensorRT-LLM's MoE backend on
//   B200/GB200/B300/GB300 multiplies MXFP4 expert weights with MXFP8 activations (W4A8),
//   on Hopper with BF16 activations ("Deployment Guide for GPT-OSS on TensorRT-LLM", MoE
//   backend support matrix). A tensor-core MMA with one FP8 operand runs at the FP8 rate:
//   only FP4 x FP4 (tcgen05.mma kind::mxf4 / kind::mxf4nvf4) doubles it, while FP4 or FP6
//   mixed with FP8 (kind::f8f6f4) runs at the FP8 rate (NVIDIA PTX ISA, tcgen05.mma; the
//   Blackwell datasheets' FP6 peak equals their FP8 peak, stas00/ml-engineering's TFLOPS
//   table). INFERRED from those two: on such a GPU the experts run at the fp8 peak while
//   attention's projections keep the 16-bit peak.
// - NVFP4 experts beside FP8 or 16-bit attention (ModelOpt's DeepSeek-R1/V3 FP4 checkpoints:
//   "quantized with FP4 weights and activations", the huggingface.co/centml/
//   DeepSeek-R1-NVFP4-v2-mlpinf card of "the same quantization scheme as
//   nvidia/DeepSeek-R1-FP4-v2"; the vLLM GB200 post 2026-02-03 runs "NVFP4 MoE GEMMs"): the
//   experts' activations are quantised to NVFP4 too (W4A4), so on a GPU whose fp4 peak takes
//   nvfp4 they run at that peak (tcgen05.mma kind::mxf4nvf4, above). Without one they are
//   weight-only, as MXFP4 on Hopper.
// - FP8 attention (Precision::attention): engines that ship FP8 attention kernels run QK^T and
//   PV on FP8 queries and an FP8 KV cache at the fp8 peak: SGLang's "low precision" GB200
//   deployment ("FP8 attention", 1.8x over BF16 attention in a typical decode case: LMSYS
//   blog 2025-09-25, GB200 part II), TensorRT-LLM's FP8 context FMHA (use_fp8_context_fmha)
//   and FP8 generation MLA for DeepSeek, FlashAttention-3's FP8 forward pass. It is a
//   deployment choice, never a default: vLLM's FP8 KV cache dequantises to 16-bit in most
//   attention backends.
// - DSA's lightning indexer computes its logits in FP8: the DeepSeek-V3.2 tech report
//   (arXiv:2512.02556, section 2.1: "the lightning indexer ... can be implemented in FP8"), and
//   vLLM's sparse_attn_indexer calls DeepGEMM's fp8_mqa_logits (prefill) and
//   fp8_paged_mqa_logits (decode) on FP8 queries and the FP8 key cache.
#include "hw/compute_dtypes.h"

namespace llmsim::hw {

bool is_quantised(core::DType weights) {
  return weights == core::DType::fp8 || weights == core::DType::int8 ||
         weights == core::DType::int4 || core::is_sub_byte_float(weights);
}

core::DType unquantised_compute_dtype(core::DType activations) {
  if (activations == core::DType::fp32 || activations == core::DType::tf32) return activations;
  return core::DType::bf16;
}

core::DType gemm_compute_dtype(const HardwareSpec& hardware, core::DType weights) {
  switch (weights) {
    case core::DType::fp8:
      return hardware.peak_flops_per_s(core::DType::fp8) ? core::DType::fp8 : core::DType::bf16;
    case core::DType::nvfp4:
    case core::DType::mxfp4:
    case core::DType::mxfp6:  // without an fp6 peak refused before pricing (weights_hardware_problem)
      return hardware.peak_flops_per_s(weights) ? weights : core::DType::bf16;
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

std::optional<core::DType> expert_gemm_compute_dtype(const HardwareSpec& hardware, const core::ModelSpec& model) {
  const bool nvfp4_experts = model.expert_bytes_per_weight == core::bytes_per_element(core::DType::nvfp4);
  if (nvfp4_experts) {
    if (!hardware.peak_flops_per_s(core::DType::nvfp4)) return std::nullopt;
    return core::DType::nvfp4;
  }
  const bool mxfp4_experts = model.expert_bytes_per_weight == core::bytes_per_element(core::DType::mxfp4);
  if (!mxfp4_experts || !hardware.peak_flops_per_s(core::DType::mxfp4) || !hardware.peak_flops_per_s(core::DType::fp8)) {
    return std::nullopt;
  }
  return core::DType::fp8;
}

std::optional<std::string> kv_cache_hardware_problem(const HardwareSpec& hardware, core::DType kv_cache) {
  if (kv_cache != core::DType::nvfp4 || hardware.peak_flops_per_s(core::DType::nvfp4)) return std::nullopt;
  return "nvfp4 KV cache needs a GPU with NVFP4 tensor cores (an fp4 peak that takes nvfp4); " + hardware.id +
         " has none: use fp8 or bf16";
}

std::optional<std::string> attention_precision_problem(const HardwareSpec& hardware, const Precision& precision) {
  if (!precision.attention) return std::nullopt;
  const core::DType attention = *precision.attention;
  if (attention == core::DType::bf16 || attention == core::DType::fp16) return std::nullopt;
  if (attention != core::DType::fp8) {
    return "expected bf16, fp16 or fp8 (the dtypes attention kernels compute in), got " +
           std::string(core::to_string(attention));
  }
  if (precision.kv_cache != core::DType::fp8) {
    return "fp8 attention reads FP8 keys and values: it needs kv_cache: fp8, not " +
           std::string(core::to_string(precision.kv_cache));
  }
  if (!hardware.peak_flops_per_s(core::DType::fp8)) {
    return "fp8 attention needs a GPU with FP8 tensor cores (an fp8 peak); " + hardware.id + " has none";
  }
  return std::nullopt;
}

std::optional<std::string> weights_hardware_problem(const HardwareSpec& hardware, core::DType weights) {
  if (!core::is_fp6(weights) || hardware.peak_flops_per_s(weights)) return std::nullopt;
  return std::string(core::to_string(weights)) + " weights need a GPU with FP6 tensor cores (an fp6 peak: NVIDIA " +
         "Blackwell, AMD MI355X); " + hardware.id + " has none: use fp8, an fp4 format or bf16";
}

core::DType lm_head_weight_dtype(core::DType weights, core::DType activations) {
  return is_quantised(weights) ? activations : weights;
}

core::DType indexer_compute_dtype(const HardwareSpec& hardware, const Precision& precision) {
  return hardware.peak_flops_per_s(core::DType::fp8) ? core::DType::fp8 : unquantised_compute_dtype(precision.activations);
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
      return precision.attention.value_or(unquantised_compute_dtype(precision.activations));
    case Operator::attention_indexer:
      return indexer_compute_dtype(hardware, precision);
    case Operator::elementwise:
    case Operator::allreduce:
    case Operator::all_to_all:
    case Operator::send_recv:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace llmsim::hw
