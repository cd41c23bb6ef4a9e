// Throughput saturates at capacity, and TTFT grows without bound only above it.
#include <doctest/doctest.h>

#include "sim/cluster/simulator.h"
#include "tests/sim/sim_test_support.h"

namespace {

using llmsim::sim::EngineConfig;
using llmsim::sim::Simulator;
using llmsim::sim::SimulatorHooks;
using llmsim::sim::testing::LinearPricer;
using llmsim::sim::testing::llama_scenario;

/// One request at a time (max_num_seqs 1), 100 prompt + 10 output tokens, priced at
/// 1 ms + 0.01 ms per new token: prefill 1 + 100 x 0.01 = 2 ms, then 9 decode steps of
/// 1.01 ms, so 11.09 ms per request and a capacity of 1000 / 11.09 = 90.17 req/s.
constexpr double kServiceS = 0.002 + 9 * 0.00101;

nlohmann::ordered_json run_constant(double rate_per_s, std::int64_t requests) {
  EngineConfig engine;
  engine.max_num_seqs = 1;
  auto scenario = llama_scenario(engine);
  scenario.workload.num_requests = requests;
  scenario.workload.arrival.process = llmsim::workloads::ArrivalProcess::constant;
  scenario.workload.arrival.rate_per_s = rate_per_s;
  scenario.workload.input_tokens = {llmsim::workloads::FixedLength{100}};
  scenario.workload.output_tokens = {llmsim::workloads::FixedLength{10}};
  SimulatorHooks hooks;
  hooks.make_pricer = [](const llmsim::sim::PoolSpec&) { return std::make_unique<LinearPricer>(0.001, 0.00001); };
  hooks.kv_blocks_per_replica = 1000;
  Simulator simulator(scenario, std::move(hooks));
  return simulator.run().summary;
}

}  // namespace

TEST_CASE("below capacity TTFT stays bounded as the run grows") {
  const auto short_run = run_constant(80.0, 200);
  const auto long_run = run_constant(80.0, 2000);
  // Arrivals every 12.5 ms are served in 11.09 ms: nobody waits, TTFT is the 2 ms prefill.
  CHECK(short_run["p99_ttft_ms"].get<double>() == doctest::Approx(2.0).epsilon(0.01));
  CHECK(long_run["p99_ttft_ms"].get<double>() == doctest::Approx(2.0).epsilon(0.01));
  CHECK(long_run["queueing"]["max_waiting_requests"].get<std::int64_t>() <= 1);
}

TEST_CASE("above capacity TTFT grows with the run and throughput saturates") {
  const auto short_run = run_constant(100.0, 200);
  const auto long_run = run_constant(100.0, 2000);
  // Request k starts at k x 11.09 ms but arrived at k x 10 ms: it waits k x 1.09 ms.
  const double growth_per_request_ms = (kServiceS - 0.010) * 1e3;
  CHECK(long_run["p99_ttft_ms"].get<double>() > 8.0 * short_run["p99_ttft_ms"].get<double>());
  CHECK(long_run["p99_ttft_ms"].get<double>() == doctest::Approx(0.99 * 1999 * growth_per_request_ms + 2.0).epsilon(0.02));
  // Saturated: one request per 11.09 ms, whatever the offered 100 req/s.
  CHECK(long_run["request_throughput"].get<double>() == doctest::Approx(1.0 / kServiceS).epsilon(0.01));
  CHECK(long_run["queueing"]["max_waiting_requests"].get<std::int64_t>() > 150);
}
