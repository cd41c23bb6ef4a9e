// Speculative decoding: verify steps, acceptance draws, draft pricing, KV of rejected drafts
// (sim/engine/speculative.h, replica_speculative.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_counts.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"
#include "replica_test_support.h"
#include "sim/cluster/simulator.h"
#include "tests/core/reference_models.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/model_step_pricer.h"
#include "sim/engine/speculative.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using Json = nlohmann::ordered_json;

namespace {

EngineConfig speculative_engine(SpeculativeMethod method, std::vector<double> acceptance,
                                std::int64_t block_size = 16) {
  EngineConfig e;
  e.block_size = block_size;
  e.speculative.method = method;
  e.speculative.num_speculative_tokens = static_cast<std::int64_t>(acceptance.size());
  e.speculative.acceptance = std::move(acceptance);
  return e;
}

/// A draft pass: 2 ms plus 1 us per sequence (LinearPricer: one new token per sequence).
std::shared_ptr<const StepPricer> draft_pricer() { return std::make_shared<const LinearPricer>(0.002, 0.000001); }

}  // namespace

TEST_CASE("acceptance 1.0: every verify step emits k + 1 tokens, at the step's end") {
  // k = 3. Target: 10 ms + 1 us per new token (ReplicaBench); a draft pass 2 ms + 1 us.
  ReplicaBench bench(speculative_engine(SpeculativeMethod::draft_model, {1.0, 1.0, 1.0}), 1000, draft_pricer());
  bench.add(request(0, 0, 100, 9));
  const IterationPlan prefill = bench.step();
  CHECK(prefill.verify_seqs == 0);
  // The target's 10 ms + 100 us, and the draft model's own pass over the prompt, 2 ms + 100 us.
  CHECK(prefill.draft_time_s == doctest::Approx(0.0021));
  CHECK(bench.records[0].first_token_ns == 12'200'000);
  // 8 tokens to go: two verify steps of 1 + 3 drafts, each emitting 3 accepted + the bonus.
  // Each costs the target 10 ms + 4 us and three draft passes of 2.001 ms: 16.007 ms.
  std::int64_t context = 100;  // the prompt; each verify step computes its 4 tokens
  for (const llmsim::workloads::TimeNs end_ns : {llmsim::workloads::TimeNs{28'207'000}, llmsim::workloads::TimeNs{44'214'000}}) {
    const IterationPlan verify = bench.step();
    REQUIRE(verify.seqs.size() == 1);
    CHECK(verify.seqs[0].new_tokens == 4);
    CHECK(verify.seqs[0].draft_tokens == 3);
    CHECK(verify.seqs[0].accepted == 3);
    CHECK(verify.verify_emitted == 4);
    // The target verifies 4 query tokens in the decode kernel: verify rows, neither a prompt
    // chunk nor a one-token decode. Its KV (context + 4 keys) is read once; the pairs are causal.
    CHECK(verify.shape.decode_seqs == 0);
    CHECK(verify.shape.prefill_seqs == 0);
    CHECK(verify.shape.prefill_tokens == 0);
    CHECK(verify.shape.verify_seqs == 1);
    CHECK(verify.shape.verify_tokens == 4);
    const auto c = static_cast<double>(context);
    CHECK(verify.shape.verify_attention_pairs == 4.0 * c + 10.0);
    CHECK(verify.shape.verify_kv_tokens == c + 4.0);
    CHECK(verify.shape.verify_indexer_pairs == 0.0);  // no DSA
    CHECK(verify.shape.total_new_tokens() == 4);
    CHECK(verify.shape.sampled_seqs == 4);       // with the LM head at each position
    context += 4;
    CHECK(verify.draft_time_s == doctest::Approx(3 * 0.002001));
    CHECK(verify.end_ns == end_ns);
  }
  CHECK_FALSE(bench.replica.has_work());
  CHECK(bench.records[0].generated_tokens == 9);
  CHECK(bench.records[0].completion_ns == 44'214'000);
  // ITL: one gap per verify step (its 4 tokens arrive together).
  const DistributionStats itl = bench.metrics.itl_ns().stats();
  CHECK(itl.count == 2);
  CHECK(itl.mean == doctest::Approx(16'007'000.0));
  CHECK(bench.metrics.verify_steps() == 2);
  CHECK(bench.metrics.verify_emitted_tokens() == 8);
}

