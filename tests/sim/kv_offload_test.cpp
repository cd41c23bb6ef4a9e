// KV offload tiers (sim/engine/kv_offload.h): evicted prefix blocks kept in host DRAM /
// NVMe, loaded back on a hit and priced as a transfer before the step.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "sim/cluster/simulator.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/kv_offload.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;
using llmsim::workloads::TimeNs;

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr double kGib = 1024.0 * 1024.0 * 1024.0;

KvOffloadSpec host_tier(double capacity_gib, double bandwidth_gb_per_s) {
  KvOffloadSpec spec;
  spec.tiers.push_back({KvTierKind::host_dram, capacity_gib * kGib, bandwidth_gb_per_s * 1e9});
  return spec;
}

/// 1100-token prompt whose first 1024 tokens carry two 512-token prefix hashes: 64
/// identifiable 16-token blocks.
RequestSpec prompt(std::uint64_t id, TimeNs arrival_ns, std::uint64_t first_hash) {
  RequestSpec r = request(id, arrival_ns, 1100, 2);
  r.prefix_hashes = {first_hash, first_hash + 1};
  return r;
}

/// A (hashes 10, 11), then B (20, 21) which evicts most of A's cached blocks from an
/// 80-block GPU cache, then A again. Every request runs alone on an idle replica.
std::vector<RequestSpec> a_b_a() {
  return {prompt(0, 0, 10), prompt(1, 1 * kSecond, 20), prompt(2, 2 * kSecond, 10)};
}

RunResult run_offload(const KvOffloadSpec& offload, std::vector<RequestSpec> requests) {
  Scenario scenario = llama_scenario(EngineConfig{});
  scenario.pools.front().kv_offload = offload;
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 80, std::move(requests)));
  return simulator.run();
}

double llama_block_bytes() { return kv_capacity(llama_scenario(EngineConfig{}).pools.front()).block_bytes; }

}  // namespace

TEST_CASE("LruIdSet keeps ids in least-recently-used order") {
  LruIdSet set(3);
  set.insert(1);
  set.insert(2);
  set.insert(3);
  set.touch(1);  // order now 2, 3, 1
  CHECK(set.size() == 3);
  CHECK(set.pop_least_recent() == 2);
  set.insert(4);  // 3, 1, 4
  CHECK(set.pop_least_recent() == 3);
  CHECK(set.pop_least_recent() == 1);
  CHECK(set.contains(4));
  CHECK_FALSE(set.contains(1));
  CHECK(LruIdSet(0).contains(4) == false);
}

TEST_CASE("offload tiers: a full tier pushes its least recent block down; the last drops it") {
  KvOffloadSpec spec;
  const double block_bytes = 1000.0;
  spec.tiers.push_back({KvTierKind::host_dram, 2 * block_bytes, 10e3});  // 2 blocks, 10 kB/s
  spec.tiers.push_back({KvTierKind::nvme, 1 * block_bytes, 1e3});        // 1 block, 1 kB/s
  KvOffloadTiers tiers(spec, block_bytes, 16);
  for (std::uint64_t id = 1; id <= 4; ++id) tiers.store(id);
  // host holds 3, 4; nvme got 1, then 2 pushed 1 out.
  const std::vector<std::uint64_t> chain = {3, 4, 2, 1};
  CHECK(tiers.lookup(chain) == 3);
  CHECK(tiers.stats(0).blocks_in == 4);
  CHECK(tiers.stats(0).blocks_dropped == 2);
  CHECK(tiers.stats(1).blocks_in == 2);
  CHECK(tiers.stats(1).blocks_dropped == 1);
  // Storing a block a tier already holds writes nothing.
  tiers.store(2);
  CHECK(tiers.stats(0).blocks_in == 4);
  CHECK(tiers.stats(1).blocks_in == 2);
  // Loading 2 host blocks and 1 NVMe block: 2 x 1000 / 10e3 + 1000 / 1e3 = 1.2 s.
  const std::vector<std::uint64_t> hits = {3, 4, 2};
  CHECK(tiers.load(hits, true) == doctest::Approx(1.2));
  CHECK(tiers.stats(0).hit_tokens == 32);
  CHECK(tiers.stats(1).hit_tokens == 16);
  CHECK(tiers.stats(0).blocks_loaded == 2);
  CHECK(tiers.lookup(hits) == 3);  // loaded blocks keep their copy
}

