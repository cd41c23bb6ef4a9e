// DeepSeek-V3.2's sparse attention (DSA) in the iteration work model (issue 23): the MLA
// attention items count the top-k capped keys, and the lightning indexer is its own item
// (attention_indexer) over every key, uncapped. Expected values are written out by hand.
#include <doctest/doctest.h>

#include <cstdint>

#include "core/architecture.h"
#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/iteration_work_model.h"
#include "hw/step_price_cache.h"
#include "hw/step_time_model.h"
#include "tests/core/reference_models.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::IterationWorkModel;
using llmsim::hw::Operator;
using llmsim::hw::StepTimeModel;
using llmsim::hw::WorkItem;
using llmsim::hw::WorkItemList;
namespace t = llmsim::hw::test;
namespace core = llmsim::core;

/// deepseek-ai/DeepSeek-V3.2-Exp's config.json: DeepSeek-V3 plus index_n_heads 64,
/// index_head_dim 128, index_topk 2048 (tests/data/hf/deepseek-v3.2-exp.config.json).
core::ModelSpec deepseek_v3_2() {
  core::ModelSpec m = core::testing::deepseek_v3();
  m.id = "deepseek-v3.2";
  m.index_n_heads = 64;
  m.index_head_dim = 128;
  m.index_topk = 2048;
  return m;
}

/// fp8 weights and fp8 KV cache (the shipped scenario's precision), bf16 activations.
llmsim::hw::Precision fp8_kv() {
  llmsim::hw::Precision p = t::fp8_weights();
  p.kv_cache = core::DType::fp8;
  return p;
}

IterationWorkModel work_model(const core::ModelSpec& m, int tp) {
  return IterationWorkModel(m, core::count_parameters(m), fp8_kv(), t::tp(tp));
}

/// `seqs` decode sequences on `context` cached tokens, their keys as the simulator sums them.
BatchShape decode_at(const core::Architecture& a, std::int64_t seqs, std::int64_t context) {
  BatchShape b;
  b.decode_seqs = seqs;
  b.decode_kv_tokens = static_cast<double>(seqs) * a.mean_decode_keys(context);
  b.decode_indexer_keys = static_cast<double>(seqs) * a.indexer_pairs(1, context);
  b.sampled_seqs = seqs;
  return b;
}

/// One prompt chunk of `tokens` on `cached`, as the simulator sums it.
BatchShape chunk_at(const core::Architecture& a, std::int64_t tokens, std::int64_t cached) {
  BatchShape b;
  b.prefill_seqs = 1;
  b.prefill_tokens = tokens;
  b.prefill_attention_pairs = a.mean_attention_pairs(tokens, cached);
  b.prefill_kv_tokens = a.mean_prefill_kv_tokens(tokens, cached);
  b.prefill_indexer_pairs = a.indexer_pairs(tokens, cached);
  b.sampled_seqs = 1;
  return b;
}

