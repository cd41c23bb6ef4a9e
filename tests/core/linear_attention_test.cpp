// Hybrid linear attention (issue 23): Qwen3-Next's Gated DeltaNet layers keep a constant
// state per sequence instead of per-token KV, and their FLOPs per token do not grow with the
// context. Every expected number is written out from config.json's fields.
#include <doctest/doctest.h>

#include <variant>

#include "core/architecture.h"
#include "core/memory_footprint.h"
#include "core/parameter_counts.h"
#include "core/precise_flops.h"
#include "tests/core/reference_models.h"

using llmsim::core::Architecture;
using llmsim::core::DType;
using llmsim::core::ModelSpec;
namespace core = llmsim::core;

namespace {

// One Gated DeltaNet layer of Qwen3-Next (16 key heads, 32 value heads, both 128 wide, conv 4):
//   recurrent state  32 x 128 x 128                         = 524,288 elements
//   conv state       (2 x 16 x 128 + 32 x 128) x (4 - 1)    =  24,576 elements
constexpr double kRecurrent = 32.0 * 128.0 * 128.0;
constexpr double kConv = (2.0 * 16.0 * 128.0 + 32.0 * 128.0) * 3.0;
constexpr double kStatePerLayer = kRecurrent + kConv;  // 548,864
// FLOPs per token and layer: 7 per recurrent-state element + 2 x kernel 4 per conv channel.
constexpr double kFlopsPerLayer = 7.0 * kRecurrent + 2.0 * 4.0 * 8192.0;  // 3,735,552
// A full-attention layer keeps K and V of 2 heads x 256 per token: 1,024 elements.
constexpr double kKvPerTokenLayer = 2.0 * 2.0 * 256.0;

}  // namespace

TEST_CASE("Qwen3-Next: 12 attention layers keep KV per token, 36 DeltaNet layers one state per sequence") {
  const ModelSpec m = core::testing::qwen3_next_80b_a3b();
  const Architecture a(m);
  REQUIRE(a.has_linear_attention());
  CHECK(a.linear_attention_layers() == 36);
  REQUIRE(a.groups().size() == 2);
  CHECK(a.groups()[0].layers == 12);
  CHECK(std::holds_alternative<core::FullAttention>(a.groups()[0].attention));
  CHECK(a.groups()[1].layers == 36);
  CHECK(std::holds_alternative<core::LinearAttention>(a.groups()[1].attention));

  CHECK(a.linear_attention().state_elements() == kStatePerLayer);
  CHECK(a.sequence_state_elements() == 36.0 * kStatePerLayer);  // 19,759,104 elements
  // In bf16: 39,518,208 bytes per sequence, at 1 token or 1M.
  CHECK(a.sequence_state_bytes(DType::bf16) == 39'518'208.0);

  // KV: only the 12 attention layers, 1,024 elements per token each.
  CHECK(a.kv_elements_per_token_layer() == kKvPerTokenLayer);
  CHECK(a.kv_token_layers(32768) == 12.0 * 32768.0);
  CHECK(a.sequence_kv_bytes(32768, DType::bf16) == 12.0 * 32768.0 * kKvPerTokenLayer * 2.0);  // 805,306,368
}

TEST_CASE("Qwen3-Next decode at 32k: attention keys are the attention layers' alone; the DeltaNet FLOPs are constant") {
  const Architecture a(core::testing::qwen3_next_80b_a3b());
  // Position 32,767: 32,768 keys in each of 12 of 48 layers, none in the other 36.
  CHECK(a.mean_decode_keys(32767) == 12.0 * 32768.0 / 48.0);
  CHECK(a.mean_decode_keys(65535) == 12.0 * 65536.0 / 48.0);
  // Prefill of 4,096 tokens on 28,672 cached: causal pairs in 12 of 48 layers, KV tokens likewise.
  CHECK(a.mean_attention_pairs(4096, 28672) == 12.0 * core::causal_pairs(4096.0, 28672.0) / 48.0);
  CHECK(a.mean_prefill_kv_tokens(4096, 28672) == 12.0 * 32768.0 / 48.0);
  // 36 layers x 3,735,552 = 134,479,872 FLOPs per token, whatever the context.
  CHECK(a.linear_attention().flops_per_token() == kFlopsPerLayer);
  CHECK(a.linear_attention_flops_per_token() == 36.0 * kFlopsPerLayer);
  // The precise FLOP method adds them per token: a decode step at 32k and at 64k differ only by
  // the attention layers' extra keys.
  const auto k = core::precise_flop_coefficients(core::testing::qwen3_next_80b_a3b());
  const double params = core::count_parameters(core::testing::qwen3_next_80b_a3b()).active_non_embedding;
  CHECK(k.matmul_flops_per_token == 2.0 * params + 36.0 * kFlopsPerLayer);
  core::FlopQuery at32k;
  at32k.input_tokens = 32767;
  at32k.output_tokens = 2;
  core::FlopQuery at64k = at32k;
  at64k.input_tokens = 65535;
  const ModelSpec m = core::testing::qwen3_next_80b_a3b();
  // One decode step each (output 2: the prefill samples the first): 4 x 48 layers x 16 x 256
  // per pair over 12/48 of the keys.
  const double pair = 4.0 * 48.0 * 16.0 * 256.0;
  CHECK(core::precise_flops(m, at64k).flops_decode - core::precise_flops(m, at32k).flops_decode ==
        doctest::Approx(pair * 12.0 * (65536.0 - 32768.0) / 48.0));
}

