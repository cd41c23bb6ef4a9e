// Model shapes, GPUs and batches the step-time tests price, built from stated numbers
// (no YAML) so every expected value can be worked out by hand.
#pragma once

#include <cstdint>

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/batch_shape.h"
#include "hw/efficiencies.h"
#include "hw/operator.h"
#include "hw/parallelism.h"
#include "hw/precision.h"

namespace llmsim::hw::test {

/// Llama-3.1-8B, from its Hugging Face config.json (meta-llama/Llama-3.1-8B).
/// One layer: q and o 4096x4096 each, k and v 4096x1024 each, two RMSNorms of 4096,
/// gated MLP 3 x 4096 x 14336 = 218,112,000 parameters.
inline core::ModelSpec llama_3_1_8b() {
  core::ModelSpec m;
  m.id = "llama-3.1-8b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 14336;
  m.vocab_size = 128256;
  m.max_position_embeddings = 131072;
  m.nominal_params = 8e9;
  return m;
}

/// Mixtral-8x7B, from its config.json (mistralai/Mixtral-8x7B-v0.1): the Llama-8B
/// attention shape, 8 experts of width 14336, 2 per token, vocabulary 32000.
inline core::ModelSpec mixtral_8x7b() {
  core::ModelSpec m;
  m.id = "mixtral-8x7b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 14336;
  m.vocab_size = 32000;
  m.max_position_embeddings = 32768;
  m.num_experts = 8;
  m.experts_per_token = 2;
  m.expert_intermediate_size = 14336;
  m.nominal_params = 46.7e9;
  return m;
}

/// Efficiencies stated here rather than taken from the struct defaults, so the expected
/// values below do not move when the defaults do.
/// GEMMs and the LM head at 0.7 of peak FLOP/s, attention at 0.5; HBM at 0.8 but decode
/// attention 0.6; all-reduce bus bandwidth 0.7 and 10 us per call; no kernel fixed times;
/// no host time (hw/host_time.h; the engine adds it: kTestHost below).
inline Efficiencies test_efficiencies() {
  Efficiencies e;
  e[Operator::gemm] = {0.7, 0.8, 0.0, 0.0};
  e[Operator::attention_prefill] = {0.5, 0.8, 0.0, 0.0};
  e[Operator::attention_decode] = {0.5, 0.6, 0.0, 0.0};
  e[Operator::elementwise] = {1.0, 0.8, 0.0, 0.0};
  e[Operator::lm_head] = {0.7, 0.8, 0.0, 0.0};
  e[Operator::allreduce] = {1.0, 0.7, 10e-6, 0.0};
  e.roofline_exponent = 0.0;
  e.per_layer_overhead_s = 0.0;
  return e;
}

/// NVIDIA H100 SXM5 80GB datasheet: 989.4 TFLOP/s dense bf16 (1,979 with sparsity),
/// 1,978.9 dense fp8, 67 TFLOP/s non-tensor fp32, 3.35 TB/s HBM3, NVLink 900 GB/s total =
/// 450 GB/s per direction.
inline HardwareSpec h100_sxm() {
  HardwareSpec hw;
  hw.id = "h100-sxm";
  hw.peak.fp32_flops_per_s = 67e12;
  hw.peak.bf16_flops_per_s = 989.4e12;
  hw.peak.fp8_flops_per_s = 1978.9e12;
  hw.hbm_bandwidth_bytes_per_s = 3.35e12;
  hw.hbm_capacity_bytes = 80e9;
  hw.interconnect_bandwidth_bytes_per_s = 450e9;
  hw.efficiency = test_efficiencies();
  return hw;
}

/// NVIDIA A100 SXM4 80GB datasheet: 312 TFLOP/s dense bf16, no fp8, 19.5 TFLOP/s fp32,
/// 2,039 GB/s HBM2e, NVLink 600 GB/s total = 300 GB/s per direction.
inline HardwareSpec a100_sxm() {
  HardwareSpec hw;
  hw.id = "a100-sxm-80gb";
  hw.peak.fp32_flops_per_s = 19.5e12;
  hw.peak.bf16_flops_per_s = 312e12;
  hw.hbm_bandwidth_bytes_per_s = 2.039e12;
  hw.hbm_capacity_bytes = 80e9;
  hw.interconnect_bandwidth_bytes_per_s = 300e9;
  hw.efficiency = test_efficiencies();
  return hw;
}

/// NVIDIA B200 (DGX/HGX B200 specifications, dense): bf16 2,250, fp8 and FP6 4,500 ("FP8/FP6
/// Tensor Core", one row), fp4 9,000 TFLOP/s; 8 TB/s HBM3e; H100's other fields.
inline HardwareSpec b200() {
  HardwareSpec hw = h100_sxm();
  hw.id = "b200";
  hw.peak.bf16_flops_per_s = 2250e12;
  hw.peak.fp8_flops_per_s = 4500e12;
  hw.peak.fp4_flops_per_s = 9000e12;
  hw.peak.fp6_flops_per_s = 4500e12;
  hw.hbm_bandwidth_bytes_per_s = 8e12;
  return hw;
}

/// `seqs` decode sequences, each with `context` cached tokens: c + 1 keys each, all sample.
inline BatchShape decode_batch(std::int64_t seqs, std::int64_t context) {
  return uniform_decodes(seqs, static_cast<double>(context));
}

/// One prefill sequence of `tokens` new tokens on `cached` cached ones that finishes its
/// prompt (samples): pairs s*c + s(s+1)/2, KV tokens c + s.
inline BatchShape prefill_batch(std::int64_t tokens, std::int64_t cached) {
  const double s = static_cast<double>(tokens);
  const double c = static_cast<double>(cached);
  BatchShape b;
  b.prefill_seqs = 1;
  b.prefill_tokens = tokens;
  b.prefill_attention_pairs = s * c + s * (s + 1.0) / 2.0;
  b.prefill_kv_tokens = c + s;
  b.sampled_seqs = 1;
  return b;
}

/// `seqs` prompts of `tokens_each` new tokens each on nothing cached, each finishing its
/// prompt (sampling): pairs seqs x s(s+1)/2, KV tokens seqs x s.
inline BatchShape prompt_batch(std::int64_t seqs, std::int64_t tokens_each) {
  return whole_prompts(seqs, tokens_each);
}

inline Precision bf16() { return Precision{}; }

/// Tensor parallelism over `gpus` GPUs.
inline Parallelism tp(int gpus) { return Parallelism{gpus}; }

/// Weights in `dtype`, everything else as Precision's defaults.
inline Precision weights(core::DType dtype) {
  Precision p;
  p.weights = dtype;
  return p;
}

inline Precision fp8_weights() {
  Precision p;
  p.weights = core::DType::fp8;
  return p;
}

}  // namespace llmsim::hw::test
