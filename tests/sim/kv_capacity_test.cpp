#include "sim/engine/kv_capacity.h"

#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

TEST_CASE("llama-3.1-8b on one h100 gets the KV blocks left after weights and activations") {
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  const KvCapacity c = kv_capacity(pool);
  // usable 80 GiB x 0.9 = 77,309,411,328 B; weights 8,030,261,248 params x 2 B;
  // activations 8192 x (4 x 4096 + 2 x 14336) x 2 = 738,197,504; logits 256 x 128256 x 4.
  CHECK(c.usable_bytes == doctest::Approx(77309411328.0));
  CHECK(c.weight_bytes == doctest::Approx(16060522496.0));
  CHECK(c.activation_reserve_bytes == doctest::Approx(738197504.0 + 131334144.0));
  CHECK(c.kv_bytes_per_token == doctest::Approx(131072.0));  // 2 x 32 x 8 x 128 x 2
  // (77,309,411,328 - 16,060,522,496 - 869,531,648) / (16 x 131,072) = 28,791.1
  CHECK(c.blocks == 28791);
}

TEST_CASE("tensor parallelism splits weights and KV heads over the GPUs") {
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  pool.tensor_parallel = 2;
  const KvCapacity c = kv_capacity(pool);
  CHECK(c.weight_bytes == doctest::Approx(8030261248.0));
  CHECK(c.kv_bytes_per_token == doctest::Approx(65536.0));  // 4 of 8 KV heads per GPU
  // activations 8192 x (16384 + 14336) x 2 = 503,316,480; + logits 131,334,144
  // (77,309,411,328 - 8,030,261,248 - 634,650,624) / (16 x 65,536) = 65,464.5
  CHECK(c.blocks == 65464);
}

TEST_CASE("with fewer KV heads than GPUs each GPU keeps one replicated head") {
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  pool.model.num_kv_heads = 2;
  pool.tensor_parallel = 4;
  const KvCapacity c = kv_capacity(pool);
  CHECK(c.kv_bytes_per_token == doctest::Approx(2.0 * 32 * 1 * 128 * 2));
}

TEST_CASE("a model larger than the GPU gets no blocks and the simulator refuses it") {
  Scenario scenario = llama_scenario(EngineConfig{});
  PoolSpec& pool = scenario.pools.front();
  pool.hardware.hbm_capacity_bytes = 16e9;  // weights alone take 16.06 GB
  CHECK(kv_capacity(pool).blocks <= 0);
  try {
    Simulator simulator(scenario, linear_hooks(0.01, 0.0, 0, {request(0, 0, 10, 2)}));
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& e) {
    CHECK(std::string(e.what()).find("model llama-3.1-8b does not fit") != std::string::npos);
  }
}
