// The one pricing loop against the bbfc3bb formulas (tests/hw/reference_pricing.h), bit for
// bit, over random batches of every mix and deployments that exercise every term: the
// sums' order and each item's time are what golden runs pin.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "tests/hw/reference_pricing.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::Bound;
using llmsim::hw::HardwareSpec;
using llmsim::hw::Operator;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

/// The H100 as the shipped preset prices it (configs/hardware/h100-sxm.yaml, calibrated
/// with roofline_exponent 2), with `exponent` instead.
HardwareSpec h100_calibrated(double exponent) {
  HardwareSpec hw = t::h100_sxm();
  llmsim::hw::Efficiencies& e = hw.efficiency;
  e[Operator::gemm] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::attention_prefill] = {0.2237, 0.8718, 72.28e-6, 0.0};
  e[Operator::attention_decode] = {0.2237, 0.9290, 8.54e-6, 31.21e-9};
  e[Operator::elementwise] = {1.0, 0.6311, 2.11e-6, 0.0};
  e[Operator::lm_head] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::allreduce] = {1.0, 0.7196, 22.59e-6, 0.0};
  e.per_layer_overhead_s = 0.0;
  e.roofline_exponent = exponent;
  return hw;
}

/// The test H100 with every fixed time non-zero (per layer too) and the roofline of
/// `exponent`, so the kernel counts and both sides of the roofline show in the price.
HardwareSpec h100_with_kernel_times(double exponent) {
  HardwareSpec hw = t::h100_sxm();
  llmsim::hw::Efficiencies& e = hw.efficiency;
  e.roofline_exponent = exponent;
  e.per_layer_overhead_s = 3e-6;
  e[Operator::gemm].latency_s = 4e-6;
  e[Operator::lm_head].latency_s = 4e-6;
  e[Operator::elementwise].latency_s = 2e-6;
  e[Operator::attention_prefill].latency_s = 5e-6;
  e[Operator::attention_decode].latency_s = 6e-6;
  e[Operator::attention_decode].per_block_s = 1e-8;
  return hw;
}

enum class Mix { prefill_only, decode_only, mixed };

/// A batch of random sequences as a replica builds it: prefill chunks of 1 to 2,048 tokens
/// on up to 8,192 cached ones, decode sequences on up to 32,768, each sampling or not at
/// random (every decode sequence samples in a decode-only batch). Never empty.
BatchShape random_batch(std::mt19937_64& rng, Mix mix) {
  BatchShape b;
  const auto count = [&rng](std::uint64_t most) { return static_cast<std::int64_t>(rng() % most); };
  if (mix != Mix::decode_only) {
    for (std::int64_t i = 1 + count(4); i > 0; --i) {
      const auto s = static_cast<double>(1 + count(2048));
      const auto c = static_cast<double>(count(8193));
      ++b.prefill_seqs;
      b.prefill_tokens += static_cast<std::int64_t>(s);
      b.prefill_attention_pairs += s * c + s * (s + 1.0) / 2.0;
      b.prefill_kv_tokens += c + s;
      if (rng() % 4 != 0) ++b.sampled_seqs;
    }
  }
  if (mix != Mix::prefill_only) {
    for (std::int64_t i = 1 + count(256); i > 0; --i) {
      ++b.decode_seqs;
      b.decode_kv_tokens += static_cast<double>(count(32769)) + 1.0;
      if (mix == Mix::decode_only || rng() % 4 != 0) ++b.sampled_seqs;
    }
  }
  return b;
}

/// Decode-only batches of `seqs` sequences over key totals from none (and -0.0, which passes
/// the >= 0 check) through one key each to 131,072 each and past, whole and fractional.
std::vector<BatchShape> decode_sweep(std::int64_t seqs, std::mt19937_64& rng) {
  const auto b = static_cast<double>(seqs);
  std::vector<double> keys = {0.0, -0.0, 1e-300, b, b + 0.5, 2.0 * b, b * 1000.0,
                              b * 131072.0, b * 131072.0 + 0.25, 1e12, 3.0e6 + 1.0 / 3.0};
  std::uniform_real_distribution<double> per_seq(1.0, 131072.0);
  for (int i = 0; i < 8; ++i) {
    const double each = per_seq(rng);
    keys.push_back(b * each);
    keys.push_back(std::floor(b * each));
  }
  std::vector<BatchShape> batches;
  for (const double k : keys) {
    BatchShape batch = t::decode_batch(seqs, 0);
    batch.decode_kv_tokens = k;
    batches.push_back(batch);
  }
  return batches;
}

/// How often each bound came out, so a sweep can show it saw both.
struct BoundCounts {
  int compute = 0;
  int memory = 0;
};