TEST_CASE("acceptance 0: a verify step emits one token and still pays the draft; drafts stop short of the end") {
  ReplicaBench bench(speculative_engine(SpeculativeMethod::draft_model, {0.0, 0.0, 0.0}), 1000, draft_pricer());
  bench.add(request(0, 0, 100, 4));
  bench.step();  // prefill: 10.1 ms and the draft's 2.1 ms over the prompt, the first token
  // 3 tokens to go: drafts min(k, remaining - 1) = 2, then 1, then a plain decode step.
  const IterationPlan first = bench.step();
  CHECK(first.seqs[0].draft_tokens == 2);
  CHECK(first.seqs[0].accepted == 0);
  CHECK(first.verify_emitted == 1);
  CHECK(first.end_ns == 12'200'000 + 14'005'000);  // 10 ms + 3 us, two passes of 2.001 ms
  const IterationPlan second = bench.step();
  CHECK(second.seqs[0].draft_tokens == 1);
  CHECK(second.end_ns == first.end_ns + 12'003'000);  // 10 ms + 2 us, one pass
  const IterationPlan last = bench.step();
  CHECK(last.seqs[0].draft_tokens == 0);
  CHECK(last.verify_seqs == 0);
  CHECK(last.shape.decode_seqs == 1);
  CHECK(last.draft_time_s == 0.0);
  CHECK(last.end_ns == second.end_ns + 10'001'000);
  CHECK(bench.records[0].generated_tokens == 4);
  CHECK(bench.records[0].completion_ns == 48'209'000);
  CHECK(bench.metrics.verify_steps() == 2);
  CHECK(bench.metrics.verify_emitted_tokens() == 2);
  CHECK(bench.metrics.draft_time_s() == doctest::Approx(0.0021 + 3 * 0.002001));
}

TEST_CASE("MTP, k = 1 (DeepSeek-V3's deployment): a hand-computed timeline") {
  // Target: 10 ms + 1 us per new token (ReplicaBench); the MTP head's pass 2 ms + 1 us per
  // sequence (draft_pricer). Acceptance 1.0: every verify step emits the draft and the bonus.
  ReplicaBench bench(speculative_engine(SpeculativeMethod::mtp, {1.0}), 1000, draft_pricer());
  bench.add(request(0, 0, 100, 5));
  // Prefill: the target's 10.1 ms and the head's pass over the 100 prompt tokens, 2.1 ms.
  const IterationPlan prefill = bench.step();
  CHECK(prefill.end_ns == 12'200'000);
  // 4 tokens to go: two verify steps of the last token + 1 draft (10.002 ms) and one head
  // pass (2.001 ms), 12.003 ms each, emitting 2 tokens each.
  const IterationPlan first = bench.step();
  CHECK(first.seqs[0].new_tokens == 2);
  CHECK(first.verify_emitted == 2);
  CHECK(first.draft_time_s == doctest::Approx(0.002001));
  CHECK(first.end_ns == 24'203'000);
  const IterationPlan second = bench.step();
  CHECK(second.seqs[0].draft_tokens == 1);  // min(k, remaining output 2 - 1)
  CHECK(second.end_ns == 36'206'000);
  CHECK_FALSE(bench.replica.has_work());
  CHECK(bench.records[0].generated_tokens == 5);
  CHECK(bench.records[0].completion_ns == 36'206'000);
  CHECK(bench.metrics.verify_steps() == 2);
  CHECK(bench.metrics.verify_emitted_tokens() == 4);
  CHECK(bench.metrics.itl_ns().stats().mean == doctest::Approx(12'003'000.0));
}

TEST_CASE("ngram drafts cost nothing: the step is the target's verify alone") {
  ReplicaBench bench(speculative_engine(SpeculativeMethod::ngram, {1.0, 1.0}), 1000);
  bench.add(request(0, 0, 100, 4));
  bench.step();
  const IterationPlan verify = bench.step();
  CHECK(verify.seqs[0].draft_tokens == 2);
  CHECK(verify.draft_time_s == 0.0);
  CHECK(verify.end_ns == 10'100'000 + 10'003'000);
  CHECK(bench.records[0].generated_tokens == 4);
  CHECK_FALSE(bench.replica.has_work());
}

