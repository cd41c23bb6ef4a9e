// engine.kind: engine presets (configs/engines/) and their defaults, and `dist: empirical`.
#include <doctest/doctest.h>

#include <string>

#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "loader/scenario_loader.h"
#include "tests/loader/scenario_error.h"
#include "tests/loader/temp_files.h"

using llmsim::loader::load_scenario_text;
using llmsim::sim::EngineKind;
using llmsim::sim::KvAdmission;

namespace {

std::string scenario_with_engine(const std::string& engine, const std::string& hardware = "h100-sxm") {
  return "seed: 1\nmodel: llama-3.1-8b\nhardware: " + hardware + "\n" + engine +
         "workload:\n  kind: synthetic\n  num_requests: 5\n  arrival: {process: poisson, rate_per_s: 1}\n"
         "  input_tokens: {dist: fixed, value: 100}\n  output_tokens: {dist: fixed, value: 10}\n";
}

}  // namespace

TEST_CASE("a scenario without engine.kind runs the vLLM V1 preset with its H100 limits") {
  const auto pool = load_scenario_text(scenario_with_engine(""), "s.yaml").pools.front();
  CHECK(pool.engine.id == "vllm-v1");
  CHECK(pool.engine.kind == EngineKind::vllm_v1);
  CHECK(pool.engine.admission == KvAdmission::step_blocks);
  CHECK(pool.engine.host.overlapped);
  CHECK(pool.engine.host.iteration_s == doctest::Approx(2000e-6));
  // vLLM's get_batch_defaults on a >= 70 GiB non-A100 GPU, API server context.
  CHECK(pool.engine.max_num_seqs == 1024);
  CHECK(pool.engine.max_num_batched_tokens == 8192);
}

TEST_CASE("vLLM V1 on an A100 takes the smaller limits; scenario keys override any preset") {
  const auto a100 = load_scenario_text(scenario_with_engine("engine: {kind: vllm-v1}\n", "a100-sxm-80gb"), "s.yaml");
  CHECK(a100.pools.front().engine.max_num_seqs == 256);
  CHECK(a100.pools.front().engine.max_num_batched_tokens == 2048);
  const auto set = load_scenario_text(
      scenario_with_engine("engine: {kind: vllm-v1, max_num_seqs: 64}\n", "a100-sxm-80gb"), "s.yaml");
  CHECK(set.pools.front().engine.max_num_seqs == 64);
}

TEST_CASE("each engine family brings its admission, chunking and host time") {
  const auto v0 = load_scenario_text(scenario_with_engine("engine: {kind: vllm-v0}\n"), "s.yaml").pools.front();
  CHECK(v0.engine.kind == EngineKind::vllm_v0);
  CHECK(v0.engine.admission == KvAdmission::watermark);
  CHECK(v0.engine.watermark == doctest::Approx(0.01));
  CHECK_FALSE(v0.engine.chunked_prefill);
  CHECK_FALSE(v0.engine.host.overlapped);
  // Without chunked prefill V0's budget is max(max_model_len, 2048): Llama-3.1-8B's 131072.
  CHECK(v0.engine.max_num_batched_tokens == 131072);
  const auto trt = load_scenario_text(scenario_with_engine("engine: {kind: trtllm}\n"), "s.yaml").pools.front();
  CHECK(trt.engine.kind == EngineKind::trtllm);
  CHECK(trt.engine.admission == KvAdmission::full_reservation);
  CHECK(trt.engine.block_size == 32);
  CHECK(trt.engine.max_num_seqs == 2048);
  CHECK_FALSE(trt.engine.chunked_prefill);
  const auto sync = load_scenario_text(scenario_with_engine("engine: {kind: vllm-v1-sync}\n"), "s.yaml").pools.front();
  CHECK(sync.engine.kind == EngineKind::vllm_v1);
  CHECK_FALSE(sync.engine.host.overlapped);
}

TEST_CASE("dist: empirical draws request lengths from one column of a trace file") {
  const std::string trace = llmsim::testing::write_temp_file(
      "lengths.csv", "arrival_s,input_tokens,output_tokens\n0,100,7\n1,300,9\n2,200,8\n");
  const auto scenario = load_scenario_text(
      "seed: 1\nmodel: llama-3.1-8b\nhardware: h100-sxm\nworkload:\n  kind: synthetic\n  num_requests: 5\n"
      "  arrival: {process: poisson, rate_per_s: 1}\n"
      "  input_tokens: {dist: empirical, path: " + trace + ", column: input_tokens}\n"
      "  output_tokens: {dist: empirical, path: " + trace + ", format: plain_csv, column: output_tokens}\n",
      "s.yaml");
  const auto* input = std::get_if<llmsim::workloads::EmpiricalLength>(&scenario.workload.input_tokens.shape);
  const auto* output = std::get_if<llmsim::workloads::EmpiricalLength>(&scenario.workload.output_tokens.shape);
  REQUIRE(input != nullptr);
  REQUIRE(output != nullptr);
  CHECK(input->values == std::vector<std::int64_t>{100, 300, 200});
  CHECK(output->values == std::vector<std::int64_t>{7, 9, 8});
  CHECK(llmsim::testing::error_of(
            "seed: 1\nmodel: llama-3.1-8b\nhardware: h100-sxm\nworkload:\n  kind: synthetic\n  num_requests: 5\n"
            "  arrival: {process: poisson, rate_per_s: 1}\n"
            "  input_tokens: {dist: empirical, path: " + trace + "}\n"
            "  output_tokens: {dist: fixed, value: 10}\n") ==
        "scenario.yaml:8: workload.input_tokens: missing required key \"column\" (input_tokens or output_tokens)");
}
