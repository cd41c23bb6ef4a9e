// Attention data-parallel ranks (sim/cluster/dp_group.h): each rank its own scheduler, queue
// and KV blocks, requests dispatched to one rank, the ranks stepping in lockstep (SUM_LEN:
// the union of the ranks' batches; MAX_LEN: every rank padded to the busiest). Hand-written
// timelines with the LinearPricer (time = 10 ms + 1 us x new tokens of the REPLICA's batch;
// padded, DP x the busiest rank's tokens).
#include <doctest/doctest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/cluster/dp_group.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;

namespace {

/// One replica of `ranks` attention ranks (engine limits as the loader gives them: the
/// per-rank limits times DP).
Scenario dp_scenario(int ranks, RouterKind router = RouterKind::round_robin, int replicas = 1) {
  EngineConfig engine;
  engine.max_num_seqs = 128 * ranks;
  engine.max_num_batched_tokens = 4096 * ranks;
  Scenario s = llama_scenario(engine, replicas);
  s.pools[0].attention_data_parallel = ranks;
  s.pools[0].router = router;
  return s;
}

RunResult run_dp(const Scenario& scenario, std::int64_t kv_blocks_per_rank, std::vector<RequestSpec> requests) {
  Simulator simulator(scenario, linear_hooks(0.010, 0.000001, kv_blocks_per_rank, std::move(requests)));
  return simulator.run();
}

}  // namespace

TEST_CASE("a rank batch is priced as if every DP rank ran it; FLOPs and peaks are the rank's share") {
  const LinearPricer replica(0.010, 0.000001);
  const PaddedRankPricer rank(replica, 4);
  llmsim::hw::BatchShape batch;
  batch.prefill_seqs = 1;
  batch.prefill_tokens = 100;
  batch.prefill_attention_pairs = 5050.0;
  batch.sampled_seqs = 1;
  const llmsim::hw::BatchShape padded = PaddedRankPricer::padded(batch, 4);
  CHECK(padded.prefill_seqs == 4);
  CHECK(padded.prefill_tokens == 400);
  CHECK(padded.prefill_attention_pairs == doctest::Approx(20200.0));
  CHECK(padded.sampled_seqs == 4);
  llmsim::hw::BatchShape verifying;
  verifying.verify_seqs = 2;
  verifying.verify_tokens = 8;
  verifying.verify_kv_tokens = 300.0;
  const llmsim::hw::BatchShape padded_verify = PaddedRankPricer::padded(verifying, 4);
  CHECK(padded_verify.verify_seqs == 8);
  CHECK(padded_verify.verify_tokens == 32);
  CHECK(padded_verify.verify_kv_tokens == doctest::Approx(1200.0));
  CHECK(padded_verify.total_new_tokens() == 4 * verifying.total_new_tokens());
  const llmsim::hw::StepTotals cost = rank.price(batch);
  CHECK(cost.time_s == doctest::Approx(0.010 + 400e-6));
  CHECK(cost.flops == doctest::Approx(1e9 * 400 / 4));  // the rank's own 100 tokens
  CHECK(cost.hbm_bytes == doctest::Approx(1e9 / 4));
  CHECK(rank.peak_flops_per_s_group() == doctest::Approx(1e15 / 4));
  CHECK(rank.hbm_bandwidth_bytes_per_s_group() == doctest::Approx(1e12 / 4));
}

TEST_CASE("round robin puts requests on alternate ranks; a long prompt on one rank holds the other's step") {
  // r0 (2000-token prompt) goes to rank 0, r1 (10 tokens) to rank 1. Step 1 extends: SUM_LEN,
  // the union of 2010 tokens, 10 ms + 2010 us = 12.01 ms for both ranks, so r1's first token
  // comes at 12.01 ms although its own batch alone would take 10.02 ms. Step 2: one decode
  // token on each rank, balanced (2 x 2 > 1 x 2): MAX_LEN, priced as 2 ranks of 1 token.
  const RunResult r = run_dp(dp_scenario(2), 1000, {request(0, 0, 2000, 2), request(1, 0, 10, 2)});
  REQUIRE(r.requests.size() == 2);
  CHECK(r.requests[0].first_token_ns == 12'010'000);
  CHECK(r.requests[1].first_token_ns == 12'010'000);
  CHECK(r.requests[0].completion_ns == 22'012'000);
  CHECK(r.requests[1].completion_ns == 22'012'000);
  CHECK(r.requests[0].replica == 0);  // the replica, not the rank
  CHECK(r.requests[1].replica == 0);
  // The collector sees one iteration of the replica per lockstep step, with both ranks' batch.
  const auto& s = r.summary;
  CHECK(s["batching"]["iterations"] == 2);
  CHECK(s["batching"]["mean_batch_size"].get<double>() == doctest::Approx(2.0));
  CHECK(s["utilization"]["kv_cache_blocks_total"] == 2000);  // two ranks of 1000
  CHECK(s["utilization"]["busy_time_share"].get<double>() == doctest::Approx(1.0));
  const auto& dp = s["attention_data_parallel"]["pools"][0];
  CHECK(dp["ranks"] == 2);
  CHECK(dp["kv_cache_blocks_per_rank"] == 1000);
  CHECK(dp["lockstep_steps"] == 2);
  CHECK(dp["max_len_padded_steps"] == 1);
  CHECK(dp["idle_rank_share"].get<double>() == doctest::Approx(0.0));
  CHECK(dp["mean_tokens_busiest_rank"].get<double>() == doctest::Approx((2000 + 1) / 2.0));
  CHECK(dp["mean_tokens_per_rank"].get<double>() == doctest::Approx((2000 + 10 + 1 + 1) / 4.0));
}

