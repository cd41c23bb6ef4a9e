// A hardware YAML's efficiencies, read by operator name (configs/README.md, hardware schema).
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "hw/operator.h"
#include "loader/hardware_loader.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::InputError;
using llmsim::hw::Operator;

/// A hardware YAML whose efficiency block ends with `operators` (lines indented by two).
std::string gpu_yaml(const std::string& operators) {
  return R"(id: x
name: "X"
source: "test"
peak_tflops: {bf16: 100}
hbm_bandwidth_tb_per_s: 1
hbm_capacity_gib: 40
interconnect_bandwidth_gb_per_s: 10
interconnect_latency_us: 1
tdp_w: 300
idle_power_w: 50
price_per_gpu_hour_usd: 1
efficiency:
  source: "test"
  per_layer_overhead_us: 10
  # (host time per iteration is the engine's: configs/engines/)
)" + operators;
}

/// The message load_hardware throws for `text`, or "" when it loads.
std::string error_of(const std::string& name, const std::string& text) {
  const std::string path = llmsim::testing::write_temp_file(name, text);
  try {
    llmsim::loader::load_hardware(path);
  } catch (const InputError& error) {
    return std::string(error.what()).substr(path.size());
  }
  return "";
}

}  // namespace

TEST_CASE("efficiencies are read by operator name; an operator left out keeps its defaults") {
  const std::string path = llmsim::testing::write_temp_file(
      "named.yaml", gpu_yaml("  roofline_exponent: 2\n"
                             "  elementwise: {bandwidth: 0.4, latency_us: 2.5}\n"
                             "  attention_decode: {compute: 0.3, bandwidth: 0.9, latency_us: 8,"
                             " per_block_ns: 31}\n"
                             "  allreduce:\n"
                             "    bandwidth: 0.5\n"
                             "    latency_us: 20\n"));
  const llmsim::hw::HardwareSpec gpu = llmsim::loader::load_hardware(path);
  const llmsim::hw::Efficiencies& e = gpu.efficiency;
  CHECK(e[Operator::elementwise].bandwidth == 0.4);
  CHECK(e[Operator::elementwise].latency_s == 2.5 * 1e-6);
  CHECK(e[Operator::attention_decode].compute == 0.3);
  CHECK(e[Operator::attention_decode].per_block_s == 31 * 1e-9);
  CHECK(e[Operator::allreduce].bandwidth == 0.5);
  CHECK(e[Operator::allreduce].latency_s == 20 * 1e-6);
  CHECK(e.roofline_exponent == 2.0);
  CHECK(e.per_layer_overhead_s == 10 * 1e-6);
  // gemm, attention_prefill and lm_head were not named: the documented defaults.
  for (const Operator op : {Operator::gemm, Operator::attention_prefill, Operator::lm_head}) {
    CAPTURE(llmsim::hw::to_string(op));
    CHECK(e[op].compute == llmsim::hw::operator_info(op).defaults.compute);
    CHECK(e[op].bandwidth == llmsim::hw::operator_info(op).defaults.bandwidth);
    CHECK(e[op].latency_s == 0.0);
  }
}

TEST_CASE("an operator's entry takes exactly the keys the operator has, located") {
  // Elementwise FLOPs are not priced: no compute efficiency to give.
  CHECK(error_of("compute.yaml", gpu_yaml("  elementwise: {compute: 0.5, bandwidth: 0.4, latency_us: 0}\n")) ==
        ":16: efficiency.elementwise.compute: unknown key");
  // Decode attention counts thread blocks: its per-block time is required.
  CHECK(error_of("block.yaml", gpu_yaml("  attention_decode: {compute: 0.5, bandwidth: 0.6, latency_us: 0}\n")) ==
        ":16: efficiency.attention_decode: missing required key \"per_block_ns\"");
  CHECK(error_of("latency.yaml", gpu_yaml("  gemm: {compute: 0.7, bandwidth: 0.8, latency_us: -1}\n")) ==
        ":16: efficiency.gemm.latency_us: expected a number >= 0, got \"-1\"");
  CHECK(error_of("fraction.yaml", gpu_yaml("  allreduce: {bandwidth: 1.2, latency_us: 1}\n")) ==
        ":16: efficiency.allreduce.bandwidth: expected a number in (0, 1], got \"1.2\"");
}

TEST_CASE("an operator name the simulator does not know is an unknown key") {
  CHECK(error_of("typo.yaml", gpu_yaml("  gemn: {compute: 0.7, bandwidth: 0.8, latency_us: 0}\n")) ==
        ":16: efficiency.gemn: unknown key `gemn` (did you mean `gemm`?)");
  // The keys of the schema before operators had entries of their own are unknown too.
  CHECK(error_of("flat.yaml", gpu_yaml("  gemm_compute: 0.7\n")) ==
        ":16: efficiency.gemm_compute: unknown key");
}
