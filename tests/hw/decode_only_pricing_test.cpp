// StepTimeModel::price_decode_only against StepTimeModel::price, the reference, bit for bit
// over many decode-only batches and deployments (hw/step_time_model.h).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/memoised_step_pricer.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::Bound;
using llmsim::hw::DecodeOnlyTerms;
using llmsim::hw::HardwareSpec;
using llmsim::hw::MemoisedStepPricer;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
using llmsim::hw::StepTotals;
namespace t = llmsim::hw::test;

/// Every total identical to the bit (so the sign of a zero counts too), bound included.
void check_bit_identical_totals(const StepTotals& fast, const StepTotals& reference) {
  const auto bits = [](double value) { return std::bit_cast<std::uint64_t>(value); };
  CHECK(bits(fast.time_s) == bits(reference.time_s));
  CHECK(bits(fast.flops) == bits(reference.flops));
  CHECK(bits(fast.hbm_bytes) == bits(reference.hbm_bytes));
  CHECK(fast.bound == reference.bound);
}

/// The totals and every per-class time identical to the bit.
void check_bit_identical(const StepCost& fast, const StepCost& reference) {
  const auto bits = [](double value) { return std::bit_cast<std::uint64_t>(value); };
  check_bit_identical_totals(fast, reference);
  for (std::size_t op = 0; op < fast.op_time_s.size(); ++op) {
    CAPTURE(op);
    CHECK(bits(fast.op_time_s[op]) == bits(reference.op_time_s[op]));
  }
}

/// `seqs` decode sequences attending `keys` keys in all, every one sampling.
BatchShape decode_only_batch(std::int64_t seqs, double keys) {
  BatchShape batch;
  batch.decode_seqs = seqs;
  batch.decode_kv_tokens = keys;
  batch.sampled_seqs = seqs;
  return batch;
}

/// The H100 as the shipped preset prices it (configs/hardware/h100-sxm.yaml, calibrated
/// with roofline_exponent 2), with `exponent` instead.
HardwareSpec h100_calibrated(double exponent) {
  HardwareSpec hw = t::h100_sxm();
  llmsim::hw::Efficiencies& e = hw.efficiency;
  e.gemm_compute_efficiency = 0.7051;
  e.memory_bandwidth_efficiency = 0.8718;
  e.attention_prefill_efficiency = 0.2237;
  e.attention_decode_bandwidth_efficiency = 0.9290;
  e.per_layer_overhead_s = 0.0;
  e.per_iteration_overhead_s = 2000e-6;
  e.allreduce_latency_s = 22.59e-6;
  e.allreduce_bandwidth_efficiency = 0.7196;
  e.roofline_exponent = exponent;
  e.gemm_kernel_latency_s = 5.80e-6;
  e.elementwise_bandwidth_efficiency = 0.6311;
  e.elementwise_kernel_latency_s = 2.11e-6;
  e.attention_prefill_kernel_latency_s = 72.28e-6;
  e.attention_decode_kernel_latency_s = 8.54e-6;
  e.attention_decode_per_seq_head_s = 31.21e-9;
  return hw;
}

/// Batch sizes from 1 to 4,096: every one to 64, the powers of two and their neighbours,
/// and random ones.
std::vector<std::int64_t> batch_sizes(std::mt19937_64& rng) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t b = 1; b <= 64; ++b) sizes.push_back(b);
  for (std::int64_t b = 128; b <= 4096; b *= 2) {
    sizes.insert(sizes.end(), {b - 1, b, b + 1});
  }
  for (int i = 0; i < 40; ++i) sizes.push_back(1 + static_cast<std::int64_t>(rng() % 4096));
  return sizes;
}

/// Key totals for `seqs` sequences: from none (and -0.0, which passes the >= 0 check) through
/// one key each (no cache) to 131,072 each and past, whole and fractional.
std::vector<double> key_totals(std::int64_t seqs, std::mt19937_64& rng) {
  const auto b = static_cast<double>(seqs);
  std::vector<double> keys = {0.0, -0.0, 1e-300, b, b + 1.0, b + 0.5, 2.0 * b, b * 1000.0,
                              b * 131072.0, b * 131072.0 + 0.25, 1e12, 3.0e6 + 1.0 / 3.0};
  std::uniform_real_distribution<double> per_seq(1.0, 131072.0);
  for (int i = 0; i < 24; ++i) {
    const double each = per_seq(rng);
    keys.push_back(b * each);              // fractional
    keys.push_back(std::floor(b * each));  // whole, as a replica builds it
  }
  return keys;
}

/// How often each bound came out, so a sweep can show it saw both.
struct BoundCounts {
  int compute = 0;
  int memory = 0;
};

/// Prices the decode-only sweep through price_decode_only (terms built once per size, as
/// MemoisedStepPricer does) and through a MemoisedStepPricer, each against price().
BoundCounts check_sweep(const StepTimeModel& model, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  MemoisedStepPricer memoised(model);
  BoundCounts bounds;
  for (const std::int64_t seqs : batch_sizes(rng)) {
    const DecodeOnlyTerms terms = model.decode_only_terms(seqs);
    for (const double keys : key_totals(seqs, rng)) {
      CAPTURE(seqs);
      CAPTURE(keys);
      const BatchShape batch = decode_only_batch(seqs, keys);
      REQUIRE(batch.decode_only());
      const StepCost reference = model.price(batch);
      check_bit_identical(model.price_decode_only(terms, keys), reference);
      check_bit_identical(memoised.price(batch), reference);
      check_bit_identical_totals(model.price_decode_only_totals(terms, keys), reference);
      check_bit_identical_totals(memoised.price_totals(batch), reference);
      (reference.bound == Bound::compute ? bounds.compute : bounds.memory) += 1;
    }
  }
  return bounds;
}

}  // namespace

