#include "hw/step_time_model.h"

#include <doctest/doctest.h>

#include <algorithm>

#include <cstddef>

#include "core/input_error.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::Bound;
using llmsim::hw::Operator;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

double op_s(const StepCost& cost, Operator op) { return cost.time_s_of(op); }

// Hand arithmetic shared by the Llama-3.1-8B cases (bf16, 2 bytes per element):
//   layer params 218,112,000 -> 32 layers x 2 bytes = 13,959,168,000 weight bytes
//   LM head 128,256 x 4,096 x 2 bytes = 1,050,673,152 bytes (the embedding is not read)
//   achieved HBM 3.35e12 x 0.8 = 2.68e12 B/s; decode attention 3.35e12 x 0.6 = 2.01e12 B/s
//   achieved GEMM 989.4e12 x 0.7 = 692.58e12 FLOP/s; attention 989.4e12 x 0.5 = 494.7e12
//   KV bytes per token 2 x 32 x 8 x 128 x 2 = 131,072
constexpr double kLayerWeightBytes = 13'959'168'000.0;
constexpr double kLmHeadWeightBytes = 1'050'673'152.0;
constexpr double kMemoryBps = 3.35e12 * 0.8;
constexpr double kDecodeBps = 3.35e12 * 0.6;
constexpr double kGemmFlops = 989.4e12 * 0.7;
constexpr double kAttentionFlops = 989.4e12 * 0.5;

}  // namespace

TEST_CASE("a lone 8B decode step costs its weight bytes over achieved bandwidth plus host time") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1),
                            llmsim::hw::HostTime{.iteration_s = 0.002, .overlapped = false});
  const StepCost cost = model.price(t::decode_batch(1, 127));
  // (13,959,168,000 + 1,050,673,152) / 2.68e12 + 0.002 = 7.6007 ms; the activation, KV
  // and logit terms add about 12 us (0.16%).
  const double expected_s = (kLayerWeightBytes + kLmHeadWeightBytes) / kMemoryBps + 0.002;
  CHECK(cost.time_s == doctest::Approx(expected_s).epsilon(0.005));
  CHECK(cost.time_s > expected_s);
  CHECK(cost.bound == Bound::memory);
  CHECK(cost.overhead_s == doctest::Approx(0.002));
  CHECK(op_s(cost, Operator::allreduce) == 0.0);
  CHECK(op_s(cost, Operator::attention_prefill) == 0.0);
}