TEST_CASE("Qwen3-Next's memory footprint adds one state per sequence to the attention layers' KV") {
  const ModelSpec m = core::testing::qwen3_next_80b_a3b();
  core::MemoryQuery query;
  query.batch = 2;
  query.sequence_tokens = 32768;
  // bf16 KV: 32,768 tokens x 12 layers x 1,024 x 2 B = 805,306,368 B; state 39,518,208 B.
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == 2.0 * (805'306'368.0 + 39'518'208.0));
  // fp8 KV halves the KV; the state stays in the model's 16-bit dtype (vLLM's "auto").
  query.kv_cache_dtype = DType::fp8;
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == 2.0 * (402'653'184.0 + 39'518'208.0));
  // TP 2: one KV head and half the DeltaNet heads per GPU.
  query.kv_cache_dtype = DType::bf16;
  query.tensor_parallel = 2;
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == 2.0 * (805'306'368.0 + 39'518'208.0) / 2.0);
}

TEST_CASE("Qwen3-Next parameters: gated attention, Gated DeltaNet, 512 experts + 1 shared; 80B total") {
  const ModelSpec m = core::testing::qwen3_next_80b_a3b();
  const double h = 2048.0;
  // Attention layer: q_proj h x 2 x 16 x 256 (query and output gate), k/v h x 512 each,
  // o_proj 4,096 x h, q_norm + k_norm 2 x 256, two layer norms.
  const double attention = h * 8192.0 + 2.0 * h * 512.0 + 4096.0 * h + 512.0 + 2.0 * h;  // 27,267,584
  // DeltaNet layer: in_proj_qkvz h x (2 x 2,048 + 2 x 4,096), in_proj_ba h x 64, conv1d 8,192 x 4,
  // dt_bias and A_log 32 each, gated norm 128, out_proj 4,096 x h, two layer norms.
  const double deltanet = h * 12288.0 + h * 64.0 + 8192.0 * 4.0 + 64.0 + 128.0 + 4096.0 * h + 2.0 * h;
  const double expert = 3.0 * h * 512.0;  // 3,145,728
  const double moe_total = h * 512.0 + 512.0 * expert + expert;
  const double moe_active = h * 512.0 + 10.0 * expert + expert;
  const double embedding = 2.0 * 151936.0 * h;
  const auto counts = core::count_parameters(m);
  CHECK(counts.total == 12.0 * (attention + moe_total) + 36.0 * (deltanet + moe_total) + h + embedding);
  CHECK(counts.active == 12.0 * (attention + moe_active) + 36.0 * (deltanet + moe_active) + h + embedding);
  CHECK(counts.total == 79'674'292'992.0);
  // The model card: "80B in total", "79B" non-embedding, "3B activated" (without the embeddings).
  CHECK(counts.total == doctest::Approx(80.0e9).epsilon(0.02));
  CHECK(counts.non_embedding == doctest::Approx(79.0e9).epsilon(0.01));
  CHECK(counts.active_non_embedding == 3'252'501'248.0);
}

TEST_CASE("Nemotron-H-8B: 24 Mamba-2 blocks keep a state, 4 attention blocks KV, 24 MLP blocks neither") {
  const ModelSpec m = core::testing::nemotron_h_8b();
  const Architecture a(m);
  REQUIRE(a.groups().size() == 3);
  CHECK(a.groups()[0].layers == 4);
  CHECK(std::holds_alternative<core::FullAttention>(a.groups()[0].attention));
  CHECK(std::holds_alternative<core::NoFfn>(a.groups()[0].ffn));
  CHECK(a.groups()[1].layers == 24);
  CHECK(std::holds_alternative<core::LinearAttention>(a.groups()[1].attention));
  CHECK(std::holds_alternative<core::NoFfn>(a.groups()[1].ffn));
  CHECK(a.groups()[2].layers == 24);
  CHECK(std::holds_alternative<core::NoMixer>(a.groups()[2].attention));
  // Mamba-2 state per layer: 128 heads x 128 (state) x 64 (head) = 1,048,576, conv
  // (2 x 8 x 128 + 8,192) x 3 = 30,720: 1,079,296 elements; 24 layers in bf16 = 51,806,208 B.
  CHECK(a.linear_attention().state_elements() == 1'079'296.0);
  CHECK(a.sequence_state_bytes(DType::bf16) == 51'806'208.0);
  // FLOPs per token and layer: 5 x 1,048,576 + 2 x 4 x 10,240 = 5,324,800.
  CHECK(a.linear_attention().flops_per_token() == 5'324'800.0);
  // Keys: only the 4 attention blocks of 52. MLP width: 24 of 52 blocks carry 21,504.
  CHECK(a.mean_decode_keys(8191) == 4.0 * 8192.0 / 52.0);
  CHECK(a.kv_token_layers(8192) == 4.0 * 8192.0);
  CHECK(a.ffn_width_per_token() == 24.0 * 21504.0 / 52.0);
}

TEST_CASE("Nemotron-H-8B parameters: one norm per block; 8.1B") {
  const double h = 4096.0;
  const double mamba = h * (2.0 * 8192.0 + 2.0 * 1024.0 + 128.0) + 10240.0 * 5.0 + 3.0 * 128.0 + 8192.0 +
                       8192.0 * h + h;                                       // 109,640,064
  const double attention = 2.0 * h * 4096.0 + 2.0 * h * 1024.0 + h;        // 41,947,136
  const double mlp = 2.0 * h * 21504.0 + h;                                 // 176,164,864
  const auto counts = core::count_parameters(core::testing::nemotron_h_8b());
  CHECK(counts.total == 24.0 * mamba + 4.0 * attention + 24.0 * mlp + h + 2.0 * 131072.0 * h);
  CHECK(counts.total == 8'100'852'736.0);
  CHECK(counts.total == doctest::Approx(8.0e9).epsilon(0.02));  // "8B"
  CHECK(counts.active == counts.total);                          // dense
}
