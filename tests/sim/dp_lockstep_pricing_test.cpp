// A SUM_LEN lockstep step of attention-DP ranks priced with the step-time model
// (sim/cluster/dp_group.h): each rank runs the attention of its own batch, the MoE layers
// route the union's tokens, so the step is gated by the busiest rank's attention, not the
// mean rank's share of the union.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "hw/batch_shape.h"
#include "sim/cluster/dp_group.h"
#include "sim/cluster/simulator.h"
#include "sim/engine/model_step_pricer.h"
#include "sim/engine/speculative.h"
#include "sim/metrics/iteration_observer.h"
#include "sim_test_support.h"
#include "tests/core/reference_models.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;

namespace {

RunResult run_dep2(std::vector<RequestSpec> requests) {
  SimulatorHooks hooks;
  hooks.kv_blocks_per_replica = 2000;  // per rank: 32,000 tokens, room for both requests
  hooks.requests = std::make_unique<ListSource>(std::move(requests));
  Simulator simulator(dep2_scenario(), std::move(hooks));
  return simulator.run();
}

double seconds(std::int64_t ns) { return static_cast<double>(ns) * 1e-9; }

}  // namespace

TEST_CASE("a SUM_LEN step with a 4k prompt chunk on one rank and one decode on the other is gated by the prompt rank") {
  // r0 (10-token prompt) goes to rank 0 and runs step 1 alone; r1 (4096 tokens) arrives during
  // it and goes to rank 1. Step 2: rank 0 decodes r0's second token (11 keys), rank 1 runs the
  // whole 4096-token prompt.
  const RunResult two = run_dep2({request(0, 0, 10, 20), request(1, 1000, 4096, 2)});
  REQUIRE(two.requests.size() == 2);
  const std::int64_t step2_start = two.requests[0].first_token_ns;
  REQUIRE(two.requests[1].scheduled_ns == step2_start);
  const double step2_s = seconds(two.requests[1].first_token_ns - step2_start);

  // The prompt alone on rank 1 (rank 0 idle): its first step.
  const RunResult alone = run_dep2({request(1, 0, 4096, 2)});
  const double alone_s = seconds(alone.requests[0].first_token_ns);

  // The old pricing: the union of both ranks' batches split evenly over the two ranks, each
  // rank's attention at the mean share (2048 prompt tokens, half the pairs).
  const auto scenario = dep2_scenario();  // held: the pool below refers into it
  const PoolSpec& pool = scenario.pools[0];
  const ModelStepPricer replica(pool.model, pool.hardware, pool.precision, pool.parallelism(), pool.engine.host,
                                pool.engine.cuda_graph_padding());
  llmsim::hw::BatchShape prompt;
  prompt.prefill_seqs = 1;
  prompt.prefill_tokens = 4096;
  prompt.prefill_attention_pairs = 4096.0 * 4097.0 / 2.0;
  prompt.prefill_kv_tokens = 4096.0;
  prompt.sampled_seqs = 1;
  llmsim::hw::BatchShape both = prompt;
  both.decode_seqs = 1;
  both.decode_kv_tokens = 11.0;
  both.sampled_seqs = 2;
  const double mean_share_s = replica.price(both).time_s;
  // Both ranks running the prompt (the most the step could cost: MAX_LEN-style padding).
  const double padded_s = PaddedRankPricer(replica, 2).price(prompt).time_s;

  MESSAGE("step 2 ", step2_s * 1e3, " ms; mean-share pricing ", mean_share_s * 1e3, " ms; prompt rank alone ",
          alone_s * 1e3, " ms; both ranks with the prompt ", padded_s * 1e3, " ms");
  CHECK(step2_s > mean_share_s * 1.01);  // rank 1 runs all 4096 tokens' attention, not 2048
  CHECK(step2_s >= alone_s);             // the decode rank's token adds MoE work, never less
  CHECK(step2_s <= padded_s + 1e-9);     // the experts route 4097 tokens, not 8192
  // r0's 20 tokens take 20 steps; only step 3 (one decode on each rank) is MAX_LEN, step 2
  // (an extend step) is SUM_LEN, and r0's lone decodes after r1 finishes are SUM_LEN too.
  const auto& dp = two.summary["attention_data_parallel"]["pools"][0];
  CHECK(dp["lockstep_steps"] == 20);
  CHECK(dp["max_len_padded_steps"] == 1);
}

namespace {

/// Each rank's iteration of every lockstep step (all ranks of a step start together).
class RankPlans final : public IterationObserver {
 public:
  struct Seen {
    llmsim::workloads::TimeNs start_ns = 0;
    llmsim::workloads::TimeNs end_ns = 0;
    llmsim::hw::BatchShape shape;
    double draft_time_s = 0.0;
    std::vector<std::int64_t> draft_pass_seqs;
    std::vector<double> draft_pass_keys;
  };
  void on_iteration_end(const IterationView& view) override {
    const IterationPlan& plan = *view.plan;
    seen.push_back(Seen{.start_ns = plan.start_ns,
                        .end_ns = plan.end_ns,
                        .shape = plan.shape,
                        .draft_time_s = plan.draft_time_s,
                        .draft_pass_seqs = plan.draft_pass_seqs,
                        .draft_pass_keys = plan.draft_pass_keys});
  }
  std::vector<Seen> seen;
};

}  // namespace

