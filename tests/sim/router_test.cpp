#include "sim/cluster/router.h"

#include <doctest/doctest.h>

#include <vector>

#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

namespace {

std::vector<std::int32_t> replicas_of(RouterKind router, std::vector<llmsim::workloads::RequestSpec> requests,
                                      std::uint64_t seed = 7) {
  Scenario scenario = llama_scenario(EngineConfig{}, 2);
  scenario.seed = seed;
  scenario.pools.front().router = router;
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, std::move(requests)));
  std::vector<std::int32_t> out;
  for (const RequestRecord& r : simulator.run().requests) out.push_back(r.replica);
  return out;
}

}  // namespace

TEST_CASE("round robin cycles through the replicas") {
  const auto chosen = replicas_of(RouterKind::round_robin, {request(0, 0, 1000, 10), request(1, 0, 10, 10),
                                                            request(2, 0, 10, 10), request(3, 0, 10, 10)});
  CHECK(chosen == std::vector<std::int32_t>{0, 1, 0, 1});
}

TEST_CASE("least loaded picks the replica with the fewest outstanding tokens, ties to the lowest") {
  // After the first (1010 tokens) goes to replica 0 (tie), replica 1 has 0, then 20, then 40.
  const auto chosen = replicas_of(RouterKind::least_loaded, {request(0, 0, 1000, 10), request(1, 0, 10, 10),
                                                             request(2, 0, 10, 10), request(3, 0, 10, 10)});
  CHECK(chosen == std::vector<std::int32_t>{0, 1, 1, 1});
}

TEST_CASE("random routing is seeded and stays within the pool") {
  std::vector<llmsim::workloads::RequestSpec> requests;
  for (std::uint64_t i = 0; i < 64; ++i) requests.push_back(request(i, 0, 10, 2));
  const auto a = replicas_of(RouterKind::random, requests, 1);
  const auto b = replicas_of(RouterKind::random, requests, 1);
  CHECK(a == b);
  std::int64_t on_one = 0;
  for (const std::int32_t r : a) {
    CHECK((r == 0 || r == 1));
    on_one += r;
  }
  CHECK(on_one > 0);
  CHECK(on_one < 64);
}
