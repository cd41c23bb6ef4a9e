// Multi-turn sessions through the simulator (sim/cluster/session_request_source.h) and the
// routers made for them (sim/cluster/router.h): session_affinity, kv_utilisation, weighted.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <memory>
#include <vector>

#include "sim/cluster/router.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"
#include "workloads/session_generator.h"
#include "workloads/session_spec.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;
using llmsim::workloads::Session;
using llmsim::workloads::SessionSpec;
using llmsim::workloads::SessionTurn;

namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;

SessionTurn turn(std::int64_t input, std::int64_t output, double at_s) {
  SessionTurn t;
  t.new_input_tokens = input;
  t.output_tokens = output;
  t.at_s = at_s;
  return t;
}

Scenario session_scenario(std::vector<Session> sessions, int replicas, RouterKind router) {
  Scenario scenario = llama_scenario(EngineConfig{}, replicas);
  scenario.pools.front().router = router;
  scenario.workload.kind = llmsim::workloads::WorkloadKind::sessions;
  auto spec = std::make_shared<SessionSpec>();
  spec->trace_path = "test";
  spec->trace_sessions = std::make_shared<const std::vector<Session>>(std::move(sessions));
  scenario.workload.sessions = spec;
  return scenario;
}

RunResult run_sessions(const Scenario& scenario, std::int64_t kv_blocks = 4000) {
  SimulatorHooks hooks;
  hooks.make_pricer = [](const PoolSpec&) { return std::make_unique<LinearPricer>(0.010, 1e-6); };
  hooks.kv_blocks_per_replica = kv_blocks;
  Simulator simulator(scenario, std::move(hooks));
  return simulator.run();
}

/// Sessions that all start with the same 1024-token system prompt (one hash id), then
/// their own input, 3 turns each, every session starting 0.25 s after the last.
std::vector<Session> shared_prompt_sessions(int count) {
  std::vector<Session> sessions;
  for (int i = 0; i < count; ++i) {
    Session s;
    s.id = std::to_string(i);  // ("s" + std::to_string(i) trips GCC 12's -Wrestrict at -O3)
    SessionTurn first = turn(1200 + i, 40, 0.25 * i);
    first.hash_ids = {42};
    first.hash_block_tokens = 1024;
    s.turns = {first, turn(100, 30, 0.5), turn(60, 20, 1.0)};
    sessions.push_back(s);
  }
  return sessions;
}

}  // namespace

TEST_CASE("a session's next turn arrives its wait after the previous completes, with the context as prefix") {
  std::vector<Session> sessions(1);
  sessions[0].id = "a";
  sessions[0].turns = {turn(500, 20, 1.0), turn(100, 30, 2.0), turn(50, 10, 0.0)};
  const RunResult run = run_sessions(session_scenario(sessions, 1, RouterKind::round_robin));
  REQUIRE(run.requests.size() == 3);
  const auto& r = run.requests;
  CHECK(r[0].arrival_ns == 1 * kNsPerS);
  CHECK(r[0].input_tokens == 500);
  // Turn 2: 2 s after turn 1 completes; its prompt is 500 + 20 + 100 tokens.
  CHECK(r[1].arrival_ns == r[0].completion_ns + 2 * kNsPerS);
  CHECK(r[1].input_tokens == 620);
  // Turn 3 waits 0 s: it arrives when turn 2 completes.
  CHECK(r[2].arrival_ns == r[1].completion_ns);
  CHECK(r[2].input_tokens == 620 + 30 + 50);
  // Reuse follows from content ids: turn 2 finds every full block of turn 1's prompt and
  // output (519 tokens had KV: floor(519 / 16) = 32 blocks), turn 3 turn 2's (649: 40).
  CHECK(r[0].cached_tokens == 0);
  CHECK(r[1].cached_tokens == 32 * 16);
  CHECK(r[2].cached_tokens == 40 * 16);
  CHECK(run.summary["sessions"]["sessions_completed"] == 1);
  CHECK(run.summary["sessions"]["sessions_failed"] == 0);
}

TEST_CASE("a rejected turn ends its session") {
  std::vector<Session> sessions(2);
  sessions[0].id = "long";
  // 131072-token context: the second turn's prompt (100000 + 20000 + 20000) exceeds it.
  sessions[0].turns = {turn(100000, 20000, 0.0), turn(20000, 10, 1.0), turn(10, 10, 1.0)};
  sessions[1].id = "short";
  sessions[1].turns = {turn(100, 10, 0.5), turn(10, 10, 0.1)};
  const RunResult run = run_sessions(session_scenario(sessions, 1, RouterKind::round_robin), 20000);
  CHECK(run.summary["sessions"]["sessions_completed"] == 1);
  CHECK(run.summary["sessions"]["sessions_failed"] == 1);
  CHECK(run.summary["rejected"]["context_length"] == 1);
  CHECK(run.requests.size() == 4);  // the long session's third turn is never issued
}

