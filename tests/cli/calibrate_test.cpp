// `llmsim calibrate` end to end: measured kernel times in, a hardware YAML out whose
// efficiencies are fitted by operator name and load back (configs/README.md, calibration).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <tuple>

#include "hw/operator.h"
#include "loader/hardware_loader.h"
#include "tests/cli/run_llmsim.h"
#include "tests/temp_folder.h"

namespace {

using llmsim::hw::Operator;

/// `value` with every digit a double needs.
std::string exact(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.17g", value);
  return text.data();
}

/// Our own profile format: o_proj of Llama-3.1-8B on one H100 (k = n = 4,096, bf16), timed by
/// a hard roofline with compute 0.6, bandwidth 0.75 and 4 us per kernel.
std::string o_proj_profile() {
  std::string csv = "op,tokens,context,batch,tp,measured_s\n";
  for (const double tokens : {1.0, 16.0, 64.0, 256.0, 512.0, 1024.0, 4096.0}) {
    const double flops = 2.0 * tokens * 4096.0 * 4096.0;
    const double bytes = 2.0 * 4096.0 * 4096.0 + 2.0 * tokens * 8192.0;
    const double seconds = std::max(flops / (989.4e12 * 0.6), bytes / (3.35e12 * 0.75)) + 4e-6;
    csv += "o_proj," + std::to_string(static_cast<int>(tokens)) + ",0,1,1," +
           exact(seconds) + "\n";
  }
  return csv;
}

}  // namespace

TEST_CASE("calibrate fits the GEMM efficiencies by name and writes a YAML that loads back") {
  const std::string profile = llmsim::testing::write_test_file("calibrate", "o_proj.csv", o_proj_profile());
  const std::string out =
      (llmsim::testing::process_temp_folder() / "calibrate" / "gpu.yaml").string();
  const auto run = llmsim::testing::run_llmsim(
      "calibrate --hardware h100-sxm --model llama-3.1-8b --roofline-exponent 0 --profile '" +
      profile + "' --out '" + out + "'");
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("gemm.compute") != std::string::npos);
  CHECK(run.output.find("lm_head.bandwidth") != std::string::npos);  // taken from gemm's fit

  const llmsim::hw::HardwareSpec start = llmsim::loader::load_hardware("h100-sxm");
  const llmsim::hw::HardwareSpec fitted = llmsim::loader::load_hardware(out);
  const llmsim::hw::Efficiencies& e = fitted.efficiency;
  CHECK(e[Operator::gemm].compute == doctest::Approx(0.6).epsilon(1e-3));
  CHECK(e[Operator::gemm].bandwidth == doctest::Approx(0.75).epsilon(1e-3));
  CHECK(e[Operator::gemm].latency_s == doctest::Approx(4e-6).epsilon(1e-2));
  CHECK(e.roofline_exponent == 0.0);
  // An LM head is a GEMM; prefill attention streams memory at the GEMMs' bandwidth.
  CHECK(e[Operator::lm_head].compute == e[Operator::gemm].compute);
  CHECK(e[Operator::lm_head].latency_s == e[Operator::gemm].latency_s);
  CHECK(e[Operator::attention_prefill].bandwidth == e[Operator::gemm].bandwidth);
  // No measurements of the others: the starting preset's values.
  CHECK(e[Operator::attention_prefill].compute == start.efficiency[Operator::attention_prefill].compute);
  CHECK(e[Operator::elementwise].bandwidth == start.efficiency[Operator::elementwise].bandwidth);
  CHECK(e[Operator::allreduce].latency_s == start.efficiency[Operator::allreduce].latency_s);
  CHECK(fitted.peak.bf16_flops_per_s == start.peak.bf16_flops_per_s);
}

TEST_CASE("calibrate from a preset that carries another's block writes a block of its own") {
  // h200 carries h100-sxm's efficiency block (efficiency.carried_from); the file calibrate
  // writes is a fit of its own: no carried_from, its own source, and the unfitted operators
  // written out with the numbers the carried block gave them.
  REQUIRE(llmsim::loader::efficiency_donor("h200") == "h100-sxm");
  const std::string profile = llmsim::testing::write_test_file("calibrate", "o_proj.csv", o_proj_profile());
  const std::string out =
      (llmsim::testing::process_temp_folder() / "calibrate" / "h200-fitted.yaml").string();
  const auto run = llmsim::testing::run_llmsim(
      "calibrate --hardware h200 --model llama-3.1-8b --roofline-exponent 0 --profile '" + profile +
      "' --out '" + out + "'");
  REQUIRE(run.exit_code == 0);
  CHECK(llmsim::loader::efficiency_donor(out).empty());
  const llmsim::hw::HardwareSpec start = llmsim::loader::load_hardware("h200");
  const llmsim::hw::HardwareSpec fitted = llmsim::loader::load_hardware(out);
  CHECK(fitted.efficiency_source.rfind("calibrated by llmsim calibrate", 0) == 0);
  CHECK(fitted.efficiency[Operator::gemm].compute != start.efficiency[Operator::gemm].compute);
  CHECK(fitted.efficiency[Operator::elementwise].bandwidth == start.efficiency[Operator::elementwise].bandwidth);
  CHECK(fitted.efficiency[Operator::allreduce].latency_s == start.efficiency[Operator::allreduce].latency_s);
  CHECK(fitted.hbm_bandwidth_bytes_per_s == start.hbm_bandwidth_bytes_per_s);  // H200's, not the donor's
}