const WorkItem* find(const WorkItemList& list, Operator op) {
  for (const WorkItem& w : list) {
    if (w.op == op) return &w;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("DSA decode step at 64K context: 66.0 GFLOP of indexer against 34.8 of attention") {
  const core::ModelSpec m = deepseek_v3_2();
  const core::Architecture a(m);
  // One sequence on 65,536 cached tokens: the attention keeps 2,048 keys, the indexer scores
  // all 65,537 (the cached ones and the new token's own).
  const BatchShape batch = decode_at(a, 1, 65536);
  CHECK(batch.decode_kv_tokens == 2048.0);
  CHECK(batch.decode_indexer_keys == 65537.0);

  const WorkItemList list = work_model(m, 1).items(batch);
  const WorkItem* attention = find(list, Operator::attention_decode);
  const WorkItem* indexer = find(list, Operator::attention_indexer);
  REQUIRE(attention != nullptr);
  REQUIRE(indexer != nullptr);
  // Attention, absorbed: 2,048 keys x 61 layers x (2 x 128 x 576 + 2 x 128 x 512 = 278,528)
  // = 34,795,945,984 FLOPs; it reads 2,048 latents in vLLM's fp8_ds_mla entry (512 fp8 values,
  // 4 fp32 scales, 64 bf16 rope values: 656 bytes) in 61 layers: 2,048 x 61 x 656 = 81,952,768.
  CHECK(attention->flops == 34'795'945'984.0);
  CHECK(attention->hbm_bytes == 81'952'768.0);
  // Indexer: 65,537 keys x 61 layers x 16,512 = 66,010,963,584 FLOPs; it reads the cached
  // indexer keys and writes the new one: 65,537 x 61 x 132 bytes = 527,703,924.
  CHECK(indexer->flops == 66'010'963'584.0);
  CHECK(indexer->hbm_bytes == 527'703'924.0);
  // Per layer: the key-cache write, the decode logits and the decode top-k.
  CHECK(indexer->kernels == 61.0 * 3.0);
  CHECK(indexer->blocks == 0.0);
  // The indexer item is the last one (hw::Operator's order).
  CHECK(list[list.size() - 1].op == Operator::attention_indexer);
}

TEST_CASE("DSA prefill chunk: the attention is capped per query, the indexer scores every pair") {
  const core::ModelSpec m = deepseek_v3_2();
  const core::Architecture a(m);
  // 8,192 new tokens on 16,384 cached: every query is past the top-k, so the attention has
  // 8,192 x 2,048 = 16,777,216 pairs; the indexer 8,192 x 16,384 + 8,192 x 8,193 / 2 =
  // 134,217,728 + 33,558,528 = 167,776,256.
  const BatchShape batch = chunk_at(a, 8192, 16384);
  CHECK(batch.prefill_attention_pairs == 16'777'216.0);
  CHECK(batch.prefill_indexer_pairs == 167'776'256.0);
  CHECK(batch.prefill_kv_tokens == 24576.0);

  const WorkItemList list = work_model(m, 1).items(batch);
  const WorkItem* attention = find(list, Operator::attention_prefill);
  const WorkItem* indexer = find(list, Operator::attention_indexer);
  REQUIRE(attention != nullptr);
  REQUIRE(indexer != nullptr);
  // Attention in the absorbed form, no cached latent up-projected: 16,777,216 x 61 x 278,528.
  CHECK(attention->flops == 16'777'216.0 * 61.0 * 278'528.0);
  // Indexer: 167,776,256 x 61 x 16,512 = 168,989,613,883,392 FLOPs (169 TFLOP) and
  // 24,576 keys (16,384 read, 8,192 written) x 61 x 132 = 197,885,952 bytes.
  CHECK(indexer->flops == 168'989'613'883'392.0);
  CHECK(indexer->hbm_bytes == 197'885'952.0);
  // Per layer: the key-cache write, the prefill logits and the prefill top-k.
  CHECK(indexer->kernels == 61.0 * 3.0);
}

TEST_CASE("DSA: a mixed batch launches both phases' indexer kernels; TP replicates the indexer") {
  const core::ModelSpec m = deepseek_v3_2();
  const core::Architecture a(m);
  BatchShape batch = chunk_at(a, 512, 3000);
  const BatchShape decodes = decode_at(a, 4, 10000);
  batch.decode_seqs = decodes.decode_seqs;
  batch.decode_kv_tokens = decodes.decode_kv_tokens;
  batch.decode_indexer_keys = decodes.decode_indexer_keys;
  batch.sampled_seqs += decodes.sampled_seqs;
  const WorkItemList one = work_model(m, 1).items(batch);
  const WorkItemList eight = work_model(m, 8).items(batch);
  const WorkItem* indexer = find(one, Operator::attention_indexer);
  REQUIRE(indexer != nullptr);
  CHECK(indexer->kernels == 61.0 * 5.0);
  // Pairs: 512 x 3,000 + 512 x 513 / 2 = 1,667,328 in the chunk and 4 x 10,001 in decode.
  CHECK(indexer->flops == (1'667'328.0 + 40'004.0) * 61.0 * 16'512.0);
  CHECK(indexer->hbm_bytes == (3512.0 + 40'004.0) * 61.0 * 132.0);
  // vLLM's Indexer is replicated on every TP rank: each GPU of eight does all of it, while
  // the attention's heads are split.
  const WorkItem* indexer8 = find(eight, Operator::attention_indexer);
  REQUIRE(indexer8 != nullptr);
  CHECK(indexer8->flops == indexer->flops);
  CHECK(indexer8->hbm_bytes == indexer->hbm_bytes);
  CHECK(find(eight, Operator::attention_decode)->flops == find(one, Operator::attention_decode)->flops / 8.0);
}

TEST_CASE("DSA: a dense MLA model gets no indexer item") {
  const core::ModelSpec m = core::testing::deepseek_v3();
  const core::Architecture a(m);
  CHECK(a.indexer_pairs(1, 65536) == 0.0);
  CHECK(find(work_model(m, 8).items(decode_at(a, 8, 4096)), Operator::attention_indexer) == nullptr);
  CHECK(find(work_model(m, 8).items(chunk_at(a, 2048, 0)), Operator::attention_indexer) == nullptr);
}

TEST_CASE("DSA costs at least dense MLA up to the top-k and grows more slowly beyond it") {
  const core::ModelSpec sparse_model = deepseek_v3_2();
  const core::ModelSpec dense_model = core::testing::deepseek_v3();
  const core::Architecture sparse_arch(sparse_model);
  const core::Architecture dense_arch(dense_model);
  const StepTimeModel sparse(sparse_model, t::h100_sxm(), fp8_kv(), t::tp(8));
  const StepTimeModel dense(dense_model, t::h100_sxm(), fp8_kv(), t::tp(8));
  const auto decode_s = [](const StepTimeModel& model, const core::Architecture& a, std::int64_t context) {
    return model.price(decode_at(a, 32, context)).time_s;
  };
  const auto prefill_s = [](const StepTimeModel& model, const core::Architecture& a, std::int64_t cached) {
    return model.price(chunk_at(a, 2048, cached)).time_s;
  };
  // Up to 2,048 keys the attention is dense MLA's (absorbed, so no cheaper) plus the indexer.
  for (const std::int64_t context : {0, 100, 1000, 2047}) {
    CAPTURE(context);
    CHECK(decode_s(sparse, sparse_arch, context) > decode_s(dense, dense_arch, context));
  }
  CHECK(prefill_s(sparse, sparse_arch, 0) > prefill_s(dense, dense_arch, 0));
  // Beyond it each more key costs the indexer's 132 bytes and 16,512 FLOPs a layer instead of
  // dense MLA's latent (576 fp8 bytes and 278,528 FLOPs in decode; the expanded pair and the
  // latent's up-projection in prefill): the step time grows more slowly with the context.
  const double sparse_decode_growth = decode_s(sparse, sparse_arch, 131071) - decode_s(sparse, sparse_arch, 16383);
  const double dense_decode_growth = decode_s(dense, dense_arch, 131071) - decode_s(dense, dense_arch, 16383);
  CHECK(sparse_decode_growth > 0.0);
  CHECK(sparse_decode_growth < dense_decode_growth);
  const double sparse_prefill_growth = prefill_s(sparse, sparse_arch, 131072) - prefill_s(sparse, sparse_arch, 16384);
  const double dense_prefill_growth = prefill_s(dense, dense_arch, 131072) - prefill_s(dense, dense_arch, 16384);
  CHECK(sparse_prefill_growth > 0.0);
  CHECK(sparse_prefill_growth < dense_prefill_growth);
  // And at long context the sparse model is the cheaper one.
  CHECK(decode_s(sparse, sparse_arch, 131071) < decode_s(dense, dense_arch, 131071));
}

TEST_CASE("DSA: the step price cache prices decode steps whose indexer grows with the context") {
  const core::ModelSpec m = deepseek_v3_2();
  const core::Architecture a(m);
  const StepTimeModel model(m, t::h100_sxm(), fp8_kv(), t::tp(8));
  llmsim::hw::StepPriceCache cache(model);
  // The same batch size at growing contexts beyond the top-k: the attention item is the
  // same, the indexer's is not, and the cache must not reuse it.
  for (const std::int64_t context : {4096, 32768, 131071}) {
    CAPTURE(context);
    const BatchShape batch = decode_at(a, 16, context);
    CHECK(cache.totals(batch).time_s == model.price(batch).time_s);
  }
  CHECK(cache.totals(decode_at(a, 16, 131071)).time_s > cache.totals(decode_at(a, 16, 4096)).time_s);
}