/// Prices random batches of every mix and decode-only sweeps through `model` and checks each
/// against the reference; returns the bounds seen.
BoundCounts check_against_reference(const StepTimeModel& model, const HardwareSpec& hardware,
                                    std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double overhead_s = model.gpu_fixed_s();  // no host time: these models have none
  BoundCounts bounds;
  const auto check = [&](const BatchShape& batch) {
    const StepCost cost = model.price(batch);
    const t::ReferenceTotals reference =
        t::reference_price(model, batch, hardware.efficiency.roofline_exponent, overhead_s);
    CAPTURE(batch.prefill_tokens);
    CAPTURE(batch.decode_seqs);
    CAPTURE(batch.decode_kv_tokens);
    CHECK(t::same_bits(cost, reference));
    (cost.bound == Bound::compute ? bounds.compute : bounds.memory) += 1;
  };
  for (int i = 0; i < 240; ++i) check(random_batch(rng, static_cast<Mix>(i % 3)));
  for (const std::int64_t seqs : {1, 2, 7, 64, 255, 1024, 4096}) {
    for (const BatchShape& batch : decode_sweep(seqs, rng)) check(batch);
  }
  return bounds;
}

}  // namespace

TEST_CASE("prices equal the bbfc3bb formulas bit for bit on Llama-3.1-8B, calibrated H100") {
  for (const int tp : {1, 2, 4, 16}) {  // 16: KV heads replicated
    CAPTURE(tp);
    const HardwareSpec hw = h100_calibrated(2.0);
    const BoundCounts bounds =
        check_against_reference(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(tp)), hw, 11);
    // Large batches on short contexts are GEMM (compute) bound, long contexts memory bound.
    CHECK(bounds.compute > 0);
    CHECK(bounds.memory > 0);
  }
}

TEST_CASE("prices equal the bbfc3bb formulas bit for bit for every roofline exponent") {
  for (const double exponent : {0.0, 1.0, 2.0, 3.0}) {
    CAPTURE(exponent);
    for (const HardwareSpec& hw : {h100_calibrated(exponent), h100_with_kernel_times(exponent)}) {
      check_against_reference(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)), hw, 12);
      check_against_reference(StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(4)), hw, 13);
    }
  }
  // The test efficiencies: no kernel or per-block times, so those terms are all +0.0.
  check_against_reference(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2)),
                          t::h100_sxm(), 14);
}

TEST_CASE("prices equal the bbfc3bb formulas bit for bit on MoE and quantised weights") {
  for (const int tp : {1, 2, 8}) {
    CAPTURE(tp);
    const HardwareSpec rounded = h100_with_kernel_times(3.0);
    const HardwareSpec hard = h100_calibrated(0.0);
    check_against_reference(StepTimeModel(t::mixtral_8x7b(), rounded, t::bf16(), t::tp(tp)),
                            rounded, 16);
    check_against_reference(StepTimeModel(t::mixtral_8x7b(), hard, t::fp8_weights(), t::tp(tp)),
                            hard, 17);
  }
  // fp8 weights split the GEMM (fp8) and LM head (bf16) peaks; on an A100 they run W8A16 at
  // the bf16 peak.
  const HardwareSpec h100 = h100_calibrated(2.0);
  check_against_reference(StepTimeModel(t::llama_3_1_8b(), h100, t::fp8_weights(), t::tp(2)),
                          h100, 18);
  check_against_reference(StepTimeModel(t::llama_3_1_8b(), t::a100_sxm(), t::fp8_weights(),
                                        t::tp(1)),
                          t::a100_sxm(), 19);
}

TEST_CASE("a batch whose prefill sums are -0.0 is priced as the reference does") {
  // -0.0 passes every >= 0 check and equals 0.0: the work model leaves out the prefill
  // item, where the reference added its -0.0 FLOPs into the sums.
  const HardwareSpec hw = h100_calibrated(2.0);
  const StepTimeModel model(t::llama_3_1_8b(), hw, t::bf16(), t::tp(2));
  const double overhead_s = model.gpu_fixed_s();  // no host time: these models have none
  for (const double keys : {0.0, -0.0, 77.0, 123456.5}) {
    BatchShape batch = t::decode_batch(7, 0);
    batch.decode_kv_tokens = keys;
    batch.prefill_attention_pairs = -0.0;
    batch.prefill_kv_tokens = -0.0;
    CAPTURE(keys);
    CHECK(t::same_bits(model.price(batch), t::reference_price(model, batch, 2.0, overhead_s)));
    CHECK(model.price(batch).item_of(Operator::attention_prefill) == nullptr);
  }
}
