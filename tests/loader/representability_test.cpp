// Issue 22: what the loader accepts must be representable, and what it refuses must say why.
// tests/malformed holds the refusals run through the binary; these tests cover what the
// corpus cannot: inputs that must still be accepted, special files the repository cannot
// hold (a FIFO), and the helpers' edge cases.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "core/input_checks.h"
#include "core/input_error.h"
#include "core/input_file.h"
#include "loader/hf_config_reader.h"
#include "loader/model_loader.h"
#include "loader/scenario_loader.h"
#include "loader/yaml_map.h"
#include "tests/loader/scenario_error.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::loader::load_scenario_text;
using llmsim::testing::error_of;
using llmsim::testing::replaced;
using llmsim::testing::write_temp_file;

namespace {

const std::string kScenario = R"(seed: 3
model: llama-3.1-8b
hardware: h100-sxm
deployment: {tensor_parallel: 1, replicas: 1}
workload:
  kind: synthetic
  num_requests: 10
  arrival: {process: poisson, rate_per_s: 5}
  input_tokens: {dist: fixed, value: 100}
  output_tokens: {dist: lognormal, median: 100, sigma: 0.5}
)";

const std::string kLlamaConfig = R"({
  "architectures": ["LlamaForCausalLM"],
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 131072,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "vocab_size": 128256,
  "time_step_limit": [0.0, Infinity],
  "initializer_range": NaN,
  "note": "Infinity inside a string stays a string"
})";

}  // namespace

TEST_CASE("tensor_parallel and replicas are range-checked before they narrow to int") {
  // 2^32 + 1 read as int was 1: the run went ahead on one GPU.
  CHECK(error_of(replaced(kScenario, "tensor_parallel: 1", "tensor_parallel: 4294967297")) ==
        "scenario.yaml:4: deployment.tensor_parallel: expected an integer in [1, 64], got 4294967297");
  CHECK(error_of(replaced(kScenario, "replicas: 1", "replicas: 4294967297")) ==
        "scenario.yaml:4: deployment.replicas: expected at most 100000, got 4294967297");
}

TEST_CASE("a run whose arrivals would pass the clock's horizon is refused at the rate, not aborted") {
  CHECK(error_of(replaced(kScenario, "rate_per_s: 5", "rate_per_s: 1e-12"))
            .rfind("scenario.yaml:8: workload.arrival.rate_per_s: 10 requests at 1e-12 per second would arrive over", 0) ==
        0);
  // Far inside the horizon: accepted.
  CHECK_NOTHROW(load_scenario_text(replaced(kScenario, "rate_per_s: 5", "rate_per_s: 1e-6"), "scenario.yaml"));
}

TEST_CASE("a length distribution's default max is the largest context, so no draw nears int64's end") {
  const auto scenario = load_scenario_text(kScenario, "scenario.yaml");
  CHECK(scenario.workload.output_tokens.max_tokens == llmsim::loader::kMaxModelContextTokens);
  CHECK(error_of(replaced(kScenario, "sigma: 0.5}", "sigma: 0.5, max: 9223372036854775807}")) ==
        "scenario.yaml:10: workload.output_tokens.max: expected at most 1073741824 tokens (longer than any "
        "model's context), got 9223372036854775807");
}

TEST_CASE("a lognormal sigma is accepted up to where its draws overflow a double") {
  // Capped with max: uncapped, about half of these draws exceed the context, which the loader
  // refuses since issue 22 round 3 (loader/request_fit.cpp).
  CHECK_NOTHROW(load_scenario_text(replaced(kScenario, "sigma: 0.5", "sigma: 80, max: 4000"), "scenario.yaml"));
  CHECK(error_of(replaced(kScenario, "sigma: 0.5", "sigma: 90")).find("would overflow a double") != std::string::npos);
}

TEST_CASE("a typo is named with the nearest valid key, even where a required key is missing") {
  CHECK(error_of(replaced(kScenario, "rate_per_s: 5", "rate_per_sec: 5")) ==
        "scenario.yaml:8: workload.arrival.rate_per_sec: unknown key `rate_per_sec` (did you mean `rate_per_s`?)");
  // Far from every valid name: no suggestion, and a missing required key is named as such.
  CHECK(error_of(replaced(kScenario, "rate_per_s: 5", "zzzzzz: 5")) ==
        "scenario.yaml:8: workload.arrival: missing required key \"rate_per_s\"");
  CHECK(error_of(replaced(kScenario, "seed: 3", "seed: 3\nqqqq: 1")) == "scenario.yaml:2: qqqq: unknown key");
}

