// Multi-head latent attention (DeepSeek-V3) and the modern MoE layer layout: KV bytes,
// parameter counts and FLOPs with the arithmetic written out.
#include <doctest/doctest.h>

#include <cmath>
#include <variant>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/memory_footprint.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"
#include "core/precise_flops.h"
#include "tests/core/reference_models.h"

using llmsim::core::Architecture;
using llmsim::core::AttentionPhase;
using llmsim::core::DType;
using llmsim::core::ModelSpec;
namespace core = llmsim::core;

namespace {

// DeepSeek-V3's MLA layer, parameter by parameter (core/parameter_counts.cpp):
//   q_a_proj 7168 x 1536                = 11,010,048
//   q_a_layernorm                       =      1,536
//   q_b_proj 1536 x 128 x (128 + 64)    = 37,748,736
//   kv_a_proj_with_mqa 7168 x (512 + 64) =  4,128,768
//   kv_a_layernorm                      =        512
//   kv_b_proj 512 x 128 x (128 + 128)   = 16,777,216
//   o_proj 128 x 128 x 7168             = 117,440,512
constexpr double kMlaParams = 11'010'048.0 + 1'536.0 + 37'748'736.0 + 4'128'768.0 + 512.0 +
                              16'777'216.0 + 117'440'512.0;  // 187,107,328
constexpr double kDenseMlp = 3.0 * 7168.0 * 18432.0;          // 396,361,728
constexpr double kExpert = 3.0 * 7168.0 * 2048.0;             // 44,040,192
constexpr double kRouter = 7168.0 * 256.0;                    // 1,835,008
constexpr double kNorms = 2.0 * 7168.0;
constexpr double kEmbedding = 2.0 * 129280.0 * 7168.0;        // input embedding + LM head

}  // namespace

TEST_CASE("DeepSeek-V3 keeps (512 + 64) x 61 elements of KV per token") {
  const ModelSpec m = core::testing::deepseek_v3();
  // 576 x 61 = 35,136 elements: 70,272 bytes in bf16, 35,136 in fp8.
  CHECK(core::kv_cache_bytes_per_token(m, DType::bf16) == 70272.0);
  CHECK(core::kv_cache_bytes_per_token(m, DType::fp8) == 35136.0);
  // 2 x heads x head_dim would be 2 x 128 x 192 x 61 x 2 = 5,996,544 bytes: 85 x more.
  const Architecture a(m);
  CHECK(a.kv_elements_per_token_layer() == 576.0);
  CHECK(a.sequence_kv_bytes(1000, DType::bf16) == 1000.0 * 70272.0);
  // The latent is not split by tensor parallelism: every GPU keeps all of it.
  CHECK(core::kv_cache_bytes_per_token_per_gpu(m, DType::bf16, 8) == 70272.0);
  core::MemoryQuery query;
  query.batch = 4;
  query.sequence_tokens = 2048;
  query.tensor_parallel = 8;
  query.weights_dtype = DType::fp8;
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == 4.0 * 2048.0 * 70272.0);
}

