#include "sim/cluster/simulator.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/input_error.h"
#include "sim/metrics/result_writer.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using Json = nlohmann::ordered_json;

namespace {

RunResult run_list(const Scenario& scenario, std::int64_t kv_blocks,
                   std::vector<llmsim::workloads::RequestSpec> requests) {
  Simulator simulator(scenario, linear_hooks(0.010, 0.000001, kv_blocks, std::move(requests)));
  return simulator.run();
}

}  // namespace

TEST_CASE("a lone request's latencies are its prefill step and its decode steps") {
  const RunResult r = run_list(llama_scenario(EngineConfig{}), 1000, {request(0, 0, 100, 5)});
  const Json& s = r.summary;
  CHECK(s["completed"] == 1);
  CHECK(s["failed"] == 0);
  // TTFT = 10 ms + 100 us; each decode step 10 ms + 1 us; E2E = TTFT + 4 decode steps.
  CHECK(s["mean_ttft_ms"].get<double>() == doctest::Approx(10.1));
  CHECK(s["mean_tpot_ms"].get<double>() == doctest::Approx(10.001));
  CHECK(s["median_itl_ms"].get<double>() == doctest::Approx(10.001));
  CHECK(s["p99_itl_ms"].get<double>() == doctest::Approx(10.001));
  CHECK(s["std_itl_ms"].get<double>() == doctest::Approx(0.0));
  CHECK(s["mean_e2el_ms"].get<double>() == doctest::Approx(10.1 + 4 * 10.001));
  CHECK(s["duration"].get<double>() == doctest::Approx(0.050104));
  CHECK(s["total_input_tokens"] == 100);
  CHECK(s["total_output_tokens"] == 5);
  CHECK(s["output_throughput"].get<double>() == doctest::Approx(5 / 0.050104));
  CHECK(s["batching"]["iterations"] == 5);
  CHECK(s["utilization"]["busy_time_share"].get<double>() == doctest::Approx(1.0));
  CHECK(s["utilization"]["compute_bound_iteration_share"].get<double>() == doctest::Approx(0.2));
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].completion_ns == 50'104'000);
}

TEST_CASE("requests arriving at the same nanosecond share the first batch") {
  const RunResult r = run_list(llama_scenario(EngineConfig{}), 1000,
                               {request(0, 0, 100, 2), request(1, 0, 100, 2), request(2, 0, 100, 2)});
  for (const RequestRecord& rec : r.requests) CHECK(rec.first_token_ns == 10'300'000);
  CHECK(r.summary["batching"]["iterations"] == 2);
}

TEST_CASE("a request too long for the KV cache is rejected at arrival, not looped on") {
  EngineConfig e;
  e.block_size = 16;
  // 10 blocks hold 160 tokens. 150 + 20 - 1 = 169 tokens need 11 blocks; 150 + 11 - 1 fit.
  const RunResult r = run_list(llama_scenario(e), 10, {request(0, 0, 150, 20), request(1, 0, 150, 11)});
  const Json& s = r.summary;
  CHECK(s["completed"] == 1);
  CHECK(s["failed"] == 1);
  CHECK(s["rejected"]["kv_capacity"] == 1);
  CHECK(r.requests[0].status == RequestStatus::rejected);
  CHECK(r.requests[0].reject_reason == RejectReason::kv_capacity);
  CHECK(r.requests[1].status == RequestStatus::completed);
}

TEST_CASE("without chunked prefill a prompt over the token budget is rejected") {
  EngineConfig e;
  e.chunked_prefill = false;
  e.max_num_batched_tokens = 512;
  const RunResult r = run_list(llama_scenario(e), 1000, {request(0, 0, 513, 2), request(1, 0, 512, 2)});
  CHECK(r.summary["rejected"]["batch_budget"] == 1);
  CHECK(r.summary["completed"] == 1);
}