TEST_CASE("session_affinity keeps every turn of a session on its first turn's replica") {
  const RunResult run = run_sessions(session_scenario(shared_prompt_sessions(12), 4, RouterKind::session_affinity));
  REQUIRE(run.requests.size() == 36);
  // Session i's turns have prompts of 1200 + i, then + 140, then + 230 tokens.
  std::map<std::int64_t, std::set<std::int32_t>> replicas_of_session;
  for (const RequestRecord& r : run.requests) {
    const std::int64_t base = r.input_tokens >= 1430 ? r.input_tokens - 230
                              : r.input_tokens >= 1340 ? r.input_tokens - 140
                                                       : r.input_tokens;
    replicas_of_session[base - 1200].insert(r.replica);
  }
  CHECK(replicas_of_session.size() == 12);
  std::set<std::int32_t> used;
  for (const auto& [session, replicas] : replicas_of_session) {
    CHECK(replicas.size() == 1);
    used.insert(*replicas.begin());
  }
  CHECK(used.size() >= 2);  // first turns spread least-loaded over the replicas
  const auto& routing = run.summary["routing"]["pools"][0];
  CHECK(routing["router"] == "session_affinity");
  CHECK(routing["session_first"] == 12);
  CHECK(routing["session_followed"] == 24);
  std::int64_t routed = 0;
  for (const auto& n : routing["requests_per_replica"]) routed += n.get<std::int64_t>();
  CHECK(routed == 36);
}

TEST_CASE("physical: prefix-aware routing never lowers the prefix hit rate against round-robin") {
  // Shared system prompt and growing contexts over 4 replicas: affinity to the cached
  // prefix can only help the hit rate, whatever the arrival pattern.
  for (const int count : {8, 16, 24}) {
    CAPTURE(count);
    const std::vector<Session> sessions = shared_prompt_sessions(count);
    const RunResult rr = run_sessions(session_scenario(sessions, 4, RouterKind::round_robin));
    const RunResult pa = run_sessions(session_scenario(sessions, 4, RouterKind::prefix_aware));
    const double rr_rate = rr.summary["cache"]["prefix_cache_hit_rate"].get<double>();
    const double pa_rate = pa.summary["cache"]["prefix_cache_hit_rate"].get<double>();
    CHECK(pa_rate >= rr_rate);
    RouterWeights weights;
    weights.prefix = 2.0;
    weights.kv_utilisation = 1.0;
    weights.queue = 1.0;
    Scenario weighted = session_scenario(sessions, 4, RouterKind::weighted);
    weighted.pools.front().router_weights = weights;
    const RunResult w = run_sessions(weighted);
    CHECK(w.summary["cache"]["prefix_cache_hit_rate"].get<double>() >= rr_rate);
    CHECK(w.summary["routing"]["pools"][0]["chosen_with_cached_prefix"].get<std::int64_t>() > 0);
  }
}

TEST_CASE("weighted scorers: the Gateway API inference extension's formulas") {
  CHECK(prefix_score(3, 12) == doctest::Approx(0.25));
  CHECK(prefix_score(0, 0) == 0.0);
  CHECK(kv_utilisation_score(30, 120) == doctest::Approx(0.75));
  CHECK(queue_score(2, 2, 6) == 1.0);
  CHECK(queue_score(6, 2, 6) == 0.0);
  CHECK(queue_score(5, 2, 6) == doctest::Approx(0.25));
  CHECK(queue_score(4, 4, 4) == 1.0);  // all equal: neutral
}

TEST_CASE("kv_utilisation and weighted with only a session weight route as their single scorer says") {
  const std::vector<Session> sessions = shared_prompt_sessions(10);
  const RunResult affinity = run_sessions(session_scenario(sessions, 3, RouterKind::session_affinity));
  Scenario only_session = session_scenario(sessions, 3, RouterKind::weighted);
  only_session.pools.front().router_weights.session_affinity = 1.0;
  const RunResult weighted = run_sessions(only_session);
  // A first turn scores 0 everywhere under the session scorer alone: it goes to the least
  // loaded replica, as session_affinity's first turns do; later turns follow.
  std::vector<std::int32_t> a;
  std::vector<std::int32_t> w;
  for (const RequestRecord& r : affinity.requests) a.push_back(r.replica);
  for (const RequestRecord& r : weighted.requests) w.push_back(r.replica);
  CHECK(a == w);
  CHECK(weighted.summary["routing"]["pools"][0]["session_followed"] == 20);

  const RunResult kv = run_sessions(session_scenario(sessions, 3, RouterKind::kv_utilisation));
  CHECK(kv.summary["routing"]["pools"][0]["router"] == "kv_utilisation");
  CHECK(kv.summary["completed"] == 30);
}

TEST_CASE("session runs are deterministic") {
  llmsim::workloads::SyntheticSessionSpec synthetic;
  synthetic.num_sessions = 20;
  synthetic.arrival.rate_per_s = 4.0;
  synthetic.turns = {llmsim::workloads::UniformLength{1, 5}};
  synthetic.wait_ms = {llmsim::workloads::LognormalLength{800, 1.0}};
  Scenario scenario = session_scenario({}, 2, RouterKind::prefix_aware);
  auto spec = std::make_shared<SessionSpec>();
  spec->synthetic = synthetic;
  scenario.workload.sessions = spec;
  const RunResult a = run_sessions(scenario);
  const RunResult b = run_sessions(scenario);
  CHECK(a.summary == b.summary);
  CHECK(a.summary["completed"].get<std::int64_t>() >= 20);
}