TEST_CASE("a balanced decode step is padded to the busiest rank (MAX_LEN)") {
  // Five 10-token prompts round robin: rank 0 holds r0, r2, r4 and rank 1 r1, r3. Step 1
  // extends (SUM_LEN: 50 tokens, 10.05 ms). Steps 2 and 3 decode 3 + 2 tokens: 5 x 2 > 3 x 2,
  // MAX_LEN, priced as both ranks running 3 tokens (10 ms + 6 us), not the union's 5 (+ 5 us).
  std::vector<RequestSpec> requests;
  for (std::uint64_t i = 0; i < 5; ++i) requests.push_back(request(i, 0, 10, 3));
  const RunResult r = run_dp(dp_scenario(2), 1000, std::move(requests));
  for (const RequestRecord& rec : r.requests) {
    CHECK(rec.first_token_ns == 10'050'000);
    CHECK(rec.completion_ns == 10'050'000 + 2 * 10'006'000);
  }
  CHECK(r.summary["attention_data_parallel"]["pools"][0]["max_len_padded_steps"] == 2);
}

TEST_CASE("a request for an idle rank waits for the step in flight to end") {
  // r0 at 0 on rank 0: step 1 (rank 0 alone, 2000 tokens: 12 ms). r1 arrives at 1 ms on rank
  // 1, idle, but the ranks step together: it starts with step 2 at 12 ms (rank 0 decodes 1
  // token, rank 1 prefills 10: SUM_LEN over 11 tokens, 10.011 ms), its first token at
  // 22.011 ms rather than 11.01; step 3 is rank 1 alone (1 token: 2 x 2 > 1 x 2 fails,
  // SUM_LEN, 10.001 ms).
  const RunResult r = run_dp(dp_scenario(2), 1000, {request(0, 0, 2000, 2), request(1, 1'000'000, 10, 2)});
  CHECK(r.requests[0].first_token_ns == 12'000'000);
  CHECK(r.requests[0].completion_ns == 22'011'000);
  CHECK(r.requests[1].scheduled_ns == 12'000'000);
  CHECK(r.requests[1].first_token_ns == 22'011'000);
  CHECK(r.requests[1].completion_ns == 32'012'000);
  const auto& dp = r.summary["attention_data_parallel"]["pools"][0];
  CHECK(dp["lockstep_steps"] == 3);
  CHECK(dp["max_len_padded_steps"] == 0);
  CHECK(dp["idle_rank_share"].get<double>() == doctest::Approx(2.0 / 6.0));  // rank 1 in step 1, rank 0 in step 3
}

TEST_CASE("one rank out of KV blocks queues its request while the other rank admits") {
  // 10 blocks of 16 tokens per rank. Round robin: r0 -> rank 0 (7 blocks for 100 + 1 tokens),
  // r1 -> rank 1 (7), r2 -> rank 0 (needs 7 more: 3 free, it waits), r3 -> rank 1 (20 tokens:
  // 2 blocks, 9 of 10 used: admitted at once). The replica's 20 blocks would hold r2 too.
  const RunResult r = run_dp(dp_scenario(2), 10,
                             {request(0, 0, 100, 2), request(1, 0, 100, 2), request(2, 0, 100, 2), request(3, 0, 20, 2)});
  REQUIRE(r.requests.size() == 4);
  for (const RequestRecord& rec : r.requests) CHECK(rec.status == RequestStatus::completed);
  // Step 1: rank 0 runs r0 (100 tokens), rank 1 runs r1 and r3 (120): SUM_LEN, 10.22 ms.
  CHECK(r.requests[0].first_token_ns == 10'220'000);
  CHECK(r.requests[1].first_token_ns == 10'220'000);
  CHECK(r.requests[3].first_token_ns == 10'220'000);
  // r2 starts only when r0 has finished and freed rank 0's blocks.
  CHECK(r.requests[2].scheduled_ns >= r.requests[0].completion_ns);
  CHECK(r.requests[2].first_token_ns > r.requests[0].completion_ns);
  const auto& dp = r.summary["attention_data_parallel"]["pools"][0];
  CHECK(dp["rank_kv_usage_peak_max"].get<double>() == doctest::Approx(0.9));  // rank 1: 7 + 2 of 10
  CHECK(dp["rank_kv_usage_peak_min"].get<double>() == doctest::Approx(0.7));  // rank 0: one request at a time
}

