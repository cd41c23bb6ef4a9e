// Sources:
// - Tile rows: triton-lang/triton, python/triton_kernels/triton_kernels/matmul_ogs_details/
//   opt_flags.py (make_default_opt_flags_nvidia, commit 009e8ed): tokens_per_expt = m //
//   n_expts_tot (m = routed rows); block_m = max(16, min(next_power_of_2(2 x tokens_per_expt),
//   64)) when tokens_per_expt <= 64 and the routing is ragged, else max(16,
//   min(next_power_of_2(tokens_per_expt), 128)). That kernel is the MoE GEMM of gpt-oss on
//   Hopper in TensorRT-LLM (moe_config.backend TRITON, the perf-overview tables) and in vLLM
//   (its triton_kernels MXFP4 path). vLLM's own fused_moe Triton kernel (Mixtral, Qwen3 MoE)
//   pads each expert to BLOCK_SIZE_M rows too (moe_align_block_size), from tuned per-GPU
//   tables whose small-batch entries are 16 and 64 rows: the same size class, not modelled
//   separately (an ASSUMPTION for those models).
// - Padding: the kernel maps each M tile to one expert (block_pid_map / expt_data: each
//   expert's rows start a new tile), so an expert with n rows costs ceil(n / B) tiles of B
//   rows; the rows past n are computed and masked.
#include "hw/grouped_gemm.h"

#include <algorithm>
#include <cmath>

#include "core/invariant.h"

namespace llmsim::hw {
namespace {

int next_power_of_two(double value) {
  int power = 1;
  while (power < value && power < (1 << 20)) power *= 2;
  return power;
}

}  // namespace

int moe_tile_rows(double tokens_per_expert) {
  const double mean = std::max(1.0, std::floor(tokens_per_expert));
  if (mean <= 64.0) return std::clamp(next_power_of_two(2.0 * mean), 16, 64);
  return std::clamp(next_power_of_two(mean), 16, 128);
}

double expected_moe_tiles(double num_experts, double experts_per_token, double tokens, int tile_rows) {
  core::check_invariant(num_experts >= experts_per_token && experts_per_token > 0.0 && tile_rows >= 1 &&
                            tokens >= 0.0,
                        "expected_moe_tiles: E >= k > 0, B >= 1, T >= 0");
  if (tokens <= 0.0) return 0.0;
  const double b = tile_rows;
  const double p = experts_per_token / num_experts;
  if (p >= 1.0) return num_experts * std::ceil(tokens / b);
  const double mean = tokens * p;
  const double sigma = std::sqrt(tokens * p * (1.0 - p));
  double per_expert = 1.0 - std::pow(1.0 - p, tokens);  // j = 0: P(n >= 1)
  // j >= 1: P(n >= jB + 1) ~ Q((jB + 0.5 - mean) / sigma); stop once far past the mean.
  for (double j = 1.0; j * b <= tokens; j += 1.0) {
    const double z = (j * b + 0.5 - mean) / sigma;
    const double tail = 0.5 * std::erfc(z / std::sqrt(2.0));
    per_expert += tail;
    if (z > 12.0) break;
  }
  return num_experts * per_expert;
}

MoeTiling moe_tiling(double num_experts, double experts_per_token, double tokens) {
  MoeTiling tiling;
  if (tokens <= 0.0) return tiling;
  tiling.tile_rows = moe_tile_rows(tokens * experts_per_token / num_experts);
  tiling.tiles = expected_moe_tiles(num_experts, experts_per_token, tokens, tiling.tile_rows);
  tiling.rows = std::max(tokens * experts_per_token, tiling.tiles * tiling.tile_rows);
  return tiling;
}

}  // namespace llmsim::hw
