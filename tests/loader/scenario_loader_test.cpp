#include "loader/scenario_loader.h"

#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "tests/loader/scenario_error.h"

using llmsim::core::InputError;
using llmsim::loader::load_scenario_text;
using llmsim::loader::Override;
using llmsim::testing::error_of;

namespace {

const std::string kBase = R"(seed: 7
model: llama-3.1-8b
hardware: h100-sxm
precision: {weights: bf16, kv_cache: bf16}
deployment: {tensor_parallel: 1, replicas: 2, router: least_loaded}
engine:
  max_num_seqs: 128
  max_num_batched_tokens: 4096
workload:
  kind: synthetic
  num_requests: 50
  arrival: {process: poisson, rate_per_s: 4}
  input_tokens: {dist: lognormal, median: 1000, sigma: 0.7, max: 8000}
  output_tokens: {dist: fixed, value: 128}
slo: {ttft_ms: 500, tpot_ms: 50}
)";

}  // namespace

TEST_CASE("a valid scenario fills every field it names") {
  const auto scenario = load_scenario_text(kBase, "scenario.yaml");
  CHECK(scenario.seed == 7);
  REQUIRE(scenario.pools.size() == 1);
  const auto& pool = scenario.pools.front();
  CHECK(pool.model.id == "llama-3.1-8b");
  CHECK(pool.hardware.id == "h100-sxm");
  CHECK(pool.replicas == 2);
  CHECK(pool.router == llmsim::sim::RouterKind::least_loaded);
  CHECK(pool.engine.max_num_seqs == 128);
  CHECK(pool.engine.max_num_batched_tokens == 4096);
  CHECK(pool.engine.block_size == 16);
  CHECK(scenario.workload.num_requests == 50);
  CHECK(scenario.workload.arrival.rate_per_s == doctest::Approx(4.0));
  CHECK(scenario.workload.input_tokens.max_tokens == 8000);
  CHECK(scenario.slo.ttft_ms == doctest::Approx(500.0));
  CHECK_FALSE(scenario.slo.e2el_ms.has_value());
}

TEST_CASE("a negative engine value names file, line and key path") {
  std::string text = kBase;
  text.replace(text.find("max_num_seqs: 128"), 17, "max_num_seqs: -3");
  CHECK(error_of(text) == "scenario.yaml:7: engine.max_num_seqs: expected a positive integer, got \"-3\"");
}

TEST_CASE("an unknown key is rejected with its line") {
  std::string text = kBase + "bogus_key: 1\n";
  CHECK(error_of(text) == "scenario.yaml:16: bogus_key: unknown key");
}

TEST_CASE("a duplicate key is rejected with the line of its second occurrence") {
  std::string text = kBase + "seed: 8\n";
  CHECK(error_of(text) == "scenario.yaml:16: seed: duplicate key");
}

TEST_CASE("a wrong type is rejected") {
  std::string text = kBase;
  text.replace(text.find("rate_per_s: 4"), 13, "rate_per_s: fast");
  CHECK(error_of(text) == "scenario.yaml:12: workload.arrival.rate_per_s: expected a number, got \"fast\"");
}

TEST_CASE("a quoted number is a string, not a number") {
  std::string text = kBase;
  text.replace(text.find("num_requests: 50"), 16, "num_requests: \"50\"");
  CHECK(error_of(text) == "scenario.yaml:11: workload.num_requests: expected an integer, got \"50\"");
}

TEST_CASE("an octal-looking number is rejected") {
  std::string text = kBase;
  text.replace(text.find("num_requests: 50"), 16, "num_requests: 050");
  CHECK(error_of(text).find("workload.num_requests: expected an integer") != std::string::npos);
}

TEST_CASE("a YAML syntax error names its line") {
  const std::string message = error_of("seed: 1\nmodel: [llama\nhardware: h100-sxm\n");
  CHECK(message.rfind("scenario.yaml:", 0) == 0);
  CHECK(message.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("an unknown model preset is located at the model key") {
  std::string text = kBase;
  text.replace(text.find("model: llama-3.1-8b"), 19, "model: llama-9");
  const std::string message = error_of(text);
  CHECK(message.rfind("scenario.yaml:2: model: unknown model \"llama-9\"", 0) == 0);
}

TEST_CASE("min above max in a length distribution is rejected") {
  std::string text = kBase;
  text.replace(text.find("max: 8000"), 9, "min: 9000, max: 8000");
  CHECK(error_of(text) == "scenario.yaml:13: workload.input_tokens.min: must not exceed max");
}

TEST_CASE("tensor parallelism must divide the attention heads") {
  std::string text = kBase;
  text.replace(text.find("tensor_parallel: 1"), 18, "tensor_parallel: 3");
  CHECK(error_of(text) == "scenario.yaml:5: deployment.tensor_parallel: must divide the model's 32 attention heads");
}

TEST_CASE("overrides change values and are validated like the file") {
  const auto scenario = load_scenario_text(
      kBase, "scenario.yaml", {Override{"engine.max_num_seqs", "512"}, Override{"workload.arrival.rate_per_s", "2.5"}});
  CHECK(scenario.pools.front().engine.max_num_seqs == 512);
  CHECK(scenario.workload.arrival.rate_per_s == doctest::Approx(2.5));

  CHECK(error_of(kBase, {Override{"engine.max_num_seqs", "-1"}}) ==
        "scenario.yaml (--set engine.max_num_seqs): engine.max_num_seqs: expected a positive integer, got \"-1\"");
  CHECK(error_of(kBase, {Override{"engine.no_such_key", "1"}}).find("engine.no_such_key: unknown key") !=
        std::string::npos);
}

TEST_CASE("an override can add a section the file lacks") {
  const auto scenario = load_scenario_text(kBase, "scenario.yaml", {Override{"limits.max_sim_time_s", "30"}});
  CHECK(scenario.limits.max_sim_time_s == doctest::Approx(30.0));
}

TEST_CASE("parse_override splits at the first equals sign") {
  const auto item = llmsim::loader::parse_override("slo.ttft_ms=300");
  CHECK(item.key_path == "slo.ttft_ms");
  CHECK(item.value == "300");
  CHECK_THROWS_AS(llmsim::loader::parse_override("no-equals"), InputError);
  CHECK_THROWS_AS(llmsim::loader::parse_override("=5"), InputError);
}
