// Grouped (MoE) GEMMs at few tokens per expert: each routed expert's rows are padded up to
// the kernel's M tile, so a batch that touches e experts with a few tokens each multiplies
// e whole tiles, not T x k rows. Sources in grouped_gemm.cpp.
#pragma once

namespace llmsim::hw {

/// Rows of one M tile of the MoE kernel for a batch with `tokens_per_expert` routed rows
/// per expert on average (routed pairs / experts, rounded down, at least 1), as the Triton
/// MoE kernel picks it (triton_kernels matmul_ogs, opt_flags.py): up to 64 tokens per expert
/// the next power of two of twice the mean, clamped to [16, 64] ("ragged and likely memory
/// bound"); above, the next power of two of the mean, clamped to [16, 128] (so 128).
///   1..8 -> 16, 9..16 -> 32, 17..64 -> 64, > 64 -> 128.
int moe_tile_rows(double tokens_per_expert);

/// Expected M tiles of one MoE layer, sum over the E experts of E[ceil(n_e / B)], when each
/// of `tokens` tokens routes to `experts_per_token` (k) distinct experts of `num_experts`
/// (E) uniformly, so that n_e ~ Binomial(T, k/E), and tiles have `tile_rows` (B) rows:
///   E[ceil(n / B)] = sum_{j >= 0} P(n > j B)
///                  = (1 - (1 - k/E)^T) + sum_{j >= 1} P(n >= j B + 1)
/// the first term exact (the distinct-expert occupancy of hw/iteration_work_model.h), the
/// others from the normal approximation of the binomial with continuity correction. k = E
/// (every token to every expert) is exact: E ceil(T / B). 0 tokens -> 0.
/// Preconditions: num_experts >= experts_per_token > 0, tile_rows >= 1, tokens >= 0.
double expected_moe_tiles(double num_experts, double experts_per_token, double tokens, int tile_rows);

/// The rows one MoE layer's grouped GEMM multiplies for `tokens` tokens: tile rows x
/// expected tiles, at the tile moe_tile_rows picks for the batch. At least the routed pairs
/// T x k (to rounding of the approximation: the caller takes the max).
struct MoeTiling {
  int tile_rows = 0;    ///< B
  double tiles = 0.0;   ///< expected M tiles of one layer (all experts)
  double rows = 0.0;    ///< B x tiles, >= T x k
};
MoeTiling moe_tiling(double num_experts, double experts_per_token, double tokens);

}  // namespace llmsim::hw
