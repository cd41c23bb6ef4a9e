// Micro benchmarks: one scheduler iteration of a replica whose N running requests all
// decode, (a) the reference way, one sequence at a time (plan_iteration / apply_iteration,
// O(N) per iteration), (b) with the decode group (advance without running ahead, O(1)),
// and (c) per decode step of a stretch run ahead (advance up to a far horizon). A fixed-cost
// pricer keeps the step-time model (bench_micro_step_time) out of the numbers.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bench/llama_shape.h"
#include "core/architecture.h"
#include "sim/metrics/metrics_collector.h"
#include "sim/engine/replica.h"
#include "sim/engine/step_pricer.h"

namespace {

using namespace llmsim;

/// 10 ms plus 1 us per new token.
class FixedPricer final : public sim::StepPricer {
 public:
  hw::StepTotals price(const hw::BatchShape& batch) const override {
    hw::StepTotals cost;
    cost.time_s = 0.010 + 1e-6 * static_cast<double>(batch.total_new_tokens());
    cost.flops = 1e9 * static_cast<double>(batch.total_new_tokens());
    cost.hbm_bytes = 1e9;
    return cost;
  }
  double peak_flops_per_s_group() const override { return 1e15; }
  double hbm_bandwidth_bytes_per_s_group() const override { return 1e12; }
};

constexpr std::int64_t kBlocks = 200000;
/// Iterations before the replica is rebuilt (its requests' KV blocks keep growing: 1024
/// requests fill the cache in about 3,000).
constexpr std::int64_t kRebuildAfter = 2000;

/// A replica whose `running` requests (128-token prompts, 50,000-token outputs) all decode.
struct DecodingReplica {
  FixedPricer pricer;
  std::vector<sim::RequestRecord> records;
  sim::MetricsCollector metrics{std::vector<std::int64_t>{kBlocks}};
  std::unique_ptr<sim::Replica> replica;
  workloads::TimeNs now = 0;
  std::vector<sim::RequestIndex> completed;

  explicit DecodingReplica(std::int64_t running) {
    sim::ReplicaConfig config;
    config.engine.max_num_seqs = 1024;
    config.engine.prefix_caching = false;
    config.kv_blocks = kBlocks;
    config.flop_coefficients = {2.0, 1.0, 0.0};
    config.architecture = std::make_shared<const core::Architecture>(bench::llama_3_1_8b());
    replica = std::make_unique<sim::Replica>(config, pricer, records, metrics);
    for (std::int64_t i = 0; i < running; ++i) {
      workloads::RequestSpec r;
      r.id = static_cast<std::uint64_t>(i);
      r.input_tokens = 128;
      r.output_tokens = 50000;
      records.push_back(sim::RequestRecord{});
      replica->add_request(r, records.size() - 1);
    }
    while (replica->decode_seqs() < running) {
      now = replica->plan_iteration(now);
      replica->apply_iteration(completed);
    }
  }
};

template <typename Step>
void run_iterations(benchmark::State& state, Step step) {
  const std::int64_t running = state.range(0);
  auto setup = std::make_unique<DecodingReplica>(running);
  std::int64_t since_build = 0;
  std::int64_t iterations = 0;
  for (auto _ : state) {
    if (since_build >= kRebuildAfter) {
      state.PauseTiming();
      setup = std::make_unique<DecodingReplica>(running);
      since_build = 0;
      state.ResumeTiming();
    }
    const std::int64_t done = step(*setup);
    iterations += done;
    since_build += done;
  }
  state.SetItemsProcessed(iterations);
}

void BM_ReferenceDecodeIteration(benchmark::State& state) {
  run_iterations(state, [](DecodingReplica& s) {
    s.now = s.replica->plan_iteration(s.now);
    s.replica->apply_iteration(s.completed);
    return std::int64_t{1};
  });
}
BENCHMARK(BM_ReferenceDecodeIteration)->Arg(64)->Arg(256)->Arg(1024);

void BM_GroupedDecodeIteration(benchmark::State& state) {
  run_iterations(state, [](DecodingReplica& s) {
    s.now = s.replica->advance(s.now, s.now);
    s.replica->apply_iteration(s.completed);
    return std::int64_t{1};
  });
}
BENCHMARK(BM_GroupedDecodeIteration)->Arg(64)->Arg(256)->Arg(1024);

/// Per decode step of a stretch: advance() runs ahead ~32 steps per call.
void BM_StretchDecodeStep(benchmark::State& state) {
  run_iterations(state, [](DecodingReplica& s) {
    const std::int64_t first = s.replica->plan().index;
    s.now = s.replica->advance(s.now, s.now + 32 * 10'000'000);
    s.replica->apply_iteration(s.completed);
    return s.replica->plan().index - first;
  });
}
BENCHMARK(BM_StretchDecodeStep)->Arg(64)->Arg(256)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
