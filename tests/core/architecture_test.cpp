#include "core/architecture.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <variant>

#include "core/memory_footprint.h"
#include "core/precise_flops.h"
#include "tests/core/reference_models.h"

using llmsim::core::Architecture;
using llmsim::core::DType;
using llmsim::core::ModelSpec;

namespace {

/// Mistral-7B-v0.1 (mistralai/Mistral-7B-v0.1 config.json): 32 layers, every one with a
/// 4096-token window; 8 KV heads of 128, so one token's KV is 2 x 32 x 8 x 128 x 2 =
/// 131,072 bytes in bf16.
/// Its layers and widths are Llama-3.1-8B's.
ModelSpec mistral_7b_v01(std::int64_t window) {
  ModelSpec m = llmsim::core::testing::llama_3_1_8b();
  m.id = "mistral-7b-v0.1";
  m.vocab_size = 32000;
  m.max_position_embeddings = 32768;
  m.sliding_window = window;
  m.sliding_window_layers = window > 0 ? 32 : 0;
  return m;
}

/// Gemma-3-27B's layer pattern: 62 layers, every 6th full (10), the others (52) windowed.
ModelSpec gemma3_pattern() {
  ModelSpec m = mistral_7b_v01(1024);
  m.num_layers = 62;
  m.sliding_window_layers = 52;
  m.max_position_embeddings = 131072;
  return m;
}

/// The (query, key) pairs of one windowed layer by brute force.
double pairs_by_loop(std::int64_t new_tokens, std::int64_t cached, std::int64_t window) {
  double pairs = 0.0;
  for (std::int64_t i = 1; i <= new_tokens; ++i) pairs += static_cast<double>(std::min(cached + i, window));
  return pairs;
}

}  // namespace

TEST_CASE("a model without a window is one full-attention group with the causal arithmetic") {
  const Architecture a(mistral_7b_v01(0));
  REQUIRE(a.groups().size() == 1);
  CHECK(a.groups()[0].layers == 32);
  CHECK(std::holds_alternative<llmsim::core::FullAttention>(a.groups()[0].attention));
  CHECK_FALSE(a.has_sliding_window());
  CHECK(a.mean_decode_keys(32767) == 32768.0);
  CHECK(a.mean_attention_pairs(10, 100) == 10.0 * 100.0 + 10.0 * 11.0 / 2.0);
  CHECK(a.mean_attention_pairs(10, 100) == llmsim::core::causal_attention_pairs(10, 100));
  CHECK(a.mean_prefill_kv_tokens(10, 100) == 110.0);
  CHECK(a.kv_token_layers(32768) == 32.0 * 32768.0);
  CHECK(a.ffn_width_per_token() == 14336.0);
}

TEST_CASE("a window at least as long as the context never binds and stays full attention") {
  const Architecture a(mistral_7b_v01(32768));
  CHECK_FALSE(a.has_sliding_window());
  CHECK(a.mean_decode_keys(32767) == 32768.0);
}

TEST_CASE("Mistral-7B-v0.1 at 32k context keeps and reads the window's KV, not the context's") {
  const Architecture windowed(mistral_7b_v01(4096));
  const Architecture full(mistral_7b_v01(0));
  REQUIRE(windowed.groups().size() == 1);
  CHECK(std::get<llmsim::core::SlidingWindowAttention>(windowed.groups()[0].attention).window_tokens == 4096);
  // KV per sequence: 4096 tokens x 131,072 bytes = 512 MiB, against 32768 x 131,072 = 4 GiB.
  CHECK(windowed.sequence_kv_bytes(32768, DType::bf16) == 4096.0 * 131072.0);
  CHECK(full.sequence_kv_bytes(32768, DType::bf16) == 32768.0 * 131072.0);
  // Below the window both keep every token.
  CHECK(windowed.sequence_kv_bytes(1000, DType::bf16) == 1000.0 * 131072.0);
  // A decode step at context 32767 attends 4096 keys in every layer, not 32768.
  CHECK(windowed.mean_decode_keys(32767) == 4096.0);
  CHECK(windowed.mean_decode_keys(100) == 101.0);
  // A chunk that crosses the window: queries 1..6 of 10 on top of 4090 see 4091..4096 keys,
  // the last 4 see 4096 each: 24,561 + 16,384.
  CHECK(windowed.mean_attention_pairs(10, 4090) == 24561.0 + 16384.0);
  CHECK(windowed.mean_attention_pairs(10, 4090) == pairs_by_loop(10, 4090, 4096));
  CHECK(windowed.mean_attention_pairs(5000, 30000) == pairs_by_loop(5000, 30000, 4096));
  CHECK(windowed.mean_attention_pairs(300, 0) == pairs_by_loop(300, 0, 4096));
  // The chunk reads the last W - 1 cached keys and writes its own.
  CHECK(windowed.mean_prefill_kv_tokens(512, 30000) == 4095.0 + 512.0);
}

TEST_CASE("a Gemma-3-style 5:1 pattern averages windowed and full layers") {
  const Architecture a(gemma3_pattern());
  REQUIRE(a.groups().size() == 2);
  CHECK(a.groups()[0].layers == 10);  // full
  CHECK(a.groups()[1].layers == 52);  // windowed
  // Decode at context 8191: 10 layers see 8192 keys, 52 see 1024: (81,920 + 53,248) / 62.
  CHECK(a.mean_decode_keys(8191) == doctest::Approx((10.0 * 8192.0 + 52.0 * 1024.0) / 62.0));
  CHECK(a.kv_token_layers(8192) == 10.0 * 8192.0 + 52.0 * 1024.0);
  CHECK(a.mean_attention_pairs(2048, 4096) ==
        doctest::Approx((10.0 * (2048.0 * 4096.0 + 2048.0 * 2049.0 / 2.0) + 52.0 * pairs_by_loop(2048, 4096, 1024)) /
                        62.0));
}

TEST_CASE("the memory footprint's KV cache follows the window") {
  llmsim::core::MemoryQuery query;
  query.batch = 4;
  query.sequence_tokens = 32768;
  const auto windowed = llmsim::core::memory_footprint(mistral_7b_v01(4096), query);
  const auto full = llmsim::core::memory_footprint(mistral_7b_v01(0), query);
  CHECK(windowed.kv_cache_bytes == 4.0 * 4096.0 * 131072.0);
  CHECK(full.kv_cache_bytes == 4.0 * 32768.0 * 131072.0);
  CHECK(windowed.weight_bytes == full.weight_bytes);
}

TEST_CASE("precise FLOPs of a request attend at most the window") {
  llmsim::core::FlopQuery query;
  query.input_tokens = 8000;
  query.output_tokens = 1001;
  const auto windowed = llmsim::core::precise_flops(mistral_7b_v01(4096), query);
  const auto full = llmsim::core::precise_flops(mistral_7b_v01(0), query);
  const auto k = llmsim::core::precise_flop_coefficients(mistral_7b_v01(0));
  // Decode: 1000 steps, each attending 4096 keys (the context is past the window throughout).
  const double decode_matmul = 1000.0 * (k.matmul_flops_per_token + k.lm_head_flops_per_sample);
  CHECK(windowed.flops_decode == doctest::Approx(decode_matmul + 1000.0 * 4096.0 * k.attention_flops_per_pair));
  CHECK(windowed.flops_prefill < full.flops_prefill);
  CHECK(windowed.flops_decode < full.flops_decode);
}
