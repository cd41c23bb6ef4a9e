#include <doctest/doctest.h>

#include <vector>

#include "replica_test_support.h"
#include "sim/engine/parked_prefix.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

namespace {

EngineConfig small_blocks() {
  EngineConfig e;
  e.max_num_batched_tokens = 4096;
  e.max_num_seqs = 16;
  e.block_size = 4;
  return e;
}

}  // namespace

TEST_CASE("running out of blocks preempts the most recently admitted request which later resumes") {
  // 15 blocks of 4 tokens. Three requests of 8 prompt + 20 output tokens, admitted together
  // (2 blocks each). After iteration k a request holds 8 + k computed tokens and needs a new
  // block whenever iteration k computes token 8 + 4m: iterations 1, 5, 9 bring the three to
  // 5 blocks each (15, all used); at iteration 13 the first needs a 6th block, so the third
  // (admitted last) is preempted with 13 tokens generated (1 + 12 decodes).
  ReplicaBench bench(small_blocks(), 15);
  for (std::uint64_t i = 0; i < 3; ++i) bench.add(request(i, 0, 8, 20));
  std::vector<IterationPlan> plans;
  while (bench.replica.has_work()) plans.push_back(bench.step());

  REQUIRE(plans.size() == 27);
  for (std::size_t k = 0; k < plans.size(); ++k) {
    CHECK(plans[k].preempted == (k == 13 ? 1 : 0));
  }
  CHECK(bench.records[0].preemptions == 0);
  CHECK(bench.records[1].preemptions == 0);
  CHECK(bench.records[2].preemptions == 1);
  // The first two finish at iteration 19 (1 + 19 tokens). At 17 they hold 7 blocks each, so
  // the third, needing ceil((8 + 13) / 4) = 6 blocks, waits until iteration 20, where it
  // recomputes its prompt and the 13 generated tokens and samples its 14th token. With
  // prefix caching (on by default) its 5 full blocks (20 computed tokens) stayed cached
  // when it was preempted, as free blocks; the first two took 4 of them at iterations 13
  // and 17 (no other block was free), so one survives and 21 - 4 = 17 tokens are recomputed.
  CHECK(plans[20].seqs.size() == 1);
  CHECK(plans[20].shape.prefill_tokens == 17);
  CHECK(plans[20].seqs[0].samples);
  for (const RequestRecord& r : bench.records) {
    CHECK(r.status == RequestStatus::completed);
    CHECK(r.generated_tokens == 20);
  }
  CHECK(bench.records[2].completion_ns == bench.now);
  // One gap per token after the first: 3 x 19; the resumed token's gap stands alone.
  CHECK(bench.metrics.itl_ns().count() == 57);
  CHECK(bench.metrics.preemptions() == 1);
  CHECK(bench.replica.kv().num_allocated() == 0);
  CHECK(bench.replica.outstanding_tokens() == 0);
}