TEST_CASE("a request that fits the replica's KV but not one rank's is rejected") {
  // 10 blocks per rank hold 160 tokens; 200 + 2 - 1 tokens need 13 blocks (< the replica's 20).
  const RunResult r = run_dp(dp_scenario(2), 10, {request(0, 0, 200, 2), request(1, 0, 100, 2)});
  CHECK(r.summary["rejected"]["kv_capacity"] == 1);
  CHECK(r.requests[0].status == RequestStatus::rejected);
  CHECK(r.requests[1].status == RequestStatus::completed);
}

TEST_CASE("every request finishes once, on one rank, under any router") {
  for (const RouterKind router : {RouterKind::round_robin, RouterKind::least_loaded, RouterKind::random}) {
    std::vector<RequestSpec> requests;
    std::int64_t output_tokens = 0;
    for (std::uint64_t i = 0; i < 300; ++i) {
      const std::int64_t input = 20 + static_cast<std::int64_t>((i * 37) % 400);
      const std::int64_t output = 1 + static_cast<std::int64_t>((i * 13) % 60);
      output_tokens += output;
      requests.push_back(request(i, static_cast<std::int64_t>(i) * 2'000'000, input, output));
    }
    const RunResult r = run_dp(dp_scenario(4, router, 2), 200, std::move(requests));
    CHECK(r.summary["completed"] == 300);
    CHECK(r.summary["failed"] == 0);
    CHECK(r.summary["total_output_tokens"] == output_tokens);
    for (const RequestRecord& rec : r.requests) {
      CHECK(rec.status == RequestStatus::completed);
      CHECK(rec.generated_tokens == rec.output_tokens);
      CHECK((rec.replica == 0 || rec.replica == 1));
    }
    const auto& dp = r.summary["attention_data_parallel"]["pools"][0];
    CHECK(dp["ranks"] == 4);
    // Every step runs at least one rank, and a busiest rank is at least the mean.
    CHECK(dp["idle_rank_share"].get<double>() < 0.75 + 1e-12);
    CHECK(dp["mean_tokens_busiest_rank"].get<double>() >= dp["mean_tokens_per_rank"].get<double>());
  }
}

TEST_CASE("the same scenario and seed give the same attention-DP summary") {
  const auto run = [] {
    std::vector<RequestSpec> requests;
    for (std::uint64_t i = 0; i < 50; ++i) {
      requests.push_back(request(i, static_cast<std::int64_t>(i) * 1'000'000, 50 + static_cast<std::int64_t>(i * 7 % 300),
                                 1 + static_cast<std::int64_t>(i % 20)));
    }
    return run_dp(dp_scenario(4, RouterKind::random), 100, std::move(requests)).summary.dump();
  };
  CHECK(run() == run());
}

TEST_CASE("disaggregated attention-DP pools: every request prefills on one rank and decodes on one rank") {
  // Prefill DP2 and decode DP2 (one replica each), Llama-sized requests arriving every 5 ms.
  Scenario s = dp_scenario(2);
  s.pools.front().name = "prefill";
  PoolSpec decode = s.pools.front();
  decode.name = "decode";
  decode.router = RouterKind::least_loaded;
  s.pools.push_back(decode);
  DisaggregationSpec d;
  d.prefill_pool = 0;
  d.decode_pool = 1;
  d.link.bandwidth_bytes_per_s = 50e9;
  d.link.latency_s = 5e-6;
  d.link.lanes = 1;
  d.kv_bytes_per_token = 131072.0;
  s.disaggregation = d;
  std::vector<RequestSpec> requests;
  std::int64_t decoded = 0;
  for (std::uint64_t i = 0; i < 120; ++i) {
    const std::int64_t output = 1 + static_cast<std::int64_t>((i * 11) % 40);
    if (output >= 2) ++decoded;
    requests.push_back(request(i, static_cast<std::int64_t>(i) * 5'000'000, 50 + static_cast<std::int64_t>((i * 97) % 900), output));
  }
  const RunResult r = run_dp(s, 400, std::move(requests));
  CHECK(r.summary["completed"] == 120);
  CHECK(r.summary["failed"] == 0);
  CHECK(r.summary["disaggregation"]["transfers"] == decoded);
  for (const RequestRecord& rec : r.requests) {
    CHECK(rec.status == RequestStatus::completed);
    CHECK(rec.generated_tokens == rec.output_tokens);
  }
  const auto& pools = r.summary["attention_data_parallel"]["pools"];
  REQUIRE(pools.size() == 2);
  CHECK(pools[0]["pool"] == "prefill");
  CHECK(pools[1]["pool"] == "decode");
  CHECK(pools[1]["lockstep_steps"].get<std::int64_t>() > 0);
}
