// DSA (DeepSeek-V3.2) in the loader: the lightning indexer's efficiency (hw::Operator::attention_indexer:
// its own entry where a hardware YAML names one, else the file's attention entries,
// configs/README.md) and the indexer keys in a disaggregated transfer.
#include <doctest/doctest.h>

#include <string>

#include "hw/operator.h"
#include "loader/hardware_loader.h"
#include "loader/scenario_loader.h"
#include "sim/scenario.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::hw::Operator;

/// A hardware YAML with an fp8 peak whose efficiency block ends with `operators`.
std::string gpu_yaml(const std::string& operators) {
  return R"(id: x
name: "X"
source: "test"
peak_tflops: {bf16: 100, fp8: 200}
hbm_bandwidth_tb_per_s: 1
hbm_capacity_gib: 40
interconnect_bandwidth_gb_per_s: 10
interconnect_latency_us: 1
tdp_w: 300
idle_power_w: 50
price_per_gpu_hour_usd: 1
efficiency:
  source: "test"
  per_layer_overhead_us: 0
)" + operators;
}

constexpr const char* kAttention =
    "  gemm: {compute: 0.71, bandwidth: 0.87, latency_us: 6}\n"
    "  attention_prefill: {compute: 0.65, bandwidth: 0.85, latency_us: 70}\n"
    "  attention_decode: {compute: 0.25, bandwidth: 0.93, latency_us: 8, per_block_ns: 31}\n";

}  // namespace

TEST_CASE("attention_indexer unnamed: gemm's compute, decode attention's bandwidth and latency") {
  const auto gpu = llmsim::loader::load_hardware(llmsim::testing::write_temp_file("indexer-unnamed.yaml", gpu_yaml(kAttention)));
  const llmsim::hw::OperatorEfficiency& indexer = gpu.efficiency[Operator::attention_indexer];
  CHECK(indexer.compute == 0.71);
  CHECK(indexer.bandwidth == 0.93);
  CHECK(indexer.latency_s == 8e-6);
  CHECK(indexer.per_block_s == 0.0);
}

TEST_CASE("attention_indexer named: its own entry, which takes no per-block time") {
  const auto gpu = llmsim::loader::load_hardware(llmsim::testing::write_temp_file(
      "indexer-named.yaml",
      gpu_yaml(std::string(kAttention) + "  attention_indexer: {compute: 0.4, bandwidth: 0.7, latency_us: 3}\n")));
  const llmsim::hw::OperatorEfficiency& indexer = gpu.efficiency[Operator::attention_indexer];
  CHECK(indexer.compute == 0.4);
  CHECK(indexer.bandwidth == 0.7);
  CHECK(indexer.latency_s == 3e-6);
  const std::string path = llmsim::testing::write_temp_file(
      "indexer-blocks.yaml",
      gpu_yaml(std::string(kAttention) +
               "  attention_indexer: {compute: 0.4, bandwidth: 0.7, latency_us: 3, per_block_ns: 5}\n"));
  CHECK_THROWS_WITH(llmsim::loader::load_hardware(path),
                    doctest::Contains("efficiency.attention_indexer.per_block_ns: unknown key"));
}

TEST_CASE("the shipped h200 preset prices the indexer at its attention entries") {
  const auto gpu = llmsim::loader::load_hardware("h200");
  const llmsim::hw::Efficiencies& e = gpu.efficiency;
  CHECK(e[Operator::attention_indexer].compute == e[Operator::gemm].compute);
  CHECK(e[Operator::attention_indexer].compute == 0.7051);  // h200 carries h100-sxm's gemm (configs/hardware/)
  CHECK(e[Operator::attention_indexer].bandwidth == 0.9290);
  CHECK(e[Operator::attention_indexer].latency_s == e[Operator::attention_decode].latency_s);
}

TEST_CASE("a disaggregated DeepSeek-V3.2 transfers each prompt token's indexer keys with its latents") {
  const auto pool = [](const std::string& name) {
    return "  - name: " + name +
           "\n    model: deepseek-v3.2\n    hardware: h200\n    precision: {weights: fp8, kv_cache: fp8}\n"
           "    deployment: {tensor_parallel: 8, replicas: 1}\n";
  };
  const std::string text = "seed: 1\npools:\n" + pool("prefill") + pool("decode") +
                            "disaggregation: {prefill_pool: prefill, decode_pool: decode}\n"
                            "workload:\n  kind: synthetic\n  num_requests: 10\n"
                            "  arrival: {process: poisson, rate_per_s: 1}\n"
                            "  input_tokens: {dist: fixed, value: 1000}\n"
                            "  output_tokens: {dist: fixed, value: 10}\n";
  const llmsim::sim::Scenario scenario = llmsim::loader::load_scenario_text(text, "dsa-disagg.yaml");
  REQUIRE(scenario.disaggregation.has_value());
  // vLLM's fp8_ds_mla latent entry 61 x 656 = 40,016 bytes, plus the indexer keys 61 x 132 = 8,052.
  CHECK(scenario.disaggregation->kv_bytes_per_token == 48068.0);
}
