// Test-time-compute workloads run end to end through the simulator.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>

#include "core/input_error.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/simulator.h"
#include "sim/metrics/ttc_summary.h"
#include "sim_test_support.h"

namespace llmsim::sim {
namespace {

using doctest::Approx;
using Json = nlohmann::ordered_json;

/// The compute-cost document's beam search with fixed lengths: beam 3 x 5, 500-token
/// question, 300-token steps, 30 steps, prm_max_tokens 4000.
workloads::TtcSpec fixed_beam(std::int64_t steps = 30) {
  workloads::TtcSpec spec;
  spec.question_tokens = workloads::LengthDistribution{workloads::FixedLength{500}};
  spec.step_tokens = workloads::LengthDistribution{workloads::FixedLength{300}};
  spec.steps = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(steps)}};
  spec.max_context_budget_tokens = 32768;
  spec.generator_pool = 0;
  spec.prm_pool = 1;
  return spec;
}

/// A generator pool (N = 8e9) and a PRM pool (N = 7e9), both Llama-3.1-8B-shaped for the
/// step pricer (which the tests replace); `problems` problems arriving together.
Scenario ttc_scenario(workloads::WorkloadKind kind, const workloads::TtcSpec& spec, bool prefix_caching,
                      std::int64_t problems = 2) {
  EngineConfig engine;
  engine.prefix_caching = prefix_caching;
  Scenario s = testing::llama_scenario(engine);
  s.pools[0].name = "generator";
  s.pools[0].model.nominal_params = 8e9;
  PoolSpec prm = s.pools[0];
  prm.name = "prm";
  prm.model.nominal_params = 7e9;
  s.pools.push_back(prm);
  s.workload.kind = kind;
  s.workload.num_requests = problems;
  s.workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  s.workload.ttc = spec;
  return s;
}

/// 10 ms per iteration + 1 us per new token, 100,000 KV blocks per replica (no preemption).
SimulatorHooks linear(std::int64_t kv_blocks = 100000) {
  SimulatorHooks hooks;
  hooks.make_pricer = [](const PoolSpec&) { return std::make_unique<testing::LinearPricer>(0.010, 0.000001); };
  hooks.kv_blocks_per_replica = kv_blocks;
  return hooks;
}

RunResult run(const Scenario& scenario, std::int64_t kv_blocks = 100000) {
  Simulator simulator(scenario, linear(kv_blocks));
  return simulator.run();
}

}  // namespace

TEST_CASE("a beam search run reports the compute-cost document's tokens by hand arithmetic") {
  const RunResult r = run(ttc_scenario(workloads::WorkloadKind::beam_search, fixed_beam(), true));
  const Json& s = r.summary;
  // Per problem (tests/workloads/ttc_programs_test.cpp derives these):
  //   generator input 3 x (30 x 500 + 300 x 435) = 436,500; output 30 x 15 x 300 = 135,000;
  //   PRM input 15 x (30 x 500 + 300 x (66 + 19 x 11)) = 1,462,500. Two problems.
  CHECK(s["compute/total_input_tokens"] == 2 * 436500);
  CHECK(s["compute/total_output_tokens"] == 2 * 135000);
  CHECK(s["compute/total_tokens"] == 2 * 571500);
  CHECK(s["compute/prm_input_tokens"] == 2 * 1462500);
  // 2 x 8e9 x 571,500 / 1e12 = 9,144 and 2 x 7e9 x 1,462,500 / 1e12 = 20,475 TFLOPs.
  CHECK(s["compute/prm_tflops"].get<double>() == Approx(2 * 20475.0).epsilon(1e-12));
  CHECK(s["compute/total_tflops"].get<double>() == Approx(2 * (9144.0 + 20475.0)).epsilon(1e-12));
  CHECK(s["compute/avg_tokens_per_sample"].get<double>() == Approx(571500.0));
  CHECK(s["compute/avg_tflops_per_sample"].get<double>() == Approx(29619.0).epsilon(1e-12));
  const Json& t = s["test_time_compute"];
  CHECK(t["problems"]["completed"] == 2);
  CHECK(t["steps_per_problem"]["mean"].get<double>() == Approx(30.0));
  CHECK(t["calls_per_problem"]["generator"].get<double>() == Approx(90.0));
  CHECK(t["calls_per_problem"]["prm"].get<double>() == Approx(450.0));
  CHECK(t["flops"]["prm_to_generator_ratio"].get<double>() == Approx(20475.0 / 9144.0));
  // Generator calls run on pool 0, PRM calls (one output token: prefill only) on pool 1.
  std::int64_t generator_calls = 0;
  std::int64_t prm_calls = 0;
  for (const RequestRecord& record : r.requests) {
    CHECK(record.status == RequestStatus::completed);
    if (record.pool == 0) ++generator_calls;
    if (record.pool == 1 && record.output_tokens == 1) ++prm_calls;
  }
  CHECK(generator_calls == 2 * 90);
  CHECK(prm_calls == 2 * 450);
}

