// The fabric keys of a hardware YAML (configs/README.md, hardware schema; issue 24): the
// presets' values, the keys' checks, and a scenario whose tensor-parallel group crosses the
// scale-up domain.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "loader/hardware_loader.h"
#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "loader/scenario_loader.h"
#include "tests/loader/scenario_error.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::InputError;
using llmsim::loader::load_hardware;

/// A minimal hardware YAML with `fabric` lines after the interconnect.
std::string gpu_yaml(const std::string& fabric) {
  return "id: x\nname: \"X\"\nsource: \"test\"\npeak_tflops: {bf16: 100}\n"
         "hbm_bandwidth_tb_per_s: 1\nhbm_capacity_gib: 40\n"
         "interconnect_bandwidth_gb_per_s: 10\ninterconnect_latency_us: 1\n" +
         fabric +
         "tdp_w: 300\nidle_power_w: 50\nprice_per_gpu_hour_usd: 1\n"
         "efficiency:\n  source: \"test\"\n  per_layer_overhead_us: 0\n";
}

/// The message (after the path) load_hardware throws for `text`, or "" when it loads.
std::string error_of(const std::string& name, const std::string& text) {
  const std::string path = llmsim::testing::write_temp_file(name, text);
  try {
    load_hardware(path);
  } catch (const InputError& error) {
    return std::string(error.what()).substr(path.size());
  }
  return "";
}

std::string scenario(const std::string& hardware, int tensor_parallel) {
  return "seed: 1\nmodel: llama-3.1-70b\nhardware: " + hardware +
         "\ndeployment: {tensor_parallel: " + std::to_string(tensor_parallel) +
         "}\nworkload:\n  kind: synthetic\n  num_requests: 5\n"
         "  arrival: {process: poisson, rate_per_s: 1}\n"
         "  input_tokens: {dist: fixed, value: 100}\n  output_tokens: {dist: fixed, value: 10}\n";
}

}  // namespace

TEST_CASE("the presets state their domain and, for HGX/DGX boards, one NIC per GPU") {
  // DGX H100/H200/B200: 8 GPUs on NVSwitch, one 400 Gb/s ConnectX-7 per GPU = 50 GB/s.
  for (const char* id : {"h100-sxm", "h200", "b200"}) {
    CAPTURE(id);
    const auto gpu = load_hardware(id);
    CHECK(gpu.fabric.scale_up_domain_gpus == 8);
    CHECK(gpu.fabric.scale_out_bandwidth_bytes_per_s == 50e9);
    CHECK(gpu.fabric.scale_out_latency_s == doctest::Approx(4e-6));
  }
  // DGX A100: one 200 Gb/s HDR ConnectX-6 per GPU = 25 GB/s.
  CHECK(load_hardware("a100-sxm-80gb").fabric.scale_out_bandwidth_bytes_per_s == 25e9);
  // PCIe cards: a host's 8 cards, no scale-out stated.
  for (const char* id : {"h100-pcie", "a100-pcie-80gb", "l40s"}) {
    CAPTURE(id);
    const auto gpu = load_hardware(id);
    CHECK(gpu.fabric.scale_up_domain_gpus == 8);
    CHECK_FALSE(gpu.fabric.has_scale_out());
  }
}

TEST_CASE("the fabric keys are optional; absent, no domain is known") {
  const std::string path = llmsim::testing::write_temp_file("no_fabric.yaml", gpu_yaml(""));
  const auto gpu = load_hardware(path);
  CHECK(gpu.fabric.scale_up_domain_gpus == 0);
  CHECK_FALSE(gpu.fabric.has_scale_out());
}

