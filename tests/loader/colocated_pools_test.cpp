// Loading co-located pools (colocated_with): what is accepted, and each rejection located at
// the key.
#include <doctest/doctest.h>

#include <string>

#include "loader/scenario_loader.h"
#include "scenario_error.h"

using llmsim::loader::load_scenario;
using llmsim::loader::load_scenario_text;
using llmsim::testing::error_of;
using llmsim::testing::replaced;

namespace {

// Line 11 is the PRM pool's colocated_with.
const std::string kColocated = R"(seed: 1
pools:
  - name: generator
    model: qwen2.5-math-7b-instruct
    hardware: h100-sxm
    engine: {gpu_memory_utilization: 0.5}
  - name: prm
    model: qwen2.5-math-prm-7b
    hardware: h100-sxm
    engine: {gpu_memory_utilization: 0.4}
    colocated_with: generator
workload:
  kind: beam_search
  num_problems: 4
  arrival: {process: poisson, rate_per_s: 0.1}
  question_tokens: {dist: fixed, value: 500}
  step_tokens: {dist: fixed, value: 100}
  max_steps: 5
  max_context_budget: 4096
  beam_size: 2
  candidates_per_beam: 4
  prm_max_tokens: 4000
  generator_pool: generator
  prm_pool: prm
)";

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("a pool may share an earlier pool's GPUs with its own memory share") {
  const auto scenario = load_scenario_text(kColocated, "coloc.yaml");
  REQUIRE(scenario.pools.size() == 2);
  CHECK(scenario.pools[0].colocated_with.empty());
  CHECK(scenario.pools[1].colocated_with == "generator");
  CHECK(scenario.pools[1].engine.gpu_memory_utilization == doctest::Approx(0.4));
}

TEST_CASE("colocated_with naming no pool is rejected at the key") {
  const std::string message = error_of(replaced(kColocated, "colocated_with: generator", "colocated_with: policy"));
  CHECK(starts_with(message, "scenario.yaml:11: pools[1].colocated_with: no pool named \"policy\""));
}

TEST_CASE("a pool cannot be co-located with itself") {
  const std::string message = error_of(replaced(kColocated, "colocated_with: generator", "colocated_with: prm"));
  CHECK(starts_with(message, "scenario.yaml:11: pools[1].colocated_with: pool \"prm\" cannot be co-located with itself"));
}

TEST_CASE("colocated_with names an earlier pool, not a later one") {
  std::string text = replaced(kColocated, "    colocated_with: generator\n", "");
  text = replaced(text, "engine: {gpu_memory_utilization: 0.5}",
                  "engine: {gpu_memory_utilization: 0.5}\n    colocated_with: prm");
  const std::string message = error_of(text);
  CHECK(starts_with(message, "scenario.yaml:7: pools[0].colocated_with: pool \"prm\" comes after pool \"generator\""));
}

TEST_CASE("co-located pools need the same hardware") {
  const std::string message = error_of(replaced(kColocated, "    hardware: h100-sxm\n    engine: {gpu_memory_utilization: 0.4}",
                                                "    hardware: h100-pcie\n    engine: {gpu_memory_utilization: 0.4}"));
  CHECK(starts_with(message, "scenario.yaml:11: pools[1].colocated_with: pool \"prm\" has hardware h100-pcie but pool "
                             "\"generator\" h100-sxm"));
}

TEST_CASE("co-located pools need the same tensor_parallel and replicas") {
  const std::string tp = error_of(replaced(kColocated, "    colocated_with: generator",
                                           "    colocated_with: generator\n    deployment: {tensor_parallel: 2}"));
  CHECK(starts_with(tp, "scenario.yaml:11: pools[1].colocated_with: pool \"prm\" has tensor_parallel 2 but pool "
                        "\"generator\" 1"));
  const std::string replicas = error_of(replaced(kColocated, "    colocated_with: generator",
                                                 "    colocated_with: generator\n    deployment: {replicas: 2}"));
  CHECK(starts_with(replicas, "scenario.yaml:11: pools[1].colocated_with: pool \"prm\" has replicas 2 but pool "
                              "\"generator\" 1"));
}

