// Parallel sampling: one prefill, n decode streams sharing the prompt's KV blocks.
#include <doctest/doctest.h>

#include <vector>

#include "replica_test_support.h"

namespace llmsim::sim {
namespace {

using testing::ReplicaBench;

EngineConfig no_prefix_cache() {
  EngineConfig e;
  e.block_size = 16;
  e.prefix_caching = false;
  return e;
}

/// A request of 100 prompt tokens whose three samples are 5, 3 and 8 tokens long.
workloads::RequestSpec three_samples() {
  workloads::RequestSpec r = testing::request(0, 0, 100, 5);
  r.forked_sample_output_tokens = {3, 8};
  return r;
}

}  // namespace

TEST_CASE("a request with three samples prefills its prompt once and completes with the longest") {
  ReplicaBench bench(no_prefix_cache(), 1000);
  bench.add(three_samples());
  bench.step();  // the prompt: 100 tokens, samples the first token of all three
  CHECK(bench.metrics.prefill_tokens() == 100);
  CHECK(bench.replica.num_running() == 3);
  CHECK(bench.records[0].generated_tokens == 3);
  // 100 tokens fill 6 blocks and 4 tokens of a 7th. The forks share the 6 full blocks and
  // copy the partial one when they first write: 7 + 1 + 1 blocks, not 3 x 7.
  bench.step();
  CHECK(bench.replica.kv().num_allocated() == 9);
  // 6 blocks with three holders each: the audit counts holders against reference counts.
  bench.replica.audit();
  bench.run_to_idle();
  bench.replica.audit();
  // Iterations: the prompt (10 ms + 100 us); 2 with three decodes (10 ms + 3 us) until the
  // 3-token sample ends; 2 with two until the 5-token one ends; 3 with one for the 8-token one.
  //   80,113,000 ns = 10,100,000 + 2 x 10,003,000 + 2 x 10,002,000 + 3 x 10,001,000
  CHECK(bench.records[0].status == RequestStatus::completed);
  CHECK(bench.records[0].completion_ns == 80'113'000);
  CHECK(bench.records[0].generated_tokens == 5 + 3 + 8);
  CHECK(bench.records[0].first_token_ns == 10'100'000);
  CHECK(bench.completed == std::vector<RequestIndex>{0});
  CHECK(bench.metrics.prefill_tokens() == 100);
  CHECK(bench.metrics.decode_tokens() == (5 - 1) + (3 - 1) + (8 - 1));
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("admission holds a seat in max_num_seqs for every fork to come") {
  EngineConfig e = no_prefix_cache();
  e.max_num_seqs = 3;
  ReplicaBench bench(e, 1000);
  bench.add(three_samples());
  bench.add(testing::request(1, 0, 50, 2));
  bench.step();
  CHECK(bench.records[1].scheduled_ns == -1);  // three seats taken by one request's samples
  bench.run_to_idle();
  // The 3-token sample ends with the third iteration (10.1 + 2 x 10.003 ms); the fourth
  // admits the waiting request.
  CHECK(bench.records[1].scheduled_ns == 30'106'000);
  CHECK(bench.records[1].status == RequestStatus::completed);
}

TEST_CASE("a fork preempted for lack of KV blocks recomputes its prompt and its token") {
  // 8 blocks: the parent holds 7, one fork copies the partial block into the 8th, the other
  // finds none and is preempted; it comes back with 100 + 1 tokens to recompute.
  ReplicaBench bench(no_prefix_cache(), 8);
  const RequestIndex index = bench.add(three_samples());
  bench.run_to_idle();
  CHECK(bench.records[index].status == RequestStatus::completed);
  CHECK(bench.records[index].preemptions == 1);
  CHECK(bench.records[index].generated_tokens == 16);
  CHECK(bench.metrics.prefill_tokens() == 100 + 101);
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("a fork of one token finishes with the prompt") {
  ReplicaBench bench(no_prefix_cache(), 1000);
  workloads::RequestSpec r = testing::request(0, 0, 40, 2);
  r.forked_sample_output_tokens = {1};
  bench.add(r);
  bench.run_to_idle();
  CHECK(bench.records[0].status == RequestStatus::completed);
  CHECK(bench.records[0].generated_tokens == 3);
  CHECK(bench.records[0].completion_ns == 10'040'000 + 10'001'000);
}

}  // namespace llmsim::sim

namespace llmsim::sim {

TEST_CASE("a request resumed with all but its last token cached rejoins the decode sums") {
  // Regression: a preempted sequence whose prefix-cache hit covers every token but the
  // last is admitted straight into a decode step; the running decode sums must count it.
  // Prompt 32 tokens (2 blocks of 16, identified), two samples of 4 tokens; 3 KV blocks.
  // The fork shares the 2 prompt blocks; at the first decode the parent takes the 3rd
  // block and the fork, finding none, is preempted. When the parent ends, the fork comes
  // back with 32 of its 33 tokens cached.
  EngineConfig e;
  e.block_size = 16;
  e.prefix_caching = true;
  testing::ReplicaBench bench(e, 3);
  workloads::RequestSpec r = testing::request(0, 0, 32, 4);
  r.forked_sample_output_tokens = {4};
  r.prefix_hashes = {11};
  r.prefix_segment_tokens = {32};
  r.sample_output_hashes = {21, 22};
  bench.add(r);
  bench.run_to_idle();
  CHECK(bench.records[0].status == RequestStatus::completed);
  CHECK(bench.records[0].preemptions == 1);
  CHECK(bench.records[0].generated_tokens == 8);
  CHECK(bench.metrics.prefill_tokens() == 32);  // the resumed fork recomputed nothing
}

}  // namespace llmsim::sim
