// Weight-only GEMMs (W4A16, W8A16, MXFP4 experts on Hopper) pay their weights' conversion on
// the non-tensor ALUs once per token tile (hw/weight_dequant.h); MoE FLOPs are padded to the
// grouped GEMM's tiles (hw/grouped_gemm.h).
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "hw/grouped_gemm.h"
#include "hw/iteration_work_model.h"
#include "hw/step_time_model.h"
#include "hw/weight_dequant.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::Operator;
using llmsim::hw::Precision;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

Precision weights(DType dtype) {
  Precision p;
  p.weights = dtype;
  return p;
}

/// B200-like: fp8 and fp4 peaks (MXFP4 experts run W4A8 natively).
llmsim::hw::HardwareSpec blackwell() {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.id = "b200";
  hw.peak.bf16_flops_per_s = 2250e12;
  hw.peak.fp8_flops_per_s = 4500e12;
  hw.peak.fp4_flops_per_s = 9000e12;
  hw.peak.fp32_flops_per_s = 75e12;
  return hw;
}

// Llama-3.1-8B layers: 32 x 218,112,000 parameters (step_time_precision_test.cpp).
constexpr double kLayerParams = 32.0 * 218'112'000.0;
// H100 fixture: 67 TFLOP/s fp32 -> 33.5e12 lane instructions per second.
constexpr double kH100Alu = 33.5e12;

llmsim::core::ModelSpec mxfp4_mixtral() {
  llmsim::core::ModelSpec moe = t::mixtral_8x7b();
  moe.expert_bytes_per_weight = llmsim::core::bytes_per_element(DType::mxfp4);
  return moe;
}

}  // namespace

TEST_CASE("which weights a GPU dequantises in software") {
  using llmsim::hw::software_dequant;
  const auto llama = t::llama_3_1_8b();
  CHECK_FALSE(software_dequant(t::h100_sxm(), llama, t::bf16()).any());
  CHECK_FALSE(software_dequant(t::h100_sxm(), llama, weights(DType::fp8)).any());  // W8A8
  CHECK(software_dequant(t::a100_sxm(), llama, weights(DType::fp8)).dense_per_weight == 1.625);  // FP8 Marlin
  CHECK(software_dequant(t::h100_sxm(), llama, weights(DType::int4)).dense_per_weight == 1.625);
  CHECK(software_dequant(t::h100_sxm(), llama, weights(DType::int8)).dense_per_weight == 1.625);
  CHECK(software_dequant(t::h100_sxm(), llama, weights(DType::mxfp4)).dense_per_weight == 1.625);
  CHECK_FALSE(software_dequant(blackwell(), llama, weights(DType::mxfp4)).any());  // W4A4
  // gpt-oss-style MXFP4 experts beside bf16 attention: the experts only, and not on Blackwell.
  const auto dequant = software_dequant(t::h100_sxm(), mxfp4_mixtral(), t::bf16());
  CHECK(dequant.dense_per_weight == 0.0);
  CHECK(dequant.expert_per_weight == 1.625);
  CHECK_FALSE(software_dequant(blackwell(), mxfp4_mixtral(), t::bf16()).any());
}

TEST_CASE("int4 weights on an H100: 1.625 instructions per weight per 64-row tile") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), weights(DType::int4), t::tp(1));
  const StepTimeModel bf16(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  // One decode token: one tile; 100 tokens: ceil(100 / 64) = 2 tiles; 8192: 128 tiles.
  CHECK(work_of(model.work(t::decode_batch(1, 127)), Operator::gemm).alu_instructions ==
        doctest::Approx(1.625 * kLayerParams));
  CHECK(work_of(model.work(t::decode_batch(100, 127)), Operator::gemm).alu_instructions ==
        doctest::Approx(2.0 * 1.625 * kLayerParams));
  // bf16 weights convert nothing.
  CHECK(work_of(bf16.work(t::decode_batch(100, 127)), Operator::gemm).alu_instructions == 0.0);
  // Priced on the compute side beside the MMAs (test efficiencies: gemm compute 0.7, roofline
  // exponent 0 = max(compute, memory)): an 8192-token prefill is compute-bound.
  const auto prefill = t::prefill_batch(8192, 0);
  const double mma_s = 2.0 * 8192.0 * kLayerParams / (989.4e12 * 0.7);
  const double dequant_s = 128.0 * 1.625 * kLayerParams / kH100Alu;
  CHECK(model.price(prefill).time_s_of(Operator::gemm) == doctest::Approx(mma_s + dequant_s).epsilon(1e-9));
  CHECK(bf16.price(prefill).time_s_of(Operator::gemm) == doctest::Approx(mma_s).epsilon(1e-9));
}