namespace {

/// qkv_proj and o_proj of Qwen3-30B-A3B on one H100 (qkv k = 2048, n = 32 x 128 + 2 x 4 x 128
/// = 5120; o k = 4096, n = 2048; bf16), timed by a hard roofline with compute 0.6,
/// bandwidth 0.75 and 4 us per kernel: plain GEMMs only, no routed-expert row.
std::string qwen3_moe_attention_gemms() {
  std::string csv = "op,tokens,context,batch,tp,measured_s\n";
  for (const double tokens : {1.0, 16.0, 64.0, 256.0, 1024.0, 4096.0}) {
    for (const auto& [op, k, n] : {std::tuple{"qkv_proj", 2048.0, 5120.0}, std::tuple{"o_proj", 4096.0, 2048.0}}) {
      const double flops = 2.0 * tokens * k * n;
      const double bytes = 2.0 * k * n + 2.0 * tokens * (k + n);
      const double seconds = std::max(flops / (989.4e12 * 0.6), bytes / (3.35e12 * 0.75)) + 4e-6;
      csv += std::string(op) + "," + std::to_string(static_cast<int>(tokens)) + ",0,1,1," + exact(seconds) + "\n";
    }
  }
  return csv;
}

}  // namespace

TEST_CASE("calibrate with a MoE model says what prices its routed experts when no expert row was measured") {
  const std::string dense_only =
      llmsim::testing::write_test_file("calibrate", "qwen3-moe-dense-only.csv", qwen3_moe_attention_gemms());
  const auto fitted = llmsim::testing::run_llmsim(
      "calibrate --hardware h100-sxm --model qwen3-30b-a3b --roofline-exponent 0 --profile '" + dense_only + "'");
  REQUIRE(fitted.exit_code == 0);
  CHECK(fitted.output.find("routed experts of qwen3-30b-a3b: no moe_* rows; the step-time model prices them "
                           "with the gemm efficiencies, fitted here to 12 plain GEMM rows only") != std::string::npos);

  // Attention rows only: no GEMM is fitted, so the gemm efficiencies that price the experts
  // stay the preset's, and calibrate says so; the written YAML keeps them.
  const std::string attention_only = llmsim::testing::write_test_file(
      "calibrate", "qwen3-moe-attention.csv",
      "op,tokens,context,batch,tp,measured_s\nattention_decode,1,1023,8,1,4e-5\n"
      "attention_decode,1,4095,8,1,9e-5\nattention_decode,1,4095,64,1,5e-4\nattention_decode,1,16383,16,1,7e-4\n");
  const std::string out = (llmsim::testing::process_temp_folder() / "calibrate" / "qwen3-moe.yaml").string();
  const auto kept = llmsim::testing::run_llmsim("calibrate --hardware h100-sxm --model qwen3-30b-a3b --profile '" +
                                                attention_only + "' --out '" + out + "'");
  REQUIRE(kept.exit_code == 0);
  CHECK(kept.output.find("routed experts of qwen3-30b-a3b: no moe_* rows; priced with h100-sxm's gemm "
                         "efficiencies, kept as they were") != std::string::npos);
  const llmsim::hw::HardwareSpec start = llmsim::loader::load_hardware("h100-sxm");
  const llmsim::hw::HardwareSpec written = llmsim::loader::load_hardware(out);
  CHECK(written.efficiency[Operator::gemm].compute == start.efficiency[Operator::gemm].compute);
  CHECK(written.efficiency[Operator::gemm].bandwidth == start.efficiency[Operator::gemm].bandwidth);
  CHECK(written.efficiency[Operator::gemm].latency_s == start.efficiency[Operator::gemm].latency_s);
}

TEST_CASE("calibrate fits routed-expert rows into the gemm efficiencies and reports them per operator") {
  std::string csv = qwen3_moe_attention_gemms();
  // Three moe_experts rows (times of the right order for an H100, not a measurement): what
  // is checked is that they join the gemm fit, get a fit of their own reported, and a
  // residual line of their own.
  csv += "moe_experts,4096,0,1,1,9.0e-4\nmoe_experts,8192,0,1,1,1.7e-3\nmoe_experts,2048,0,1,1,5.0e-4\n";
  const std::string profile = llmsim::testing::write_test_file("calibrate", "qwen3-moe-experts.csv", csv);
  const auto run = llmsim::testing::run_llmsim(
      "calibrate --hardware h100-sxm --model qwen3-30b-a3b --roofline-exponent 0 --profile '" + profile + "'");
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("routed experts of qwen3-30b-a3b: 3 moe_* rows fitted into gemm.compute, gemm.bandwidth "
                        "and gemm.latency_us with 12 plain GEMM rows") != std::string::npos);
  CHECK(run.output.find("the moe_* rows alone would give gemm.compute") != std::string::npos);
  CHECK(run.output.find("\n  moe_experts ") != std::string::npos);  // its own residual line
}
