// Prefill/decode disaggregation (sim/cluster/disaggregation.h, kv_transfers.h): the link's
// bookings, a hand-checked token timeline, conservation of transfers, bytes and tokens, the
// conditional mode, and a decode replica without free KV blocks.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/cluster/disaggregation.h"
#include "sim/cluster/kv_transfers.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"
#include "workloads/rng_stream.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::RequestSpec;
using llmsim::workloads::TimeNs;

namespace {

constexpr TimeNs kMs = 1'000'000;

KvLink link(double bandwidth_bytes_per_s, double latency_s, int lanes) {
  KvLink l;
  l.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  l.latency_s = latency_s;
  l.lanes = lanes;
  return l;
}

/// Two pools of Llama-3.1-8B (prefill, decode) joined by `kv_link`.
Scenario disaggregated(int prefill_replicas, int decode_replicas, const KvLink& kv_link, double kv_bytes_per_token,
                       std::int64_t local_prefill_below = 0) {
  Scenario s = llama_scenario(EngineConfig{}, prefill_replicas);
  s.pools.front().name = "prefill";
  PoolSpec decode = s.pools.front();
  decode.name = "decode";
  decode.replicas = decode_replicas;
  decode.router = RouterKind::least_loaded;
  s.pools.push_back(decode);
  DisaggregationSpec d;
  d.prefill_pool = 0;
  d.decode_pool = 1;
  d.link = kv_link;
  d.kv_bytes_per_token = kv_bytes_per_token;
  d.local_prefill_below = local_prefill_below;
  s.disaggregation = d;
  return s;
}

std::vector<RequestSpec> random_requests(int n, std::uint64_t seed) {
  llmsim::workloads::RngStream rng(seed, "disaggregation-test");
  std::vector<RequestSpec> out;
  TimeNs t = 0;
  for (int i = 0; i < n; ++i) {
    t += static_cast<TimeNs>(rng.uniform_open01() * 40.0 * static_cast<double>(kMs));
    const auto input = static_cast<std::int64_t>(1 + rng.uniform_open01() * 3000.0);
    const auto output = static_cast<std::int64_t>(1 + rng.uniform_open01() * 200.0);
    out.push_back(request(static_cast<std::uint64_t>(i), t, input, output));
  }
  return out;
}

}  // namespace

