// The drafter's memory on an attention-DP pool (sim/engine/speculative.h draft_footprint): a
// MoE drafter runs on the pool's DP and EP layout (draft_parallelism), so each GPU holds 1/EP
// of its routed experts and a whole copy (over TP) of everything else.
#include <doctest/doctest.h>

#include "core/dtype.h"
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
