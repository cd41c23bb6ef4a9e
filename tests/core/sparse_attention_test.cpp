// DeepSeek Sparse Attention (DSA, DeepSeek-V3.2) as an option of MLA: keys attended capped at
// the indexer's top-k, the indexer's own FLOPs over every key, its cached key in the KV bytes,
// and its parameters; arithmetic written out.
#include <doctest/doctest.h>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/memory_footprint.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"
#include "core/precise_flops.h"
#include "core/precision_defaults.h"
#include "tests/core/reference_models.h"

using llmsim::core::Architecture;
using llmsim::core::AttentionPhase;
using llmsim::core::DType;
using llmsim::core::ModelSpec;
namespace core = llmsim::core;

namespace {

/// deepseek-ai/DeepSeek-V3.2-Exp's config.json: DeepSeek-V3 plus index_n_heads 64,
/// index_head_dim 128, index_topk 2048 (tests/data/hf/deepseek-v3.2-exp.config.json).
ModelSpec deepseek_v3_2() {
  ModelSpec m = core::testing::deepseek_v3();
  m.id = "deepseek-v3.2";
  m.index_n_heads = 64;
  m.index_head_dim = 128;
  m.index_topk = 2048;
  return m;
}

// The indexer of one layer, tensor by tensor (self_attn.indexer.* in the checkpoint):
//   wq_b 1536 x 64 x 128  = 12,582,912
//   wk 7168 x 128         =    917,504
//   k_norm weight + bias  =        256
//   weights_proj 7168 x 64 =   458,752
constexpr double kIndexerParams = 12'582'912.0 + 917'504.0 + 256.0 + 458'752.0;  // 13,959,424

}  // namespace

TEST_CASE("DSA: a decode query attends min(context + 1, 2048) keys; the indexer scores all of them") {
  const Architecture dense(core::testing::deepseek_v3());
  const Architecture sparse(deepseek_v3_2());
  REQUIRE(sparse.has_latent_attention());
  CHECK(sparse.has_sparse_attention());
  CHECK_FALSE(dense.has_sparse_attention());
  // Below the top-k every key is kept, as in dense MLA.
  CHECK(sparse.mean_decode_keys(999) == 1000.0);
  CHECK(sparse.mean_decode_keys(2047) == 2048.0);
  // Beyond it the attention sees 2048 keys whatever the context.
  CHECK(sparse.mean_decode_keys(2048) == 2048.0);
  CHECK(sparse.mean_decode_keys(131071) == 2048.0);
  CHECK(dense.mean_decode_keys(131071) == 131072.0);
  // Indexer per (query, key) pair and layer: 64 heads x 128 dot product (2 x 64 x 128 =
  // 16,384) + the weighted sum over heads (2 x 64 = 128) = 16,512; 61 layers: 1,007,232.
  CHECK(sparse.latent_attention().indexer_flops_per_key() == 16512.0);
  CHECK(sparse.indexer_flops_per_key() == 61.0 * 16512.0);
  CHECK(dense.indexer_flops_per_key() == 0.0);
}

TEST_CASE("DSA: prefill pairs are capped like a window of top-k keys") {
  const Architecture sparse(deepseek_v3_2());
  // A 1000-token prompt: no query reaches 2048 keys: s (s + 1) / 2 = 500,500 pairs.
  CHECK(sparse.mean_attention_pairs(1000, 0) == 500500.0);
  // A 4096-token prompt: queries 1..2048 attend 1..2048 keys (2,098,176 pairs), the other
  // 2048 attend 2048 each (4,194,304): 6,292,480, against 8,390,656 dense.
  CHECK(sparse.mean_attention_pairs(4096, 0) == 2098176.0 + 2048.0 * 2048.0);
  // A chunk of 512 on 3000 cached tokens: every query is capped: 512 x 2048.
  CHECK(sparse.mean_attention_pairs(512, 3000) == 512.0 * 2048.0);
  // A chunk of 512 on 1800 cached: queries 1..248 see 1801..2048 keys, the other 264 are
  // capped: 248 x 1800 + 248 x 249 / 2 + 264 x 2048 = 446,400 + 30,876 + 540,672 = 1,017,948.
  CHECK(sparse.mean_attention_pairs(512, 1800) == 1017948.0);
  // The cached latents the chunk selects from are all read (KV tokens c + s), as in dense MLA.
  CHECK(sparse.mean_prefill_kv_tokens(512, 3000) == 3512.0);
}