TEST_CASE("a transfer takes latency + bytes / (lanes x bandwidth) and waits for both replicas' links") {
  // 1 GB/s per lane, 2 lanes, 1 us: 2 MB take 1 us + 1 ms = 1,001,000 ns.
  KvTransfers transfers(link(1e9, 1e-6, 2), /*prefill_replicas=*/3, /*decode_replicas=*/2);
  const KvTransfers::Booking a = transfers.book(0, 0, 0, 2e6);
  CHECK(a.start_ns == 0);
  CHECK(a.end_ns == 1'001'000);
  // Same sender, other receiver: waits for prefill replica 0's links.
  const KvTransfers::Booking b = transfers.book(500, 0, 1, 2e6);
  CHECK(b.start_ns == 1'001'000);
  CHECK(b.end_ns == 2'002'000);
  // Other sender, receiver 1 (busy until b ends): waits for the receiving side.
  const KvTransfers::Booking c = transfers.book(600, 1, 1, 2e6);
  CHECK(c.start_ns == 2'002'000);
  // Other sender, receiver 0 (free since a ended): starts at once, in parallel with b.
  const KvTransfers::Booking d = transfers.book(1'500'000, 2, 0, 2e6);
  CHECK(d.start_ns == 1'500'000);
  // No bytes: the latency alone.
  const KvTransfers::Booking e = transfers.book(5'000'000, 2, 0, 0.0);
  CHECK(e.end_ns - e.start_ns == 1'000);
  CHECK(transfers.count() == 5);
  CHECK(transfers.bytes() == doctest::Approx(8e6));
  CHECK(transfers.wait_sum_ns() == doctest::Approx(1'000'500.0 + 2'001'400.0));
}

TEST_CASE("a transfer never takes less than bytes / link bandwidth") {
  KvTransfers transfers(link(50e9, 0.0, 4), 1, 1);
  TimeNs ready = 0;
  for (const double bytes : {1.0, 3.0, 131072.0, 7.0e8, 1.234567e9}) {
    const KvTransfers::Booking b = transfers.book(ready, 0, 0, bytes);
    CHECK(static_cast<double>(b.end_ns - b.start_ns) >= bytes / (4 * 50e9) * 1e9);
    ready = b.end_ns;
  }
}

TEST_CASE("the token timeline: prefill samples token 1, the client gets it when the KV lands") {
  // 10 ms + 1 us per token. Prefill of 100 tokens: 10.1 ms. KV: 100 tokens x 1 MB at 1 GB/s
  // on one lane, no latency: 100 ms. Then two decode steps of 10.001 ms (tokens 2 and 3).
  const Scenario scenario = disaggregated(1, 1, link(1e9, 0.0, 1), 1e6);
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 1000, {request(0, 0, 100, 3)}));
  const RunResult result = simulator.run();
  REQUIRE(result.requests.size() == 1);
  const RequestRecord& r = result.requests.front();
  CHECK(r.status == RequestStatus::completed);
  CHECK(r.scheduled_ns == 0);
  CHECK(r.first_token_ns == 10'100'000 + 100 * kMs);
  CHECK(r.completion_ns == r.first_token_ns + 2 * 10'001'000);
  CHECK(r.generated_tokens == 3);
  CHECK(r.pool == 1);
  CHECK(result.summary["disaggregation"]["transfers"] == 1);
  CHECK(result.summary["disaggregation"]["transfer_bytes"].get<double>() == doctest::Approx(1e8));
  CHECK(result.summary["disaggregation"]["mean_transfer_ms"].get<double>() == doctest::Approx(100.0));
  CHECK(result.summary["disaggregation"]["mean_transfer_queue_ms"].get<double>() == 0.0);
}

TEST_CASE("every request's KV is transferred once, with its prompt's bytes, and every token is produced") {
  const std::vector<RequestSpec> requests = random_requests(300, 11);
  const double kv_bytes_per_token = 131072.0;  // Llama-3.1-8B in bf16
  const KvLink kv_link = link(50e9, 4e-6, 1);
  const Scenario scenario = disaggregated(2, 3, kv_link, kv_bytes_per_token);
  Simulator simulator(scenario, linear_hooks(0.008, 2e-6, 4000, requests));
  const RunResult result = simulator.run();
  REQUIRE(result.requests.size() == requests.size());
  std::int64_t multi_token = 0;
  std::int64_t one_token = 0;
  double bytes = 0.0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const RequestRecord& r = result.requests[i];
    REQUIRE(r.status == RequestStatus::completed);
    CHECK(r.generated_tokens == requests[i].output_tokens);
    if (requests[i].output_tokens == 1) {
      ++one_token;
      CHECK(r.pool == 0);
      continue;
    }
    ++multi_token;
    bytes += static_cast<double>(requests[i].input_tokens) * kv_bytes_per_token;
    CHECK(r.pool == 1);
    // TTFT holds at least the prompt's prefill and its transfer at full link speed.
    const double transfer_ns = static_cast<double>(requests[i].input_tokens) * kv_bytes_per_token / 50e9 * 1e9;
    CHECK(static_cast<double>(r.first_token_ns - r.arrival_ns) >= 8e6 + transfer_ns);
    CHECK(r.completion_ns > r.first_token_ns);
  }
  const auto& d = result.summary["disaggregation"];
  CHECK(d["transfers"].get<std::int64_t>() == multi_token);
  CHECK(d["finished_on_prefill"].get<std::int64_t>() == one_token);
  CHECK(d["transfer_bytes"].get<double>() == doctest::Approx(bytes));
  CHECK(result.summary["total_output_tokens"].get<std::int64_t>() > 0);

  Simulator again(scenario, linear_hooks(0.008, 2e-6, 4000, requests));
  CHECK(again.run().summary.dump() == result.summary.dump());  // deterministic
}

