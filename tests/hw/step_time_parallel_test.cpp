#include <doctest/doctest.h>

#include <cstddef>

#include "core/input_error.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::Operator;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

double op_s(const StepCost& cost, Operator op) { return cost.time_s_of(op); }

constexpr double kMemoryBps = 3.35e12 * 0.8;
constexpr double kDecodeBps = 3.35e12 * 0.6;

}  // namespace

TEST_CASE("two-way tensor parallelism about halves GEMM time and adds all-reduce time") {
  const StepTimeModel one(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepTimeModel two(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2));
  const auto batch = t::decode_batch(1, 127);
  const StepCost c1 = one.price(batch);
  const StepCost c2 = two.price(batch);
  // Per GPU: half of 13,959,168,000 weight bytes, plus activations 4h + (2q + 2kv + 3I)/2
  // = 16,384 + 4,096 + 1,024 + 21,504 = 43,008 elements x 2 bytes x 32 layers = 2,752,512.
  CHECK(op_s(c2, Operator::gemm) ==
        doctest::Approx((6'979'584'000.0 + 2'752'512.0) / kMemoryBps).epsilon(1e-12));
  CHECK(op_s(c2, Operator::gemm) / op_s(c1, Operator::gemm) == doctest::Approx(0.5).epsilon(1e-3));
  // Each GPU holds 4 of the 8 KV heads: 128 keys x 65,536 bytes.
  CHECK(op_s(c2, Operator::attention_decode) ==
        doctest::Approx(128.0 * 65536.0 / kDecodeBps).epsilon(1e-12));
  // 2 x 32 + 1 (embedding) all-reduces of 1 token x 4,096 x 2 bytes = 8,192 bytes, each
  // 10 us + 2(2-1)/2 x 8,192 / (450e9 x 0.7) s.
  CHECK(op_s(c2, Operator::allreduce) ==
        doctest::Approx(65.0 * (10e-6 + 8192.0 / (450e9 * 0.7))).epsilon(1e-12));
  CHECK(op_s(c1, Operator::allreduce) == 0.0);
  CHECK(c2.time_s < c1.time_s);
}

TEST_CASE("all-reduce time grows with the tokens it carries") {
  const StepTimeModel four(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(4));
  // 8,192 tokens x 4,096 x 2 bytes = 67,108,864 bytes per all-reduce, of which a ring
  // moves 2 x 3/4 over each link at 315e9 B/s: 65 x (10 us + 319.6 us) = 21.4 ms.
  CHECK(op_s(four.price(t::prefill_batch(8192, 0)), Operator::allreduce) ==
        doctest::Approx(65.0 * (10e-6 + 1.5 * 67'108'864.0 / (450e9 * 0.7))).epsilon(1e-12));
}

TEST_CASE("group FLOPs and peaks are summed over the tensor-parallel GPUs") {
  const StepTimeModel one(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepTimeModel two(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2));
  const auto batch = t::decode_batch(16, 500);
  // Sharding splits the FLOPs, it does not add any (8 KV heads divide over 2 GPUs).
  CHECK(two.price(batch).flops == doctest::Approx(one.price(batch).flops).epsilon(1e-12));
  // Each GPU reads the full hidden vector into its GEMMs, so bytes grow a little.
  CHECK(two.price(batch).hbm_bytes > one.price(batch).hbm_bytes);
  CHECK(two.peak_flops_per_s_group() == doctest::Approx(2.0 * 989.4e12));
  CHECK(two.hbm_bandwidth_group() == doctest::Approx(2.0 * 3.35e12));
  CHECK(two.parallelism().tensor_parallel == 2);
}

TEST_CASE("tensor parallelism beyond the KV heads replicates them") {
  const StepTimeModel sixteen(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(16));
  const auto work = sixteen.work(t::decode_batch(1, 127));
  // One of the 8 KV heads per GPU: 131,072 / 8 = 16,384 bytes per token, not / 16.
  CHECK(work_of(work, Operator::attention_decode).hbm_bytes == doctest::Approx(128.0 * 16384.0));
  // Query heads still split 16 ways: 4 x 32 x (4,096 / 16) x 128 keys.
  CHECK(work_of(work, Operator::attention_decode).flops == doctest::Approx(4.0 * 32.0 * 256.0 * 128.0));
  // Layer params on a GPU: (218,112,000 - 8,388,608 K/V) / 16 + one K and V head
  // 2 x 128 x 4,096 = 13,107,712 + 1,048,576 = 14,156,288; x 2 x 32 layers x 1 token.
  CHECK(work_of(work, Operator::gemm).flops == doctest::Approx(2.0 * 32.0 * 14'156'288.0));
}

TEST_CASE("a tensor-parallel size that does not split the heads is an input error") {
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(3)),
                  llmsim::core::InputError);
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(0)),
                  llmsim::core::InputError);
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(64)),
                  llmsim::core::InputError);
}

TEST_CASE("tensor parallelism without an interconnect bandwidth is an input error") {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.interconnect_bandwidth_bytes_per_s = 0.0;
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(2)), llmsim::core::InputError);
  CHECK_NOTHROW(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)));
}