TEST_CASE("a verify step holds KV blocks for its drafts; the rejected drafts' blocks are freed") {
  // Blocks of 4 tokens; a 7-token prompt fills 2. Verifying 1 + 3 drafts over 7 cached
  // tokens needs 11 tokens' blocks (3); with every draft rejected 8 tokens stay (2 blocks).
  ReplicaBench bench(speculative_engine(SpeculativeMethod::ngram, {0.0, 0.0, 0.0}, 4), 100);
  bench.add(request(0, 0, 7, 10));
  bench.step();
  CHECK(bench.replica.kv().num_allocated() == 2);
  bench.now = bench.replica.plan_iteration(bench.now);
  CHECK(bench.replica.plan().seqs[0].draft_tokens == 3);
  CHECK(bench.replica.kv().num_allocated() == 3);
  bench.replica.apply_iteration(bench.completed);
  bench.check_kv();
  CHECK(bench.replica.kv().num_allocated() == 2);
  CHECK(bench.records[0].generated_tokens == 2);
  bench.run_to_idle();
  CHECK(bench.records[0].generated_tokens == 10);
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("disable_above_batch: more running requests than it at an iteration's start, no drafts") {
  EngineConfig engine = speculative_engine(SpeculativeMethod::ngram, {1.0, 1.0});
  engine.speculative.disable_above_batch = 1;
  ReplicaBench bench(engine, 1000);
  bench.add(request(0, 0, 100, 20));
  bench.add(request(1, 0, 100, 3));
  bench.step();  // both prefill
  const IterationPlan two_running = bench.step();
  CHECK(two_running.verify_seqs == 0);
  CHECK(two_running.shape.decode_seqs == 2);
  bench.step();  // request 1 samples its third and last token
  REQUIRE(bench.replica.num_running() == 1);
  const IterationPlan one_running = bench.step();
  CHECK(one_running.verify_seqs == 1);
  CHECK(one_running.seqs[0].draft_tokens == 2);
}

TEST_CASE("the drawn acceptance length matches 1 + p1 + p1 p2 + ...") {
  const std::vector<double> acceptance{0.8, 0.6, 0.5};
  CHECK(expected_acceptance_length(acceptance) == doctest::Approx(1.0 + 0.8 + 0.48 + 0.24));
  llmsim::workloads::RngStream rng(3, "test");
  const int draws = 100000;
  std::int64_t emitted = 0;
  std::vector<std::int64_t> histogram(4, 0);
  for (int i = 0; i < draws; ++i) {
    const std::int64_t accepted = draw_accepted(acceptance, 3, rng);
    emitted += accepted + 1;
    ++histogram[static_cast<std::size_t>(accepted)];
  }
  // Standard error of the mean length ~0.9 / sqrt(1e5) = 0.003.
  CHECK(static_cast<double>(emitted) / draws == doctest::Approx(2.52).epsilon(0.01));
  CHECK(static_cast<double>(histogram[0]) / draws == doctest::Approx(0.2).epsilon(0.05));
  // Fewer drafts than positions: only the leading probabilities are used.
  for (int i = 0; i < 100; ++i) CHECK(draw_accepted({1.0, 0.0}, 1, rng) == 1);
}

TEST_CASE("a speculative run is deterministic, the same with and without the fast path, and faster at low load") {
  const auto run = [](bool speculative, bool step_by_step, std::uint64_t seed) {
    EngineConfig engine;
    if (speculative) engine = speculative_engine(SpeculativeMethod::ngram, {0.7, 0.5, 0.4});
    Scenario scenario = llama_scenario(engine);
    scenario.seed = seed;
    std::vector<llmsim::workloads::RequestSpec> requests;
    for (std::uint64_t i = 0; i < 30; ++i) {
      requests.push_back(request(i, static_cast<std::int64_t>(i) * 40'000'000, 200 + 10 * static_cast<std::int64_t>(i), 60));
    }
    SimulatorHooks hooks = linear_hooks(0.010, 0.000001, 1000, std::move(requests));
    hooks.step_by_step = step_by_step;
    Simulator simulator(scenario, std::move(hooks));
    return simulator.run().summary;
  };
  const Json first = run(true, false, 7);
  CHECK(first.dump() == run(true, false, 7).dump());
  CHECK(first.dump() == run(true, true, 7).dump());
  CHECK(first.dump() != run(true, false, 8).dump());  // the seed reaches the acceptance draws
  REQUIRE(first.contains("speculative"));
  const Json& sp = first["speculative"];
  CHECK(sp["verify_steps"].get<std::int64_t>() > 0);
  CHECK(sp["mean_acceptance_length"].get<double>() ==
        doctest::Approx(expected_acceptance_length({0.7, 0.5, 0.4})).epsilon(0.1));
  CHECK(sp["draft_time_share"].get<double>() == 0.0);  // ngram
  const Json plain = run(false, false, 7);
  CHECK_FALSE(plain.contains("speculative"));
  CHECK(first["mean_tpot_ms"].get<double>() < plain["mean_tpot_ms"].get<double>());
  CHECK(first["total_output_tokens"] == plain["total_output_tokens"]);
}

TEST_CASE("an EAGLE-3 or MTP head is priced as draft_layers layers of the target's own shape") {
  // hw::StepTimeModel is affine in the number of layers (same per-layer work and fixed time,
  // one embedding and LM head), so one more head layer adds 1/31 of what 31 more do.
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  pool.engine = speculative_engine(SpeculativeMethod::mtp, {0.5});
  const auto head_price = [&pool](std::int64_t layers) {
    pool.engine.speculative.draft_layers = layers;
    return make_draft_pricer(pool)->price(draft_pass_shape(16, 16.0 * 1000.0)).time_s;
  };
  const double one = head_price(1);
  const double two = head_price(2);
  const double all = head_price(32);
  CHECK(two > one);
  CHECK(two - one == doctest::Approx((all - one) / 31.0).epsilon(1e-9));
  // The 32-layer head is the target's decode step without host time.
  const ModelStepPricer target(pool.model, pool.hardware, pool.precision, llmsim::hw::Parallelism{1}, llmsim::hw::HostTime{});
  CHECK(all == doctest::Approx(target.price(draft_pass_shape(16, 16000.0)).time_s).epsilon(1e-12));
  pool.engine.speculative.method = SpeculativeMethod::ngram;
  CHECK(make_draft_pricer(pool) == nullptr);
  pool.engine.speculative.method = SpeculativeMethod::draft_model;
  pool.engine.speculative.draft_model = llama_3_1_8b();
  CHECK(make_draft_pricer(pool)->price(draft_pass_shape(16, 16000.0)).time_s == doctest::Approx(all).epsilon(1e-12));
}

TEST_CASE("a token budget that runs short cuts the drafts, not the step") {
  EngineConfig engine = speculative_engine(SpeculativeMethod::ngram, {1.0, 1.0, 1.0});
  engine.max_num_batched_tokens = 3;
  ReplicaBench bench(engine, 1000);
  bench.add(request(0, 0, 3, 10));
  bench.step();  // the 3-token prompt fills the budget
  const IterationPlan verify = bench.step();
  CHECK(verify.seqs[0].new_tokens == 3);
  CHECK(verify.seqs[0].draft_tokens == 2);
  CHECK(verify.verify_emitted == 3);
  bench.run_to_idle();
  CHECK(bench.records[0].generated_tokens == 10);
}

TEST_CASE("parallel drafting (P-EAGLE): one draft pass over all of a sequence's drafts") {
  EngineConfig engine = speculative_engine(SpeculativeMethod::eagle3, {1.0, 1.0, 1.0});
  engine.speculative.parallel_drafting = true;
  ReplicaBench bench(engine, 1000, draft_pricer());
  bench.add(request(0, 0, 100, 9));
  bench.step();  // 10.1 ms + the head's 2.1 ms over the prompt
  const IterationPlan verify = bench.step();
  CHECK(verify.seqs[0].draft_tokens == 3);
  // Three query tokens of one sequence in the head's decode kernel (verify rows, as the target's).
  CHECK(verify.parallel_draft_shape.prefill_tokens == 0);
  CHECK(verify.parallel_draft_shape.verify_seqs == 1);
  CHECK(verify.parallel_draft_shape.verify_tokens == 3);
  CHECK(verify.parallel_draft_shape.sampled_seqs == 3);  // each position proposes a draft
  // Over the 100 prompt tokens, the first sampled and the 3 drafts among themselves; the
  // 104 keys read once.
  CHECK(verify.parallel_draft_shape.verify_attention_pairs == 3.0 * 101.0 + 6.0);
  CHECK(verify.parallel_draft_shape.verify_kv_tokens == 104.0);
  CHECK(verify.draft_pass_seqs == std::vector<std::int64_t>{0, 0, 0});
  // The target's 10 ms + 4 us and one pass of 2 ms + 3 us (the serial head pays 3 x 2.001).
  CHECK(verify.draft_time_s == doctest::Approx(0.002003));
  CHECK(verify.end_ns == 12'200'000 + 12'007'000);
  bench.run_to_idle();
  CHECK(bench.records[0].generated_tokens == 9);
}

TEST_CASE("the drafter's weights and KV come out of the KV cache") {
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  const KvCapacity plain = kv_capacity(pool);
  CHECK(plain.draft_weight_bytes == 0.0);
  // An EAGLE-3 head of one target layer: 1/32 of the layers' weights (embedding and LM head
  // shared with the target) and 1/32 of the KV per token, in the same blocks.
  pool.engine.speculative = speculative_engine(SpeculativeMethod::eagle3, {0.5}).speculative;
  pool.engine.speculative.draft_layers = 1;
  const KvCapacity head = kv_capacity(pool);
  const double embedding = llmsim::core::parameter_bytes(
      llmsim::core::count_parameters(pool.model).embedding, pool.precision.weights);
  // The head has its own final norm (4096 bf16 weights) besides its one layer.
  const double norm = 4096.0 * 2.0;
  CHECK(head.draft_weight_bytes == doctest::Approx((plain.weight_bytes - embedding - norm) / 32.0 + norm).epsilon(1e-12));
  CHECK(head.draft_kv_bytes_per_token == doctest::Approx(plain.kv_bytes_per_token / 32.0));
  CHECK(head.block_bytes == doctest::Approx(plain.block_bytes * 33.0 / 32.0));
  CHECK(head.blocks == static_cast<std::int64_t>((plain.kv_budget_bytes - head.draft_weight_bytes) / head.block_bytes));
  CHECK(head.blocks < plain.blocks);
  // A draft model: all its weights and all its KV.
  pool.engine.speculative.method = SpeculativeMethod::draft_model;
  pool.engine.speculative.draft_model = llama_3_1_8b();
  const KvCapacity twin = kv_capacity(pool);
  CHECK(twin.draft_weight_bytes == doctest::Approx(plain.weight_bytes));
  CHECK(twin.block_bytes == doctest::Approx(2.0 * plain.block_bytes));
  // n-gram holds nothing.
  pool.engine.speculative.method = SpeculativeMethod::ngram;
  CHECK(kv_capacity(pool).blocks == plain.blocks);
}

TEST_CASE("a request's own acceptance length replaces the engine's acceptance") {
  // The engine accepts every draft; request 0 says 1 token per verify step (p = 0), request
  // 1 says k + 1 = 4 (p = 1) on an engine that accepts none.
  ReplicaBench always(speculative_engine(SpeculativeMethod::ngram, {1.0, 1.0, 1.0}), 1000);
  llmsim::workloads::RequestSpec low = request(0, 0, 100, 9);
  low.acceptance_length = 1.0;
  always.add(low);
  always.step();
  const IterationPlan low_verify = always.step();
  CHECK(low_verify.seqs[0].draft_tokens == 3);
  CHECK(low_verify.seqs[0].accepted == 0);
  ReplicaBench never(speculative_engine(SpeculativeMethod::ngram, {0.0, 0.0, 0.0}), 1000);
  llmsim::workloads::RequestSpec high = request(0, 0, 100, 9);
  high.acceptance_length = 4.0;
  never.add(high);
  never.step();
  CHECK(never.step().seqs[0].accepted == 3);
  never.run_to_idle();
  CHECK(never.records[0].generated_tokens == 9);
}

TEST_CASE("acceptance_for_length inverts the expected length of a constant acceptance") {
  for (const std::int64_t k : {1, 3, 7}) {
    for (const double length : {1.0, 1.5, 2.7, static_cast<double>(k + 1)}) {
      if (length > static_cast<double>(k + 1)) continue;
      CAPTURE(k);
      CAPTURE(length);
      const double p = acceptance_for_length(length, k);
      CHECK(p >= 0.0);
      CHECK(p <= 1.0);
      CHECK(expected_acceptance_length(std::vector<double>(static_cast<std::size_t>(k), p)) ==
            doctest::Approx(length).epsilon(1e-9));
    }
  }
  // The P-EAGLE post's MT-Bench EAGLE-3 K=3 length 2.70 needs p of about 0.74 at each position.
  CHECK(acceptance_for_length(2.7, 3) == doctest::Approx(0.7422).epsilon(1e-3));
}

TEST_CASE("tree drafting: the verify covers the tree's nodes, acceptance runs along its depth") {
  // 6 nodes from 3 steps of top_k 2; the best path always reaches the full depth.
  EngineConfig engine = speculative_engine(SpeculativeMethod::eagle, {1.0, 1.0, 1.0});
  engine.speculative.num_speculative_tokens = 6;
  engine.speculative.tree_steps = 3;
  engine.speculative.tree_top_k = 2;
  ReplicaBench bench(engine, 1000, draft_pricer());
  bench.add(request(0, 0, 100, 9));
  bench.step();  // 10.1 ms + the head's 2.1 ms over the prompt
  const IterationPlan first = bench.step();
  CHECK(first.seqs[0].new_tokens == 7);  // the last token and 6 nodes
  CHECK(first.seqs[0].draft_tokens == 6);
  CHECK(first.seqs[0].accepted == 3);   // a path of the tree's depth
  CHECK(first.verify_emitted == 4);
  // Draft passes of 1, 2 and 2 rows over 101, 102 and 103 keys each.
  CHECK(first.draft_pass_seqs == std::vector<std::int64_t>{1, 2, 2, 0, 0, 0});
  CHECK(first.draft_pass_keys[1] == 2.0 * 102.0);
  // The target's 10 ms + 7 us, and 2.001 + 2.002 + 2.002 ms of drafts.
  CHECK(first.draft_time_s == doctest::Approx(0.006005));
  CHECK(first.end_ns == 12'200'000 + 16'012'000);
  // 4 tokens to go: 3 nodes (remaining - 1), still 3 deep.
  const IterationPlan second = bench.step();
  CHECK(second.seqs[0].draft_tokens == 3);
  CHECK(second.seqs[0].accepted == 3);
  CHECK(second.end_ns == first.end_ns + 16'009'000);
  CHECK_FALSE(bench.replica.has_work());
  CHECK(bench.records[0].generated_tokens == 9);
}

TEST_CASE("regression: a DeepSeek-V3 MTP head is the target's last layer, a MoE layer (it aborted as a dense cut)") {
  // Cutting DeepSeek-V3 to its first layer left first_k_dense_replace 3 on a 1-layer model:
  // a broken ModelSpec invariant, so every mtp scenario on DeepSeek aborted.
  PoolSpec pool = llama_scenario(EngineConfig{}).pools.front();
  pool.model = llmsim::core::testing::deepseek_v3();
  pool.engine = speculative_engine(SpeculativeMethod::mtp, {0.8});
  pool.engine.speculative.draft_layers = 1;
  const llmsim::core::ModelSpec head = draft_head_shape(pool);
  CHECK(head.num_layers == 1);
  CHECK(llmsim::core::moe_layer_count(head) == 1);
  CHECK_NOTHROW(llmsim::core::check_model_spec(head));
  // Four head layers of a 3-dense + 58-MoE target are its last four: all MoE.
  pool.engine.speculative.draft_layers = 4;
  CHECK(llmsim::core::moe_layer_count(draft_head_shape(pool)) == 4);
  // All 61 are the target's own split.
  pool.engine.speculative.draft_layers = 61;
  CHECK(llmsim::core::moe_layer_count(draft_head_shape(pool)) == 58);
  pool.engine.speculative.draft_layers = 1;
  REQUIRE(make_draft_pricer(pool) != nullptr);
  CHECK(make_draft_pricer(pool)->price(draft_pass_shape(1, 1025.0)).time_s > 0.0);
}