TEST_CASE("below local_prefill_below every prompt runs on the decode pool, as a decode pool alone would run it") {
  const std::vector<RequestSpec> requests = random_requests(150, 5);
  const Scenario scenario = disaggregated(2, 2, link(50e9, 4e-6, 1), 131072.0, /*local_prefill_below=*/1'000'000);
  Simulator simulator(scenario, linear_hooks(0.008, 2e-6, 4000, requests));
  const RunResult local = simulator.run();
  CHECK(local.summary["disaggregation"]["transfers"] == 0);
  CHECK(local.summary["disaggregation"]["local_prefills"] == 150);

  Scenario alone = scenario;
  alone.disaggregation.reset();
  alone.pools.erase(alone.pools.begin());
  Simulator reference(alone, linear_hooks(0.008, 2e-6, 4000, requests));
  const RunResult expected = reference.run();
  REQUIRE(local.requests.size() == expected.requests.size());
  for (std::size_t i = 0; i < expected.requests.size(); ++i) {
    CHECK(local.requests[i].pool == 1);
    CHECK(local.requests[i].replica == expected.requests[i].replica);
    CHECK(local.requests[i].first_token_ns == expected.requests[i].first_token_ns);
    CHECK(local.requests[i].completion_ns == expected.requests[i].completion_ns);
  }
}

TEST_CASE("a prefilled request waits for its decode replica's KV blocks before its KV is sent") {
  // 10 blocks of 16 tokens per replica; each request (100 + 50 - 1 tokens) ends up holding
  // all 10. The prefill replica holds one prompt (7 blocks) at a time, so they are
  // prefilled one after the other; when the second's prefill is done the first decodes and
  // holds 7 or more blocks, so the second's reservation (and transfer) waits until the
  // first completes.
  const Scenario scenario = disaggregated(1, 1, link(1e12, 0.0, 1), 1000.0);
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 10, {request(0, 0, 100, 50), request(1, 0, 100, 50)}));
  const RunResult result = simulator.run();
  REQUIRE(result.requests.size() == 2);
  const RequestRecord& first = result.requests[0];
  const RequestRecord& second = result.requests[1];
  REQUIRE(first.status == RequestStatus::completed);
  REQUIRE(second.status == RequestStatus::completed);
  // The second's 49 decode steps (10.001 ms each) all come after the first completed.
  CHECK(second.completion_ns >= first.completion_ns + 49 * 10'001'000);
  CHECK(result.summary["disaggregation"]["transfers"] == 2);
}

