// Sliding-window models on the engine: KV blocks per sequence (KvLayout, after vLLM V1's
// hybrid KV-cache manager), the keys a scheduled step attends, and what is refused (issue 20).
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/architecture.h"
#include "core/input_error.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/kv_layout.h"
#include "sim/cluster/simulator.h"
#include "replica_test_support.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::core::Architecture;
using llmsim::core::ModelSpec;

namespace {

ModelSpec windowed(std::int64_t layers, std::int64_t windowed_layers, std::int64_t window) {
  ModelSpec m = llama_3_1_8b();
  m.id = "windowed";
  m.num_layers = layers;
  m.sliding_window = window;
  m.sliding_window_layers = windowed_layers;
  return m;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

TEST_CASE("without windows a sequence holds one block per block_size tokens") {
  const KvLayout layout(Architecture(llama_3_1_8b()), 16);
  CHECK(layout.plain());
  CHECK(layout.page_layer_share() == 1.0);
  for (std::int64_t c : {0, 1, 15, 16, 17, 1000}) {
    for (std::int64_t s : {0, 1, 16, 500}) {
      CAPTURE(c);
      CAPTURE(s);
      CHECK(layout.blocks_while_computing(c, s) == ceil_div(c + s, 16));
    }
  }
  CHECK(layout.peak_blocks(8199, 512) == ceil_div(8199, 16));
}

TEST_CASE("vLLM's grouping example: 10 full and 20 windowed layers hold 7 + 2 + 2 blocks at 112 tokens") {
  // docs/design/hybrid_kv_cache_manager.md: block_size 16, sliding window 32, 112 tokens.
  const KvLayout layout(Architecture(windowed(30, 20, 32)), 16);
  CHECK_FALSE(layout.plain());
  CHECK(layout.page_layer_share() == doctest::Approx(10.0 / 30.0));  // pages of 10 layers
  CHECK(layout.blocks_held(112) == 7 + 2 + 2);
  // Early on the windowed groups hold every block, like the full one.
  CHECK(layout.blocks_held(20) == 3 * 2);
}

TEST_CASE("Mistral-7B-v0.1 keeps 256 blocks of its 4096-token window at 32k tokens") {
  const KvLayout layout(Architecture(windowed(32, 32, 4096)), 16);
  CHECK(layout.page_layer_share() == 1.0);  // one group of all 32 layers
  // Positions 28,673 .. 32,767 are still attended: blocks 1792 .. 2047.
  CHECK(layout.blocks_held(32768) == 256);
  CHECK(layout.blocks_held(1000) == ceil_div(1000, 16));
  // A 512-token chunk on top of 30,000: positions 25,905 .. 30,511, blocks 1619 .. 1906.
  CHECK(layout.blocks_while_computing(30000, 512) == 1907 - 1619);
  CHECK(layout.peak_blocks(32767, 512) == ceil_div(4095 + 512, 16) + 1);
  for (std::int64_t c = 0; c < 9000; c += 97) {
    for (std::int64_t s : {1, 7, 512}) {
      CHECK(layout.blocks_while_computing(c, s) <= layout.peak_blocks(c + s, 512));
      CHECK(layout.blocks_held(c + s) <= layout.blocks_while_computing(c, s));
      CHECK(layout.blocks_held(c) <= layout.blocks_while_computing(c, s));
    }
  }
}

TEST_CASE("a windowed model's replica holds the window's blocks and attends at most the window") {
  EngineConfig engine;
  engine.max_num_batched_tokens = 512;
  engine.prefix_caching = false;
  ReplicaConfig config = ReplicaBench::make_config(engine, 300);
  config.architecture = std::make_shared<const Architecture>(windowed(32, 32, 4096));
  config.track_block_ids = false;
  LinearPricer pricer{0.010, 0.000001};
  std::vector<RequestRecord> records;
  MetricsCollector metrics(std::vector<std::int64_t>{300});
  Replica replica(config, pricer, records, metrics);
  // 8000 + 200 tokens: 513 blocks without the window, more than the 300 there are.
  RequestRecord rec;
  rec.input_tokens = 8000;
  rec.output_tokens = 200;
  records.push_back(rec);
  replica.add_request(request(0, 0, 8000, 200), 0);
  std::vector<RequestIndex> completed;
  llmsim::workloads::TimeNs now = 0;
  std::int64_t most_blocks = 0;
  std::int64_t decode_steps = 0;
  while (replica.has_work()) {
    now = replica.plan_iteration(now);
    most_blocks = std::max(most_blocks, replica.kv().num_allocated());
    if (replica.plan().shape.decode_seqs == 1) {
      ++decode_steps;
      CHECK(replica.plan().shape.decode_kv_tokens == 4096.0);  // context past the window
    }
    replica.apply_iteration(completed);
    if (replica.has_work()) CHECK(replica.kv().num_allocated() <= 257);
  }
  CHECK(completed.size() == 1);
  CHECK(decode_steps == 199);
  CHECK(most_blocks <= 300);
  CHECK(replica.kv().num_allocated() == 0);
}

TEST_CASE("KV capacity counts pages of one KV-cache group") {
  Scenario s = llama_scenario(EngineConfig{});
  const KvCapacity plain = kv_capacity(s.pools[0]);
  s.pools[0].model = windowed(30, 20, 1024);
  const KvCapacity mixed = kv_capacity(s.pools[0]);
  // A page holds 10 of the 30 layers: three times the blocks of the same bytes.
  CHECK(mixed.block_bytes == doctest::Approx(plain.block_bytes * 30.0 / 32.0 / 3.0));
}

TEST_CASE("shared KV blocks over windowed layers are refused, naming the model") {
  Scenario s = llama_scenario(EngineConfig{});
  s.pools[0].model = windowed(32, 32, 4096);
  // A list source may carry prefix identities: its replicas would share blocks.
  try {
    Simulator simulator(s, linear_hooks(0.01, 0.0, 1000, {request(0, 0, 10, 5)}));
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(std::string(error.what()).find("sliding-window") != std::string::npos);
    CHECK(error.key_path() == "model");
  }
}