TEST_CASE("executed FLOPs equal the theoretical ones without a prefix cache and fall below with one") {
  const auto kind = workloads::WorkloadKind::beam_search;
  const RunResult off = run(ttc_scenario(kind, fixed_beam(8), false));
  const Json& f_off = off.summary["test_time_compute"]["flops"];
  CHECK(f_off["executed_tflops"].get<double>() ==
        Approx(f_off["theoretical_tflops"].get<double>()).epsilon(1e-12));
  CHECK(off.summary["test_time_compute"]["pools"][0]["prefix_cache_hit_rate"].get<double>() == 0.0);

  const RunResult on = run(ttc_scenario(kind, fixed_beam(8), true));
  const Json& f_on = on.summary["test_time_compute"]["flops"];
  CHECK(f_on["theoretical_tflops"].get<double>() == Approx(f_off["theoretical_tflops"].get<double>()));
  CHECK(f_on["executed_tflops"].get<double>() < f_on["theoretical_tflops"].get<double>());
  CHECK(f_on["executed_generator_tflops"].get<double>() < f_on["theoretical_generator_tflops"].get<double>());
  CHECK(f_on["executed_prm_tflops"].get<double>() < f_on["theoretical_prm_tflops"].get<double>());
  CHECK(on.summary["test_time_compute"]["pools"][0]["prefix_cache_hit_rate"].get<double>() > 0.5);
}

TEST_CASE("an uncertainty scorer adds no PRM calls, no PRM keys and no PRM FLOPs") {
  workloads::TtcSpec spec = fixed_beam(5);
  spec.scorer = core::ScorerKind::perplexity;
  const RunResult r = run(ttc_scenario(workloads::WorkloadKind::beam_search, spec, true));
  CHECK_FALSE(r.summary.contains("compute/prm_tflops"));
  CHECK_FALSE(r.summary.contains("compute/prm_input_tokens"));
  CHECK(r.summary["test_time_compute"]["flops"]["theoretical_prm_tflops"].get<double>() == 0.0);
  CHECK(r.summary["test_time_compute"]["gpu_seconds"]["prm_calls"].get<double>() == 0.0);
  for (const RequestRecord& record : r.requests) CHECK(record.pool == 0);
  // Generator input for 5 steps: 3 x (5 x 500 + 300 x 10) = 16,500 per problem.
  CHECK(r.summary["compute/total_input_tokens"] == 2 * 16500);
}

TEST_CASE("GPU-seconds by pool add up to each pool's busy GPU time") {
  const RunResult r = run(ttc_scenario(workloads::WorkloadKind::best_of_n, fixed_beam(4), true, 3));
  REQUIRE(r.ttc.has_value());
  double generator = 0.0;
  double prm = 0.0;
  for (const TtcProblemRow& row : r.ttc->problems) {
    generator += row.gpu_seconds_by_pool[0];
    prm += row.gpu_seconds_by_pool[1];
  }
  CHECK(generator == Approx(r.ttc->pools[0].busy_gpu_seconds).epsilon(1e-9));
  CHECK(prm == Approx(r.ttc->pools[1].busy_gpu_seconds).epsilon(1e-9));
  CHECK(r.summary["test_time_compute"]["gpu_seconds"]["prm_share"].get<double>() ==
        Approx(prm / (generator + prm)).epsilon(1e-9));
  // Best-of-8: one generator call and 8 PRM calls per problem.
  CHECK(r.summary["test_time_compute"]["calls_per_problem"]["prm"].get<double>() == Approx(8.0));
}