TEST_CASE("the KV link: NVLink inside one scale-up domain, the NICs across domains, refused without them") {
  PoolSpec prefill = llama_scenario(EngineConfig{}, 1).pools.front();
  prefill.name = "prefill";
  prefill.tensor_parallel = 4;
  prefill.hardware.fabric.scale_up_domain_gpus = 8;
  prefill.hardware.fabric.scale_out_bandwidth_bytes_per_s = 50e9;
  prefill.hardware.fabric.scale_out_latency_s = 4e-6;
  PoolSpec decode = prefill;
  decode.name = "decode";
  decode.tensor_parallel = 2;

  KvLink one_node;  // 4 + 2 GPUs in one 8-GPU domain
  REQUIRE_FALSE(kv_link_between(prefill, decode, one_node).has_value());
  CHECK(one_node.kind == KvLink::Kind::scale_up);
  CHECK(one_node.bandwidth_bytes_per_s == 450e9);
  CHECK(one_node.latency_s == 5e-6);
  CHECK(one_node.lanes == 2);

  decode.replicas = 2;  // 4 + 4 GPUs: still one domain
  REQUIRE_FALSE(kv_link_between(prefill, decode, one_node).has_value());
  CHECK(one_node.kind == KvLink::Kind::scale_up);

  decode.replicas = 1;
  decode.attention_data_parallel = 2;  // 4 + 2 x 2 GPUs (attention-DP ranks count): one domain
  decode.expert_parallel = 4;
  REQUIRE_FALSE(kv_link_between(prefill, decode, one_node).has_value());
  CHECK(one_node.kind == KvLink::Kind::scale_up);
  decode.attention_data_parallel = 3;  // 4 + 3 x 2 GPUs: two domains
  KvLink across;
  REQUIRE_FALSE(kv_link_between(prefill, decode, across).has_value());
  CHECK(across.kind == KvLink::Kind::scale_out);
  decode.attention_data_parallel = 1;
  decode.expert_parallel = 1;

  decode.replicas = 3;  // 4 + 6 GPUs: two domains
  KvLink two_nodes;
  REQUIRE_FALSE(kv_link_between(prefill, decode, two_nodes).has_value());
  CHECK(two_nodes.kind == KvLink::Kind::scale_out);
  CHECK(two_nodes.bandwidth_bytes_per_s == 50e9);
  CHECK(two_nodes.latency_s == 4e-6);

  decode.hardware.id = "other";  // another preset: never one domain; the slower, longer link
  decode.replicas = 1;
  decode.hardware.fabric.scale_out_bandwidth_bytes_per_s = 25e9;
  decode.hardware.fabric.scale_out_latency_s = 6e-6;
  REQUIRE_FALSE(kv_link_between(prefill, decode, two_nodes).has_value());
  CHECK(two_nodes.kind == KvLink::Kind::scale_out);
  CHECK(two_nodes.bandwidth_bytes_per_s == 25e9);
  CHECK(two_nodes.latency_s == 6e-6);

  decode.hardware.fabric.scale_out_bandwidth_bytes_per_s = 0.0;  // no NICs stated
  const auto problem = kv_link_between(prefill, decode, two_nodes);
  REQUIRE(problem.has_value());
  CHECK(problem->find("hardware other (pool \"decode\") states none") != std::string::npos);
}

TEST_CASE("timeline: the prefill replica holds a prompt's KV blocks until the decode side has read them") {
  // One prefill and one decode replica of 10 blocks (16 tokens each); 10 ms + 1 us per token
  // a step; the KV of 100 tokens takes 100 ms (1 MB a token at 1 GB/s, one lane).
  // Two prompts of 100 tokens (7 blocks each, 3 output tokens), both at t = 0:
  //   0       prefill replica: request 0's prompt (7 blocks); request 1 waits (3 free)
  //   10.1    request 0 sampled token 1; its 7 blocks stay held; the decode replica
  //           reserves 7 blocks (ceil(101 / 16)) and the transfer runs to 110.1
  //   110.1   landed: the prefill replica frees them and prefills request 1 (to 120.2);
  //           request 0 decodes tokens 2 and 3 (10.001 ms each) and completes at 130.102
  //   120.2   request 1's reservation fails (request 0 holds 7 of 10 blocks) and waits
  //   130.102 request 0 freed its blocks: reserved, request 1's transfer runs to 230.102
  //   230.102 request 1 lands and decodes to 250.104.
  // Freed at the end of its prefill, request 0's blocks would have let request 1 prefill at
  // 10.1 ms.
  const Scenario scenario = disaggregated(1, 1, link(1e9, 0.0, 1), 1e6);
  Simulator simulator(scenario, linear_hooks(0.010, 1e-6, 10, {request(0, 0, 100, 3), request(1, 0, 100, 3)}));
  const RunResult result = simulator.run();
  REQUIRE(result.requests.size() == 2);
  const RequestRecord& first = result.requests[0];
  const RequestRecord& second = result.requests[1];
  REQUIRE(first.status == RequestStatus::completed);
  REQUIRE(second.status == RequestStatus::completed);
  CHECK(first.first_token_ns == 110'100'000);
  CHECK(first.completion_ns == 130'102'000);
  CHECK(second.scheduled_ns == 110'100'000);
  CHECK(second.first_token_ns == 230'102'000);
  CHECK(second.completion_ns == 250'104'000);
  const auto& d = result.summary["disaggregation"];
  CHECK(d["mean_transfer_queue_ms"].get<double>() == 0.0);  // the link itself was always free
  CHECK(d["mean_decode_reservation_wait_ms"].get<double>() == doctest::Approx((130.102 - 120.2) / 2.0));
}

