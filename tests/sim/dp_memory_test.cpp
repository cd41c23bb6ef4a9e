// Memory on an attention-DP pool: each rank's KV blocks fit its own GPUs (sim/engine/
// kv_capacity.h), and the drafter's weights (sim/engine/speculative.h draft_footprint): a
// MoE drafter runs on the pool's DP and EP layout (draft_parallelism), so each GPU holds 1/EP
// of its routed experts and a whole copy (over TP) of everything else.
#include <doctest/doctest.h>

#include <cmath>

#include "core/dtype.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/speculative.h"
#include "sim_test_support.h"
#include "tests/core/reference_models.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

namespace {

/// DeepSeek-V3 in fp8 with its MTP module (one layer, a MoE block) as the drafter, on
/// `ranks` attention-DP ranks of one GPU each and expert parallelism `ranks`.
PoolSpec mtp_pool(int ranks) {
  EngineConfig engine;
  engine.max_num_seqs = 128 * ranks;
  engine.max_num_batched_tokens = 4096 * ranks;
  engine.speculative.method = SpeculativeMethod::mtp;
  engine.speculative.num_speculative_tokens = 1;
  engine.speculative.acceptance = {0.875};
  engine.speculative.draft_layers = 1;
  PoolSpec pool = llama_scenario(engine).pools[0];
  pool.model = llmsim::core::testing::deepseek_v3();
  pool.precision.weights = llmsim::core::DType::fp8;
  pool.attention_data_parallel = ranks;
  pool.expert_parallel = ranks;
  return pool;
}

}  // namespace

TEST_CASE("an MTP drafter on DEP8 holds 1/8 of its routed experts per GPU, the rest whole") {
  const PoolSpec one_gpu = mtp_pool(1);
  const PoolSpec dep8 = mtp_pool(8);
  REQUIRE(draft_parallelism(dep8).expert_parallel == 8);
  const DraftFootprint whole = draft_footprint(one_gpu);
  const DraftFootprint sharded = draft_footprint(dep8);
  // The MTP layer's routed experts (DeepSeek-V3 config.json: n_routed_experts 256,
  // moe_intermediate_size 2048, hidden_size 7168; gate, up and down projections), one byte
  // each in fp8: 256 x 3 x 7168 x 2048 = 11,274,289,152 bytes, of which a DEP8 GPU holds
  // 1/8 (1,409,286,144) and not the other 9,865,003,008.
  const double routed_bytes = 256.0 * 3.0 * 7168.0 * 2048.0;
  REQUIRE(routed_bytes == 11274289152.0);
  MESSAGE("drafter weights per GPU: one GPU ", whole.weight_bytes / 1e9, " GB, DEP8 ", sharded.weight_bytes / 1e9,
          " GB");
  CHECK(whole.weight_bytes - sharded.weight_bytes == doctest::Approx(9865003008.0).epsilon(1e-12));
  CHECK(sharded.weight_bytes == doctest::Approx(whole.weight_bytes - routed_bytes + routed_bytes / 8.0).epsilon(1e-12));
  // Its KV, like the target's, lives on the rank that holds the sequence: per token unchanged.
  CHECK(sharded.kv_bytes_per_token == whole.kv_bytes_per_token);
}

TEST_CASE("a dense drafter on an attention-DP pool stays split over TP alone") {
  // Llama-3.1-8B's EAGLE head cut from the target (dense): draft_parallelism keeps it on its
  // rank's GPUs, so DP does not change its footprint.
  EngineConfig engine;
  engine.max_num_seqs = 256;
  engine.max_num_batched_tokens = 8192;
  engine.speculative.method = SpeculativeMethod::eagle;
  engine.speculative.num_speculative_tokens = 2;
  engine.speculative.acceptance = {0.8, 0.6};
  engine.speculative.draft_layers = 1;
  PoolSpec alone = llama_scenario(engine).pools[0];
  PoolSpec dp2 = alone;
  dp2.attention_data_parallel = 2;
  REQUIRE(draft_parallelism(dp2).attention_data_parallel == 1);
  CHECK(draft_footprint(dp2).weight_bytes == draft_footprint(alone).weight_bytes);
  CHECK(draft_footprint(alone).weight_bytes > 0.0);
}

TEST_CASE("each DP rank's KV blocks fit in its own GPU's memory: a token's KV is whole on its rank") {
  // DEP16 DeepSeek-V3 on H100s (DEP8 does not fit 80 GB), fp8 KV: a token's latent KV on its
  // rank's one GPU is (kv_lora_rank 512 + qk_rope_head_dim 64) x 61 layers x 1 byte = 35,136
  // bytes (config.json), whatever DP.
  PoolSpec dep16 = mtp_pool(16);
  dep16.engine.speculative = SpeculativeConfig{};
  dep16.precision.kv_cache = llmsim::core::DType::fp8;
  const KvCapacity rank = kv_capacity(dep16);
  CHECK(rank.kv_bytes_per_token == 35136.0);
  REQUIRE(rank.blocks > 0);
  CHECK(rank.blocks == static_cast<std::int64_t>(std::floor(rank.kv_budget_bytes / (16.0 * 35136.0))));
  // The blocks every rank gets (the simulator gives each rank `blocks`) fit the GPU's budget;
  // before, the per-token bytes were averaged over the 16 ranks and each rank held 16 x as many.
  CHECK(static_cast<double>(rank.blocks) * rank.block_bytes <= rank.kv_budget_bytes);
  CHECK(static_cast<double>(rank.blocks + 1) * rank.block_bytes > rank.kv_budget_bytes);
}