TEST_CASE("the small terms of a lone decode step are its activations, KV read and logits") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost cost = model.price(t::decode_batch(1, 127));
  // GEMM activations per token and layer: 4h + 2q + 2kv + 3I = 16,384 + 8,192 + 2,048 +
  // 43,008 = 69,632 elements; x 2 bytes x 32 layers = 4,456,448 bytes.
  CHECK(op_s(cost, Operator::gemm) ==
        doctest::Approx((kLayerWeightBytes + 4'456'448.0) / kMemoryBps).epsilon(1e-12));
  // 128 keys x 131,072 bytes = 16,777,216 bytes at 2.01e12 B/s.
  CHECK(op_s(cost, Operator::attention_decode) ==
        doctest::Approx(16'777'216.0 / kDecodeBps).epsilon(1e-12));
  // 8h + 2(q + kv) + 3I = 32,768 + 10,240 + 43,008 = 86,016 elements x 2 x 32 = 5,505,024.
  CHECK(op_s(cost, Operator::elementwise) ==
        doctest::Approx(5'505'024.0 / kMemoryBps).epsilon(1e-12));
  // Head weights plus one row in (4,096) and 128,256 logits out, 2 bytes each = 264,704.
  CHECK(op_s(cost, Operator::lm_head) ==
        doctest::Approx((kLmHeadWeightBytes + 264'704.0) / kMemoryBps).epsilon(1e-12));
}

TEST_CASE("a lone decode step counts the FLOPs and bytes of the precise method") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost cost = model.price(t::decode_batch(1, 127));
  // 2 x 1 x 32 x 218,112,000 + 4 x 32 x 4,096 x 128 keys + 2 x 128,256 x 4,096
  CHECK(cost.flops == doctest::Approx(13'959'168'000.0 + 67'108'864.0 + 1'050'673'152.0));
  CHECK(cost.hbm_bytes == doctest::Approx(kLayerWeightBytes + 4'456'448.0 + 16'777'216.0 +
                                          5'505'024.0 + kLmHeadWeightBytes + 264'704.0));
}

TEST_CASE("an 8192-token prefill is compute bound at the GEMM and attention peaks") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost cost = model.price(t::prefill_batch(8192, 0));
  CHECK(cost.bound == Bound::compute);
  // 2 x 8,192 x 32 x 218,112,000 FLOPs at 692.58e12 FLOP/s = 165.1 ms
  CHECK(op_s(cost, Operator::gemm) ==
        doctest::Approx(2.0 * 8192.0 * 32.0 * 218'112'000.0 / kGemmFlops).epsilon(1e-12));
  // 4 x 32 x 4,096 x (8,192 x 8,193 / 2 causal pairs) at 494.7e12 FLOP/s = 35.6 ms
  CHECK(op_s(cost, Operator::attention_prefill) ==
        doctest::Approx(4.0 * 32.0 * 4096.0 * (8192.0 * 8193.0 / 2.0) / kAttentionFlops)
            .epsilon(1e-12));
  // Elementwise 8,192 x 5,505,024 bytes at 2.68e12 B/s = 16.8 ms; total about 217.9 ms.
  CHECK(cost.time_s == doctest::Approx(0.21790).epsilon(1e-3));
}

TEST_CASE("prefill time grows about linearly with tokens") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost big = model.price(t::prefill_batch(8192, 0));
  const StepCost half = model.price(t::prefill_batch(4096, 0));
  CHECK(op_s(big, Operator::gemm) / op_s(half, Operator::gemm) == doctest::Approx(2.0));
  // No host time here: (165.1 + 35.6 + 16.8 + 0.4) / (82.6 + 8.9 + 8.4 + 0.4) = 2.173; the
  // causal attention term, quadratic in tokens, is what lifts it above 2.
  const double ratio = big.time_s / half.time_s;
  CHECK(ratio == doctest::Approx(2.1734).epsilon(1e-3));
}

TEST_CASE("decode time grows with context by the extra KV read") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost short_context = model.price(t::decode_batch(1, 127));
  const StepCost long_context = model.price(t::decode_batch(1, 32767));
  // (32,768 - 128) keys x 131,072 bytes at 2.01e12 B/s = 2.128 ms more
  CHECK(long_context.time_s - short_context.time_s ==
        doctest::Approx(32640.0 * 131072.0 / kDecodeBps).epsilon(1e-9));
}

TEST_CASE("the bound flips from memory to compute as the decode batch grows") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  CHECK(model.price(t::decode_batch(1, 127)).bound == Bound::memory);
  // At 1,024 sequences the GEMMs do 2 x 1,024 FLOPs per weight, 1,024 per byte, above the
  // ridge of 692.58e12 / 2.68e12 = 258: GEMMs 20.6 ms + LM head 1.6 ms compute bound vs
  // KV read 8.5 ms + elementwise 2.1 ms memory bound.
  const StepCost big = model.price(t::decode_batch(1024, 127));
  CHECK(big.bound == Bound::compute);
  CHECK(op_s(big, Operator::gemm) ==
        doctest::Approx(2.0 * 1024.0 * 32.0 * 218'112'000.0 / kGemmFlops).epsilon(1e-12));
}

TEST_CASE("an empty batch costs nothing") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepCost cost = model.price(llmsim::hw::BatchShape{});
  CHECK(cost.time_s == 0.0);
  CHECK(cost.flops == 0.0);
  CHECK(cost.hbm_bytes == 0.0);
  CHECK(cost.items.empty());
  CHECK(cost.overhead_s == 0.0);
}