TEST_CASE("timeline: the decode replica reserves the KV blocks before the transfer starts") {
  // Two prefill replicas (no hold in the way), one decode replica of 10 blocks; request 1
  // arrives 1 ms after request 0 and goes to the other prefill replica:
  //   10.1    request 0's prefill is done: 7 blocks reserved, transfer to 110.1
  //   11.1    request 1's prefill is done: 3 blocks free, no reservation, no transfer
  //   110.1   request 0 lands, decodes to 130.102 and frees its blocks
  //   130.102 request 1 gets its 7 blocks; only now does its KV leave: 230.102, then 250.104.
  // Sent at 11.1 ms, its KV would have landed at 210.1 ms (queued behind request 0's on the
  // decode replica's link) and waited there for blocks.
  const Scenario scenario = disaggregated(2, 1, link(1e9, 0.0, 1), 1e6);
  Simulator simulator(scenario,
                      linear_hooks(0.010, 1e-6, 10, {request(0, 0, 100, 3), request(1, 1'000'000, 100, 3)}));
  const RunResult result = simulator.run();
  REQUIRE(result.requests.size() == 2);
  const RequestRecord& first = result.requests[0];
  const RequestRecord& second = result.requests[1];
  REQUIRE(second.status == RequestStatus::completed);
  CHECK(first.first_token_ns == 110'100'000);
  CHECK(first.completion_ns == 130'102'000);
  CHECK(second.scheduled_ns == 1'000'000);
  CHECK(second.first_token_ns == 230'102'000);
  CHECK(second.completion_ns == 250'104'000);
  const auto& d = result.summary["disaggregation"];
  CHECK(d["transfers"] == 2);
  CHECK(d["mean_transfer_queue_ms"].get<double>() == 0.0);
  CHECK(d["mean_decode_reservation_wait_ms"].get<double>() == doctest::Approx((130.102 - 11.1) / 2.0));
}

TEST_CASE("under KV pressure (holds and reservations binding) every request completes, as step by step does it") {
  // 300 random requests on 2P2D replicas of 400 blocks (6,400 tokens; prompts up to 3,000),
  // a slow link (1 GB/s): prefill replicas hold each prompt's KV while it crosses, and decode
  // replicas run short of blocks, so reservations wait (checked below) and running requests
  // are preempted beside them. Nothing deadlocks, every token is produced, and the fast
  // path (Replica::advance) gives the reference's results (one iteration at a time).
  const std::vector<RequestSpec> requests = random_requests(300, 23);
  const Scenario scenario = disaggregated(2, 2, link(1e9, 4e-6, 1), 131072.0);
  Simulator fast(scenario, linear_hooks(0.008, 2e-6, 400, requests));
  const RunResult result = fast.run();
  REQUIRE(result.requests.size() == requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    REQUIRE(result.requests[i].status == RequestStatus::completed);
    CHECK(result.requests[i].generated_tokens == requests[i].output_tokens);
  }
  const auto& d = result.summary["disaggregation"];
  CHECK(d["mean_decode_reservation_wait_ms"].get<double>() > 0.0);  // reservations did wait
  CHECK(result.summary["preemptions"].get<std::int64_t>() > 0);       // and KV ran short

  SimulatorHooks reference_hooks = linear_hooks(0.008, 2e-6, 400, requests);
  reference_hooks.step_by_step = true;
  Simulator reference(scenario, std::move(reference_hooks));
  const RunResult expected = reference.run();
  CHECK(expected.summary.dump() == result.summary.dump());
}
