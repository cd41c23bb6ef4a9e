// Speculative decoding's verify rows priced through the decode attention kernel (issue 21):
// a sequence verifying k drafts runs q = k + 1 query tokens in the decode kernel, its KV read
// once, its FLOPs per query token and key (absorbed for MLA), its tokens through every GEMM.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>

#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/iteration_work_model.h"
#include "hw/step_price_cache.h"
#include "hw/step_time_model.h"
#include "tests/core/reference_models.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::HardwareSpec;
using llmsim::hw::IterationWorkModel;
using llmsim::hw::Operator;
using llmsim::hw::Parallelism;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;
namespace core = llmsim::core;

/// `seqs` sequences each verifying q - 1 drafts: q query tokens over `context` cached ones,
/// all full-attention layers: pairs q c + q (q + 1) / 2, KV c + q read once, q LM-head rows.
BatchShape verify_batch(std::int64_t seqs, std::int64_t q, std::int64_t context) {
  const auto b = static_cast<double>(seqs);
  const auto s = static_cast<double>(q);
  const auto c = static_cast<double>(context);
  BatchShape batch;
  batch.verify_seqs = seqs;
  batch.verify_tokens = seqs * q;
  batch.verify_attention_pairs = b * (s * c + s * (s + 1.0) / 2.0);
  batch.verify_kv_tokens = b * (c + s);
  batch.sampled_seqs = seqs * q;
  return batch;
}

/// The same verify steps as llmsim priced them before issue 21: prompt chunks of q tokens
/// (the prefill kernel; for MLA the expanded form, every cached latent up-projected).
BatchShape verify_as_prompt_chunks(std::int64_t seqs, std::int64_t q, std::int64_t context) {
  const auto b = static_cast<double>(seqs);
  const auto s = static_cast<double>(q);
  const auto c = static_cast<double>(context);
  BatchShape batch;
  batch.prefill_seqs = seqs;
  batch.prefill_tokens = seqs * q;
  batch.prefill_attention_pairs = b * (s * c + s * (s + 1.0) / 2.0);
  batch.prefill_kv_tokens = b * (c + s);
  batch.sampled_seqs = seqs * q;
  return batch;
}

/// The H100 as configs/hardware/h100-sxm.yaml prices it (prefill attention compute 0.39 after
/// the serving fit of 804294a; the rest the A100 attention fit and the Vidur GEMM fit).
HardwareSpec h100_shipped() {
  HardwareSpec hw = t::h100_sxm();
  llmsim::hw::Efficiencies& e = hw.efficiency;
  e[Operator::gemm] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::attention_prefill] = {0.39, 0.8718, 72.28e-6, 0.0};
  e[Operator::attention_decode] = {0.2237, 0.9290, 8.54e-6, 31.21e-9};
  e[Operator::elementwise] = {1.0, 0.6311, 2.11e-6, 0.0};
  e[Operator::lm_head] = {0.7051, 0.8718, 5.80e-6, 0.0};
  e[Operator::allreduce] = {1.0, 0.7196, 22.59e-6, 0.0};
  e.roofline_exponent = 2.0;
  return hw;
}

const llmsim::hw::WorkItem* find(const llmsim::hw::WorkItemList& list, Operator op) {
  for (const auto& w : list) {
    if (w.op == op) return &w;
  }
  return nullptr;
}

StepTimeModel llama_8b_tp1() { return {t::llama_3_1_8b(), h100_shipped(), t::bf16(), t::tp(1)}; }
StepTimeModel deepseek_v3_tp8() { return {core::testing::deepseek_v3(), h100_shipped(), t::fp8_weights(), t::tp(8)}; }

}  // namespace

