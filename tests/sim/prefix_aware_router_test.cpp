// The prefix_aware router (sim/cluster/router.h): Dynamo's KV router cost over each
// replica's prefix cache and load.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "sim/cluster/router.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;
using llmsim::workloads::TimeNs;

namespace {

constexpr TimeNs kSecond = 1'000'000'000;

RequestSpec with_prefix(std::uint64_t id, TimeNs arrival_ns, std::int64_t input_tokens,
                        std::int64_t output_tokens, std::uint64_t prefix_hash) {
  RequestSpec r = request(id, arrival_ns, input_tokens, output_tokens);
  r.prefix_hashes = {prefix_hash};  // one hash for the first 512 tokens (prefix_block_tokens)
  return r;
}

RunResult run_routed(RouterKind router, std::vector<RequestSpec> requests, std::int32_t replicas = 2,
                     std::uint64_t seed = 7) {
  Scenario scenario = llama_scenario(EngineConfig{}, replicas);
  scenario.seed = seed;
  scenario.pools.front().router = router;
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, std::move(requests)));
  return simulator.run();
}

std::vector<std::int32_t> replicas_of(const RunResult& result) {
  std::vector<std::int32_t> out;
  for (const RequestRecord& r : result.requests) out.push_back(r.replica);
  return out;
}

}  // namespace

TEST_CASE("Dynamo's cost: overlap_score_weight x prefill blocks + decode blocks") {
  PrefixAwareCostInputs in;
  in.pending_prompt_tokens = 160;
  in.input_tokens = 600;
  in.overlap_blocks = 32;
  in.decode_blocks = 11;
  in.block_size = 16;
  // (160 + 600 - 32 x 16) / 16 = 15.5 prefill blocks, + 11 decode blocks.
  CHECK(prefix_aware_cost(in) == doctest::Approx(26.5));
  CHECK(prefix_aware_cost(in, 2.0) == doctest::Approx(42.0));
  CHECK(prefix_aware_cost(in, 0.0) == doctest::Approx(11.0));  // weight 0: load alone
}

TEST_CASE("prefix_aware sends a request to the replica that caches its prefix") {
  // A and B arrive together on idle replicas: A goes to 0 (a tie), B to 1 (0 has A's
  // prompt pending). Both finish in well under a second and leave their 512-token
  // prefixes cached. C (B's prefix) and D (A's prefix) then go where their prefix is,
  // the reverse of the order round_robin would give them.
  const std::vector<RequestSpec> requests = {
      with_prefix(0, 0, 600, 2, 111), with_prefix(1, 0, 600, 2, 222),
      with_prefix(2, 1 * kSecond, 600, 2, 222), with_prefix(3, 2 * kSecond, 600, 2, 111)};
  const RunResult routed = run_routed(RouterKind::prefix_aware, requests);
  CHECK(replicas_of(routed) == std::vector<std::int32_t>{0, 1, 1, 0});
  CHECK(routed.requests[2].cached_tokens == 512);
  CHECK(routed.requests[3].cached_tokens == 512);
  CHECK(routed.summary["cache"]["cached_tokens"] == 1024);

  const RunResult cycled = run_routed(RouterKind::round_robin, requests);
  CHECK(replicas_of(cycled) == std::vector<std::int32_t>{0, 1, 0, 1});
  CHECK(cycled.summary["cache"]["cached_tokens"] == 0);
}

TEST_CASE("prefix_aware breaks equal costs by load, then by the lowest index") {
  // Requests 0 and 1 carry no prefix hashes, so they are routed least-loaded: 0 to replica
  // 0 (a tie), 1 to replica 1. Both prompts take 10 blocks, and after the first iteration
  // (10.16 ms) each replica holds 11 blocks with no prompt pending: equal costs for the
  // probe at 15 ms, which overlaps neither cache. Replica 0 owes 999 more output tokens,
  // replica 1 only 9, so the probe goes to replica 1.
  const std::vector<RequestSpec> requests = {request(0, 0, 160, 1000), request(1, 0, 160, 10),
                                             with_prefix(2, 15'000'000, 600, 2, 333)};
  const RunResult r = run_routed(RouterKind::prefix_aware, requests);
  CHECK(replicas_of(r) == std::vector<std::int32_t>{0, 1, 1});

  // On idle replicas every cost and load is equal: the lowest index.
  const RunResult idle = run_routed(RouterKind::prefix_aware, {with_prefix(0, 0, 600, 2, 333)});
  CHECK(replicas_of(idle) == std::vector<std::int32_t>{0});
}

TEST_CASE("prefix_aware routes requests without prefix hashes least-loaded") {
  // The least_loaded case of router_test.cpp: same choices.
  const std::vector<RequestSpec> requests = {request(0, 0, 1000, 10), request(1, 0, 10, 10),
                                             request(2, 0, 10, 10), request(3, 0, 10, 10)};
  CHECK(replicas_of(run_routed(RouterKind::prefix_aware, requests)) ==
        replicas_of(run_routed(RouterKind::least_loaded, requests)));
  CHECK(replicas_of(run_routed(RouterKind::prefix_aware, requests)) == std::vector<std::int32_t>{0, 1, 1, 1});
}

namespace {

/// 3 shared prefixes (hash 1000 + i mod 3) over 96 requests, 5 ms apart: on 4 replicas,
/// round_robin spreads every prefix over all of them.
std::vector<RequestSpec> shared_prefix_workload() {
  std::vector<RequestSpec> requests;
  for (std::uint64_t i = 0; i < 96; ++i) {
    const std::uint64_t group = i % 3;
    requests.push_back(with_prefix(i, static_cast<TimeNs>(i) * 5'000'000, 900, 20, 1000 + group));
  }
  return requests;
}

}  // namespace

TEST_CASE("prefix_aware never lowers the hit rate against round_robin on shared prefixes") {
  const RunResult routed = run_routed(RouterKind::prefix_aware, shared_prefix_workload(), 4);
  const RunResult cycled = run_routed(RouterKind::round_robin, shared_prefix_workload(), 4);
  const double routed_rate = routed.summary["cache"]["prefix_cache_hit_rate"].get<double>();
  const double cycled_rate = cycled.summary["cache"]["prefix_cache_hit_rate"].get<double>();
  MESSAGE("hit rate prefix_aware ", routed_rate, " round_robin ", cycled_rate);
  CHECK(routed_rate >= cycled_rate);
  CHECK(routed.summary["cache"]["cached_tokens"].get<std::int64_t>() >
        cycled.summary["cache"]["cached_tokens"].get<std::int64_t>());
  // round_robin computes each prefix once on every replica (12 misses); prefix_aware keeps
  // a prefix where it was computed unless load outweighs the 32 cached blocks.
  CHECK(cycled.summary["cache"]["cached_tokens"] == (96 - 12) * 512);
}

TEST_CASE("prefix_aware runs are deterministic") {
  const RunResult a = run_routed(RouterKind::prefix_aware, shared_prefix_workload(), 4, 11);
  const RunResult b = run_routed(RouterKind::prefix_aware, shared_prefix_workload(), 4, 11);
  CHECK(a.summary.dump() == b.summary.dump());
  CHECK(replicas_of(a) == replicas_of(b));
}