TEST_CASE("DP ranks' MTP draft passes are collectives padded to every rank; the step adds the busiest rank's") {
  // DEP2 with DeepSeek-V3's MTP module (one MoE layer: sharded over the EP ranks like the
  // target's). Six requests round robin: rank 0 holds r0, r2, r4 (40 tokens each), rank 1
  // r1, r3 (2 tokens) and r5 (40): most decode steps verify 3 sequences on rank 0 and 1 on
  // rank 1, a balanced (MAX_LEN) step.
  Scenario scenario = dep2_scenario();
  SpeculativeConfig& mtp = scenario.pools[0].engine.speculative;
  mtp.method = SpeculativeMethod::mtp;
  mtp.num_speculative_tokens = 1;
  mtp.acceptance = {0.875};
  mtp.draft_layers = 1;
  const PoolSpec& pool = scenario.pools[0];
  REQUIRE(draft_parallelism(pool).attention_data_parallel == 2);
  REQUIRE(draft_parallelism(pool).expert_parallel == 2);

  RankPlans plans;
  SimulatorHooks hooks;
  hooks.kv_blocks_per_replica = 2000;
  hooks.requests = std::make_unique<ListSource>(std::vector<RequestSpec>{
      request(0, 0, 100, 40), request(1, 0, 100, 2), request(2, 0, 100, 40), request(3, 0, 100, 2),
      request(4, 0, 100, 40), request(5, 0, 100, 40)});
  hooks.observers.push_back(&plans);
  Simulator simulator(scenario, std::move(hooks));
  const RunResult result = simulator.run();
  CHECK(result.summary["completed"] == 6);

  const ModelStepPricer target(pool.model, pool.hardware, pool.precision, pool.parallelism(), pool.engine.host,
                               pool.engine.cuda_graph_padding());
  const PaddedRankPricer padded_target(target, 2);
  const PaddedRankPricer padded_draft(make_draft_pricer(pool), 2);
  // A rank's decode-step drafts: every pass priced as if both ranks ran that rank's pass.
  const auto drafts_s = [&](const RankPlans::Seen& rank) {
    double total = 0.0;
    for (std::size_t j = 0; j < rank.draft_pass_seqs.size() && rank.draft_pass_seqs[j] > 0; ++j) {
      total += padded_draft.price(draft_pass_shape(rank.draft_pass_seqs[j], rank.draft_pass_keys[j])).time_s;
    }
    return total;
  };
  std::int64_t checked_steps = 0;
  std::int64_t uneven_drafts = 0;
  for (std::size_t i = 0; i < plans.seen.size();) {
    std::size_t end = i;
    while (end < plans.seen.size() && plans.seen[end].start_ns == plans.seen[i].start_ns) ++end;
    const bool decode_only = std::all_of(plans.seen.begin() + static_cast<std::ptrdiff_t>(i),
                                         plans.seen.begin() + static_cast<std::ptrdiff_t>(end),
                                         [](const RankPlans::Seen& r) { return r.shape.prefill_tokens == 0; });
    std::int64_t sum_tokens = 0;
    std::int64_t max_tokens = 0;
    double forward_s = 0.0;
    double draft_s = 0.0;
    double min_draft_s = 1e9;
    for (std::size_t r = i; r < end; ++r) {
      const RankPlans::Seen& rank = plans.seen[r];
      if (decode_only) CHECK(rank.draft_time_s == doctest::Approx(drafts_s(rank)).epsilon(1e-12));
      sum_tokens += rank.shape.total_new_tokens();
      max_tokens = std::max(max_tokens, rank.shape.total_new_tokens());
      forward_s = std::max(forward_s, padded_target.price(rank.shape).time_s);
      draft_s = std::max(draft_s, rank.draft_time_s);
      min_draft_s = std::min(min_draft_s, rank.draft_time_s);
    }
    if (decode_only && sum_tokens * 2 > max_tokens * 2) {  // MAX_LEN (DP = 2)
      // The step: the busiest rank's padded forward pass, then the busiest rank's drafts
      // (within the nanosecond rounding of the step).
      const auto step_ns = plans.seen[i].end_ns - plans.seen[i].start_ns;
      CHECK(std::llabs(step_ns - std::llround((forward_s + draft_s) * 1e9)) <= 1);
      ++checked_steps;
      if (end - i == 2 && min_draft_s < draft_s) ++uneven_drafts;
    }
    i = end;
  }
  MESSAGE(checked_steps, " MAX_LEN steps checked, ", uneven_drafts, " with one rank drafting less");
  CHECK(checked_steps >= 10);
  CHECK(uneven_drafts >= 5);  // the lighter rank waited for the busier rank's drafts
}
