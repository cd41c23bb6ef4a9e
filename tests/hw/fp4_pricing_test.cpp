// FP4 weights: W4A4 at the fp4 peak where the GPU has one for the format, W4A16 elsewhere.
#include <doctest/doctest.h>

#include "core/parameter_counts.h"
#include "hw/compute_dtypes.h"
#include "hw/iteration_work_model.h"
#include "hw/step_time_model.h"
#include "hw/weight_dequant.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::HardwareSpec;
using llmsim::hw::Operator;
using llmsim::hw::Precision;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

// Llama-3.1-8B layers: 32 x 218,112,000 parameters; one decode token's GEMM activations
// 4,456,448 bytes (bf16; see step_time_precision_test.cpp).
constexpr double kLayerParams = 32.0 * 218'112'000.0;
constexpr double kPrefillGemmFlops = 2.0 * 8192.0 * kLayerParams;

}  // namespace

TEST_CASE("the GEMM compute dtype of fp4 weights follows the GPU's fp4 peak and formats") {
  CHECK(llmsim::hw::gemm_compute_dtype(t::b200(), DType::nvfp4) == DType::nvfp4);
  CHECK(llmsim::hw::gemm_compute_dtype(t::b200(), DType::mxfp4) == DType::mxfp4);
  CHECK(llmsim::hw::gemm_compute_dtype(t::h100_sxm(), DType::nvfp4) == DType::bf16);
  CHECK(llmsim::hw::gemm_compute_dtype(t::h100_sxm(), DType::mxfp4) == DType::bf16);
  HardwareSpec mxfp4_only = t::b200();  // AMD CDNA4: MXFP4 tensor cores, no NVFP4
  mxfp4_only.peak.fp4_runs_nvfp4 = false;
  CHECK(llmsim::hw::gemm_compute_dtype(mxfp4_only, DType::mxfp4) == DType::mxfp4);
  CHECK(llmsim::hw::gemm_compute_dtype(mxfp4_only, DType::nvfp4) == DType::bf16);
  CHECK_FALSE(mxfp4_only.peak_flops_per_s(DType::nvfp4).has_value());
  CHECK(llmsim::hw::is_quantised(DType::nvfp4));
  CHECK(llmsim::hw::is_quantised(DType::mxfp4));
}

TEST_CASE("nvfp4 weights on a B200: 4.5-bit weight bytes and the GEMMs at the fp4 peak") {
  const StepTimeModel model(t::llama_3_1_8b(), t::b200(), t::weights(DType::nvfp4), t::tp(1));
  CHECK(model.peak_flops_per_s_group() == doctest::Approx(9000e12));
  // 8192 prefill tokens: 2 x 8192 x layer params at 9000 TFLOP/s x gemm compute 0.7.
  CHECK(model.price(t::prefill_batch(8192, 0)).time_s_of(Operator::gemm) ==
        doctest::Approx(kPrefillGemmFlops / (9000e12 * 0.7)).epsilon(1e-12));
  // One decode token: the layer weights at 0.5625 bytes each plus the 16-bit activations.
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).hbm_bytes ==
        doctest::Approx(kLayerParams * 0.5625 + 4'456'448.0));
  // The LM head stays 16-bit (ModelOpt's exclude_modules ["lm_head"]): 128,256 x 4,096 x 2.
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::lm_head).hbm_bytes ==
        doctest::Approx(1'050'673'152.0 + 264'704.0));
}

TEST_CASE("nvfp4 and mxfp4 weights on an H100 are W4A16: fp4 bytes, bf16 peak") {
  for (const DType dtype : {DType::nvfp4, DType::mxfp4}) {
    const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::weights(dtype), t::tp(1));
    CHECK(model.peak_flops_per_s_group() == doctest::Approx(989.4e12));
    CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).hbm_bytes ==
          doctest::Approx(kLayerParams * llmsim::core::bytes_per_element(dtype) + 4'456'448.0));
  }
}