TEST_CASE("a closed-loop client starts its next problem when the last one answers") {
  Scenario s = ttc_scenario(workloads::WorkloadKind::beam_search, fixed_beam(2), true, 3);
  s.workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  s.workload.arrival.clients = 1;
  s.workload.arrival.think_time_s = 0.5;
  const RunResult r = run(s);
  REQUIRE(r.ttc.has_value());
  REQUIRE(r.ttc->problems.size() == 3);
  CHECK(r.ttc->problems[0].arrival_ns == 0);
  CHECK(r.ttc->problems[1].arrival_ns == r.ttc->problems[0].done_ns + 500'000'000);
  CHECK(r.ttc->problems[2].arrival_ns == r.ttc->problems[1].done_ns + 500'000'000);
}

TEST_CASE("a problem whose call can never run fails and the run still ends") {
  Scenario s = ttc_scenario(workloads::WorkloadKind::beam_search, fixed_beam(3), true);
  s.pools[1].engine.chunked_prefill = false;
  s.pools[1].engine.max_num_batched_tokens = 700;  // every PRM prompt (>= 800 tokens) exceeds it
  const RunResult r = run(s);
  CHECK(r.summary["test_time_compute"]["problems"]["failed"] == 2);
  CHECK(r.summary["test_time_compute"]["problems"]["completed"] == 0);
  CHECK(r.summary["compute/total_tokens"] == 0);
}

TEST_CASE("the same scenario and seed give byte-identical summaries and samples") {
  workloads::TtcSpec spec = fixed_beam(6);
  spec.step_tokens = workloads::LengthDistribution{workloads::LognormalLength{250, 0.6}, 50, 1024};
  spec.steps = workloads::LengthDistribution{workloads::UniformLength{2, 8}};
  Scenario s = ttc_scenario(workloads::WorkloadKind::beam_search, spec, true, 4);
  s.workload.arrival.process = workloads::ArrivalProcess::poisson;
  s.workload.arrival.rate_per_s = 0.5;
  const RunResult a = run(s, 600);  // few blocks: preemption and eviction are exercised
  const RunResult b = run(s, 600);
  CHECK(summary_json_text(a) == summary_json_text(b));
  REQUIRE(a.ttc.has_value());
  CHECK(samples_csv_text(*a.ttc) == samples_csv_text(*b.ttc));
  CHECK(a.summary["test_time_compute"]["problems"]["completed"] == 4);
  CHECK(a.summary["preemptions"].get<std::int64_t>() > 0);
}

TEST_CASE("samples.csv has one row per problem with the document's per-sample columns") {
  const RunResult r = run(ttc_scenario(workloads::WorkloadKind::self_consistency, fixed_beam(2), true, 2));
  REQUIRE(r.ttc.has_value());
  const std::string csv = samples_csv_text(*r.ttc);
  CHECK(csv.rfind("problem,status,arrival_ns,done_ns,latency_ms,steps,generator_calls,prm_calls,input_tokens,"
                  "output_tokens,total_tokens_this_sample,prm_tokens_this_sample,tflops_this_sample,"
                  "prm_tflops_this_sample,executed_tflops_this_sample,gpu_seconds_generator,gpu_seconds_prm\n",
                  0) == 0);
  // Self-consistency over 8 answers of 2 x 300 tokens: input 500, output 4,800, no PRM;
  // 2 x 8e9 x 5,300 / 1e12 = 84.8 TFLOPs.
  CHECK(csv.find("\n0,completed,0,") != std::string::npos);
  CHECK(csv.find(",1,1,0,500,4800,5300,0,84.800000,0.000000,") != std::string::npos);
}

TEST_CASE("more samples per call than max_num_seqs is an input error naming the key") {
  Scenario s = ttc_scenario(workloads::WorkloadKind::beam_search, fixed_beam(2), true);
  s.pools[0].engine.max_num_seqs = 4;
  CHECK_THROWS_WITH_AS(Simulator(s, linear()), doctest::Contains("workload.candidates_per_beam"),
                       core::InputError);
}

}  // namespace llmsim::sim