TEST_CASE("nearest_name: transpositions count once, a dropped unit suffix is close, short names stay strict") {
  using llmsim::loader::nearest_name;
  CHECK(nearest_name("vaule", {"value", "min", "max"}) == "value");
  CHECK(nearest_name("ttft", {"ttft_ms", "tpot_ms", "e2el_ms"}) == "ttft_ms");
  CHECK(nearest_name("max", {"min"}).empty());
  CHECK(nearest_name("bogus_key", {"seed", "model", "workload"}).empty());
}

TEST_CASE("quoted numbers stay strings and untagged values parse; only explicit tags are refused") {
  CHECK_NOTHROW(load_scenario_text(replaced(kScenario, "model: llama-3.1-8b", "model: \"llama-3.1-8b\""),
                                   "scenario.yaml"));
  CHECK(error_of(replaced(kScenario, "seed: 3", "seed: !!int 3")) ==
        "scenario.yaml:1: YAML tag \"!!int\" is not supported: write the value plainly (quote it to make it a "
        "string)");
  // An anchor and an alias as values are fine: only keys must be plain.
  CHECK_NOTHROW(load_scenario_text(replaced(replaced(kScenario, "value: 100", "value: &len 100"), "median: 100",
                                            "median: *len"),
                                   "scenario.yaml"));
}

TEST_CASE("config.json: Infinity and NaN are accepted in fields llmsim does not read") {
  // transformers' json.dump writes float('inf') as Infinity (Mamba-2 configs'
  // time_step_limit); such a file must load, and its strings stay strings.
  const std::string path = write_temp_file("infinity.config.json", kLlamaConfig);
  const auto model = llmsim::loader::read_hf_config(path);
  CHECK(model.hidden_size == 4096);
  CHECK(model.max_position_embeddings == 131072);
}

TEST_CASE("config.json: nesting far deeper than the limit is refused without recursing") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string path = write_temp_file("deep.config.json", "{\"model_type\": \"llama\", \"x\": " + deep + "}");
  CHECK_THROWS_WITH_AS(llmsim::loader::read_hf_config(path), (path + ":1: nested more than 64 levels deep").c_str(),
                       InputError);
}

TEST_CASE("read_input_file refuses a FIFO at once instead of waiting for a writer") {
  const std::string path = write_temp_file("pipe-placeholder", "");
  const std::string fifo = path + ".fifo";
  ::unlink(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(llmsim::core::read_input_file(fifo),
                       (fifo + ": cannot read the file: it is a FIFO (named pipe), not a regular file").c_str(),
                       InputError);
  CHECK_THROWS_WITH_AS(llmsim::loader::load_scenario(fifo, {}),
                       (fifo + ": cannot read the file: it is a FIFO (named pipe), not a regular file").c_str(),
                       InputError);
  ::unlink(fifo.c_str());
}

TEST_CASE("read_input_file refuses a file above its size limit before reading it") {
  const std::string path = write_temp_file("big.yaml", std::string(2000, '#'));
  CHECK_THROWS_WITH_AS(llmsim::core::read_input_file(path, 1000),
                       (path + ": the file holds 2000 bytes, more than the 1000 an input of this kind may hold").c_str(),
                       InputError);
  CHECK(llmsim::core::read_input_file(path, 2000).size() == 2000);
}

TEST_CASE("the shared deployment checks say the same thing to run, memory and flops") {
  llmsim::core::ModelSpec model;
  model.id = "m";
  model.num_attention_heads = 32;
  model.max_position_embeddings = 4096;
  CHECK(llmsim::core::tensor_parallel_problem(model, 3) == "must divide the model's 32 attention heads");
  CHECK(llmsim::core::tensor_parallel_problem(model, 4294967297) == "expected an integer in [1, 64], got 4294967297");
  CHECK_FALSE(llmsim::core::tensor_parallel_problem(model, 8).has_value());
  CHECK(llmsim::core::kv_cache_dtype_problem(llmsim::core::DType::int4).has_value());
  CHECK_FALSE(llmsim::core::kv_cache_dtype_problem(llmsim::core::DType::fp8).has_value());
  // input + output is compared without overflowing.
  CHECK(llmsim::core::sequence_problem(model, 9223372036854775807, 1).has_value());
  CHECK_FALSE(llmsim::core::sequence_problem(model, 4000, 96).has_value());
  CHECK(llmsim::core::sequence_problem(model, 4000, 97).has_value());
  CHECK(llmsim::core::token_count_problem(std::int64_t{1} << 40, std::int64_t{1} << 14).has_value());
  CHECK_FALSE(llmsim::core::token_count_problem(std::int64_t{1} << 39, std::int64_t{1} << 14).has_value());
}