TEST_CASE("bad fabric values are refused at their key") {
  CHECK(error_of("zero.yaml", gpu_yaml("scale_up_domain_gpus: 0\n")) ==
        ":9: scale_up_domain_gpus: expected a positive integer, got \"0\"");
  CHECK(error_of("huge.yaml", gpu_yaml("scale_up_domain_gpus: 1000\n")) ==
        ":9: scale_up_domain_gpus: expected at most 576, got 1000");
  CHECK(error_of("bw.yaml", gpu_yaml("scale_up_domain_gpus: 8\nscale_out_bandwidth_gb_per_s: -50\n"
                                     "scale_out_latency_us: 4\n"))
            .find(":10: scale_out_bandwidth_gb_per_s: expected a positive number") == 0);
  CHECK(error_of("lat.yaml", gpu_yaml("scale_up_domain_gpus: 8\nscale_out_bandwidth_gb_per_s: 50\n"
                                      "scale_out_latency_us: -1\n"))
            .find(":11: scale_out_latency_us: ") == 0);
  CHECK(error_of("alone.yaml", gpu_yaml("scale_up_domain_gpus: 8\nscale_out_bandwidth_gb_per_s: 50\n")) ==
        ":10: scale_out_bandwidth_gb_per_s: needs scale_out_latency_us beside it");
  CHECK(error_of("nodomain.yaml", gpu_yaml("scale_out_bandwidth_gb_per_s: 50\nscale_out_latency_us: 4\n")) ==
        ":9: scale_out_bandwidth_gb_per_s: needs scale_up_domain_gpus: the domain it links");
}

TEST_CASE("a scenario may cross the domain only where the hardware has scale-out links") {
  const auto pool = llmsim::loader::load_scenario_text(scenario("h100-sxm", 16), "s.yaml").pools.front();
  CHECK(pool.tensor_parallel == 16);
  CHECK(llmsim::testing::error_of(scenario("l40s", 16)) ==
        "scenario.yaml:4: deployment.tensor_parallel: on l40s: 16 GPUs exceed the scale-up domain of 8 "
        "GPUs and the hardware states no scale_out_bandwidth_gb_per_s to cross it");
}

TEST_CASE("Llama-3.1-70B at TP16 on H100 presets: a decode step is slower than on one NVLink") {
  // The shipped presets end to end: the scenario's pool priced with its fabric, against the
  // same pool with the fabric removed (how TP16 was priced before: all 16 GPUs on NVLink).
  for (const int tp : {8, 16}) {
    CAPTURE(tp);
    const auto pool = llmsim::loader::load_scenario_text(scenario("h100-sxm", tp), "s.yaml").pools.front();
    llmsim::hw::HardwareSpec one_domain = pool.hardware;
    one_domain.fabric = {};
    const llmsim::hw::Parallelism parallelism{tp};
    const llmsim::hw::StepTimeModel fabric(pool.model, pool.hardware, pool.precision, parallelism);
    const llmsim::hw::StepTimeModel before(pool.model, one_domain, pool.precision, parallelism);
    llmsim::hw::BatchShape decode;
    decode.decode_seqs = 64;
    decode.decode_kv_tokens = 64.0 * 2001.0;
    decode.sampled_seqs = 64;
    const double with_fabric_s = fabric.price(decode).time_s;
    const double before_s = before.price(decode).time_s;
    if (tp == 8) {
      CHECK(with_fabric_s == before_s);  // within the domain: unchanged
    } else {
      // 161 all-reduces of 64 x 8192 x 2 B: each adds 2 x 4 us of NIC latency and
      // 131,072 B / (50 GB/s x 0.7196) on the NICs, and saves (15/8 - 7/4) x 1 MiB on NVLink.
      const double payload = 64.0 * 8192.0 * 2.0;
      const llmsim::hw::OperatorRates& ar = fabric.rates(llmsim::hw::Operator::allreduce);
      const double added_per_call =
          2.0 * 4e-6 + payload / 8.0 / (50e9 * 0.7196) - (2.0 * 15.0 / 16.0 - 2.0 * 7.0 / 8.0) * payload / ar.bytes_per_s;
      CHECK(with_fabric_s - before_s == doctest::Approx(161.0 * added_per_call).epsilon(1e-9));
      CHECK(with_fabric_s > before_s);
    }
  }
}
