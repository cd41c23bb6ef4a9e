#include "hw/memoised_step_pricer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::HardwareSpec;
using llmsim::hw::MemoisedStepPricer;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
using llmsim::hw::StepTotals;
namespace t = llmsim::hw::test;

/// Every total equal, doubles compared with == (bit for bit but for the sign of 0).
void check_identical_totals(const StepTotals& memoised, const StepTotals& reference) {
  CHECK(memoised.time_s == reference.time_s);
  CHECK(memoised.flops == reference.flops);
  CHECK(memoised.hbm_bytes == reference.hbm_bytes);
  CHECK(memoised.bound == reference.bound);
}

/// The totals and every per-class time equal, compared as check_identical_totals does.
void check_identical(const StepCost& memoised, const StepCost& reference) {
  check_identical_totals(memoised, reference);
  for (std::size_t op = 0; op < memoised.op_time_s.size(); ++op) {
    CHECK(memoised.op_time_s[op] == reference.op_time_s[op]);
  }
}

/// The H100 with every fixed time non-zero and the rounded roofline of `exponent`, so
/// the kernel counts and the roofline's both sides show in the price.
HardwareSpec h100_with_kernel_times(double exponent) {
  HardwareSpec hw = t::h100_sxm();
  hw.efficiency.roofline_exponent = exponent;
  hw.efficiency.per_layer_overhead_s = 3e-6;
  hw.efficiency.gemm_kernel_latency_s = 4e-6;
  hw.efficiency.elementwise_kernel_latency_s = 2e-6;
  hw.efficiency.attention_prefill_kernel_latency_s = 5e-6;
  hw.efficiency.attention_decode_kernel_latency_s = 6e-6;
  hw.efficiency.attention_decode_per_seq_head_s = 1e-8;
  return hw;
}

enum class Mix { prefill_only, decode_only, mixed };

/// A batch of random sequences as a replica builds it: prefill chunks of 1 to
/// `max_chunk` tokens on up to 8,192 cached ones, decode sequences on up to 32,768, each
/// sequence sampling or not at random. Never empty.
BatchShape random_batch(std::mt19937_64& rng, Mix mix, std::int64_t max_chunk) {
  BatchShape b;
  const auto count = [&rng](std::uint64_t most) { return static_cast<std::int64_t>(rng() % most); };
  const auto sample = [&rng, &b] {
    if (rng() % 4 != 0) ++b.sampled_seqs;
  };
  if (mix != Mix::decode_only) {
    for (std::int64_t i = 1 + count(4); i > 0; --i) {
      const auto s = static_cast<double>(1 + count(static_cast<std::uint64_t>(max_chunk)));
      const auto c = static_cast<double>(count(8193));
      ++b.prefill_seqs;
      b.prefill_tokens += static_cast<std::int64_t>(s);
      b.prefill_attention_pairs += s * c + s * (s + 1.0) / 2.0;
      b.prefill_kv_tokens += c + s;
      sample();
    }
  }
  if (mix != Mix::prefill_only) {
    for (std::int64_t i = 1 + count(256); i > 0; --i) {
      ++b.decode_seqs;
      b.decode_kv_tokens += static_cast<double>(count(32769)) + 1.0;
      sample();
    }
  }
  return b;
}

/// Prices `batches` random batches of every mix through one memoised pricer, with price()
/// and price_totals() (each of them first for half the batches, so that both meet tables
/// that do not hold the batch's terms yet), and checks each against the reference.
void check_random_batches(const StepTimeModel& model, std::uint64_t seed, int batches) {
  MemoisedStepPricer memoised(model);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < batches; ++i) {
    const Mix mix = static_cast<Mix>(i % 3);
    const BatchShape batch = random_batch(rng, mix, 2048);
    CAPTURE(i);
    const StepCost reference = model.price(batch);
    if (i % 2 == 0) {
      check_identical(memoised.price(batch), reference);
      check_identical_totals(memoised.price_totals(batch), reference);
    } else {
      check_identical_totals(memoised.price_totals(batch), reference);
      check_identical(memoised.price(batch), reference);
    }
  }
}

}  // namespace