TEST_CASE("a weight-only deployment on a GPU without an fp32 peak is an input error") {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.peak.fp32_flops_per_s.reset();
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), hw, weights(DType::int4), t::tp(1)), llmsim::core::InputError);
  CHECK_NOTHROW(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)));
}

TEST_CASE("MoE GEMM FLOPs: the routed experts' rows padded to whole tiles") {
  // Mixtral-8x7B (8 experts, top-2): one expert of one layer 3 x 4096 x 14336 parameters.
  const auto moe = t::mixtral_8x7b();
  const auto params = llmsim::core::count_parameters(moe);
  const llmsim::hw::IterationWorkModel work(moe, params, t::bf16(), t::tp(1));
  const double expert = 3.0 * 4096.0 * 14336.0;
  const double dense_per_token = 2.0 * 32.0 * (params.per_layer_active - 2.0 * expert);
  const double per_row = 2.0 * 32.0 * expert;
  // One token: 2 rows, in 2 tiles of 16 rows: 32 rows of expert FLOPs (16x the 2 useful).
  llmsim::hw::BatchShape one = t::decode_batch(1, 10);
  CHECK(work_of(work.items(one), Operator::gemm).flops == doctest::Approx(dense_per_token + 32.0 * per_row));
  // 4096 tokens: 1024 rows per expert, 128-row tiles, 8 experts: padded rows from the
  // tiling, at most one tile per expert over the 8192 routed rows.
  const auto prefill = t::prefill_batch(4096, 0);
  const double rows = llmsim::hw::moe_tiling(8, 2, 4096).rows;
  CHECK(rows >= 8192.0);
  CHECK(rows <= 8192.0 + 8.0 * 128.0);
  CHECK(work_of(work.items(prefill), Operator::gemm).flops ==
        doctest::Approx(4096.0 * dense_per_token + rows * per_row));
  // Weight bytes are unchanged: the distinct experts' weights, read once.
  CHECK(work_of(work.items(one), Operator::gemm).alu_instructions == 0.0);
}

TEST_CASE("MXFP4 experts on an H100 dequantise each expert once per M tile; on Blackwell not at all") {
  const auto moe = mxfp4_mixtral();
  const auto params = llmsim::core::count_parameters(moe);
  const llmsim::hw::IterationWorkModel hopper(moe, params, t::bf16(), t::tp(1),
                                              0, llmsim::hw::software_dequant(t::h100_sxm(), moe, t::bf16()));
  const double expert = 3.0 * 4096.0 * 14336.0;
  for (const double tokens : {1.0, 64.0, 4096.0}) {
    CAPTURE(tokens);
    const double tiles = llmsim::hw::moe_tiling(8, 2, tokens).tiles;
    const auto batch = t::prefill_batch(static_cast<std::int64_t>(tokens), 0);
    CHECK(work_of(hopper.items(batch), Operator::gemm).alu_instructions ==
          doctest::Approx(1.625 * 32.0 * expert * tiles));
  }
  const StepTimeModel on_blackwell(moe, blackwell(), t::bf16(), t::tp(1));
  CHECK(work_of(on_blackwell.work(t::prefill_batch(64, 0)), Operator::gemm).alu_instructions == 0.0);
  // The step-time model of the H100 prices them: an MXFP4-expert decode step costs more
  // than the same step with its instructions left out.
  const StepTimeModel on_hopper(moe, t::h100_sxm(), t::bf16(), t::tp(1));
  const auto decode = t::decode_batch(256, 1000);
  const auto items = on_hopper.work(decode);
  const double instructions = work_of(items, Operator::gemm).alu_instructions;
  CHECK(instructions > 0.0);
  const double flops_s = work_of(items, Operator::gemm).flops / (989.4e12 * 0.7);
  const double memory_s = work_of(items, Operator::gemm).hbm_bytes / (3.35e12 * 0.8);
  CHECK(on_hopper.price(decode).time_s_of(Operator::gemm) ==
        doctest::Approx(std::max(flops_s + instructions / kH100Alu, memory_s)).epsilon(1e-9));
}
