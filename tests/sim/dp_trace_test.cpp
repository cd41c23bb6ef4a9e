// --trace under attention DP: each rank's iterations on a track of their own within the
// replica's process (sim/metrics/trace_writer.h), request lanes after them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/cluster/simulator.h"
#include "sim/metrics/trace_writer.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

TEST_CASE("a DP=2 trace has one iteration track per rank with that rank's iterations") {
  // The timeline of dp_ranks_test's "a request for an idle rank waits": r0 (2000-token
  // prompt) on rank 0 runs step 1 alone (0 to 12 ms); r1 (10 tokens) arrives at 1 ms on rank 1
  // and starts with step 2 (12 to 22.011 ms: rank 0 decodes, rank 1 prefills); step 3 is
  // rank 1's last token alone (to 32.012 ms).
  EngineConfig engine;
  engine.max_num_seqs = 128 * 2;
  engine.max_num_batched_tokens = 4096 * 2;
  Scenario scenario = llama_scenario(engine);
  scenario.pools[0].attention_data_parallel = 2;
  TraceWriter trace(scenario, TraceOptions{});
  SimulatorHooks hooks = linear_hooks(0.010, 0.000001, 1000, {request(0, 0, 2000, 2), request(1, 1'000'000, 10, 2)});
  hooks.observers.push_back(&trace);
  Simulator simulator(scenario, std::move(hooks));
  const RunResult result = simulator.run();
  const auto json = nlohmann::json::parse(trace.json_text(result));

  std::map<std::int64_t, std::string> thread_names;  // tid -> name, of pid 1 (replica 0)
  std::map<std::int64_t, std::vector<std::pair<std::string, double>>> iterations;  // tid -> (name, ts us)
  std::map<std::int64_t, std::int64_t> prefill_tokens;                               // tid -> sum
  int request_events = 0;
  for (const auto& e : json["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 1) {
      thread_names[e["tid"].get<std::int64_t>()] = e["args"]["name"].get<std::string>();
    }
    if (e["ph"] != "X") continue;
    CHECK(e["pid"] == 1);
    const auto tid = e["tid"].get<std::int64_t>();
    if (e["cat"] == "iteration") {
      iterations[tid].emplace_back(e["name"].get<std::string>(), e["ts"].get<double>());
      prefill_tokens[tid] += e["args"]["prefill_tokens"].get<std::int64_t>();
    } else {
      CHECK(tid >= 2);  // request lanes come after the two rank tracks
      ++request_events;
    }
  }
  CHECK(thread_names[0] == "rank 0 iterations");
  CHECK(thread_names[1] == "rank 1 iterations");
  CHECK(thread_names[2] == "requests 1");
  REQUIRE(iterations.size() == 2);
  // Rank 0: its prompt in step 1, its decode in step 2.
  REQUIRE(iterations[0].size() == 2);
  CHECK(iterations[0][0] == std::pair<std::string, double>{"prefill", 0.0});
  CHECK(iterations[0][1] == std::pair<std::string, double>{"decode", 12000.0});
  CHECK(prefill_tokens[0] == 2000);
  // Rank 1: its prompt in step 2, its decode in step 3.
  REQUIRE(iterations[1].size() == 2);
  CHECK(iterations[1][0] == std::pair<std::string, double>{"prefill", 12000.0});
  CHECK(iterations[1][1] == std::pair<std::string, double>{"decode", 22011.0});
  CHECK(prefill_tokens[1] == 10);
  CHECK(request_events == 2 * 4);  // each request and its three phases
}

TEST_CASE("without attention DP the trace keeps one iteration track, tid 0") {
  TraceWriter trace(llama_scenario(EngineConfig{}), TraceOptions{});
  SimulatorHooks hooks = linear_hooks(0.010, 0.000001, 1000, {request(0, 0, 100, 2)});
  hooks.observers.push_back(&trace);
  Simulator simulator(llama_scenario(EngineConfig{}), std::move(hooks));
  const auto json = nlohmann::json::parse(trace.json_text(simulator.run()));
  int iterations = 0;
  for (const auto& e : json["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["tid"] == 0) CHECK(e["args"]["name"] == "iterations");
    if (e["ph"] == "X" && e["cat"] == "iteration") {
      CHECK(e["tid"] == 0);
      ++iterations;
    }
    if (e["ph"] == "X" && e["cat"] == "request") CHECK(e["tid"] == 1);
  }
  CHECK(iterations == 2);
}
