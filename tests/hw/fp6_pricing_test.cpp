// MXFP6 weights: W6A6 at the fp6 peak where the GPU has one (Blackwell at its FP8 rate,
// CDNA4 at its FP4 rate); refused, not priced, on a GPU without one.
#include <doctest/doctest.h>

#include "hw/compute_dtypes.h"
#include "hw/iteration_work_model.h"
#include "hw/step_time_model.h"
#include "hw/weight_dequant.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::HardwareSpec;
using llmsim::hw::Operator;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

/// MI355X (AMD's specifications, dense): bf16 2500, fp8 5000, FP6 at the FP4 rate 10100.
HardwareSpec mi355x() {
  HardwareSpec hw = t::h100_sxm();
  hw.id = "mi355x";
  hw.peak.bf16_flops_per_s = 2500e12;
  hw.peak.fp8_flops_per_s = 5000e12;
  hw.peak.fp4_flops_per_s = 10100e12;
  hw.peak.fp4_runs_nvfp4 = false;
  hw.peak.fp6_flops_per_s = 10100e12;
  hw.hbm_bandwidth_bytes_per_s = 8e12;
  return hw;
}

// Llama-3.1-8B layers: 32 x 218,112,000 parameters; one decode token's GEMM activations
// 4,456,448 bytes (bf16; see step_time_precision_test.cpp).
constexpr double kLayerParams = 32.0 * 218'112'000.0;
constexpr double kPrefillGemmFlops = 2.0 * 8192.0 * kLayerParams;

}  // namespace

TEST_CASE("the mxfp6 peak is the fp6 entry, apart from the fp4 and fp8 ones") {
  HardwareSpec gpu = t::b200();
  CHECK(gpu.peak_flops_per_s(DType::mxfp6) == doctest::Approx(4500e12));
  gpu.peak.fp8_flops_per_s = 1.0;  // the fp6 entry alone decides
  gpu.peak.fp4_flops_per_s = 2.0;
  CHECK(gpu.peak_flops_per_s(DType::mxfp6) == doctest::Approx(4500e12));
  CHECK(mi355x().peak_flops_per_s(DType::mxfp6) == doctest::Approx(10100e12));
  CHECK_FALSE(t::h100_sxm().peak_flops_per_s(DType::mxfp6).has_value());
}

TEST_CASE("the GEMM compute dtype of mxfp6 weights is mxfp6 where the GPU has an fp6 peak") {
  CHECK(llmsim::hw::gemm_compute_dtype(t::b200(), DType::mxfp6) == DType::mxfp6);
  CHECK(llmsim::hw::gemm_compute_dtype(mi355x(), DType::mxfp6) == DType::mxfp6);
  CHECK(llmsim::hw::is_quantised(DType::mxfp6));
  CHECK(llmsim::hw::lm_head_weight_dtype(DType::mxfp6, DType::bf16) == DType::bf16);
  CHECK(llmsim::hw::operator_compute_dtype(Operator::lm_head, t::b200(), t::weights(DType::mxfp6)) == DType::bf16);
  CHECK(llmsim::hw::operator_compute_dtype(Operator::attention_prefill, t::b200(), t::weights(DType::mxfp6)) == DType::bf16);
  // Native W6A6: nothing is dequantised in software.
  CHECK_FALSE(llmsim::hw::software_dequant(t::b200(), t::llama_3_1_8b(), t::weights(DType::mxfp6)).any());
}

TEST_CASE("mxfp6 weights on a GPU without an fp6 peak are refused, naming the GPU") {
  CHECK_FALSE(llmsim::hw::weights_hardware_problem(t::b200(), DType::mxfp6).has_value());
  CHECK_FALSE(llmsim::hw::weights_hardware_problem(mi355x(), DType::mxfp6).has_value());
  const auto problem = llmsim::hw::weights_hardware_problem(t::h100_sxm(), DType::mxfp6);
  REQUIRE(problem.has_value());
  CHECK(*problem ==
        "mxfp6 weights need a GPU with FP6 tensor cores (an fp6 peak: NVIDIA Blackwell, AMD MI355X); h100-sxm has "
        "none: use fp8, an fp4 format or bf16");
  // Every other format runs anywhere (natively or weight-only): fp4 on Hopper is W4A16.
  for (const DType dtype : {DType::bf16, DType::fp8, DType::int4, DType::int8, DType::nvfp4, DType::mxfp4}) {
    CHECK_FALSE(llmsim::hw::weights_hardware_problem(t::h100_sxm(), dtype).has_value());
  }
}

TEST_CASE("mxfp6 weights on a B200: 6.25-bit weight bytes, the GEMMs at the fp6 (= fp8) peak") {
  const StepTimeModel model(t::llama_3_1_8b(), t::b200(), t::weights(DType::mxfp6), t::tp(1));
  CHECK(model.peak_flops_per_s_group() == doctest::Approx(4500e12));
  // 8192 prefill tokens: 2 x 8192 x layer params at 4500 TFLOP/s x gemm compute 0.7.
  CHECK(model.price(t::prefill_batch(8192, 0)).time_s_of(Operator::gemm) ==
        doctest::Approx(kPrefillGemmFlops / (4500e12 * 0.7)).epsilon(1e-12));
  // One decode token: the layer weights at 0.78125 bytes each plus the 16-bit activations.
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).hbm_bytes ==
        doctest::Approx(kLayerParams * 0.78125 + 4'456'448.0));
  // The LM head stays 16-bit (Quark's exclude ["lm_head"]): 128,256 x 4,096 x 2 + activations.
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::lm_head).hbm_bytes ==
        doctest::Approx(1'050'673'152.0 + 264'704.0));
}

TEST_CASE("mxfp6 on an MI355X: the GEMMs at the fp6 peak, which CDNA4 runs at its FP4 rate") {
  const StepTimeModel amd(t::llama_3_1_8b(), mi355x(), t::weights(DType::mxfp6), t::tp(1));
  CHECK(amd.peak_flops_per_s_group() == doctest::Approx(10100e12));
  CHECK(amd.price(t::prefill_batch(8192, 0)).time_s_of(Operator::gemm) ==
        doctest::Approx(kPrefillGemmFlops / (10100e12 * 0.7)).epsilon(1e-12));
}