TEST_CASE("decode-only prices equal the reference bit for bit on Llama-3.1-8B, calibrated H100") {
  for (const int tp : {1, 2, 4, 16}) {  // 16: KV heads replicated
    CAPTURE(tp);
    const BoundCounts bounds =
        check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(2.0), t::bf16(), t::tp(tp)), 11);
    // Large batches on short contexts are GEMM (compute) bound, long contexts memory bound.
    CHECK(bounds.compute > 0);
    CHECK(bounds.memory > 0);
  }
}

TEST_CASE("decode-only prices equal the reference bit for bit for every roofline exponent") {
  for (const double exponent : {0.0, 1.0, 2.0, 3.0}) {
    CAPTURE(exponent);
    check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(exponent), t::bf16(), t::tp(1)), 12);
    check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(exponent), t::bf16(), t::tp(4)), 13);
  }
  // The test efficiencies: no kernel or per-head times, so those terms are all +0.0.
  check_sweep(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1)), 14);
  check_sweep(StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2)), 15);
}

TEST_CASE("decode-only prices equal the reference bit for bit on MoE and quantised weights") {
  for (const int tp : {1, 2, 8}) {
    CAPTURE(tp);
    check_sweep(StepTimeModel(t::mixtral_8x7b(), h100_calibrated(2.0), t::bf16(), t::tp(tp)), 16);
    check_sweep(StepTimeModel(t::mixtral_8x7b(), h100_calibrated(0.0), t::fp8_weights(), t::tp(tp)), 17);
  }
  check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(2.0), t::fp8_weights(), t::tp(1)), 18);
  check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(0.0), t::fp8_weights(), t::tp(2)), 19);
  // fp8 weights on an A100 run W8A16 at the bf16 peak, the LM head at bf16.
  check_sweep(StepTimeModel(t::llama_3_1_8b(), t::a100_sxm(), t::fp8_weights(), t::tp(1)), 20);
}

TEST_CASE("only decode batches where every sequence samples and nothing prefills are decode-only") {
  CHECK(decode_only_batch(4, 400.0).decode_only());
  CHECK_FALSE(BatchShape{}.decode_only());
  BatchShape not_sampling = decode_only_batch(4, 400.0);
  not_sampling.sampled_seqs = 3;
  CHECK_FALSE(not_sampling.decode_only());
  CHECK_FALSE(t::prefill_batch(16, 0).decode_only());
  BatchShape mixed = decode_only_batch(4, 400.0);
  mixed.prefill_kv_tokens = 1.0;  // any prefill field set disqualifies the batch
  CHECK_FALSE(mixed.decode_only());
}

TEST_CASE("a decode-only batch whose prefill sums are -0.0 is priced as the reference does") {
  // -0.0 passes every >= 0 check and equals 0.0: such a batch takes the decode-only path,
  // where the reference adds its -0.0 prefill FLOPs into the sums.
  const StepTimeModel model(t::llama_3_1_8b(), h100_calibrated(2.0), t::bf16(), t::tp(2));
  MemoisedStepPricer memoised(model);
  for (const double keys : {0.0, -0.0, 77.0, 123456.5}) {
    BatchShape batch = decode_only_batch(7, keys);
    batch.prefill_attention_pairs = -0.0;
    batch.prefill_kv_tokens = -0.0;
    REQUIRE(batch.decode_only());
    CAPTURE(keys);
    check_bit_identical(memoised.price(batch), model.price(batch));
  }
}

TEST_CASE("decode-only batches interleaved with others reuse their terms and stay exact") {
  const StepTimeModel model(t::mixtral_8x7b(), h100_calibrated(2.0), t::bf16(), t::tp(2));
  MemoisedStepPricer memoised(model);
  BatchShape partly_sampling = decode_only_batch(64, 64.0 * 900.0);
  partly_sampling.sampled_seqs = 40;
  const std::vector<BatchShape> batches = {
      decode_only_batch(64, 64.0 * 100.0), t::prefill_batch(64, 0), partly_sampling,
      decode_only_batch(64, 64.0 * 5000.0), t::prefill_batch(1, 300), decode_only_batch(1, 301.0)};
  for (int round = 0; round < 2; ++round) {  // the second round's lookups all hit
    for (const BatchShape& batch : batches) {
      check_bit_identical(memoised.price(batch), model.price(batch));
    }
  }
  const auto cap = static_cast<std::int64_t>(MemoisedStepPricer::kTableEntries);
  for (const std::int64_t seqs : {cap - 1, cap, cap + 1}) {  // past the table: priced directly
    CAPTURE(seqs);
    const BatchShape batch = decode_only_batch(seqs, static_cast<double>(seqs) * 10.0);
    check_bit_identical(memoised.price(batch), model.price(batch));
  }
}
