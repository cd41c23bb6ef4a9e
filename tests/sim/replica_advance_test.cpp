// Replica::advance: the decode group and running ahead over decode stretches give what
// plan_iteration / apply_iteration one iteration at a time give.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "replica_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
namespace workloads = llmsim::workloads;

namespace {

constexpr workloads::TimeNs kNever = std::numeric_limits<workloads::TimeNs>::max();

EngineConfig chunked_engine() {
  EngineConfig e;
  e.max_num_seqs = 256;
  e.max_num_batched_tokens = 8192;
  e.block_size = 16;
  e.prefix_caching = false;
  return e;
}

struct Arrival {
  workloads::TimeNs at_ns;
  std::int64_t input_tokens;
  std::int64_t output_tokens;
};

enum class Drive {
  reference,           ///< plan_iteration() one iteration at a time
  fast,                ///< advance() up to the next arrival
  through_completions  ///< advance() up to the next arrival, through completions
};

/// Drives a replica as the simulator does: arrivals are queued at their time, the iteration
/// in flight is applied at its end, and the replica is planned again as `mode` says. No
/// arrival coincides with an iteration end.
void drive(ReplicaBench& bench, const std::vector<Arrival>& arrivals, Drive mode) {
  std::size_t next = 0;
  bool in_flight = false;
  workloads::TimeNs end = 0;
  for (;;) {
    const workloads::TimeNs arrival = next < arrivals.size() ? arrivals[next].at_ns : kNever;
    const workloads::TimeNs t = std::min(arrival, in_flight ? end : kNever);
    if (t == kNever) break;
    if (in_flight && end == t) {
      bench.replica.apply_iteration(bench.completed);
      in_flight = false;
    }
    while (next < arrivals.size() && arrivals[next].at_ns == t) {
      bench.add(request(next, t, arrivals[next].input_tokens, arrivals[next].output_tokens));
      ++next;
    }
    if (!in_flight && bench.replica.has_work()) {
      const workloads::TimeNs horizon = next < arrivals.size() ? arrivals[next].at_ns : kNever;
      switch (mode) {
        case Drive::reference:
          end = bench.replica.plan_iteration(t);
          break;
        case Drive::fast:
          end = bench.replica.advance(t, horizon);
          break;
        case Drive::through_completions:
          end = bench.replica.advance(t, horizon, &bench.completed);
          break;
      }
      in_flight = true;
    }
  }
}

/// The requests and metrics a fast-driven replica recorded equal the reference's.
void check_same_results(ReplicaBench& fast, ReplicaBench& reference) {
  REQUIRE(fast.records.size() == reference.records.size());
  for (std::size_t i = 0; i < fast.records.size(); ++i) {
    CAPTURE(i);
    const RequestRecord& a = fast.records[i];
    const RequestRecord& b = reference.records[i];
    CHECK(a.status == RequestStatus::completed);
    CHECK(a.scheduled_ns == b.scheduled_ns);
    CHECK(a.first_token_ns == b.first_token_ns);
    CHECK(a.completion_ns == b.completion_ns);
    CHECK(a.generated_tokens == b.generated_tokens);
  }
  CHECK(fast.completed == reference.completed);
  CHECK(fast.metrics.iterations() == reference.metrics.iterations());
  CHECK(fast.metrics.busy_ns() == reference.metrics.busy_ns());
  CHECK(fast.metrics.flops() == reference.metrics.flops());
  CHECK(fast.metrics.itl_ns().count() == reference.metrics.itl_ns().count());
  CHECK(fast.metrics.itl_ns().percentile(99) == reference.metrics.itl_ns().percentile(99));
  CHECK(fast.metrics.batch_sizes().stats().mean == reference.metrics.batch_sizes().stats().mean);
  const workloads::TimeNs horizon = fast.replica.plan().end_ns;
  fast.metrics.finish(horizon);
  reference.metrics.finish(horizon);
  CHECK(fast.metrics.kv_usage_mean() == reference.metrics.kv_usage_mean());
  CHECK(fast.metrics.kv_usage_max() == reference.metrics.kv_usage_max());
}

/// Each fast way of driving a replica of `kv_blocks` blocks through `arrivals` records what
/// the reference records.
void check_fast_drives_match_reference(const std::vector<Arrival>& arrivals, std::int64_t kv_blocks) {
  for (const Drive mode : {Drive::fast, Drive::through_completions}) {
    CAPTURE(static_cast<int>(mode));
    ReplicaBench fast(chunked_engine(), kv_blocks);
    ReplicaBench reference(chunked_engine(), kv_blocks);
    drive(fast, arrivals, mode);
    drive(reference, arrivals, Drive::reference);
    CHECK(fast.replica.plan().index == reference.replica.plan().index);
    check_same_results(fast, reference);
  }
}

}  // namespace

