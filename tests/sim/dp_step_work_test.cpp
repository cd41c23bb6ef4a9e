// What a lockstep step of attention-DP ranks costs beyond its GPU time, and what it reports
// (sim/cluster/dp_group.h): each rank's scheduler spends the engine's host time on its own
// sequences only ("Host time"), and a SUM_LEN step reports the work its GPUs do, each rank's
// own batch and the MoE layers of the step's tokens once ("Reported work").
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "hw/batch_shape.h"
#include "hw/iteration_work_model.h"
#include "hw/step_time_model.h"
#include "sim/cluster/dp_group.h"
#include "sim/cluster/simulator.h"
#include "sim/engine/model_step_pricer.h"
#include "sim/metrics/iteration_observer.h"
#include "sim_test_support.h"
#include "tests/core/reference_models.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;

namespace {

/// Each rank's iteration of every lockstep step (all ranks of a step start together).
class RankPlans final : public IterationObserver {
 public:
  struct Seen {
    llmsim::workloads::TimeNs start_ns = 0;
    llmsim::workloads::TimeNs end_ns = 0;
    llmsim::hw::BatchShape shape;
  };
  void on_iteration_end(const IterationView& view) override {
    seen.push_back(Seen{.start_ns = view.plan->start_ns, .end_ns = view.plan->end_ns, .shape = view.plan->shape});
  }
  std::vector<Seen> seen;
};

RunResult run_dep2(const Scenario& scenario, std::vector<RequestSpec> requests, RankPlans& plans) {
  SimulatorHooks hooks;
  hooks.kv_blocks_per_replica = 2000;  // per rank: 32,000 tokens
  hooks.requests = std::make_unique<ListSource>(std::move(requests));
  hooks.observers.push_back(&plans);
  Simulator simulator(scenario, std::move(hooks));
  return simulator.run();
}

/// The ranks' iterations of each step: [first, end) ranges of plans.seen.
std::vector<std::pair<std::size_t, std::size_t>> steps(const RankPlans& plans) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < plans.seen.size();) {
    std::size_t end = i;
    while (end < plans.seen.size() && plans.seen[end].start_ns == plans.seen[i].start_ns) ++end;
    out.emplace_back(i, end);
    i = end;
  }
  return out;
}

}  // namespace

TEST_CASE("DP ranks' host time: a rank with 3 sequences beside an idle rank pays 3 sequences' CPU time, not 6") {
  // Host time not overlapped, 0.5 ms per iteration and 1 ms per sequence: large enough that
  // 3 sequences' worth against 6 cannot hide in the nanosecond rounding.
  Scenario scenario = dep2_scenario();
  PoolSpec& pool = scenario.pools[0];
  pool.engine.host = llmsim::hw::HostTime{.iteration_s = 0.0005, .per_seq_s = 0.001, .overlapped = false};
  // Round robin over the two ranks: rank 0 holds r0, r2, r4 (6 output tokens), rank 1 r1, r3,
  // r5 (1 output token: done with their prompts). After step 1 rank 0 decodes 3 sequences
  // alone, rank 1 idle: SUM_LEN steps (3 x 2 is not more than 3 x DP).
  RankPlans plans;
  const RunResult result = run_dep2(scenario,
                                    {request(0, 0, 16, 6), request(1, 0, 16, 1), request(2, 0, 16, 6),
                                     request(3, 0, 16, 1), request(4, 0, 16, 6), request(5, 0, 16, 1)},
                                    plans);
  CHECK(result.summary["completed"] == 6);

  // The forward pass's GPU time: rank 0's batch priced on both ranks, its MoE layers routing
  // the step's 3 tokens (DpGroup::sum_len_step_s), by a pricer without host time.
  const ModelStepPricer gpu(pool.model, pool.hardware, pool.precision, pool.parallelism(), llmsim::hw::HostTime{},
                            pool.engine.cuda_graph_padding());
  std::int64_t checked = 0;
  for (const auto& [first, end] : steps(plans)) {
    const RankPlans::Seen& rank = plans.seen[first];
    if (end - first != 1 || rank.shape.decode_seqs != 3 || rank.shape.prefill_tokens != 0) continue;
    llmsim::hw::BatchShape lockstep = PaddedRankPricer::padded(rank.shape, 2);
    lockstep.lockstep_tokens = 3;
    const double gpu_s = gpu.price(lockstep).time_s;
    const double expected_s = gpu_s + 0.0005 + 3 * 0.001;
    const std::int64_t step_ns = rank.end_ns - rank.start_ns;
    CHECK(std::llabs(step_ns - std::llround(expected_s * 1e9)) <= 1);
    // What the rank's batch padded to both ranks would count: 6 sequences' host time.
    CHECK(step_ns < std::llround((gpu_s + 0.0005 + 6 * 0.001) * 1e9) - 2'000'000);
    ++checked;
  }
  MESSAGE(checked, " steps of 3 sequences on one rank checked");
  CHECK(checked == 5);
}