TEST_CASE("the memory shares of co-located pools sum to at most 1") {
  const std::string message =
      error_of(replaced(kColocated, "engine: {gpu_memory_utilization: 0.4}", "engine: {gpu_memory_utilization: 0.6}"));
  CHECK(starts_with(message, "scenario.yaml:11: pools[1].colocated_with: the engine.gpu_memory_utilization shares of "
                             "the pools on these GPUs sum to 1.1 (generator 0.5 + prm 0.6), more than 1"));
  // Exactly 1 is allowed (0.7 + 0.3 is 1 up to rounding).
  std::string full = replaced(kColocated, "engine: {gpu_memory_utilization: 0.4}", "engine: {gpu_memory_utilization: 0.3}");
  full = replaced(full, "engine: {gpu_memory_utilization: 0.5}", "engine: {gpu_memory_utilization: 0.7}");
  CHECK(load_scenario_text(full, "coloc.yaml").pools[1].colocated_with == "generator");
}

TEST_CASE("a group of three pools counts every share, whichever pool of the group each names") {
  // judge names prm, which names generator: one group on the generator's GPUs.
  const auto with_judge = [](const std::string& prm_share, const std::string& judge_share) {
    const std::string judge = "  - name: judge\n    model: qwen2.5-math-prm-7b\n    hardware: h100-sxm\n"
                              "    engine: {gpu_memory_utilization: " + judge_share + "}\n    colocated_with: prm\nworkload:";
    const std::string text = replaced(kColocated, "workload:", judge);
    return replaced(text, "engine: {gpu_memory_utilization: 0.4}", "engine: {gpu_memory_utilization: " + prm_share + "}");
  };
  const std::string message = error_of(with_judge("0.4", "0.3"));
  CHECK(starts_with(message, "scenario.yaml:16: pools[2].colocated_with: the engine.gpu_memory_utilization shares of "
                             "the pools on these GPUs sum to 1.2 (generator 0.5 + prm 0.4 + judge 0.3)"));
  const auto scenario = load_scenario_text(with_judge("0.25", "0.25"), "coloc.yaml");
  REQUIRE(scenario.pools.size() == 3);
  CHECK(scenario.pools[2].colocated_with == "prm");
}

TEST_CASE("a model that does not fit its share of the shared GPU is rejected as on its own GPU") {
  const std::string message =
      error_of(replaced(kColocated, "engine: {gpu_memory_utilization: 0.5}", "engine: {gpu_memory_utilization: 0.15}"));
  CHECK(message.find("pools[0].") != std::string::npos);
  CHECK(message.find("model qwen2.5-math-7b-instruct does not fit") != std::string::npos);
}

TEST_CASE("colocated_with belongs to the pools: form only") {
  const std::string message = error_of(R"(model: llama-3.1-8b
hardware: h100-sxm
colocated_with: other
workload: {kind: synthetic, num_requests: 1, arrival: {process: all_at_once},
           input_tokens: {dist: fixed, value: 10}, output_tokens: {dist: fixed, value: 10}}
)");
  CHECK(message.find("colocated_with") != std::string::npos);
  CHECK(message.find("unknown key") != std::string::npos);
}

TEST_CASE("the shipped co-located beam search puts the PRM on the generator's H100") {
  const auto scenario = load_scenario(std::string(LLMSIM_SOURCE_DIR) + "/configs/scenarios/beam-search-colocated.yaml");
  REQUIRE(scenario.pools.size() == 2);
  CHECK(scenario.pools[1].colocated_with == scenario.pools[0].name);
  CHECK(scenario.pools[0].engine.gpu_memory_utilization + scenario.pools[1].engine.gpu_memory_utilization <= 1.0);
}