TEST_CASE("an nvfp4 KV cache needs an NVFP4 GPU") {
  CHECK_FALSE(llmsim::hw::kv_cache_hardware_problem(t::b200(), DType::nvfp4).has_value());
  CHECK_FALSE(llmsim::hw::kv_cache_hardware_problem(t::h100_sxm(), DType::fp8).has_value());
  const auto problem = llmsim::hw::kv_cache_hardware_problem(t::h100_sxm(), DType::nvfp4);
  REQUIRE(problem.has_value());
  CHECK(problem->find("h100-sxm has none") != std::string::npos);
  // Priced: 2 x 32 x 8 x 128 x 0.5625 = 36,864 bytes per token, 1,001 keys.
  Precision kv;
  kv.kv_cache = DType::nvfp4;
  const StepTimeModel model(t::llama_3_1_8b(), t::b200(), kv, t::tp(1));
  CHECK(work_of(model.work(t::decode_batch(1, 1000)), Operator::attention_decode).hbm_bytes ==
        doctest::Approx(1001.0 * 36'864.0));
}

TEST_CASE("MXFP4 experts on Blackwell run W4A8 at the fp8 peak beside 16-bit attention") {
  llmsim::core::ModelSpec moe = t::mixtral_8x7b();
  moe.expert_bytes_per_weight = llmsim::core::bytes_per_element(DType::mxfp4);
  CHECK(llmsim::hw::expert_gemm_compute_dtype(t::b200(), moe) == DType::fp8);
  CHECK_FALSE(llmsim::hw::expert_gemm_compute_dtype(t::h100_sxm(), moe).has_value());  // W4A16 on Hopper
  CHECK_FALSE(llmsim::hw::expert_gemm_compute_dtype(t::b200(), t::mixtral_8x7b()).has_value());  // bf16 experts
  // Mixtral-8x7B per layer: attention 4096 x (4096 + 2 x 1024) + 4096 x 4096 = 41,943,040,
  // router 32,768, norms 8,192, two active experts 2 x 3 x 4096 x 14336 = 352,321,536; the
  // experts' FLOP share is 352,321,536 / 394,305,536 = 0.893523...
  const StepTimeModel blackwell(moe, t::b200(), t::bf16(), t::tp(1));
  const llmsim::hw::IterationWorkModel work(moe, llmsim::core::count_parameters(moe), t::bf16(), t::tp(1));
  const double share = work.expert_gemm_flop_share();
  CHECK(share == doctest::Approx(352'321'536.0 / 394'305'536.0).epsilon(1e-4));
  // The GEMM item's rate: the harmonic mean of 2250 (attention's projections) and 4500
  // (experts) TFLOP/s weighted by FLOPs, so its compute time is the sum of the parts' times.
  CHECK(blackwell.peak_flops_per_s_group() == doctest::Approx(1.0 / ((1.0 - share) / 2250e12 + share / 4500e12)));
  CHECK(blackwell.peak_flops_per_s_group() > 2250e12);
  CHECK(blackwell.peak_flops_per_s_group() < 4500e12);
  const StepTimeModel hopper(moe, t::h100_sxm(), t::bf16(), t::tp(1));
  CHECK(hopper.peak_flops_per_s_group() == doctest::Approx(989.4e12));
}

TEST_CASE("NVFP4 experts on Blackwell run W4A4 at the fp4 peak; weight-only on Hopper") {
  llmsim::core::ModelSpec moe = t::mixtral_8x7b();
  moe.expert_bytes_per_weight = llmsim::core::bytes_per_element(DType::nvfp4);
  CHECK(llmsim::hw::expert_gemm_compute_dtype(t::b200(), moe) == DType::nvfp4);
  CHECK_FALSE(llmsim::hw::expert_gemm_compute_dtype(t::h100_sxm(), moe).has_value());
  // FP8 attention projections (4,500 TFLOP/s) beside NVFP4 experts (9,000): the FLOP-weighted
  // harmonic mean, the experts' share as in the MXFP4 case above.
  const StepTimeModel blackwell(moe, t::b200(), t::fp8_weights(), t::tp(1));
  const llmsim::hw::IterationWorkModel work(moe, llmsim::core::count_parameters(moe), t::fp8_weights(), t::tp(1));
  const double share = work.expert_gemm_flop_share();
  CHECK(blackwell.peak_flops_per_s_group() == doctest::Approx(1.0 / ((1.0 - share) / 4500e12 + share / 9000e12)));
  // No software dequantisation where the tensor cores take the format; on Hopper with bf16
  // weights the narrow experts are converted on the ALUs (hw/weight_dequant.h).
  CHECK_FALSE(llmsim::hw::software_dequant(t::b200(), moe, t::bf16()).any());
  CHECK(llmsim::hw::software_dequant(t::h100_sxm(), moe, t::bf16()).expert_per_weight > 0.0);
}

TEST_CASE("FP8 attention computes the attention core at the fp8 peak, over an fp8 KV cache only") {
  Precision fp8_kv;
  fp8_kv.kv_cache = DType::fp8;
  Precision fp8_attention = fp8_kv;
  fp8_attention.attention = DType::fp8;
  CHECK(llmsim::hw::operator_compute_dtype(Operator::attention_decode, t::h100_sxm(), fp8_kv) == DType::bf16);
  CHECK(llmsim::hw::operator_compute_dtype(Operator::attention_decode, t::h100_sxm(), fp8_attention) == DType::fp8);
  CHECK(llmsim::hw::operator_compute_dtype(Operator::attention_prefill, t::h100_sxm(), fp8_attention) == DType::fp8);
  CHECK(llmsim::hw::operator_compute_dtype(Operator::gemm, t::h100_sxm(), fp8_attention) == DType::bf16);
  CHECK_FALSE(llmsim::hw::attention_precision_problem(t::h100_sxm(), fp8_attention).has_value());
  CHECK_FALSE(llmsim::hw::attention_precision_problem(t::h100_sxm(), fp8_kv).has_value());  // not set

  Precision bf16_kv = fp8_attention;
  bf16_kv.kv_cache = DType::bf16;
  const auto no_fp8_kv = llmsim::hw::attention_precision_problem(t::h100_sxm(), bf16_kv);
  REQUIRE(no_fp8_kv.has_value());
  CHECK(no_fp8_kv->find("needs kv_cache: fp8, not bf16") != std::string::npos);
  const auto ampere = llmsim::hw::attention_precision_problem(t::a100_sxm(), fp8_attention);
  REQUIRE(ampere.has_value());
  CHECK(ampere->find("a100-sxm-80gb has none") != std::string::npos);
  Precision int8_attention = fp8_kv;
  int8_attention.attention = DType::int8;
  CHECK(llmsim::hw::attention_precision_problem(t::h100_sxm(), int8_attention).has_value());

  // A long prompt whose attention is compute-bound: FP8 attention takes less time, but not
  // less than the 16-bit step minus half its attention (the fp8 peak is twice bf16's on H100).
  const llmsim::hw::BatchShape prompt = t::prompt_batch(1, 32768);
  const StepTimeModel sixteen(t::llama_3_1_8b(), t::h100_sxm(), fp8_kv, t::tp(1));
  const StepTimeModel eight(t::llama_3_1_8b(), t::h100_sxm(), fp8_attention, t::tp(1));
  const double slow = sixteen.price(prompt).time_s;
  const double fast = eight.price(prompt).time_s;
  CHECK(fast < slow);
  CHECK(work_of(sixteen.work(prompt), Operator::attention_prefill).flops ==
        work_of(eight.work(prompt), Operator::attention_prefill).flops);
  CHECK(fast > 0.5 * slow);
}
