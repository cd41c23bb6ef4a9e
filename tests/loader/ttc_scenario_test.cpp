// Loading test-time-compute scenarios: the pools: form and the workload kinds.
#include <doctest/doctest.h>

#include <string>

#include "loader/scenario_loader.h"
#include "scenario_error.h"
#include "sim/cluster/simulator.h"

using llmsim::loader::load_scenario;
using llmsim::loader::load_scenario_text;
using llmsim::testing::error_of;
using llmsim::testing::replaced;

namespace {

const std::string kTwoPools = R"(seed: 3
pools:
  - name: generator
    model: qwen3-8b
    hardware: h100-sxm
    engine: {max_num_seqs: 64}
  - name: prm
    model: qwen2.5-math-prm-7b
    hardware: h100-sxm
    deployment: {replicas: 2}
workload:
  kind: beam_search
  num_problems: 10
  arrival: {process: poisson, rate_per_s: 0.5}
  question_tokens: {dist: fixed, value: 500}
  step_tokens: {dist: fixed, value: 300}
  steps: {dist: uniform, low: 5, high: 20}
  max_context_budget: 16384
  beam_size: 4
  candidates_per_beam: 6
  prm_max_tokens: 3000
  generator_pool: generator
  prm_pool: prm
)";

}  // namespace

TEST_CASE("a pools: scenario reads every pool and a beam search workload naming them") {
  const auto scenario = load_scenario_text(kTwoPools, "ttc.yaml");
  REQUIRE(scenario.pools.size() == 2);
  CHECK(scenario.pools[0].name == "generator");
  CHECK(scenario.pools[0].model.id == "qwen3-8b");
  CHECK(scenario.pools[0].engine.max_num_seqs == 64);
  CHECK(scenario.pools[1].name == "prm");
  CHECK(scenario.pools[1].model.id == "qwen2.5-math-prm-7b");
  CHECK(scenario.pools[1].replicas == 2);
  const auto& workload = scenario.workload;
  CHECK(workload.kind == llmsim::workloads::WorkloadKind::beam_search);
  CHECK(workload.num_requests == 10);
  REQUIRE(workload.ttc.has_value());
  CHECK(workload.ttc->beam_size == 4);
  CHECK(workload.ttc->candidates_per_beam == 6);
  CHECK(workload.ttc->prm_max_tokens == 3000);
  CHECK(workload.ttc->max_context_budget_tokens == 16384);
  CHECK(workload.ttc->max_steps == 250);
  CHECK(workload.ttc->generator_pool == 0);
  CHECK(workload.ttc->prm_pool == 1);
  CHECK(workload.ttc->scorer == llmsim::core::ScorerKind::prm);
  REQUIRE(workload.ttc->steps.has_value());
}

TEST_CASE("a pool name the workload does not know is located at its key") {
  const std::string message = error_of(replaced(kTwoPools, "prm_pool: prm", "prm_pool: verifier"));
  CHECK(message.find("scenario.yaml:23: workload.prm_pool: no pool named \"verifier\"") != std::string::npos);
}

TEST_CASE("a key of another kind is rejected as not applying to this one") {
  const std::string message = error_of(replaced(kTwoPools, "beam_size: 4", "num_samples: 4"));
  CHECK(message.find("scenario.yaml:19: workload.num_samples: does not apply to kind beam_search") != std::string::npos);
}

TEST_CASE("pools: and the plain pool keys together are rejected") {
  const std::string message = error_of("model: qwen3-8b\n" + kTwoPools);
  CHECK(message.find("scenario.yaml:1: model: a scenario with pools:") != std::string::npos);
}

TEST_CASE("duplicate pool names are rejected at the second") {
  const std::string message = error_of(replaced(kTwoPools, "name: prm", "name: generator"));
  CHECK(message.find("scenario.yaml:7: pools[1].name: duplicate pool name") != std::string::npos);
}

TEST_CASE("with several pools the workload must name the PRM pool") {
  const std::string message = error_of(replaced(kTwoPools, "  prm_pool: prm\n", ""));
  CHECK(message.find("missing required key \"prm_pool\"") != std::string::npos);
}

TEST_CASE("a reward model cannot serve generator calls") {
  const std::string message = error_of(replaced(kTwoPools, "generator_pool: generator", "generator_pool: prm"));
  CHECK(message.find("workload.generator_pool: the generator pool's model qwen2.5-math-prm-7b is a reward model")
        != std::string::npos);
}

