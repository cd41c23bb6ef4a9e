// `llmsim flops`, `memory` and `run` with the presets of issue 23's last round (glm-4.6,
// minimax-m2.7, deepseek-v3.2) and their config.json fixtures, through the real binary.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_llmsim.h"

namespace {

using Outcome = llmsim::testing::LlmsimOutcome;
using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;

/// A short run of the DeepSeek-V3 TP8 H200 scenario with another model.
Outcome short_run(const std::string& model, const std::string& out) {
  return run_llmsim("run configs/scenarios/deepseek-v3-tp8-h200.yaml --quiet --set model=" + model +
                    " --set workload.num_requests=40 --out " + out);
}

}  // namespace

TEST_CASE("glm-4.6 and minimax-m2.7: flops, memory and run work from the preset and the config.json") {
  for (const std::string model : {"glm-4.6", "minimax-m2.7", "tests/data/hf/glm-4.6.config.json",
                                  "tests/data/hf/minimax-m2.7.config.json"}) {
    CAPTURE(model);
    const Outcome flops = run_llmsim("flops --model " + model + " --input-tokens 4096 --output-tokens 512 --json");
    REQUIRE(flops.exit_code == 0);
    const auto f = nlohmann::json::parse(flops.output);
    CHECK(f["flops_prefill"].get<double>() > 0.0);
    CHECK(f["flops_decode"].get<double>() > 0.0);
    const Outcome memory =
        run_llmsim("memory --model " + model + " --hardware h200 --tp 8 --weights-dtype fp8 --batch 8 --seq-len 8192 --json");
    REQUIRE(memory.exit_code == 0);
    CHECK(nlohmann::json::parse(memory.output)["fits"].get<bool>());
  }
  for (const std::string model : {"glm-4.6", "minimax-m2.7"}) {
    CAPTURE(model);
    const std::string out = fresh_temp_dir("models-2026-run-" + model);
    const Outcome run = short_run(model, out);
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_whole_file(out + "/summary.json"));
    CHECK(summary["completed"].get<int>() == 40);
  }
}

TEST_CASE("deepseek-v3.2: flops, memory and run price the indexer") {
  // The same prompt on DeepSeek-V3 and V3.2: at 32K tokens V3.2's capped attention and its
  // indexer cost less than V3's full attention, and the indexer adds 61 x 132 bytes per token.
  const auto flops = [](const std::string& model) {
    const Outcome out = run_llmsim("flops --model " + model + " --input-tokens 32768 --output-tokens 1 --json");
    REQUIRE(out.exit_code == 0);
    return nlohmann::json::parse(out.output)["flops_prefill"].get<double>();
  };
  CHECK(flops("deepseek-v3.2") < flops("deepseek-v3"));
  CHECK(flops("tests/data/hf/deepseek-v3.2-exp.config.json") == flops("deepseek-v3.2"));
  const auto kv_gib = [](const std::string& model) {
    const Outcome out = run_llmsim("memory --model " + model +
                                   " --hardware h200 --tp 8 --weights-dtype fp8 --kv-dtype fp8 --batch 4 --seq-len 16384 --json");
    REQUIRE(out.exit_code == 0);
    return nlohmann::json::parse(out.output)["per_gpu_gib"]["kv_cache"].get<double>();
  };
  // fp8 KV: 61 x 576 = 35,136 bytes per token (V3); V3.2 keeps vLLM's 656-byte fp8_ds_mla
  // entry and the 132-byte indexer key: 61 x 788 = 48,068: ratio 48,068 / 35,136.
  CHECK(kv_gib("deepseek-v3.2") / kv_gib("deepseek-v3") == doctest::Approx(48068.0 / 35136.0).epsilon(1e-9));
  // `run` prices the capped attention and the indexer (issue 23: it used to refuse the model).
  for (const std::string model : {"deepseek-v3.2", "tests/data/hf/deepseek-v3.2-exp.config.json"}) {
    CAPTURE(model);
    const std::string out = fresh_temp_dir("models-2026-run-dsa");
    const Outcome run = short_run(model, out);
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_whole_file(out + "/summary.json"));
    CHECK(summary["completed"].get<int>() == 40);
  }
}
