// MXFP6 through the real binary: `memory` of Llama-3.3-70B in mxfp6 on one B200 with the
// bytes written out by hand, and `run` of a small mxfp6 scenario on B200 and MI355X.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_llmsim.h"

namespace {

using Outcome = llmsim::testing::LlmsimOutcome;
using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// The summary of a 60-request run of the Llama-3.3-70B NVFP4 B200 scenario with `overrides`.
nlohmann::json short_run(const std::string& name, const std::string& overrides) {
  const std::string out = fresh_temp_dir("fp6-run-" + name);
  const Outcome run = run_llmsim("run configs/scenarios/llama-3.3-70b-fp4-b200.yaml --quiet --set workload.num_requests=60 " +
                                 overrides + " --out " + out);
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  return nlohmann::json::parse(read_whole_file(out + "/summary.json"));
}

}  // namespace

TEST_CASE("memory: Llama-3.3-70B in mxfp6 on one B200") {
  const Outcome out = run_llmsim("memory --model llama-3.3-70b --hardware b200 --weights-dtype mxfp6 --json");
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  const auto json = nlohmann::json::parse(out.output);
  CHECK(json["weights_dtype"] == "mxfp6");
  CHECK(json["kv_cache_dtype"] == "bf16");  // mxfp6 weights leave the KV cache 16-bit by default
  // Llama-3.3-70B: 70,553,706,496 parameters. Per layer q 8192^2 + k, v 2 x 8192 x 1024 + o 8192^2
  // + MLP 3 x 8192 x 28672 + 2 norms x 8192 = 855,654,400; x 80 layers + the final norm 8192 =
  // 68,452,360,192 in mxfp6 at 0.78125 bytes = 53,478,406,400 bytes. The untied embedding and
  // LM head, 2 x 128,256 x 8192 = 2,101,346,304 parameters, stay bf16: 4,202,692,608 bytes.
  // Weights 57,681,099,008 bytes = 53.72 GiB; with the calculator's x1.05 overhead 56.41 GiB.
  const double weight_bytes = 68'452'360'192.0 * 0.78125 + 2'101'346'304.0 * 2.0;
  CHECK(weight_bytes == 57'681'099'008.0);
  CHECK(json["per_gpu_gib"]["weights"].get<double>() == doctest::Approx(weight_bytes * 1.05 / kGiB).epsilon(1e-12));
  CHECK(json["fits"].get<bool>());  // 56.41 GiB of 180 GiB
}

TEST_CASE("run: an mxfp6 deployment on B200 and MI355X, slower per token than nvfp4 on B200") {
  const auto nvfp4 = short_run("nvfp4", "");
  const auto b200 = short_run("b200", "--set precision.weights=mxfp6");
  const auto mi355x = short_run("mi355x", "--set precision.weights=mxfp6 --set hardware=mi355x --set engine.kind=vllm-v1");
  for (const auto* summary : {&nvfp4, &b200, &mi355x}) {
    CHECK((*summary)["completed"].get<int>() == 60);
  }
  // Decode reads the weights: 0.78125 bytes per weight (mxfp6) against 0.5625 (nvfp4), at the
  // same 8 TB/s, so every token takes longer.
  CHECK(b200["median_tpot_ms"].get<double>() > nvfp4["median_tpot_ms"].get<double>());
}

TEST_CASE("memory: a Quark MXFP6 config.json is mxfp6 weights on a B200") {
  const Outcome memory = run_llmsim("memory --model tests/data/hf/llama-3.1-8b-mxfp6.config.json --hardware b200 --json");
  REQUIRE_MESSAGE(memory.exit_code == 0, memory.output);
  const auto json = nlohmann::json::parse(memory.output);
  CHECK(json["weights_dtype"] == "mxfp6");
  // 7,554,149,504 bytes (tests/core/fp6_dtype_test.cpp) x 1.05.
  CHECK(json["per_gpu_gib"]["weights"].get<double>() == doctest::Approx(7'554'149'504.0 * 1.05 / kGiB).epsilon(1e-12));
}