TEST_CASE("the prefix cache hit rate counts cached prompt tokens over prompt tokens") {
  llmsim::workloads::RequestSpec a = request(0, 0, 600, 2);
  llmsim::workloads::RequestSpec b = request(1, 1'000'000'000, 600, 2);  // after a finished
  a.prefix_hashes = {1234};
  b.prefix_hashes = {1234};
  const RunResult r = run_list(llama_scenario(EngineConfig{}), 1000, {a, b});
  CHECK(r.summary["cache"]["cached_tokens"] == 512);
  CHECK(r.summary["cache"]["prefix_cache_hit_rate"].get<double>() == doctest::Approx(512.0 / 1200.0));
  CHECK(r.requests[1].cached_tokens == 512);
}

TEST_CASE("an overloaded replica finishes every request and reports the queue it built") {
  EngineConfig e;
  e.max_num_seqs = 4;
  std::vector<llmsim::workloads::RequestSpec> requests;
  // One request per ms, each needing ~30 ms of 4-wide batches: the queue grows steadily.
  for (std::uint64_t i = 0; i < 200; ++i) {
    requests.push_back(request(i, static_cast<llmsim::workloads::TimeNs>(i) * 1'000'000, 200, 3));
  }
  const RunResult r = run_list(llama_scenario(e), 1000, std::move(requests));
  const Json& s = r.summary;
  CHECK(s["completed"] == 200);
  CHECK(s["queueing"]["max_waiting_requests"].get<std::int64_t>() > 100);
  CHECK(s["queueing"]["waiting_at_end"] == 0);
  CHECK(s["queueing"]["p99_queueing_delay_ms"].get<double>() >
        s["queueing"]["mean_queueing_delay_ms"].get<double>());
  CHECK(s["batching"]["p99_batch_size"].get<double>() <= 4.0);
}

TEST_CASE("the same scenario twice gives identical summary and requests files") {
  Scenario scenario = llama_scenario(EngineConfig{}, 2);
  scenario.workload.num_requests = 300;
  scenario.workload.arrival = {llmsim::workloads::ArrivalProcess::poisson, 30.0};
  scenario.workload.input_tokens = {llmsim::workloads::LognormalLength{400, 0.8}, 1, 4000};
  scenario.workload.output_tokens = {llmsim::workloads::UniformLength{1, 200}, 1, 1000};
  scenario.pools.front().router = RouterKind::random;
  scenario.slo.ttft_ms = 200;
  auto run_once = [&] {
    Simulator simulator(scenario);
    const RunResult r = simulator.run();
    return std::make_pair(summary_json_text(r), requests_csv_text(r));
  };
  const auto first = run_once();
  const auto second = run_once();
  CHECK(first.first == second.first);
  CHECK(first.second == second.second);
  CHECK(first.first.find("\"completed\": 300") != std::string::npos);
}

TEST_CASE("a closed loop of N clients never has more than N requests outstanding") {
  Scenario scenario = llama_scenario(EngineConfig{});
  scenario.workload.num_requests = 40;
  scenario.workload.arrival.process = llmsim::workloads::ArrivalProcess::closed_loop;
  scenario.workload.arrival.clients = 3;
  scenario.workload.arrival.think_time_s = 0.005;
  scenario.workload.input_tokens = {llmsim::workloads::FixedLength{100}, 1, 100000};
  scenario.workload.output_tokens = {llmsim::workloads::FixedLength{10}, 1, 100000};
  SimulatorHooks hooks;
  hooks.make_pricer = [](const PoolSpec&) { return std::make_unique<LinearPricer>(0.010, 1e-6); };
  Simulator simulator(scenario, std::move(hooks));
  const RunResult r = simulator.run();
  CHECK(r.summary["completed"] == 40);
  // Sweep arrivals (+1) and completions (-1); a completion at t frees its client before
  // an arrival at t.
  std::vector<std::pair<llmsim::workloads::TimeNs, int>> events;
  for (const RequestRecord& rec : r.requests) {
    events.emplace_back(rec.arrival_ns, +1);
    events.emplace_back(rec.completion_ns, -1);
  }
  std::sort(events.begin(), events.end());
  int outstanding = 0;
  int most = 0;
  for (const auto& [t, delta] : events) {
    outstanding += delta;
    most = std::max(most, outstanding);
  }
  CHECK(most == 3);
  // Each client's next request arrives think time after its previous one completed.
  CHECK(r.requests[3].arrival_ns == r.requests[0].completion_ns + 5'000'000);
}

TEST_CASE("max_sim_time_s stops the run and reports what was left") {
  Scenario scenario = llama_scenario(EngineConfig{});
  scenario.limits.max_sim_time_s = 0.1;
  std::vector<llmsim::workloads::RequestSpec> requests;
  for (std::uint64_t i = 0; i < 10; ++i) {
    requests.push_back(request(i, static_cast<llmsim::workloads::TimeNs>(i) * 30'000'000, 100, 50));
  }
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, std::move(requests)));
  const RunResult r = simulator.run();
  const Json& s = r.summary;
  CHECK(s["stopped_early"] == "max_sim_time_s");
  CHECK(s["sim_time_s"].get<double>() == doctest::Approx(0.1));
  // Arrivals at 0, 30, 60, 90 ms; none of them can finish 50 tokens of 10 ms steps by 100 ms.
  CHECK(s["completed"] == 0);
  CHECK(s["unfinished_requests"] == 4);
  CHECK(s["not_arrived_requests"] == 6);
  CHECK(r.requests.size() == 4);
}