TEST_CASE("memoised prices equal the step-time model's bit for bit on random dense batches") {
  for (const int tp : {1, 2, 4, 16}) {
    CAPTURE(tp);
    check_random_batches(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(tp)), 1, 300);
    check_random_batches(
        StepTimeModel(t::llama_3_1_8b(), h100_with_kernel_times(2.0), t::bf16(), t::tp(tp)), 2, 300);
  }
}

TEST_CASE("memoised prices equal the step-time model's bit for bit on random MoE batches") {
  for (const int tp : {1, 2, 8}) {
    CAPTURE(tp);
    check_random_batches(StepTimeModel(t::mixtral_8x7b(), t::h100_sxm(), t::bf16(), t::tp(tp)), 3, 300);
    check_random_batches(
        StepTimeModel(t::mixtral_8x7b(), h100_with_kernel_times(3.0), t::fp8_weights(), t::tp(tp)), 4,
        300);
  }
}

TEST_CASE("memoised prices stay exact when quantised weights split the GEMM and LM head peaks") {
  check_random_batches(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::fp8_weights(), t::tp(2)), 5,
                       300);
  check_random_batches(StepTimeModel(t::llama_3_1_8b(), t::a100_sxm(), t::fp8_weights(), t::tp(1)), 6,
                       300);
}

TEST_CASE("a batch whose token count was priced before reuses its terms and stays exact") {
  const StepTimeModel model(t::mixtral_8x7b(), h100_with_kernel_times(2.0), t::bf16(), t::tp(2));
  MemoisedStepPricer memoised(model);
  // T = 64 in every batch, over different attention sums: the token terms stored for the
  // first price all the others, and in the second round every lookup hits.
  const std::vector<BatchShape> batches = {t::decode_batch(64, 100), t::decode_batch(64, 5000),
                                           t::prefill_batch(64, 0), t::prefill_batch(64, 9000)};
  for (int round = 0; round < 2; ++round) {
    for (const BatchShape& batch : batches) {
      check_identical(memoised.price(batch), model.price(batch));
    }
  }
}

TEST_CASE("token and sampled counts past the tables are priced directly and stay exact") {
  const StepTimeModel model(t::llama_3_1_8b(), h100_with_kernel_times(2.0), t::bf16(), t::tp(4));
  MemoisedStepPricer memoised(model);
  const auto cap = static_cast<std::int64_t>(MemoisedStepPricer::kTableEntries);
  for (const std::int64_t tokens : {cap - 1, cap, cap + 1, 4 * cap}) {
    CAPTURE(tokens);
    const BatchShape prefill = t::prefill_batch(tokens, 1000);
    check_identical(memoised.price(prefill), model.price(prefill));
    const BatchShape decode = t::decode_batch(tokens, 10);  // samples `tokens` rows too
    check_identical(memoised.price(decode), model.price(decode));
  }
}

TEST_CASE("a batch with no row sampling has no LM head cost in either pricer") {
  const StepTimeModel model(t::llama_3_1_8b(), h100_with_kernel_times(0.0), t::bf16(), t::tp(1));
  MemoisedStepPricer memoised(model);
  BatchShape chunk = t::prefill_batch(512, 0);
  chunk.sampled_seqs = 0;  // a prompt chunk that does not finish its prompt
  const StepCost cost = memoised.price(chunk);
  check_identical(cost, model.price(chunk));
  CHECK(cost.op_time_s[static_cast<std::size_t>(llmsim::hw::OpClass::lm_head)] == 0.0);
}

TEST_CASE("an empty batch costs nothing through the memoised pricer") {
  MemoisedStepPricer memoised(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1)));
  const StepCost cost = memoised.price(BatchShape{});
  CHECK(cost.time_s == 0.0);
  CHECK(cost.flops == 0.0);
  CHECK(cost.hbm_bytes == 0.0);
}
