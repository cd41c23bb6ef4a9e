#include <doctest/doctest.h>

#include <cstddef>

#include "core/input_error.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::Operator;
using llmsim::hw::Precision;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

double op_s(const StepCost& cost, Operator op) { return cost.time_s_of(op); }

// Llama-3.1-8B layers: 32 x 218,112,000 parameters; one decode token's GEMM activations
// 4,456,448 bytes and its LM head rows 264,704 bytes (bf16, see step_time_model_test.cpp).
constexpr double kLayerParams = 32.0 * 218'112'000.0;
constexpr double kPrefillGemmFlops = 2.0 * 8192.0 * kLayerParams;

}  // namespace

TEST_CASE("fp8 weights halve the GEMM weight bytes but not the 16-bit LM head") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::fp8_weights(), t::tp(1));
  const auto work = model.work(t::decode_batch(1, 127));
  CHECK(work_of(work, Operator::gemm).hbm_bytes == doctest::Approx(kLayerParams * 1.0 + 4'456'448.0));
  // vLLM leaves lm_head unquantised: 128,256 x 4,096 x 2 bytes.
  CHECK(work_of(work, Operator::lm_head).hbm_bytes == doctest::Approx(1'050'673'152.0 + 264'704.0));
}

TEST_CASE("fp8 weights run the GEMMs at the fp8 peak on an H100") {
  const StepTimeModel fp8(t::llama_3_1_8b(), t::h100_sxm(), t::fp8_weights(), t::tp(1));
  const StepTimeModel bf16(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const auto batch = t::prefill_batch(8192, 0);
  CHECK(op_s(fp8.price(batch), Operator::gemm) ==
        doctest::Approx(kPrefillGemmFlops / (1978.9e12 * 0.7)).epsilon(1e-12));
  // Attention stays at the 16-bit peak.
  CHECK(op_s(fp8.price(batch), Operator::attention_prefill) ==
        doctest::Approx(op_s(bf16.price(batch), Operator::attention_prefill)));
  CHECK(fp8.peak_flops_per_s_group() == doctest::Approx(1978.9e12));
  CHECK(bf16.peak_flops_per_s_group() == doctest::Approx(989.4e12));
}

TEST_CASE("fp8 weights on an A100 are weight-only and compute at the bf16 peak") {
  const StepTimeModel model(t::llama_3_1_8b(), t::a100_sxm(), t::fp8_weights(), t::tp(1));
  CHECK(model.peak_flops_per_s_group() == doctest::Approx(312e12));
  // Plus the weights' conversion (hw/weight_dequant.h): 1.625 instructions per weight in each
  // of the 8192 / 64 = 128 token tiles, at 19.5 / 2 = 9.75e12 instructions per second.
  CHECK(op_s(model.price(t::prefill_batch(8192, 0)), Operator::gemm) ==
        doctest::Approx(kPrefillGemmFlops / (312e12 * 0.7) + 128.0 * 1.625 * kLayerParams / 9.75e12).epsilon(1e-12));
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).hbm_bytes ==
        doctest::Approx(kLayerParams * 1.0 + 4'456'448.0));
}

TEST_CASE("int4 weights read a quarter of the bf16 weight bytes and compute at bf16") {
  Precision int4;
  int4.weights = DType::int4;
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), int4, t::tp(1));
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).hbm_bytes ==
        doctest::Approx(kLayerParams * 0.5 + 4'456'448.0));
  CHECK(model.peak_flops_per_s_group() == doctest::Approx(989.4e12));
}

TEST_CASE("an fp8 KV cache halves the decode KV read") {
  Precision fp8_kv;
  fp8_kv.kv_cache = DType::fp8;
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), fp8_kv, t::tp(1));
  // 2 x 32 x 8 x 128 x 1 byte = 65,536 bytes per token, 1,001 keys
  CHECK(work_of(model.work(t::decode_batch(1, 1000)), Operator::attention_decode).hbm_bytes ==
        doctest::Approx(1001.0 * 65536.0));
}

TEST_CASE("a GPU without a peak for the compute dtype is an input error") {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.peak.bf16_flops_per_s.reset();
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)), llmsim::core::InputError);
  Precision fp32;
  fp32.weights = DType::fp32;
  llmsim::hw::HardwareSpec no_fp32 = t::h100_sxm();
  no_fp32.peak.fp32_flops_per_s.reset();
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), no_fp32, fp32, t::tp(1)), llmsim::core::InputError);
}
