// Replicas whose requests share no KV blocks only count them (KvBlockManager, counting only);
// the results must be those of tracking every block id.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>

#include "sim/cluster/generator_request_source.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

namespace {

/// The production source, but claiming that its requests may share KV blocks, so that the
/// replicas track block ids.
class TrackingSource final : public RequestSource {
 public:
  TrackingSource(const llmsim::workloads::WorkloadSpec& spec, std::uint64_t seed) : inner_(spec, seed) {}
  bool closed_loop() const override { return inner_.closed_loop(); }
  std::int64_t clients() const override { return inner_.clients(); }
  double think_time_s() const override { return inner_.think_time_s(); }
  std::optional<llmsim::workloads::RequestSpec> next() override { return inner_.next(); }
  std::optional<llmsim::workloads::RequestSpec> next_at(llmsim::workloads::TimeNs t) override {
    return inner_.next_at(t);
  }
  std::int64_t total_requests() const override { return inner_.total_requests(); }
  bool shares_kv_blocks() const override { return true; }

 private:
  GeneratorRequestSource inner_;
};

}  // namespace

TEST_CASE("counting KV blocks gives the results of tracking their ids, preemptions included") {
  EngineConfig engine;
  engine.max_num_seqs = 64;
  engine.max_num_batched_tokens = 2048;
  Scenario scenario = llama_scenario(engine, 2);
  scenario.workload.num_requests = 400;
  scenario.workload.arrival = {llmsim::workloads::ArrivalProcess::poisson, 40.0};
  scenario.workload.input_tokens = {llmsim::workloads::LognormalLength{600, 0.8}, 1, 4000};
  scenario.workload.output_tokens = {llmsim::workloads::LognormalLength{300, 0.8}, 1, 2000};
  // A small KV cache, so that requests preempt each other and blocks change hands often.
  const auto run = [&scenario](bool tracking, bool step_by_step) {
    SimulatorHooks hooks;
    hooks.kv_blocks_per_replica = 400;
    hooks.step_by_step = step_by_step;
    if (tracking) hooks.requests = std::make_unique<TrackingSource>(scenario.workload, scenario.seed);
    Simulator simulator(scenario, std::move(hooks));
    const RunResult r = simulator.run();
    return std::make_pair(summary_json_text(r), requests_csv_text(r));
  };
  for (const bool step_by_step : {false, true}) {
    CAPTURE(step_by_step);
    const auto counted = run(false, step_by_step);
    const auto tracked = run(true, step_by_step);
    CHECK(counted.first == tracked.first);
    CHECK(counted.second == tracked.second);
    CHECK(counted.first.find("\"completed\": 400") != std::string::npos);
    CHECK(counted.first.find("\"preemptions\": 0,") == std::string::npos);  // the cache was short
  }
}