TEST_CASE("DP ranks' host time when both ranks step: the busiest GPU plus the rank with the most sequences") {
  // Not overlapped: no rank's GPU work starts its first collective before the slowest rank
  // has scheduled. Rank 0 decodes 3 sequences, rank 1 one (r1's long prompt done): the
  // step's host time is rank 0's 3 sequences, not 4 (the sum) nor 2 x 3 (padded).
  Scenario scenario = dep2_scenario();
  PoolSpec& pool = scenario.pools[0];
  pool.engine.host = llmsim::hw::HostTime{.iteration_s = 0.0, .per_seq_s = 0.001, .overlapped = false};
  RankPlans plans;
  const RunResult result = run_dep2(scenario,
                                    {request(0, 0, 16, 6), request(1, 0, 16, 6), request(2, 0, 16, 6),
                                     request(3, 0, 16, 1), request(4, 0, 16, 6), request(5, 0, 16, 1)},
                                    plans);
  CHECK(result.summary["completed"] == 6);
  const ModelStepPricer gpu(pool.model, pool.hardware, pool.precision, pool.parallelism(), llmsim::hw::HostTime{},
                            pool.engine.cuda_graph_padding());
  std::int64_t checked = 0;
  for (const auto& [first, end] : steps(plans)) {
    if (end - first != 2) continue;
    const RankPlans::Seen& a = plans.seen[first];
    const RankPlans::Seen& b = plans.seen[first + 1];
    if (a.shape.prefill_tokens != 0 || b.shape.prefill_tokens != 0) continue;
    if (a.shape.decode_seqs + b.shape.decode_seqs != 4) continue;
    // 3 + 1 tokens: sum x 2 = 8 > max x DP = 6, MAX_LEN: the busiest rank's padded pass.
    const double gpu_s = std::max(PaddedRankPricer(gpu, 2).price(a.shape).time_s,
                                  PaddedRankPricer(gpu, 2).price(b.shape).time_s);
    const double expected_s = gpu_s + 3 * 0.001;
    CHECK(std::llabs((a.end_ns - a.start_ns) - std::llround(expected_s * 1e9)) <= 1);
    ++checked;
  }
  MESSAGE(checked, " MAX_LEN steps of 3 + 1 sequences checked");
  CHECK(checked == 5);
}

TEST_CASE("a SUM_LEN step reports the ranks' own FLOPs: attention on each rank's batch, the experts once on the step's") {
  // One step: rank 0 prefills a 10-token prompt, rank 1 a 4096-token one (both extend:
  // SUM_LEN). Both requests end with it, so the run's FLOPs are this step's.
  const Scenario scenario = dep2_scenario();
  const PoolSpec& pool = scenario.pools[0];
  RankPlans plans;
  const RunResult result = run_dep2(scenario, {request(0, 0, 10, 1), request(1, 0, 4096, 1)}, plans);
  CHECK(result.summary["completed"] == 2);
  REQUIRE(plans.seen.size() == 2);
  REQUIRE(plans.seen[0].start_ns == plans.seen[1].start_ns);

  // Each rank's own work, item by item from the work model: the rank's batch on its one GPU
  // (TP 1), its MoE layers on the step's 4106 tokens (every GPU of the EP group computes
  // 1/EP of their routed pairs).
  const llmsim::hw::StepTimeModel model(pool.model, pool.hardware, pool.precision, pool.parallelism());
  REQUIRE(model.stages().size() == 1);
  REQUIRE(pool.parallelism().tensor_parallel == 1);
  double expected_flops = 0.0;
  for (const RankPlans::Seen& rank : plans.seen) {
    const llmsim::hw::BatchShape& b = rank.shape;
    llmsim::hw::RankShare own;
    own.prefill_tokens = static_cast<double>(b.prefill_tokens);
    own.prefill_attention_pairs = b.prefill_attention_pairs;
    own.prefill_kv_tokens = b.prefill_kv_tokens;
    own.sampled_seqs = static_cast<double>(b.sampled_seqs);
    own.group_tokens = 4106.0;
    own.group_extends = true;
    for (const llmsim::hw::WorkItem& item : model.work_model().stage_items(own, model.stages().front())) {
      expected_flops += item.flops;
    }
  }
  const double reported = result.summary["flops"]["flops_total"].get<double>();
  // The same step as the ranks' own padded prices reported it before (each rank's batch
  // priced on both ranks, over 2): the experts' grouped GEMMs of 20 and 8192 tokens pad
  // their rows to M tiles otherwise than one of the step's 4106.
  const ModelStepPricer replica(pool.model, pool.hardware, pool.precision, pool.parallelism(), pool.engine.host,
                                pool.engine.cuda_graph_padding());
  const double padded = PaddedRankPricer(replica, 2).price(plans.seen[0].shape).flops +
                        PaddedRankPricer(replica, 2).price(plans.seen[1].shape).flops;
  MESSAGE("reported ", reported, " FLOPs; the ranks' own ", expected_flops, "; the padded prices' ", padded);
  CHECK(reported == doctest::Approx(expected_flops).epsilon(1e-12));
  CHECK(result.summary["flops"]["flops_prefill"].get<double>() == doctest::Approx(reported).epsilon(1e-12));
  CHECK(std::abs(padded - expected_flops) > expected_flops * 1e-3);  // the check above tells the two apart
}