TEST_CASE("fixed overheads add once per iteration and once per layer") {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.efficiency.per_layer_overhead_s = 5e-6;
  const llmsim::hw::HostTime host{.iteration_s = 0.002, .overlapped = false};
  const StepTimeModel with_layer_cost(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1), host);
  const StepTimeModel without(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1), host);
  const auto batch = t::decode_batch(8, 1000);
  // 0.002 + 32 layers x 5 us = 2.16 ms
  CHECK(with_layer_cost.price(batch).overhead_s == doctest::Approx(0.00216));
  CHECK(with_layer_cost.price(batch).time_s - without.price(batch).time_s ==
        doctest::Approx(32.0 * 5e-6));
}

TEST_CASE("overlapped host time hides behind a longer GPU step and binds a shorter one") {
  using llmsim::hw::HostTime;
  const auto batch = t::decode_batch(1, 127);
  const double gpu_s = StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1)).price(batch).time_s;
  REQUIRE(gpu_s > 0.005);  // about 5.6 ms of weight reads
  const auto priced = [&](HostTime host) {
    return StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1), host).price(batch);
  };
  // Async scheduling: 2 ms of CPU work runs beside the GPU's 5.6 ms: the step is the GPU's.
  CHECK(priced(HostTime{.iteration_s = 0.002, .overlapped = true}).time_s == gpu_s);
  CHECK(priced(HostTime{.iteration_s = 0.002, .overlapped = true}).overhead_s == 0.0);
  // 9 ms of CPU work is longer than the GPU step: the CPU sets the pace.
  CHECK(priced(HostTime{.iteration_s = 0.009, .overlapped = true}).time_s == 0.009);
  // Taking turns (vLLM V0): the two add up.
  CHECK(priced(HostTime{.iteration_s = 0.002, .overlapped = false}).time_s == doctest::Approx(gpu_s + 0.002));
}

TEST_CASE("per-sequence host time grows with the sequences in the iteration") {
  using llmsim::hw::HostTime;
  const HostTime host{.iteration_s = 0.001, .per_seq_s = 100e-6, .overlapped = false};
  const StepTimeModel gpu_only(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const StepTimeModel with_host(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1), host);
  // 64 decoding sequences: 1 ms + 64 x 100 us = 7.4 ms of CPU work on top of the GPU's.
  const auto decode = t::decode_batch(64, 64 * 500);
  CHECK(with_host.price(decode).time_s == doctest::Approx(gpu_only.price(decode).time_s + 0.0074));
  // A prefill of 2 sequences counts them too: 1 ms + 2 x 100 us.
  auto prefill = t::prefill_batch(1024, 0);
  prefill.prefill_seqs = 2;
  CHECK(with_host.price(prefill).time_s == doctest::Approx(gpu_only.price(prefill).time_s + 0.0012));
  // Overlapped, 64 sequences' 7.4 ms hide behind a longer GPU step only.
  const HostTime overlapped{.iteration_s = 0.001, .per_seq_s = 100e-6, .overlapped = true};
  const StepTimeModel hidden(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1), overlapped);
  CHECK(hidden.price(decode).time_s == std::max(gpu_only.price(decode).time_s, 0.0074));
}

TEST_CASE("operators have snake_case names that find them") {
  CHECK(llmsim::hw::to_string(Operator::gemm) == "gemm");
  CHECK(llmsim::hw::to_string(Operator::attention_decode) == "attention_decode");
  CHECK(llmsim::hw::to_string(Operator::allreduce) == "allreduce");
  for (const llmsim::hw::OperatorInfo& info : llmsim::hw::kOperators) {
    CHECK(llmsim::hw::operator_named(info.name) == info.op);
  }
  CHECK_FALSE(llmsim::hw::operator_named("overhead").has_value());
}

TEST_CASE("out-of-range efficiencies are rejected as input errors") {
  llmsim::hw::HardwareSpec hw = t::h100_sxm();
  hw.efficiency[Operator::gemm].bandwidth = 1.5;
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)), llmsim::core::InputError);
  hw = t::h100_sxm();
  hw.hbm_bandwidth_bytes_per_s = 0.0;
  CHECK_THROWS_AS(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)), llmsim::core::InputError);
}