TEST_CASE("BatchShape: verify rows are new tokens, neither prefill nor one-token decode") {
  const BatchShape verify = verify_batch(3, 4, 100);
  CHECK(verify.total_new_tokens() == 12);
  CHECK_FALSE(verify.empty());
  CHECK(verify.has_decode_attention());
  CHECK_FALSE(verify.decode_only());  // the price cache keeps one-token decode batches only
  BatchShape mixed = t::decode_batch(5, 100);
  mixed.verify_seqs = 1;
  mixed.verify_tokens = 2;
  mixed.verify_attention_pairs = 203.0;
  mixed.verify_kv_tokens = 102.0;
  mixed.sampled_seqs += 2;
  CHECK(mixed.total_new_tokens() == 7);
  CHECK_FALSE(mixed.decode_only());
  CHECK(t::decode_batch(5, 100).decode_only());
}

TEST_CASE("GQA verify rows: the decode item, KV read once per sequence, FLOPs per query token") {
  const core::ModelSpec m = t::llama_3_1_8b();
  const IterationWorkModel work(m, core::count_parameters(m), t::bf16(), t::tp(1));
  const auto list = work.items(verify_batch(16, 4, 999));
  CHECK(find(list, Operator::attention_prefill) == nullptr);
  const auto* decode = find(list, Operator::attention_decode);
  REQUIRE(decode != nullptr);
  const double pairs = 16.0 * (4.0 * 999.0 + 10.0);
  CHECK(decode->flops == 4.0 * 32.0 * 4096.0 * pairs);
  // 32 layers x K and V of 8 heads x 128 x 2 bytes per key, c + q = 1,003 keys per sequence.
  CHECK(decode->hbm_bytes == 131072.0 * 16.0 * 1003.0);
  CHECK(decode->kernels == 32.0);
  CHECK(decode->blocks == 16.0 * 8.0 * 32.0);  // one block per sequence and KV head, as decode
  // The GEMMs see every query token: 64 rows, as 64 one-token decodes would.
  const auto* gemm = find(list, Operator::gemm);
  const auto decode_64 = work.items(t::decode_batch(64, 999));
  const auto* gemm_64 = find(decode_64, Operator::gemm);
  REQUIRE((gemm != nullptr && gemm_64 != nullptr));
  CHECK(gemm->flops == gemm_64->flops);
  CHECK(gemm->hbm_bytes == gemm_64->hbm_bytes);
}

TEST_CASE("MLA verify rows: absorbed attention over the latent, no up-projection of the context") {
  const core::ModelSpec m = core::testing::deepseek_v3();
  const IterationWorkModel work(m, core::count_parameters(m), t::fp8_weights(), t::tp(8));
  const auto list = work.items(verify_batch(16, 2, 999));
  CHECK(find(list, Operator::attention_prefill) == nullptr);
  const auto* decode = find(list, Operator::attention_decode);
  REQUIRE(decode != nullptr);
  // Per pair 61 layers x (2 x 128 x 576 + 2 x 128 x 512) / 8 (absorbed, latent_attention_pricing_test).
  CHECK(decode->flops == 16.0 * (2.0 * 999.0 + 3.0) * 61.0 * 278528.0 / 8.0);
  // 61 x 576 latent elements x 2 bytes per key on every GPU, c + q = 1,001 keys per sequence.
  CHECK(decode->hbm_bytes == 16.0 * 1001.0 * 70272.0);
  CHECK(decode->blocks == 16.0 * 61.0);  // one latent "KV head" per GPU
}

TEST_CASE("a verify step of k + 1 tokens costs at least one decode step and at most k + 1 of them") {
  for (const bool mla : {false, true}) {
    const StepTimeModel model = mla ? deepseek_v3_tp8() : llama_8b_tp1();
    for (const std::int64_t seqs : {1, 8, 64}) {
      for (const std::int64_t context : {512, 4096, 32768}) {
        for (const std::int64_t k : {1, 3, 5}) {
          CAPTURE(mla);
          CAPTURE(seqs);
          CAPTURE(context);
          CAPTURE(k);
          const double one = model.price(t::decode_batch(seqs, context)).time_s;
          const double verify = model.price(verify_batch(seqs, k + 1, context)).time_s;
          CHECK(verify >= one);
          CHECK(verify <= static_cast<double>(k + 1) * one);
        }
      }
    }
  }
}