TEST_CASE("DSA: both phases use MLA's absorbed pair, no cached latent is up-projected") {
  const Architecture dense(core::testing::deepseek_v3());
  const Architecture sparse(deepseek_v3_2());
  // Absorbed: 2 x 128 x (512 + 64) + 2 x 128 x 512 = 147,456 + 131,072 = 278,528 per pair.
  CHECK(sparse.attention_flops_per_pair(AttentionPhase::decode) == 278528.0);
  CHECK(sparse.attention_flops_per_pair(AttentionPhase::prefill) == 278528.0);
  CHECK(sparse.prefill_flops_per_cached_token() == 0.0);
  // Dense MLA keeps the expanded prefill: 2 x 128 x 192 + 2 x 128 x 128 = 81,920.
  CHECK(dense.attention_flops_per_pair(AttentionPhase::prefill) == 81920.0);
  CHECK(dense.prefill_flops_per_cached_token() > 0.0);
}

TEST_CASE("DSA: each token caches the latent and a 132-byte indexer key per layer") {
  const ModelSpec m = deepseek_v3_2();
  // 128 FP8 values + one fp32 scale per 128 = 132 bytes, whatever the KV dtype.
  CHECK(core::indexer_key_bytes_per_token_layer(m) == 132.0);
  CHECK(core::indexer_key_bytes_per_token_layer(core::testing::deepseek_v3()) == 0.0);
  const Architecture a(m);
  CHECK(a.indexer_key_bytes_per_token() == 61.0 * 132.0);  // 8,052
  // bf16 KV: 61 x (576 x 2 + 132) = 61 x 1,284 = 78,324 bytes per token; fp8 KV, vLLM's
  // fp8_ds_mla entry (512 fp8 + 4 fp32 scales + 64 bf16 = 656) and the key: 61 x 788 = 48,068.
  CHECK(a.sequence_kv_bytes(1, DType::bf16) == 78324.0);
  CHECK(a.sequence_kv_bytes(1000, DType::fp8) == 1000.0 * 48068.0);
  // The latent and the indexer key are replicated on every GPU of a TP group (vLLM's MLA
  // backends cache one latent head; the Indexer is replicated).
  CHECK(core::kv_cache_bytes_per_token_per_gpu(m, DType::bf16, 8) == 78324.0);
  // The model-wide bytes per token (the KV pool's and the disaggregated transfer's) hold the
  // indexer key too: bf16 78,324, fp8 61 x (656 + 132) = 48,068; dense V3 in bf16 61 x 1,152.
  CHECK(core::kv_cache_bytes_per_token(m, DType::bf16) == 78324.0);
  CHECK(core::kv_cache_bytes_per_token(m, DType::fp8) == 48068.0);
  CHECK(core::kv_cache_bytes(m, DType::fp8, 1000.0) == 1000.0 * 48068.0);
  CHECK(core::kv_cache_bytes_per_token(core::testing::deepseek_v3(), DType::bf16) == 70272.0);
  core::MemoryQuery query;
  query.batch = 2;
  query.sequence_tokens = 4096;
  query.tensor_parallel = 8;
  query.weights_dtype = DType::fp8;
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == 2.0 * 4096.0 * 78324.0);
}

