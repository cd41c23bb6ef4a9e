// Hybrid linear-attention and chunked-attention models on the engine (issue 23): each
// sequence's Gated DeltaNet state takes pages of the KV pool once, whatever its length, as
// vLLM V1's hybrid allocator gives each request one state per Mamba layer group; Llama 4's
// chunked layers keep the current chunk's blocks.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/architecture.h"
#include "core/input_error.h"
#include "sim/cluster/simulator.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/kv_layout.h"
#include "replica_test_support.h"
#include "sim_test_support.h"
#include "tests/core/reference_models.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::core::Architecture;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

Scenario qwen3_next_scenario(int tensor_parallel) {
  Scenario s = llama_scenario(EngineConfig{});
  s.pools[0].model = llmsim::core::testing::qwen3_next_80b_a3b();
  s.pools[0].tensor_parallel = tensor_parallel;
  return s;
}

}  // namespace

TEST_CASE("Qwen3-Next: one state per sequence in each of 3 DeltaNet groups, 34 pages of 16 tokens each") {
  const PoolSpec pool = qwen3_next_scenario(1).pools[0];
  // One DeltaNet layer's state, bf16: (32 x 128 x 128 + 8,192 x 3) x 2 B = 1,097,728 B; one
  // token in one attention layer: 2 x 2 heads x 256 x 2 B = 2,048 B. 536 token slots, which
  // 34 pages of 16 cover (544 slots: the attention block size vLLM picks for this model so
  // that one page holds one state).
  CHECK(state_token_equivalents(pool) == 536.0);
  const KvLayout layout = kv_layout_of(pool);
  CHECK_FALSE(layout.plain());
  CHECK(layout.state_pages() == 34);
  // Groups of G = min(12 attention, 36 DeltaNet) = 12 layers: 1 attention group, 3 state groups.
  CHECK(layout.page_layer_share() == 12.0 / 48.0);
  for (std::int64_t tokens : {1, 16, 17, 1000, 32768}) {
    CAPTURE(tokens);
    CHECK(layout.blocks_held(tokens) == ceil_div(tokens, 16) + 3 * 34);
    CHECK(layout.peak_blocks(tokens, 512) == ceil_div(tokens, 16) + 3 * 34);
  }
  CHECK(layout.blocks_held(0) == 0);  // no state before the first token
  CHECK(layout.blocks_while_computing(0, 512) == 32 + 3 * 34);
  // A page is 16 tokens x 12 attention layers x 2,048 B = 393,216 B.
  CHECK(kv_capacity(pool).block_bytes == 393216.0);
}

TEST_CASE("Qwen3-Next under TP 4: one replicated KV head per GPU, a quarter of the state") {
  const PoolSpec pool = qwen3_next_scenario(4).pools[0];
  // 1,097,728 / 4 = 274,432 B of state over 2 x 1 x 256 x 2 = 1,024 B per token and layer.
  CHECK(state_token_equivalents(pool) == 268.0);
  CHECK(kv_layout_of(pool).state_pages() == 17);
}

TEST_CASE("a Qwen3-Next replica holds its state pages from the first chunk and frees them at the end") {
  EngineConfig engine;
  engine.max_num_batched_tokens = 512;
  engine.prefix_caching = false;
  const PoolSpec pool = qwen3_next_scenario(1).pools[0];
  ReplicaConfig config = ReplicaBench::make_config(engine, 400);
  config.architecture = std::make_shared<const Architecture>(pool.model);
  config.state_token_equivalents = state_token_equivalents(pool);
  config.track_block_ids = false;
  LinearPricer pricer{0.010, 0.000001};
  std::vector<RequestRecord> records;
  MetricsCollector metrics(std::vector<std::int64_t>{400});
  Replica replica(config, pricer, records, metrics);
  RequestRecord rec;
  rec.input_tokens = 2000;
  rec.output_tokens = 50;
  records.push_back(rec);
  replica.add_request(request(0, 0, 2000, 50), 0);
  std::vector<RequestIndex> completed;
  llmsim::workloads::TimeNs now = 0;
  std::int64_t decode_steps = 0;
  while (replica.has_work()) {
    now = replica.plan_iteration(now);
    if (replica.plan().shape.decode_seqs == 1) {
      // Position 2,000 + steps so far: that many keys plus itself in 12 of 48 layers.
      CHECK(replica.plan().shape.decode_kv_tokens == static_cast<double>(2000 + decode_steps + 1) / 4.0);
      ++decode_steps;
    }
    replica.apply_iteration(completed);
    if (replica.has_work() && decode_steps > 0) {
      CHECK(replica.kv().num_allocated() ==
            ceil_div(2000 + decode_steps, 16) + 3 * 34);
    }
  }
  CHECK(completed.size() == 1);
  CHECK(decode_steps == 49);
  CHECK(replica.kv().num_allocated() == 0);
}

TEST_CASE("shared KV blocks over linear-attention layers are refused, naming the model") {
  Scenario s = qwen3_next_scenario(1);
  try {
    Simulator simulator(s, linear_hooks(0.01, 0.0, 1000, {request(0, 0, 10, 5)}));
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(std::string(error.what()).find("linear-attention") != std::string::npos);
    CHECK(error.key_path() == "model");
  }
}

TEST_CASE("Llama 4 Scout: chunked groups keep the current chunk's blocks, as vLLM's ChunkedLocalAttentionManager") {
  const KvLayout layout(Architecture(llmsim::core::testing::llama_4_scout()), 16);
  CHECK_FALSE(layout.plain());
  // G = min(12 global, 36 chunked) = 12 layers: 1 full group, 3 chunked groups.
  CHECK(layout.page_layer_share() == 12.0 / 48.0);
  // 10,000 tokens: 625 blocks in the full group; a chunked group keeps positions 8,192 on,
  // blocks 512 .. 624: 113 blocks.
  CHECK(layout.blocks_held(10000) == 625 + 3 * 113);
  // Inside the first chunk every group holds every block.
  CHECK(layout.blocks_held(5000) == 4 * ceil_div(5000, 16));
  // A chunk of 512 starting at 8,000 reaches back to its own chunk's start (position 0).
  CHECK(layout.blocks_while_computing(8000, 512) == ceil_div(8512, 16) + 3 * ceil_div(8512, 16));
  // One starting at 8,192 starts a new chunk: blocks 512 .. 543.
  CHECK(layout.blocks_while_computing(8192, 512) == 544 + 3 * 32);
  // The bound: a chunk and the 8,191 positions before it, as for a window of 8,192.
  CHECK(layout.peak_blocks(100000, 512) == ceil_div(100000, 16) + 3 * (ceil_div(8191 + 512, 16) + 1));
}

TEST_CASE("shared KV blocks over chunked layers are refused, naming the model") {
  Scenario s = llama_scenario(EngineConfig{});
  s.pools[0].model = llmsim::core::testing::llama_4_scout();
  try {
    Simulator simulator(s, linear_hooks(0.01, 0.0, 1000, {request(0, 0, 10, 5)}));
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(std::string(error.what()).find("chunked") != std::string::npos);
    CHECK(error.key_path() == "model");
  }
}
