// Regression tests for bad input the malformed corpus and the fuzzers (issue 8) found in the
// loader; tests/malformed holds the same inputs run through the binary.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/input_error.h"
#include "tests/loader/scenario_error.h"
#include "loader/hf_config_reader.h"
#include "loader/scenario_loader.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::loader::load_scenario_text;
using llmsim::loader::Override;
using llmsim::testing::error_of;

namespace {

const std::string kScenario = R"(seed: 3
model: llama-3.1-8b
hardware: h100-sxm
engine: {max_num_seqs: 64, block_size: 32}
workload:
  kind: synthetic
  num_requests: 10
  arrival: {process: poisson, rate_per_s: 5}
  input_tokens: {dist: fixed, value: 100}
  output_tokens: {dist: fixed, value: 10}
)";

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("mapping keys are read through copies of yaml-cpp's iterator values") {
  // fuzz/ under ASan: YamlMap kept `const YAML::Node& key = it->first`, a reference into a
  // temporary (stack-use-after-scope on every YAML file; GCC's -Wdangling-pointer said so and
  // was silenced). Every key below goes through that loop; the values must come out right.
  const auto scenario = load_scenario_text(kScenario, "scenario.yaml");
  CHECK(scenario.seed == 3);
  CHECK(scenario.pools.front().engine.max_num_seqs == 64);
  CHECK(scenario.pools.front().engine.block_size == 32);
  CHECK(scenario.workload.num_requests == 10);
}

TEST_CASE("text yaml-cpp cannot read past is a syntax error at its line, not an empty scenario") {
  // fuzz/: YAML::Load returns an empty document for a stray ',' at the start of a line, and
  // YAML::LoadAll loops on it until memory runs out.
  CHECK(starts_with(error_of(",\n" + kScenario), "scenario.yaml:1: YAML syntax error: unexpected text"));
}

TEST_CASE("a second YAML document is rejected, not silently dropped") {
  CHECK(starts_with(error_of(kScenario + "---\nseed: 4\n"),
                    "scenario.yaml:11: a second YAML document starts here"));
}

TEST_CASE("an unknown key set with --set is reported as coming from --set") {
  CHECK(error_of(kScenario, {Override{"engine.max_num_seqz", "3"}}) ==
        "scenario.yaml (--set engine.max_num_seqz): engine.max_num_seqz: unknown key `max_num_seqz` (did you mean "
        "`max_num_seqs`?)");
}

TEST_CASE("the loader rejects what the workload backstop would, with a location") {
  // These reached validate_workload_spec, whose message names no file or line.
  std::string text = kScenario;
  text.replace(text.find("{dist: fixed, value: 10}"), 24, "{dist: uniform, low: 1.2, high: 1.8}");
  CHECK(starts_with(error_of(text), "scenario.yaml:10: workload.output_tokens.high: no whole number"));
  text = kScenario;
  text.replace(text.find("{dist: fixed, value: 100}"), 25, "{dist: fixed, value: 100, max: 200}\n  shared_prefix_tokens: 300");
  CHECK(starts_with(error_of(text), "scenario.yaml:10: workload.shared_prefix_tokens: must not exceed"));
}

TEST_CASE("a synthetic workload whose every request exceeds the context is rejected") {
  std::string text = kScenario;
  text.replace(text.find("value: 100}"), 11, "value: 131063}");
  CHECK(starts_with(error_of(text), "scenario.yaml:9: workload.input_tokens: every request is longer"));
  text = kScenario;
  text.replace(text.find("value: 100}"), 11, "value: 131062}");  // 131062 + 10 = 131072 fits
  CHECK(load_scenario_text(text, "scenario.yaml").workload.input_tokens.min_tokens == 1);
}

TEST_CASE("a trace is read once by the loader and checked against the model's context") {
  const std::string trace = llmsim::testing::write_temp_file(
      "regression_trace.csv", "arrival_s,input_tokens,output_tokens\n0,100,10\n\n1.5,131000,100\n");
  const std::string text = "model: llama-3.1-8b\nhardware: h100-sxm\nworkload:\n  kind: trace\n"
                           "  trace: {path: " + trace + ", format: plain_csv, max_rows: 1}\n";
  const auto scenario = load_scenario_text(text, "scenario.yaml");
  REQUIRE(scenario.workload.trace->rows);
  REQUIRE(scenario.workload.trace->rows->size() == 1);
  CHECK(scenario.workload.trace->rows->front().line == 2);
  std::string all_rows = text;
  all_rows.replace(all_rows.find(", max_rows: 1"), 13, "");
  CHECK(error_of(all_rows) == trace + ":4: input_tokens: the request's 131000 input + 100 output tokens exceed "
                                      "llama-3.1-8b's context of 131072 tokens (max_position_embeddings)");
}

TEST_CASE("a config.json number beyond the double range is an input error at its line") {
  // fuzz/: nlohmann throws out_of_range (not parse_error) for 1e8001, which terminated llmsim.
  const std::string path = llmsim::testing::write_temp_file(
      "overflow.config.json", "{\n  \"model_type\": \"llama\",\n  \"rms_norm_eps\": 1e8001\n}\n");
  try {
    (void)llmsim::loader::read_hf_config(path);
    FAIL("expected an InputError");
  } catch (const InputError& error) {
    CHECK(error.line() == 3);
    CHECK(error.message().find("number overflow") != std::string::npos);
  }
}
