// MoE grouped GEMMs padded to the kernel's M tile (hw/grouped_gemm.h).
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>

#include "hw/grouped_gemm.h"

namespace {

using llmsim::hw::expected_moe_tiles;
using llmsim::hw::moe_tile_rows;
using llmsim::hw::moe_tiling;

/// E[ceil(n / B)] for n ~ Binomial(T, p), summed exactly over the probability mass function
/// (log-space binomial coefficients): an independent check of the normal approximation.
double exact_tiles_per_expert(double tokens, double p, int tile_rows) {
  const int t = static_cast<int>(tokens);
  double sum = 0.0;
  for (int n = 1; n <= t; ++n) {
    const double log_pmf = std::lgamma(t + 1.0) - std::lgamma(n + 1.0) - std::lgamma(t - n + 1.0) +
                           n * std::log(p) + (t - n) * std::log1p(-p);
    sum += std::exp(log_pmf) * std::ceil(static_cast<double>(n) / tile_rows);
  }
  return sum;
}

}  // namespace

TEST_CASE("the MoE tile rows follow the Triton MoE kernel's rule") {
  // <= 64 tokens per expert: next power of two of 2x the mean in [16, 64]; above: 128.
  CHECK(moe_tile_rows(0.2) == 16);  // at least one token per expert
  CHECK(moe_tile_rows(1) == 16);
  CHECK(moe_tile_rows(8) == 16);
  CHECK(moe_tile_rows(8.9) == 16);  // the mean is rounded down (integer division)
  CHECK(moe_tile_rows(9) == 32);
  CHECK(moe_tile_rows(16) == 32);
  CHECK(moe_tile_rows(17) == 64);
  CHECK(moe_tile_rows(64) == 64);
  CHECK(moe_tile_rows(65) == 128);
  CHECK(moe_tile_rows(5000) == 128);
}

TEST_CASE("expected MoE tiles: exact limits") {
  CHECK(expected_moe_tiles(32, 4, 0, 16) == 0.0);
  // One token touches its k experts with one row each: k tiles.
  CHECK(expected_moe_tiles(32, 4, 1, 16) == doctest::Approx(4.0).epsilon(1e-12));
  // Every token to every expert (k = E): each expert has T rows, ceil(T / B) tiles.
  CHECK(expected_moe_tiles(4, 4, 20, 16) == 4.0 * 2.0);
  CHECK(expected_moe_tiles(4, 4, 32, 16) == 4.0 * 2.0);
  CHECK(expected_moe_tiles(4, 4, 33, 16) == 4.0 * 3.0);
}

TEST_CASE("expected MoE tiles match the exact binomial expectation") {
  struct Case {
    double experts, k, tokens;
    int tile_rows;
  };
  // gpt-oss-20b (32 experts, top-4) at decode batches and a prefill chunk; Qwen3-30B-A3B
  // (128, top-8); DeepSeek-V3 (256, top-8).
  for (const Case c : {Case{32, 4, 64, 16}, Case{32, 4, 256, 64}, Case{32, 4, 2048, 128},
                       Case{128, 8, 512, 64}, Case{128, 8, 4096, 128}, Case{256, 8, 1000, 64}}) {
    CAPTURE(c.experts);
    CAPTURE(c.tokens);
    const double expected = c.experts * exact_tiles_per_expert(c.tokens, c.k / c.experts, c.tile_rows);
    CHECK(expected_moe_tiles(c.experts, c.k, c.tokens, c.tile_rows) == doctest::Approx(expected).epsilon(0.01));
  }
}

TEST_CASE("a few tokens per expert are padded to whole tiles; many are not") {
  // gpt-oss-20b, 64 decode tokens: 256 routed rows, 8 per expert -> 16-row tiles, each of the
  // 32 experts touched (P = 1 - (7/8)^64 = 0.9998) with about one tile: about 2x the rows.
  const auto decode = moe_tiling(32, 4, 64);
  CHECK(decode.tile_rows == 16);
  CHECK(decode.rows / (64.0 * 4.0) == doctest::Approx(2.0).epsilon(0.02));
  // One token: k tiles of 16 rows for 4 rows of work.
  CHECK(moe_tiling(32, 4, 1).rows == doctest::Approx(64.0));
  // A prefill chunk of 8192 tokens: 1024 rows per expert, 128-row tiles; the padding is at
  // most one tile per expert: under 4096 / 32768 = 12.5% more rows.
  const auto prefill = moe_tiling(32, 4, 8192);
  CHECK(prefill.tile_rows == 128);
  CHECK(prefill.rows >= 8192.0 * 4.0);
  CHECK(prefill.rows <= 8192.0 * 4.0 + 32.0 * 128.0);
}