TEST_CASE("DSA: parameters are DeepSeek-V3's plus the indexer's 13,959,424 per layer") {
  const core::ParameterCounts v3 = core::count_parameters(core::testing::deepseek_v3());
  const core::ParameterCounts v32 = core::count_parameters(deepseek_v3_2());
  CHECK(kIndexerParams == 13'959'424.0);
  CHECK(v32.total == v3.total + 61.0 * kIndexerParams);  // 671,026,404,352 + 851,524,864
  CHECK(v32.total == 671'877'929'216.0);
  CHECK(v32.active == 38'403'807'488.0);  // 37,552,282,624 + 851,524,864: every token runs the indexer
  CHECK(v32.embedding == v3.embedding);
  // vLLM builds the indexer's linears as ReplicatedLinear: every TP GPU holds them.
  CHECK(core::latent_attention_replicated_parameters(deepseek_v3_2()) ==
        core::latent_attention_replicated_parameters(core::testing::deepseek_v3()) + kIndexerParams);
}

TEST_CASE("DSA: llmsim flops counts the capped attention and the indexer over every key") {
  const ModelSpec m = deepseek_v3_2();
  const Architecture a(m);
  core::FlopQuery query;
  query.batch = 1;
  query.input_tokens = 8192;
  query.output_tokens = 1;
  const core::FlopBreakdown flops = core::precise_flops(m, query);
  const core::PreciseFlopCoefficients k = core::precise_flop_coefficients(m);
  // Prefill of 8192 tokens: matmuls + capped attention pairs (2,098,176 + 6144 x 2048) at the
  // absorbed 61 x 278,528 + the indexer's 8192 x 8193 / 2 = 33,558,528 pairs at 61 x 16,512 +
  // one LM head.
  const double capped_pairs = 2098176.0 + 6144.0 * 2048.0;
  const double expected = 8192.0 * k.matmul_flops_per_token + capped_pairs * 61.0 * 278528.0 +
                          33558528.0 * 61.0 * 16512.0 + k.lm_head_flops_per_sample;
  CHECK(flops.flops_prefill == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("DSA: at 64K context the indexer costs more than the top-k attention") {
  const ModelSpec m = deepseek_v3_2();
  core::FlopQuery query;
  query.batch = 1;
  query.input_tokens = 65536;
  query.output_tokens = 2;  // one decode step, on 65,536 cached tokens
  const core::PreciseFlopCoefficients k = core::precise_flop_coefficients(m);
  const double attention = 2048.0 * 61.0 * 278528.0;  // 34,795,945,984
  const double indexer = 65537.0 * 61.0 * 16512.0;    // 66,010,963,584
  CHECK(indexer > attention);
  CHECK(core::precise_flops(m, query).flops_decode ==
        doctest::Approx(k.matmul_flops_per_token + attention + indexer + k.lm_head_flops_per_sample).epsilon(1e-12));
}

TEST_CASE("DSA with an fp8 cache: vLLM's 656-byte fp8_ds_mla entry, vLLM's default cache") {
  const ModelSpec m = deepseek_v3_2();
  // 512 latent values in FP8 (512 bytes) + one fp32 scale per 128 of them (4 x 4 = 16) + the
  // 64-value rope key in bf16 (128) = 656 bytes a layer, not (512 + 64) x 1 = 576.
  CHECK(core::kv_bytes_per_token_layer(m, DType::fp8) == 656.0);
  CHECK(core::uses_fp8_ds_mla(m, DType::fp8));
  CHECK(Architecture(m).latent_attention().cache_bytes_per_token(DType::fp8) == 656.0);
  // A bf16 cache is the plain latent, and dense MLA keeps elements x bytes in fp8 too.
  CHECK(core::kv_bytes_per_token_layer(m, DType::bf16) == 1152.0);
  CHECK_FALSE(core::uses_fp8_ds_mla(m, DType::bf16));
  CHECK(core::kv_bytes_per_token_layer(core::testing::deepseek_v3(), DType::fp8) == 576.0);
  CHECK_FALSE(core::uses_fp8_ds_mla(core::testing::deepseek_v3(), DType::fp8));
  // vLLM runs V3.2's "auto" cache as fp8_ds_mla whatever the weights; V3's follows the weights.
  CHECK(core::default_kv_cache_dtype(m, DType::bf16) == DType::fp8);
  CHECK(core::default_kv_cache_dtype(core::testing::deepseek_v3(), DType::bf16) == DType::bf16);
}
