// Llama 4's chunked local attention (issue 23): a RoPE layer's query at position p attends
// p mod 8192 + 1 keys of its own chunk and keeps only that chunk; every 4th layer is global.
#include <doctest/doctest.h>

#include <variant>

#include "core/architecture.h"
#include "core/memory_footprint.h"
#include "core/parameter_counts.h"
#include "tests/core/reference_models.h"

using llmsim::core::Architecture;
using llmsim::core::DType;
using llmsim::core::ModelSpec;
namespace core = llmsim::core;

namespace {

/// Keys the queries at positions from .. to - 1 attend in one chunked layer of chunk C,
/// summed one by one.
double chunked_pairs_by_hand(std::int64_t from, std::int64_t to, std::int64_t chunk) {
  double sum = 0.0;
  for (std::int64_t p = from; p < to; ++p) sum += static_cast<double>(p % chunk + 1);
  return sum;
}

}  // namespace

TEST_CASE("Llama 4 Scout decode: 12 global layers attend the context, 36 chunked ones their chunk") {
  const Architecture a(core::testing::llama_4_scout());
  CHECK(a.has_chunked_attention());
  // Position 10,000: 10,001 keys in a global layer, 10,000 mod 8,192 + 1 = 1,809 in a chunked one.
  CHECK(a.mean_decode_keys(10000) == (12.0 * 10001.0 + 36.0 * 1809.0) / 48.0);
  // At a chunk's first position a chunked layer attends one key.
  CHECK(a.mean_decode_keys(8192) == (12.0 * 8193.0 + 36.0 * 1.0) / 48.0);
  CHECK(a.mean_decode_keys(100) == 101.0);  // inside the first chunk every layer is alike
}

TEST_CASE("Llama 4 Scout prefill pairs across a chunk boundary equal the sum position by position") {
  const Architecture a(core::testing::llama_4_scout());
  for (const auto& shape : {std::pair<std::int64_t, std::int64_t>{8150, 100}, {0, 20000}, {16384, 1}, {5, 8192}}) {
    // Named copies, not a structured binding: clang 14 cannot capture bindings in CAPTURE.
    const std::int64_t cached = shape.first;
    const std::int64_t fresh = shape.second;
    CAPTURE(cached);
    CAPTURE(fresh);
    const double expected = (12.0 * core::causal_pairs(static_cast<double>(fresh), static_cast<double>(cached)) +
                             36.0 * chunked_pairs_by_hand(cached, cached + fresh, 8192)) /
                            48.0;
    CHECK(a.mean_attention_pairs(fresh, cached) == doctest::Approx(expected).epsilon(1e-12));
    // KV touched: all cached (global) or the current chunk's cached part (chunked), plus the new.
    CHECK(a.mean_prefill_kv_tokens(fresh, cached) ==
          (12.0 * static_cast<double>(cached + fresh) + 36.0 * static_cast<double>(cached % 8192 + fresh)) / 48.0);
  }
}

TEST_CASE("Llama 4 Scout keeps the current chunk of KV in its chunked layers") {
  const ModelSpec m = core::testing::llama_4_scout();
  const Architecture a(m);
  // 32,768 tokens: the last query (position 32,767) attended 8,192 keys of its chunk.
  CHECK(a.kv_token_layers(32768) == 12.0 * 32768.0 + 36.0 * 8192.0);
  CHECK(a.kv_token_layers(10000) == 12.0 * 10000.0 + 36.0 * 1808.0);
  CHECK(a.kv_token_layers(0) == 0.0);
  // In bf16, 2 x 8 KV heads x 128 x 2 B = 4,096 B per token and layer.
  core::MemoryQuery query;
  query.sequence_tokens = 32768;
  CHECK(core::memory_footprint(m, query).kv_cache_bytes == (12.0 * 32768.0 + 36.0 * 8192.0) * 4096.0);
}

TEST_CASE("Llama 4 parameters: Scout 107.8B (109B with vision), Maverick 400.7B, 17B active") {
  const double h = 5120.0;
  const double attention = 2.0 * h * 5120.0 + 2.0 * h * 1024.0 + 2.0 * h;  // q, o, k, v, two norms
  const double expert = 3.0 * h * 8192.0;
  const double embedding = 2.0 * 202048.0 * h;
  const auto scout = core::count_parameters(core::testing::llama_4_scout());
  CHECK(scout.total == 48.0 * (attention + h * 16.0 + 16.0 * expert + expert) + h + embedding);
  CHECK(scout.active == 48.0 * (attention + h * 16.0 + expert + expert) + h + embedding);
  CHECK(scout.total == doctest::Approx(109.0e9).epsilon(0.02));  // the card's total has the vision encoder
  CHECK(scout.active == doctest::Approx(17.0e9).epsilon(0.02));

  ModelSpec maverick = core::testing::llama_4_scout();
  maverick.num_experts = 128;
  maverick.moe_layer_step = 2;
  maverick.max_position_embeddings = 1048576;
  const auto counts = core::count_parameters(maverick);
  const double dense = 3.0 * h * 16384.0;
  CHECK(counts.total == 24.0 * (attention + h * 128.0 + 128.0 * expert + expert) + 24.0 * (attention + dense) + h +
                            embedding);
  CHECK(counts.total == 400'711'848'960.0);
  CHECK(counts.total == doctest::Approx(400.0e9).epsilon(0.02));
  CHECK(counts.active == doctest::Approx(17.0e9).epsilon(0.02));
  // Maverick's groups: 24 dense and 24 MoE layers, 12 global and 36 chunked.
  const Architecture a(maverick);
  std::int64_t chunked = 0;
  for (const core::LayerGroup& group : a.groups()) {
    if (std::holds_alternative<core::ChunkedLocalAttention>(group.attention)) chunked += group.layers;
  }
  CHECK(chunked == 36);
  CHECK(a.moe_layers() == 24);
}
