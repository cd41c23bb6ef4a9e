// StepPriceCache against StepTimeModel::price, the reference, bit for bit over decode-only
// batches and others interleaved, on deployments that exercise every term.
#include "hw/step_price_cache.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::Bound;
using llmsim::hw::HardwareSpec;
using llmsim::hw::Operator;
using llmsim::hw::StepPriceCache;
using llmsim::hw::StepTimeModel;
using llmsim::hw::StepTotals;
namespace t = llmsim::hw::test;

/// Every total identical to the bit (so the sign of a zero counts too), bound included.
void check_bit_identical(const StepTotals& cached, const StepTotals& reference) {
  const auto bits = [](double value) { return std::bit_cast<std::uint64_t>(value); };
  CHECK(bits(cached.time_s) == bits(reference.time_s));
  CHECK(bits(cached.flops) == bits(reference.flops));
  CHECK(bits(cached.hbm_bytes) == bits(reference.hbm_bytes));
  CHECK(cached.bound == reference.bound);
}

/// `seqs` decode sequences attending `keys` keys in all, every one sampling.
BatchShape decode_only_batch(std::int64_t seqs, double keys) {
  BatchShape batch = t::decode_batch(seqs, 0);
  batch.decode_kv_tokens = keys;
  return batch;
}

/// The shipped H100 fit (configs/hardware/h100-sxm.yaml) with roofline exponent `exponent`.
HardwareSpec h100_calibrated(double exponent) {
  HardwareSpec hw = t::h100_sxm();
  llmsim::hw::Efficiencies& e = hw.efficiency;
  e[Operator::gemm] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::attention_prefill] = {0.2237, 0.8718, 72.28e-6, 0.0};
  e[Operator::attention_decode] = {0.2237, 0.9290, 8.54e-6, 31.21e-9};
  e[Operator::elementwise] = {1.0, 0.6311, 2.11e-6, 0.0};
  e[Operator::lm_head] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::allreduce] = {1.0, 0.7196, 22.59e-6, 0.0};
  e.roofline_exponent = exponent;
  return hw;
}

/// Prices a sweep of decode-only batches (1 to 4,096 sequences; key totals from none and
/// -0.0 to past 131,072 each, whole and fractional) twice through one cache, each against
/// the model; returns the bounds seen.
std::vector<Bound> check_sweep(const StepTimeModel& model, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  StepPriceCache cache(model);
  std::vector<Bound> bounds;
  std::vector<std::int64_t> sizes;
  for (std::int64_t b = 1; b <= 64; ++b) sizes.push_back(b);
  for (std::int64_t b = 128; b <= 4096; b *= 2) sizes.insert(sizes.end(), {b - 1, b, b + 1});
  std::uniform_real_distribution<double> per_seq(1.0, 131072.0);
  for (int round = 0; round < 2; ++round) {  // the second round's lookups all hit
    for (const std::int64_t seqs : sizes) {
      const auto b = static_cast<double>(seqs);
      const double each = per_seq(rng);
      for (const double keys : {0.0, -0.0, 1e-300, b, b + 0.5, b * 131072.0 + 0.25, 1e12,
                                b * each, std::floor(b * each)}) {
        CAPTURE(seqs);
        CAPTURE(keys);
        const BatchShape batch = decode_only_batch(seqs, keys);
        REQUIRE(batch.decode_only());
        const StepTotals reference = model.price(batch);
        check_bit_identical(cache.totals(batch), reference);
        bounds.push_back(reference.bound);
      }
    }
  }
  return bounds;
}

bool saw(const std::vector<Bound>& bounds, Bound bound) {
  for (const Bound b : bounds) {
    if (b == bound) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cached decode-only prices equal the model's bit for bit on Llama-3.1-8B, calibrated H100") {
  for (const int tp : {1, 2, 4, 16}) {  // 16: KV heads replicated
    CAPTURE(tp);
    const auto bounds =
        check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(2.0), t::bf16(), t::tp(tp)), 11);
    // Large batches on short contexts are GEMM (compute) bound, long contexts memory bound.
    CHECK(saw(bounds, Bound::compute));
    CHECK(saw(bounds, Bound::memory));
  }
}

TEST_CASE("cached decode-only prices equal the model's for every roofline exponent, MoE and fp8") {
  for (const double exponent : {0.0, 1.0, 3.0}) {
    CAPTURE(exponent);
    check_sweep(StepTimeModel(t::llama_3_1_8b(), h100_calibrated(exponent), t::bf16(), t::tp(2)), 12);
  }
  check_sweep(StepTimeModel(t::mixtral_8x7b(), h100_calibrated(2.0), t::bf16(), t::tp(8)), 13);
  check_sweep(StepTimeModel(t::mixtral_8x7b(), h100_calibrated(0.0), t::fp8_weights(), t::tp(1)), 14);
  check_sweep(StepTimeModel(t::llama_3_1_8b(), t::a100_sxm(), t::fp8_weights(), t::tp(1)), 15);
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

TEST_CASE("a decode-only batch whose prefill sums are -0.0 is priced as the model does") {
  // -0.0 passes every >= 0 check and equals 0.0: such a batch takes the cached path.
  const StepTimeModel model(t::llama_3_1_8b(), h100_calibrated(2.0), t::bf16(), t::tp(2));
  StepPriceCache cache(model);
  for (const double keys : {0.0, -0.0, 77.0, 123456.5}) {
    BatchShape batch = decode_only_batch(7, keys);
    batch.prefill_attention_pairs = -0.0;
    batch.prefill_kv_tokens = -0.0;
    REQUIRE(batch.decode_only());
    CAPTURE(keys);
    check_bit_identical(cache.totals(batch), model.price(batch));
  }
}

TEST_CASE("decode-only batches interleaved with others, and sizes past the cache, stay exact") {
  const StepTimeModel model(t::mixtral_8x7b(), h100_calibrated(2.0), t::bf16(), t::tp(2));
  StepPriceCache cache(model);
  BatchShape partly_sampling = decode_only_batch(64, 64.0 * 900.0);
  partly_sampling.sampled_seqs = 40;
  const std::vector<BatchShape> batches = {
      decode_only_batch(64, 64.0 * 100.0), t::prefill_batch(64, 0), partly_sampling,
      decode_only_batch(64, 64.0 * 5000.0), t::prefill_batch(1, 300), decode_only_batch(1, 301.0),
      BatchShape{}};
  for (int round = 0; round < 2; ++round) {
    for (const BatchShape& batch : batches) check_bit_identical(cache.totals(batch), model.price(batch));
  }
  const std::int64_t cap = StepPriceCache::kMaxBatchSize;
  for (const std::int64_t seqs : {cap - 1, cap, cap + 1}) {  // past the cache: priced directly
    CAPTURE(seqs);
    const BatchShape batch = decode_only_batch(seqs, static_cast<double>(seqs) * 10.0);
    check_bit_identical(cache.totals(batch), model.price(batch));
  }
}