TEST_CASE("a PRM cap beyond the PRM's context is rejected") {
  const std::string message = error_of(replaced(kTwoPools, "prm_max_tokens: 3000", "prm_max_tokens: 4096"));
  CHECK(message.find("workload.prm_max_tokens:") != std::string::npos);
  CHECK(message.find("max_position_embeddings (4096)") != std::string::npos);
}

TEST_CASE("more candidates per beam than the generator's max_num_seqs is rejected") {
  const std::string text = replaced(kTwoPools, "engine: {max_num_seqs: 64}", "engine: {max_num_seqs: 4}");
  CHECK(error_of(text).find("workload.candidates_per_beam:") != std::string::npos);
}

TEST_CASE("self-consistency on a plain one-pool scenario takes no scorer") {
  const std::string text = R"(model: qwen2.5-math-7b-instruct
hardware: h100-sxm
workload:
  kind: self_consistency
  num_problems: 5
  arrival: {process: all_at_once}
  max_context_budget: 4096
  num_samples: 4
)";
  const auto scenario = load_scenario_text(text, "sc.yaml");
  REQUIRE(scenario.workload.ttc.has_value());
  CHECK(scenario.workload.ttc->num_samples == 4);
  CHECK(scenario.workload.ttc->generator_pool == 0);
  const std::string with_scorer = replaced(text, "num_samples: 4", "num_samples: 4\n  scorer: prm");
  CHECK(error_of(with_scorer).find("workload.scorer: does not apply to kind self_consistency") != std::string::npos);
  // The default budget (32768) exceeds this model's 4096-token context.
  CHECK(error_of(replaced(text, "  max_context_budget: 4096\n", "")).find("set max_context_budget") !=
        std::string::npos);
}

TEST_CASE("online best-of-N reads candidates_per_step as one beam") {
  std::string text = replaced(kTwoPools, "kind: beam_search", "kind: online_best_of_n");
  text = replaced(text, "  beam_size: 4\n  candidates_per_beam: 6\n", "  candidates_per_step: 7\n");
  const auto scenario = load_scenario_text(text, "ttc.yaml");
  CHECK(scenario.workload.ttc->beam_size == 1);
  CHECK(scenario.workload.ttc->candidates_per_beam == 7);
}

TEST_CASE("the shipped test-time-compute scenarios load") {
  for (const char* name : {"beam-search-thinking", "beam-search-math", "best-of-n", "self-consistency"}) {
    CAPTURE(name);
    const auto scenario =
        load_scenario(std::string(LLMSIM_SOURCE_DIR) + "/configs/scenarios/" + name + ".yaml");
    CHECK(scenario.workload.ttc.has_value());
  }
}

TEST_CASE("the shipped beam searches put the PRM at several times the generator's FLOPs") {
  // Per step, beam B x K candidates costs the generator B prompts of C tokens plus B x K
  // steps of s tokens, and the PRM B x K prompts of at most min(C + s, prm_max_tokens):
  //   ratio <= (N_prm / N_gen) x K (C + s) / (C + K s) < (N_prm / N_gen) x K.
  // Thinking mode (3 x 5, 8B and 7B, s about 300, cap 4000) peaks at
  // 7/8 x 15 x 4000 / (3 x 3700 + 15 x 300) = 3.37 where C = 3700; the first steps (short C)
  // and long problems (C far above the cap) sit lower. Non-thinking (5 x 8, 7B and 7B, 4096
  // budget) can reach 8 x 4000 / (3900 + 8 x 120) = 6.6.
  const auto run_ratio = [](const char* name, const char* problems) {
    llmsim::sim::Scenario scenario = load_scenario(
        std::string(LLMSIM_SOURCE_DIR) + "/configs/scenarios/" + name + ".yaml", {{"workload.num_problems", problems}});
    llmsim::sim::Simulator simulator(scenario);
    const llmsim::sim::RunResult result = simulator.run();
    return result.summary["test_time_compute"]["flops"]["prm_to_generator_ratio"].get<double>();
  };
  const double thinking = run_ratio("beam-search-thinking", "40");
  CHECK(thinking > 2.0);
  CHECK(thinking < 3.37);
  const double math = run_ratio("beam-search-math", "10");
  CHECK(math > 4.0);
  CHECK(math < 6.6);
}