TEST_CASE("advance runs ahead over decode steps and stops at the one that finishes a request") {
  ReplicaBench bench(chunked_engine(), 1000);
  const RequestIndex index = bench.add(request(0, 0, 100, 10));
  // Prefill: 10 ms + 100 x 1 us; then 9 decode steps of 10 ms + 1 us, the last one finishing.
  const workloads::TimeNs end = bench.replica.advance(0, kNever);
  CHECK(end == 10'100'000 + 9 * 10'001'000);
  CHECK(bench.replica.plan().index == 9);
  CHECK(bench.metrics.iterations() == 9);  // applied ahead: the prefill and 8 decode steps
  bench.replica.apply_iteration(bench.completed);
  CHECK(bench.completed == std::vector<RequestIndex>{index});
  CHECK(bench.records[index].first_token_ns == 10'100'000);
  CHECK(bench.records[index].completion_ns == end);
  CHECK(bench.records[index].generated_tokens == 10);
  CHECK(bench.metrics.itl_ns().count() == 9);
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("advance stops at the iteration that spans its horizon") {
  ReplicaBench bench(chunked_engine(), 1000);
  const RequestIndex index = bench.add(request(0, 0, 100, 10));
  // Iterations end at 10.1, 20.101, 30.102 and 40.103 ms: the fourth spans 35 ms.
  CHECK(bench.replica.advance(0, 35'000'000) == 40'103'000);
  CHECK(bench.replica.plan().index == 3);
  bench.replica.sync_records();
  CHECK(bench.records[index].generated_tokens == 3);
}

TEST_CASE("a stretch allocates a KV block whenever a request's next token starts one") {
  ReplicaBench bench(chunked_engine(), 1000);
  bench.add(request(0, 0, 16, 20));
  // Prefill 16 tokens (1 block, 10.016 ms); decode step k computes token 16 + k, so the
  // first step needs a second block and step 17 a third. Iteration 5 spans 55 ms.
  CHECK(bench.replica.advance(0, 55'000'000) == 10'016'000 + 5 * 10'001'000);
  CHECK(bench.replica.kv().num_allocated() == 2);
  bench.replica.apply_iteration(bench.completed);
  // On to the step that samples token 20: iteration 19, with ceil(35 / 16) = 3 blocks.
  bench.replica.advance(bench.replica.plan().end_ns, kNever);
  CHECK(bench.replica.plan().index == 19);
  CHECK(bench.replica.kv().num_allocated() == 3);
  bench.replica.apply_iteration(bench.completed);
  CHECK(bench.completed.size() == 1);
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("advance with a completion list runs through iterations that complete requests") {
  ReplicaBench bench(chunked_engine(), 1000);
  const RequestIndex short_one = bench.add(request(0, 0, 100, 3));
  const RequestIndex long_one = bench.add(request(1, 0, 100, 10));
  // Prefill of both (10 ms + 200 x 1 us), then decode steps of 10 ms + 2 us (+ 1 us once
  // the short one is gone after step 2): the long one samples its last token in iteration 9.
  const workloads::TimeNs end = bench.replica.advance(0, kNever, &bench.completed);
  CHECK(bench.completed == std::vector<RequestIndex>{short_one});
  CHECK(bench.records[short_one].completion_ns == 10'200'000 + 2 * 10'002'000);
  // It stops at the iteration that would leave nothing running.
  CHECK(bench.replica.plan().index == 9);
  CHECK(end == 10'200'000 + 2 * 10'002'000 + 7 * 10'001'000);
  bench.replica.apply_iteration(bench.completed);
  CHECK(bench.completed == std::vector<RequestIndex>{short_one, long_one});
  CHECK(bench.replica.kv().num_allocated() == 0);
}

TEST_CASE("advance stops before a completion when requests wait") {
  EngineConfig engine = chunked_engine();
  engine.max_num_seqs = 1;  // the second request waits for the first to finish
  ReplicaBench bench(engine, 1000);
  const RequestIndex first = bench.add(request(0, 0, 100, 3));
  bench.add(request(1, 0, 100, 3));
  bench.replica.advance(0, kNever, &bench.completed);
  CHECK(bench.completed.empty());
  CHECK(bench.replica.plan().finishing_seqs == 1);  // its completion admits the other
  bench.replica.apply_iteration(bench.completed);
  CHECK(bench.completed == std::vector<RequestIndex>{first});
}

TEST_CASE("fast and reference replicas record the same requests and metrics") {
  // Overlapping requests: a prompt longer than the token budget (chunked), one-token
  // outputs, arrivals during decode stretches, a burst.
  const std::vector<Arrival> arrivals = {{0, 300, 40},          {5'000'123, 9000, 25}, {33'000'007, 50, 1},
                                         {34'500'011, 700, 60}, {200'000'013, 64, 33}, {201'000'017, 2000, 5},
                                         {201'500'019, 17, 90}, {900'000'023, 31, 2}};
  // 700 blocks: the 9000-token request (564 blocks) fits alone, not beside the others.
  check_fast_drives_match_reference(arrivals, 700);
}

TEST_CASE("a stretch stops at the step whose KV blocks run out, where the reference preempts") {
  // Two requests that end up holding 5 blocks each share 9: their decode steps run out of
  // blocks before either finishes, and the later one is preempted. A third, of 7 blocks,
  // waits on KV blocks meanwhile (admission stops there, so the stretch may not evict).
  const std::vector<Arrival> arrivals = {{0, 16, 60}, {1'000'003, 16, 60}, {2'000'005, 100, 10}};
  ReplicaBench reference(chunked_engine(), 9);
  drive(reference, arrivals, Drive::reference);
  CHECK(reference.records[1].preemptions > 0);
  check_fast_drives_match_reference(arrivals, 9);
}