TEST_CASE("an evicted prefix comes back from the host tier instead of being recomputed") {
  const RunResult none = run_offload(KvOffloadSpec{}, a_b_a());
  const RunResult host = run_offload(host_tier(64, 64), a_b_a());
  // Without a tier the third request finds only the GPU blocks B did not evict; with one,
  // all 64 identifiable blocks: the rest come from host DRAM.
  const std::int64_t gpu_hit = none.requests[2].cached_tokens;
  CHECK(gpu_hit < 1024);
  CHECK(host.requests[2].cached_tokens == 1024);
  const auto& tier = host.summary["kv_offload"]["tiers"][0];
  CHECK(tier["tier"] == "host_dram");
  CHECK(tier["hit_tokens"] == 1024 - gpu_hit);
  CHECK(host.summary["kv_offload"]["gpu_hit_tokens"] == gpu_hit);
  const double loaded_blocks = static_cast<double>(1024 - gpu_hit) / 16.0;
  CHECK(tier["bytes_loaded"].get<double>() == doctest::Approx(loaded_blocks * llama_block_bytes()));
  CHECK(tier["bytes_in"].get<double>() >= tier["bytes_loaded"].get<double>());
  // Physical: the load takes at least bytes / bandwidth, and the request's first token
  // waits for it: TTFT = 10 ms + 76 computed tokens x 1 us + the load.
  const double load_s = tier["load_time_s"].get<double>();
  CHECK(load_s >= tier["bytes_loaded"].get<double>() / 64e9 * (1 - 1e-12));
  const double ttft_s = static_cast<double>(host.requests[2].first_token_ns - host.requests[2].arrival_ns) / 1e9;
  CHECK(ttft_s == doctest::Approx(0.010 + 76e-6 + load_s).epsilon(1e-6));
  CHECK(ttft_s >= tier["bytes_loaded"].get<double>() / 64e9);
}

TEST_CASE("a slower tier makes the same hit cost more, never less than bytes / bandwidth") {
  for (const double gb_per_s : {64.0, 7.0, 0.5}) {
    CAPTURE(gb_per_s);
    const RunResult run = run_offload(host_tier(64, gb_per_s), a_b_a());
    const auto& tier = run.summary["kv_offload"]["tiers"][0];
    const double bytes = tier["bytes_loaded"].get<double>();
    REQUIRE(bytes > 0.0);
    const double ttft_s = static_cast<double>(run.requests[2].first_token_ns - run.requests[2].arrival_ns) / 1e9;
    CHECK(ttft_s >= bytes / (gb_per_s * 1e9));
  }
}

TEST_CASE("a 0 GiB tier gives the results of the run without offload") {
  const RunResult none = run_offload(KvOffloadSpec{}, a_b_a());
  const RunResult zero = run_offload(host_tier(0, 64), a_b_a());
  REQUIRE(zero.summary.contains("kv_offload"));
  CHECK(zero.summary["kv_offload"]["tiers"][0]["bytes_in"] == 0.0);
  auto stripped = zero.summary;
  stripped.erase("kv_offload");
  CHECK(stripped == none.summary);
  REQUIRE(zero.requests.size() == none.requests.size());
  for (std::size_t i = 0; i < none.requests.size(); ++i) {
    CHECK(zero.requests[i].first_token_ns == none.requests[i].first_token_ns);
    CHECK(zero.requests[i].cached_tokens == none.requests[i].cached_tokens);
  }
}

TEST_CASE("an NVMe tier below a small host tier catches what the host tier pushes out") {
  KvOffloadSpec spec = host_tier(0, 64);
  spec.tiers.front().capacity_bytes = 10 * llama_block_bytes();  // 10 blocks of host DRAM
  spec.tiers.push_back({KvTierKind::nvme, 64 * kGib, 7e9});
  const RunResult run = run_offload(spec, a_b_a());
  CHECK(run.requests[2].cached_tokens == 1024);
  const auto& host = run.summary["kv_offload"]["tiers"][0];
  const auto& nvme = run.summary["kv_offload"]["tiers"][1];
  CHECK(nvme["tier"] == "nvme");
  CHECK(host["hit_tokens"].get<std::int64_t>() > 0);
  CHECK(nvme["hit_tokens"].get<std::int64_t>() > 0);
  CHECK(host["blocks_dropped"].get<std::int64_t>() > 0);
  CHECK(nvme["bytes_in"].get<double>() ==
        doctest::Approx(host["blocks_dropped"].get<double>() * llama_block_bytes()));
}