TEST_CASE("DeepSeek-V3 counts 671B parameters, 37.6B of them active") {
  const ModelSpec m = core::testing::deepseek_v3();
  const core::ParameterCounts counts = core::count_parameters(m);
  const double moe_layer_total = kRouter + 256.0 * kExpert + kExpert;  // + 1 shared
  const double moe_layer_active = kRouter + 8.0 * kExpert + kExpert;
  const double total = 61.0 * (kMlaParams + kNorms) + 3.0 * kDenseMlp + 58.0 * moe_layer_total +
                       7168.0 + kEmbedding;
  CHECK(counts.total == total);
  CHECK(counts.total == 671'026'404'352.0);
  CHECK(std::abs(counts.total / 671e9 - 1.0) < 0.005);
  const double active = 61.0 * (kMlaParams + kNorms) + 3.0 * kDenseMlp + 58.0 * moe_layer_active +
                        7168.0 + kEmbedding;
  CHECK(counts.active == active);
  CHECK(counts.active == 37'552'282'624.0);
  // The report's "37B activated" is rounded to whole billions: 37.55e9 is 1.5% above 37e9.
  // Without the input embedding lookup (0.93e9) it would be 36.63e9, 1.0% below; the
  // published figure does not say which it counts, so the test pins only the 2% band.
  CHECK(std::abs(counts.active / 37e9 - 1.0) < 0.02);
  CHECK(counts.per_layer_active == (61.0 * (kMlaParams + kNorms) + 3.0 * kDenseMlp +
                                    58.0 * moe_layer_active) / 61.0);
}

TEST_CASE("MLA attention arithmetic: expanded in prefill, absorbed in decode") {
  const Architecture a(core::testing::deepseek_v3());
  REQUIRE(a.has_latent_attention());
  // Prefill (expanded MHA): 2 x 128 x (128 + 64) + 2 x 128 x 128 = 49,152 + 32,768.
  CHECK(a.attention_flops_per_pair(AttentionPhase::prefill) == 81920.0);
  // Decode (absorbed MQA over the latent): 2 x 128 x (512 + 64) + 2 x 128 x 512.
  CHECK(a.attention_flops_per_pair(AttentionPhase::decode) == 147456.0 + 131072.0);
  // Prefill up-projects a cached latent: 2 x 512 x 128 x (128 + 128) = 33,554,432 FLOPs,
  // twice kv_b_proj's 16,777,216 parameters.
  CHECK(a.prefill_flops_per_cached_token() == 2.0 * 16'777'216.0);
  // MLA attends every earlier token: the causal pair counts are the full-attention ones.
  CHECK(a.mean_attention_pairs(10, 100) == core::causal_pairs(10.0, 100.0));
  CHECK(a.mean_decode_keys(99) == 100.0);
}

TEST_CASE("a GQA model's attention arithmetic is the same in both phases") {
  const Architecture a(core::testing::llama_3_1_8b());
  CHECK_FALSE(a.has_latent_attention());
  CHECK(a.attention_flops_per_pair(AttentionPhase::prefill) == 4.0 * 32 * 128);
  CHECK(a.attention_flops_per_pair(AttentionPhase::decode) == 4.0 * 32 * 128);
  CHECK(a.prefill_flops_per_cached_token() == 0.0);
  CHECK(a.kv_elements_per_token_layer() == 2.0 * 8 * 128);
}

TEST_CASE("the precise FLOP method prices MLA prefill expanded and decode absorbed") {
  const ModelSpec m = core::testing::deepseek_v3();
  const core::PreciseFlopCoefficients k = core::precise_flop_coefficients(m);
  CHECK(k.attention_flops_per_pair == 61.0 * 81920.0);
  CHECK(k.decode_attention_flops_per_pair == 61.0 * 278528.0);
  CHECK(k.prefill_flops_per_cached_token == 61.0 * 33554432.0);
  CHECK(k.matmul_flops_per_token == 2.0 * (37'552'282'624.0 - 129280.0 * 7168.0 * 2.0));

  // A decode step: one token on 999 cached attends 1000 keys, absorbed.
  const core::StepFlops decode = core::precise_step_flops(k, 1, 999, true);
  CHECK(decode.attention_flops == 61.0 * 278528.0 * 1000.0);
  // A prefill chunk of 100 on 900 cached: expanded pairs plus 900 cached latents up-projected.
  const core::StepFlops chunk = core::precise_step_flops(k, 100, 900, false);
  CHECK(chunk.attention_flops ==
        61.0 * 81920.0 * (100.0 * 900.0 + 100.0 * 101.0 / 2.0) + 61.0 * 33554432.0 * 900.0);

  // A whole request: prefill of 1000 from nothing (no cached latents), then 9 decode steps
  // attending 1001..1009 keys: 9 x 1000 + 45 = 9,045 pairs.
  core::FlopQuery query;
  query.batch = 1;
  query.input_tokens = 1000;
  query.output_tokens = 10;
  const core::FlopBreakdown flops = core::precise_flops(m, query);
  const double prefill = k.matmul_flops_per_token * 1000.0 + 61.0 * 81920.0 * (1000.0 * 1001.0 / 2.0) +
                         k.lm_head_flops_per_sample;
  CHECK(flops.flops_prefill == doctest::Approx(prefill).epsilon(1e-15));
  const double decode_total =
      9.0 * k.matmul_flops_per_token + 9045.0 * 61.0 * 278528.0 + 9.0 * k.lm_head_flops_per_sample;
  CHECK(flops.flops_decode == doctest::Approx(decode_total).epsilon(1e-15));
}

TEST_CASE("first_k_dense_replace and moe_layer_step split the layers into dense and MoE groups") {
  const Architecture a(core::testing::deepseek_v3());
  REQUIRE(a.groups().size() == 2);
  CHECK(a.groups()[0].layers == 3);
  CHECK(std::get<core::DenseFfn>(a.groups()[0].ffn).intermediate_size == 18432);
  CHECK(a.groups()[1].layers == 58);
  CHECK(std::get<core::MoeFfn>(a.groups()[1].ffn).num_experts == 256);
  CHECK(std::holds_alternative<core::LatentAttention>(a.groups()[1].attention));
  CHECK(a.moe_layers() == 58);
  // I, mean over layers: (3 x 18432 + 58 x (8 x 2048 + 2048)) / 61.
  CHECK(a.ffn_width_per_token() == doctest::Approx((3.0 * 18432 + 58.0 * (8.0 * 2048 + 2048)) / 61.0));

  // Llama 4 Maverick style: every second of 48 layers MoE (interleave_moe_layer_step 2).
  ModelSpec interleaved = core::testing::mixtral_8x7b();
  interleaved.num_layers = 48;
  interleaved.moe_layer_step = 2;
  CHECK(core::moe_layer_count(interleaved) == 24);
  const Architecture b(interleaved);
  CHECK(b.moe_layers() == 24);
  const core::ParameterCounts all_moe = core::count_parameters([&] {
    ModelSpec m = interleaved;
    m.moe_layer_step = 1;
    return m;
  }());
  // Each dense layer swaps 8 experts and the router for one MLP of intermediate_size.
  const double expert = 3.0 * 4096 * 14336;
  CHECK(all_moe.total - core::count_parameters(interleaved).total ==
        24.0 * (8.0 * expert + 4096.0 * 8 - expert));
}