TEST_CASE("MLA: a verify step grows with context no faster than k + 1 decode steps; as a prompt chunk it did") {
  const StepTimeModel model = deepseek_v3_tp8();
  const auto growth = [&](const BatchShape& short_context, const BatchShape& long_context) {
    return model.price(long_context).time_s - model.price(short_context).time_s;
  };
  for (const std::int64_t k : {1, 3}) {
    CAPTURE(k);
    const double decode = growth(t::decode_batch(8, 1024), t::decode_batch(8, 32768));
    const double verify = growth(verify_batch(8, k + 1, 1024), verify_batch(8, k + 1, 32768));
    const double chunk = growth(verify_as_prompt_chunks(8, k + 1, 1024), verify_as_prompt_chunks(8, k + 1, 32768));
    CHECK(decode > 0.0);
    CHECK(verify >= decode);  // the same KV read, more FLOPs per key
    CHECK(verify <= static_cast<double>(k + 1) * decode);
    // The expanded prefill form up-projected every cached latent on every verify step: its
    // cost grew with context many times faster (the regression this change removes).
    CHECK(chunk > 4.0 * static_cast<double>(k + 1) * decode);
  }
}

TEST_CASE("StepPriceCache prices verify and mixed batches exactly as the model does") {
  const StepTimeModel model = llama_8b_tp1();
  llmsim::hw::StepPriceCache cache(model);
  const auto bits = [](double value) { return std::bit_cast<std::uint64_t>(value); };
  BatchShape mixed = t::decode_batch(6, 2000);
  const BatchShape verify = verify_batch(2, 3, 2000);
  mixed.verify_seqs = verify.verify_seqs;
  mixed.verify_tokens = verify.verify_tokens;
  mixed.verify_attention_pairs = verify.verify_attention_pairs;
  mixed.verify_kv_tokens = verify.verify_kv_tokens;
  mixed.sampled_seqs += verify.sampled_seqs;
  for (int round = 0; round < 2; ++round) {
    // A one-token batch of the same size first, so a kept entry for 6 or 8 exists.
    cache.totals(t::decode_batch(6, 2000));
    cache.totals(t::decode_batch(8, 2000));
    for (const BatchShape& batch : {verify, mixed}) {
      const auto cached = cache.totals(batch);
      const llmsim::hw::StepCost reference = model.price(batch);
      CHECK(bits(cached.time_s) == bits(reference.time_s));
      CHECK(bits(cached.flops) == bits(reference.flops));
      CHECK(bits(cached.hbm_bytes) == bits(reference.hbm_bytes));
    }
  }
  // The mixed batch costs more than its one-token part alone: the verify rows are priced.
  CHECK(model.price(mixed).time_s > model.price(t::decode_batch(6, 2000)).time_s);
}

TEST_CASE("under attention-data and expert parallelism verify rows are split over the ranks and priced") {
  Parallelism dep;
  dep.tensor_parallel = 1;
  dep.attention_data_parallel = 8;
  dep.expert_parallel = 8;
  const StepTimeModel model(core::testing::deepseek_v3(), h100_shipped(), t::fp8_weights(), dep);
  for (const std::int64_t k : {1, 3}) {
    CAPTURE(k);
    const auto one = model.price(t::decode_batch(64, 4096));
    const auto verify = model.price(verify_batch(64, k + 1, 4096));
    CHECK(verify.time_s >= one.time_s);
    CHECK(verify.time_s <= static_cast<double>(k + 1) * one.time_s);
    CHECK(verify.flops > one.flops);
    // No prefill kernel runs: the verify rows are in the decode item of the busiest rank.
    bool prefill = false;
    bool decode = false;
    for (const auto& item : verify.items) {
      prefill = prefill || item.op == Operator::attention_prefill;
      decode = decode || item.op == Operator::attention_decode;
    }
    CHECK_FALSE(prefill);
    CHECK(decode);
  }
}
