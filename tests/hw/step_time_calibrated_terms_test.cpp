// The step-time terms that calibration added: per-kernel fixed times, the rounded
// roofline, the elementwise efficiency and the decode per-block cost.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>

#include "hw/static_batch.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::Operator;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

double op_s(const StepCost& cost, Operator op) { return cost.time_s_of(op); }

}  // namespace

TEST_CASE("kernel latencies add once per kernel of each class") {
  auto plain = t::h100_sxm();
  auto floored = t::h100_sxm();
  floored.efficiency[Operator::gemm].latency_s = 5e-6;
  floored.efficiency[Operator::lm_head].latency_s = 5e-6;
  floored.efficiency[Operator::elementwise].latency_s = 2e-6;
  floored.efficiency[Operator::attention_decode].latency_s = 8e-6;
  const auto batch = t::decode_batch(1, 127);
  const StepCost base = StepTimeModel(t::llama_3_1_8b(), plain, t::bf16(), t::tp(1)).price(batch);
  const StepCost cost = StepTimeModel(t::llama_3_1_8b(), floored, t::bf16(), t::tp(1)).price(batch);
  // 32 layers x 4 GEMMs x 5 us; LM head 1 x 5 us; 32 x 4 elementwise x 2 us; 32 x 8 us.
  CHECK(op_s(cost, Operator::gemm) - op_s(base, Operator::gemm) == doctest::Approx(640e-6));
  CHECK(op_s(cost, Operator::lm_head) - op_s(base, Operator::lm_head) == doctest::Approx(5e-6));
  CHECK(op_s(cost, Operator::elementwise) - op_s(base, Operator::elementwise) ==
        doctest::Approx(256e-6));
  CHECK(op_s(cost, Operator::attention_decode) - op_s(base, Operator::attention_decode) ==
        doctest::Approx(256e-6));
  CHECK(op_s(cost, Operator::attention_prefill) == 0.0);  // no prefill kernel launched
}

TEST_CASE("decode attention pays its per-block cost per sequence, KV head and layer") {
  auto hw = t::h100_sxm();
  hw.efficiency[Operator::attention_decode].per_block_s = 30e-9;
  const auto with = StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(2)).price(t::decode_batch(10, 99));
  const auto without =
      StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2)).price(t::decode_batch(10, 99));
  // GQA kernels give a thread block to each (sequence, KV head): 10 sequences x 4 KV heads
  // per GPU (8 / 2) x 32 layers x 30 ns = 38.4 us (a quarter of the 16 query heads' count).
  CHECK(op_s(with, Operator::attention_decode) - op_s(without, Operator::attention_decode) ==
        doctest::Approx(38.4e-6));
}

TEST_CASE("the rounded roofline prices a GEMM at the ridge above the hard maximum") {
  auto hard = t::h100_sxm();
  auto rounded = t::h100_sxm();
  rounded.efficiency.roofline_exponent = 2.0;
  // A 400-token bf16 batch sits near the GEMM ridge (T x HBM / peak is about 1.4 tokens
  // per weight byte pair): compute and memory time are of the same order, so the rounded
  // sqrt(c^2 + m^2) is clearly above max(c, m).
  llmsim::hw::BatchShape batch;
  batch.prefill_seqs = 1;
  batch.prefill_tokens = 400;
  batch.prefill_attention_pairs = 400.0 * 401.0 / 2.0;
  batch.prefill_kv_tokens = 400;
  const auto model_hard = StepTimeModel(t::llama_3_1_8b(), hard, t::bf16(), t::tp(1));
  const auto work = model_hard.work(batch);
  const double c = work_of(work, Operator::gemm).flops / (989.4e12 * 0.7);
  const double m = work_of(work, Operator::gemm).hbm_bytes / (3.35e12 * 0.8);
  const auto cost_hard = model_hard.price(batch);
  const auto cost_rounded = StepTimeModel(t::llama_3_1_8b(), rounded, t::bf16(), t::tp(1)).price(batch);
  CHECK(op_s(cost_hard, Operator::gemm) == doctest::Approx(std::max(c, m)));
  CHECK(op_s(cost_rounded, Operator::gemm) == doctest::Approx(std::sqrt(c * c + m * m)));
}

TEST_CASE("elementwise traffic runs at its own bandwidth efficiency") {
  auto hw = t::h100_sxm();
  hw.efficiency[Operator::elementwise].bandwidth = 0.4;  // half the 0.8 of the fixture
  const auto slow = StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)).price(t::decode_batch(1, 127));
  const auto fast =
      StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1)).price(t::decode_batch(1, 127));
  CHECK(op_s(slow, Operator::elementwise) == doctest::Approx(2.0 * op_s(fast, Operator::elementwise)));
  CHECK(op_s(slow, Operator::gemm) == op_s(fast, Operator::gemm));
}

TEST_CASE("a static batch is one prefill plus osl minus one decode steps of growing context") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const auto times = llmsim::hw::price_static_batch(model, 4, 100, 3);
  const auto prefill = t::prefill_batch(100, 0);
  llmsim::hw::BatchShape four_prefills;
  four_prefills.prefill_seqs = 4;
  four_prefills.prefill_tokens = 400;
  four_prefills.prefill_attention_pairs = 4.0 * prefill.prefill_attention_pairs;
  four_prefills.prefill_kv_tokens = 400;
  four_prefills.sampled_seqs = 4;
  const double step1 = model.price(t::decode_batch(4, 100)).time_s;  // 100 cached, 101 keys
  const double step2 = model.price(t::decode_batch(4, 101)).time_s;
  CHECK(times.prefill_s == doctest::Approx(model.price(four_prefills).time_s));
  CHECK(times.decode_s == doctest::Approx(step1 + step2));
  CHECK(times.median_decode_step_s == doctest::Approx(step2));
  CHECK(times.output_tokens_per_s == doctest::Approx(12.0 / (times.prefill_s + step1 + step2)));
}

TEST_CASE("out-of-range calibration fields are rejected as input errors") {
  auto hw = t::h100_sxm();
  hw.efficiency.roofline_exponent = 0.5;
  CHECK_THROWS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)));
  hw = t::h100_sxm();
  hw.efficiency[Operator::gemm].latency_s = -1e-6;
  CHECK_THROWS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)));
  hw = t::h100_sxm();
  hw.efficiency[Operator::elementwise].bandwidth = 0.0;
  CHECK_THROWS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)));
}