TEST_CASE("the summary starts with the vLLM benchmark fields and ends with the scenario") {
  const RunResult r = run_list(llama_scenario(EngineConfig{}), 1000, {request(0, 0, 10, 2)});
  std::vector<std::string> keys;
  for (const auto& item : r.summary.items()) keys.push_back(item.key());
  REQUIRE(keys.size() > 10);
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 9) ==
        std::vector<std::string>{"completed", "failed", "duration", "total_input_tokens",
                                 "total_output_tokens", "request_throughput", "output_throughput",
                                 "total_token_throughput", "mean_ttft_ms"});
  CHECK(keys.back() == "scenario");
  CHECK(r.summary["scenario"]["model"] == "llama-3.1-8b");
  CHECK(r.summary["scenario"]["hardware"] == "h100-sxm");
  CHECK(r.summary["goodput"]["slo_attainment"].is_null());
}

TEST_CASE("goodput counts completed requests meeting every set SLO") {
  Scenario scenario = llama_scenario(EngineConfig{});
  scenario.slo.ttft_ms = 15.0;
  // Alone, the first has TTFT 10.1 ms; the second arrives during the first's prefill and
  // shares the next batch: TTFT = 10.1 + 10.101 - 1 = 19.201 ms > 15 ms.
  const RunResult r = run_list(scenario, 1000, {request(0, 0, 100, 2), request(1, 1'000'000, 100, 2)});
  CHECK(r.summary["goodput"]["slo_attainment"].get<double>() == doctest::Approx(0.5));
  CHECK(r.summary["goodput"]["slo"]["ttft_ms"].get<double>() == doctest::Approx(15.0));
}

TEST_CASE("max_wall_time_s stops a long run and says so") {
  Scenario scenario = llama_scenario(EngineConfig{});
  scenario.limits.max_wall_time_s = 1e-9;  // already over at the first clock check
  std::vector<llmsim::workloads::RequestSpec> requests;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    requests.push_back(request(i, static_cast<llmsim::workloads::TimeNs>(i) * 1'000'000, 10, 2));
  }
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, std::move(requests)));
  const RunResult r = simulator.run();
  CHECK(r.summary["stopped_early"] == "max_wall_time_s");
  CHECK(r.summary["completed"].get<std::int64_t>() < 5000);
}

TEST_CASE("non-positive engine limits are input errors naming the key") {
  EngineConfig e;
  e.max_num_seqs = 0;
  try {
    Simulator simulator(llama_scenario(e), linear_hooks(0.010, 1e-6, 1000, {request(0, 0, 10, 2)}));
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(error.key_path() == "engine.max_num_seqs");
  }
}

TEST_CASE("a run with no token sampled for max_iterations_without_progress iterations stops with a diagnosis") {
  EngineConfig engine;
  engine.max_num_batched_tokens = 100;  // a 1000-token prompt takes 10 chunks, 9 without a token
  Scenario scenario = llama_scenario(engine);
  SUBCASE("a limit below the chunk count stops the run") {
    scenario.limits.max_iterations_without_progress = 5;
    Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, {request(0, 0, 1000, 3)}));
    const RunResult r = simulator.run();
    CHECK(r.summary["stopped_early"] == "no_progress");
    CHECK(r.summary["completed"] == 0);
    CHECK(r.summary["unfinished_requests"] == 1);
    const std::string diagnosis = r.summary["stop_diagnosis"].get<std::string>();
    CHECK(diagnosis.find("no token was sampled in 5 iterations") != std::string::npos);
    CHECK(diagnosis.find("1 running and 0 waiting") != std::string::npos);
  }
  SUBCASE("a limit above it lets the run finish, and says nothing") {
    scenario.limits.max_iterations_without_progress = 10;
    Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, {request(0, 0, 1000, 3)}));
    const RunResult r = simulator.run();
    CHECK(r.summary["stopped_early"].is_null());
    CHECK(r.summary["completed"] == 1);
    CHECK_FALSE(r.summary.contains("stop_diagnosis"));
  }
}
