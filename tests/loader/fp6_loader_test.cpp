// FP6 in the loaders: the hardware presets' fp6 peaks and mxfp6 weights refused on a GPU
// without FP6.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "loader/hardware_loader.h"
#include "loader/scenario_loader.h"
#include "tests/loader/scenario_error.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::DType;
using llmsim::core::InputError;
using llmsim::loader::load_hardware;
using llmsim::testing::write_temp_file;

std::string hardware_error(const std::string& name, const std::string& text) {
  try {
    load_hardware(write_temp_file(name, text));
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

}  // namespace

TEST_CASE("the presets' fp6 peaks: Blackwell at its fp8 rate, MI355X at its fp4 rate, none elsewhere") {
  for (const char* id : {"b200", "b300", "gb200", "gb300", "rtx-pro-6000"}) {
    CAPTURE(id);
    const auto gpu = load_hardware(id);
    REQUIRE(gpu.peak.fp6_flops_per_s.has_value());
    CHECK(*gpu.peak.fp6_flops_per_s == doctest::Approx(*gpu.peak.fp8_flops_per_s));
    CHECK(*gpu.peak.fp6_flops_per_s < *gpu.peak.fp4_flops_per_s);
  }
  CHECK(*load_hardware("b200").peak.fp6_flops_per_s == doctest::Approx(4500e12));
  CHECK(*load_hardware("b300").peak.fp6_flops_per_s == doctest::Approx(4500e12));  // not B300's faster fp4
  CHECK(*load_hardware("gb200").peak.fp6_flops_per_s == doctest::Approx(5000e12));
  CHECK(*load_hardware("gb300").peak.fp6_flops_per_s == doctest::Approx(5000e12));
  CHECK(*load_hardware("rtx-pro-6000").peak.fp6_flops_per_s == doctest::Approx(1000e12));
  const auto mi355x = load_hardware("mi355x");
  CHECK(*mi355x.peak.fp6_flops_per_s == doctest::Approx(10100e12));
  CHECK(*mi355x.peak.fp6_flops_per_s == doctest::Approx(*mi355x.peak.fp4_flops_per_s));
  CHECK(mi355x.peak_flops_per_s(DType::mxfp6) == doctest::Approx(10100e12));
  for (const char* id : {"h100-sxm", "h100-pcie", "h200", "h20", "mi300x", "mi325x", "a100-sxm-80gb",
                         "a100-pcie-80gb", "l40s"}) {
    CAPTURE(id);
    CHECK_FALSE(load_hardware(id).peak.fp6_flops_per_s.has_value());
  }
}

TEST_CASE("peak_tflops.fp6 is checked at its key") {
  const std::string yaml = "id: x\nname: \"X\"\nsource: \"test\"\npeak_tflops: {bf16: 100, fp6: -4500}\n"
                           "hbm_bandwidth_tb_per_s: 1\nhbm_capacity_gib: 40\n"
                           "interconnect_bandwidth_gb_per_s: 10\ninterconnect_latency_us: 1\n"
                           "tdp_w: 300\nidle_power_w: 50\nprice_per_gpu_hour_usd: 1\n"
                           "efficiency:\n  source: \"test\"\n  per_layer_overhead_us: 0\n";
  CHECK(hardware_error("hardware_fp6.yaml", yaml) == "peak_tflops.fp6: expected a positive number, got \"-4500\"");
}

TEST_CASE("mxfp6 weights are refused at precision.weights on a GPU without FP6, accepted on one with it") {
  const std::string scenario = R"(seed: 1
model: llama-3.1-8b
hardware: h100-sxm
precision: {weights: mxfp6}
workload:
  kind: synthetic
  num_requests: 10
  arrival: {process: poisson, rate_per_s: 4}
  input_tokens: {dist: fixed, value: 100}
  output_tokens: {dist: fixed, value: 10}
)";
  const std::string error = llmsim::testing::error_of(scenario);
  CHECK(error.find("scenario.yaml:4: precision.weights: mxfp6 weights need a GPU with FP6 tensor cores") == 0);
  CHECK(error.find("h100-sxm has none") != std::string::npos);
  for (const char* gpu : {"b200", "mi355x"}) {
    CAPTURE(gpu);
    const auto loaded = llmsim::loader::load_scenario_text(
        llmsim::testing::replaced(scenario, "hardware: h100-sxm", std::string("hardware: ") + gpu), "scenario.yaml");
    CHECK(loaded.pools.front().precision.weights == DType::mxfp6);
    CHECK(loaded.pools.front().precision.kv_cache == DType::bf16);
  }
}