TEST_CASE("a request that cannot grow and is the last admitted preempts itself") {
  // 5 blocks of 4 tokens; A and B have 4 prompt + 9 output tokens (at most 3 blocks each).
  // Iteration 1 gives each a second block (4 used). At iteration 5 A takes the last free
  // block for token 8; B then needs one too, and as the most recently admitted it preempts
  // itself (with 5 tokens generated). A finishes at iteration 8; B recomputes 4 + 5 tokens
  // at iteration 9 and finishes at iteration 12.
  ReplicaBench bench(small_blocks(), 5);
  bench.add(request(0, 0, 4, 9));
  bench.add(request(1, 0, 4, 9));
  std::vector<IterationPlan> plans;
  while (bench.replica.has_work()) plans.push_back(bench.step());
  REQUIRE(plans.size() == 13);
  CHECK(plans[5].preempted == 1);
  REQUIRE(plans[5].seqs.size() == 1);
  CHECK(plans[5].seqs[0].request == 0);
  // B's two full blocks (8 computed tokens) stay cached: A never needs another block, so
  // at iteration 9 B resumes with 8 of its 9 tokens cached and decodes at once.
  CHECK(plans[9].shape.prefill_tokens == 0);
  CHECK(plans[9].shape.decode_seqs == 1);
  CHECK(bench.records[0].preemptions == 0);
  CHECK(bench.records[1].preemptions == 1);
  CHECK(bench.records[0].generated_tokens == 9);
  CHECK(bench.records[1].generated_tokens == 9);
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("a second request with the same prefix takes its blocks from the prefix cache") {
  EngineConfig e;
  e.block_size = 16;
  ReplicaBench bench(e, 1000);
  llmsim::workloads::RequestSpec first = request(0, 0, 600, 2);
  first.prefix_hashes = {77};  // 512 tokens of shared content (Mooncake block size)
  bench.add(first);
  bench.run_to_idle();
  CHECK(bench.records[0].cached_tokens == 0);
  // 512 / 16 = 32 identifiable blocks stay cached after the first request finished.
  CHECK(bench.replica.kv().num_cached_evictable() == 32);

  llmsim::workloads::RequestSpec second = request(1, bench.now, 600, 2);
  second.prefix_hashes = {77};
  bench.add(second);
  const IterationPlan plan = bench.step();
  CHECK(plan.seqs[0].context_tokens == 512);
  CHECK(plan.shape.prefill_tokens == 600 - 512);
  CHECK(bench.records[1].cached_tokens == 512);
  bench.run_to_idle();
  CHECK(bench.records[1].status == RequestStatus::completed);
}

TEST_CASE("a prompt fully in the cache still computes its last block") {
  EngineConfig e;
  e.block_size = 16;
  ReplicaBench bench(e, 1000);
  for (std::uint64_t i = 0; i < 2; ++i) {
    llmsim::workloads::RequestSpec r = request(i, bench.now, 512, 1);
    r.prefix_hashes = {5};
    bench.add(r);
    bench.run_to_idle();
  }
  // 32 identifiable blocks, but at most floor((512 - 1) / 16) = 31 come from the cache.
  CHECK(bench.records[1].cached_tokens == 496);
  CHECK(bench.records[1].status == RequestStatus::completed);
}

TEST_CASE("a running request shares its prefix blocks with a later one") {
  EngineConfig e;
  e.block_size = 16;
  ReplicaBench bench(e, 1000);
  llmsim::workloads::RequestSpec a = request(0, 0, 600, 50);
  a.prefix_hashes = {9};
  bench.add(a);
  bench.step();  // a's prompt is computed and its 32 prefix blocks registered
  const std::int64_t held_by_a = bench.replica.kv().num_allocated();
  CHECK(held_by_a == 38);  // ceil(600 / 16)
  llmsim::workloads::RequestSpec b = request(1, bench.now, 600, 50);
  b.prefix_hashes = {9};
  bench.add(b);
  bench.step();
  CHECK(bench.records[1].cached_tokens == 512);
  // b adds only its own 6 blocks (88 tokens) beyond the 32 it shares with a.
  CHECK(bench.replica.kv().num_allocated() == 38 + 6);
  bench.run_to_idle();
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("without chunked prefill a preempted request whose recompute exceeds the budget runs alone") {
  // Budget 16 tokens, 9 blocks of 4. A and B: 16 prompt + 20 output (at most 9 blocks each).
  // Iteration 0 prefills A, 1 prefills B (prefill-only iterations). At 2 both decode: A takes
  // the 9th block, B (last admitted) preempts itself with 1 token generated. A then holds
  // every block until it finishes at iteration 20 (1 + 19 decodes from iteration 2). At 21 B
  // recomputes 16 + 1 = 17 tokens, over the 16-token budget, alone; it then decodes 18 more
  // tokens and finishes at iteration 39.
  EngineConfig e = small_blocks();
  e.chunked_prefill = false;
  e.max_num_batched_tokens = 16;
  ReplicaBench bench(e, 9);
  bench.add(request(0, 0, 16, 20));
  bench.add(request(1, 0, 16, 20));
  std::vector<IterationPlan> plans;
  while (bench.replica.has_work() && plans.size() < 1000) plans.push_back(bench.step());
  REQUIRE(plans.size() == 40);
  CHECK(plans[1].shape.decode_seqs == 0);
  CHECK(plans[2].preempted == 1);
  CHECK(plans[21].seqs.size() == 1);
  CHECK(plans[21].shape.prefill_tokens == 17);
  CHECK(bench.records[1].preemptions == 1);
  CHECK(bench.records[1].generated_tokens == 20);
  CHECK(bench.records[0].generated_tokens == 20);
}

TEST_CASE("without prefix caching a preempted request recomputes its prompt and generated tokens in full") {
  // The timeline of the test above with prefix caching off: nothing of B stays cached, so
  // at iteration 9 it recomputes 4 + 5 tokens.
  EngineConfig engine = small_blocks();
  engine.prefix_caching = false;
  ReplicaBench bench(engine, 5);
  bench.add(request(0, 0, 4, 9));
  bench.add(request(1, 0, 4, 9));
  std::vector<IterationPlan> plans;
  while (bench.replica.has_work()) plans.push_back(bench.step());
  REQUIRE(plans.size() == 13);
  CHECK(plans[5].preempted == 1);
  CHECK(plans[9].shape.prefill_tokens == 9);
  CHECK(bench.records[1].generated_tokens == 9);
}

TEST_CASE("parked blocks are evicted only when no other block is free, the oldest preempted request first") {
  // The ledger alone: two preempted requests (slots 3 and 5) park 4 and 2 blocks.
  ParkedBlocks parked;
  parked.park(3, 4);
  parked.park(5, 2);
  CHECK(parked.total() == 6);
  parked.evict_to(7);  // 7 free blocks hold all 6 parked: nothing evicted
  CHECK(parked.surviving(3) == 4);
  parked.evict_to(3);  // 3 left free: the oldest run (slot 3) loses 3 of its tail blocks
  CHECK(parked.surviving(3) == 1);
  CHECK(parked.surviving(5) == 2);
  parked.evict_to(1);  // slot 3's last block, then one of slot 5's
  CHECK(parked.surviving(3) == 0);
  CHECK(parked.surviving(5) == 1);
  CHECK(parked.take(5) == 1);
  CHECK(parked.total() == 0);
  CHECK(parked.take(5) == 0);
}
