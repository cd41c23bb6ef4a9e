// Calibration of MoE and MLA layers (issue 23): our own profile format's MoE operators are
// priced as the step-time model prices a MoE layer (hw/sample_builder.h), and a fit to
// operator times generated at known efficiencies returns them, with and without noise.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/byte_counts.h"
#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "hw/efficiency_fit.h"
#include "hw/item_pricer.h"
#include "hw/iteration_work_model.h"
#include "hw/profile_reader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "tests/temp_folder.h"

namespace {

using llmsim::hw::Operator;
using llmsim::hw::ProfileSample;

const llmsim::hw::Precision kBf16{};

std::string write_profile(const std::string& name, const std::string& rows) {
  return llmsim::testing::write_test_file("moe_calibration", name,
                                          "op,tokens,context,batch,tp,measured_s\n" + rows);
}

/// The rows of one qwen3-30b-a3b layer's GEMMs at T tokens, timed `seconds`.
std::string layer_rows(std::int64_t tokens, const std::vector<double>& seconds) {
  const char* ops[] = {"qkv_proj", "o_proj", "moe_router", "moe_experts"};
  std::string rows;
  for (std::size_t i = 0; i < 4; ++i) {
    char time[40];
    std::snprintf(time, sizeof time, "%.17g", seconds[i]);
    rows += std::string(ops[i]) + "," + std::to_string(tokens) + ",0,1,1," + time + "\n";
  }
  return rows;
}

constexpr std::int64_t kTokens[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

/// The truth the synthetic measurements are timed with: gemm compute 0.62, bandwidth 0.78,
/// 5 us per kernel, on the rounded roofline (exponent 2, calibrate's default).
struct Truth {
  double compute = 0.62;
  double bandwidth = 0.78;
  double latency_s = 5e-6;
};

/// Times of `samples` as hw::price_item prices them at `truth` on an H100 SXM (bf16 peak
/// 989.4 TFLOP/s, HBM 3.35 TB/s: configs/hardware/h100-sxm.yaml), each times (1 + noise[i]).
std::vector<double> priced_times(const std::vector<ProfileSample>& samples, const Truth& truth,
                                 const std::vector<double>& noise) {
  llmsim::hw::OperatorRates rates;
  rates.counts_flops = true;
  rates.flops_per_s = 989.4e12 * truth.compute;
  rates.bytes_per_s = 3.35e12 * truth.bandwidth;
  rates.latency_s = truth.latency_s;
  std::vector<double> times;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    times.push_back(llmsim::hw::price_item(samples[i].work, rates, 2.0).time_s * (1.0 + noise[i]));
  }
  return times;
}

/// Writes the qwen3-30b-a3b layer rows for every kTokens, timed at `truth` with `noise`,
/// and reads them back.
std::vector<ProfileSample> timed_profile(const std::string& name, const Truth& truth,
                                         const std::vector<double>& noise) {
  const auto model = llmsim::loader::load_model("qwen3-30b-a3b");
  std::string shapes;
  for (const std::int64_t t : kTokens) shapes += layer_rows(t, {1.0, 1.0, 1.0, 1.0});
  const auto untimed = llmsim::hw::read_profile(write_profile(name + "-shapes.csv", shapes), &model, kBf16);
  const std::vector<double> times = priced_times(untimed, truth, noise);
  std::string rows;
  for (std::size_t i = 0; i < std::size(kTokens); ++i) {
    rows += layer_rows(kTokens[i], {times[4 * i], times[4 * i + 1], times[4 * i + 2], times[4 * i + 3]});
  }
  return llmsim::hw::read_profile(write_profile(name + ".csv", rows), &model, kBf16);
}

}  // namespace

TEST_CASE("moe_experts rows are priced at the tile-padded rows and the distinct experts a batch touches") {
  // Qwen3-30B-A3B (configs/models/qwen3-30b-a3b.yaml): h 2048, 128 experts of width 768, top 8,
  // gated: an expert's up GEMM is 2048 x 1536, its down GEMM 768 x 2048, bf16 (2 bytes).
  const auto model = llmsim::loader::load_model("qwen3-30b-a3b");
  const auto samples = llmsim::hw::read_profile(
      write_profile("experts.csv", "moe_experts,1,0,1,1,1e-4\nmoe_up_proj,1,0,1,1,1e-4\n"
                                   "moe_experts,4096,0,1,1,1e-3\n"),
      &model, kBf16);
  REQUIRE(samples.size() == 3);
  const double up = 2048.0 * 1536.0;
  const double down = 768.0 * 2048.0;
  // T = 1: 8 experts, each one 16-row tile (hw/grouped_gemm.h: 1..8 tokens per expert -> 16),
  // so 128 rows multiplied; the 8 experts' weights read; activations 2 x (h + 8 x 1536) for
  // up and 2 x (8 x 768 + h) for down.
  CHECK(samples[0].work.op == Operator::gemm);
  CHECK(samples[0].work.kernels == 2.0);
  CHECK(samples[0].work.flops == doctest::Approx(2.0 * 128.0 * (up + down)));
  CHECK(samples[0].work.hbm_bytes ==
        doctest::Approx(2.0 * 8.0 * (up + down) + 2.0 * (2048.0 + 8.0 * 1536.0) + 2.0 * (8.0 * 768.0 + 2048.0)));
  CHECK(samples[1].work.kernels == 1.0);
  CHECK(samples[1].work.flops == doctest::Approx(2.0 * 128.0 * up));
  // T = 4096: 256 routed rows per expert on average -> 128-row tiles; every expert touched
  // (1 - (1 - 1/16)^4096 = 1 to double precision); at least the 32,768 routed rows.
  const double distinct = 128.0 * (1.0 - std::pow(1.0 - 8.0 / 128.0, 4096.0));
  CHECK(distinct == doctest::Approx(128.0));
  CHECK(samples[2].work.flops >= 2.0 * 32768.0 * (up + down));
  CHECK(samples[2].work.flops <= 2.0 * (32768.0 + 128.0 * 128.0) * (up + down));  // < one tile of padding per expert
  CHECK(samples[2].work.hbm_bytes ==
        doctest::Approx(2.0 * 128.0 * (up + down) + 2.0 * 4096.0 * (2.0 * 2048.0 + 8.0 * (1536.0 + 768.0))));
}

TEST_CASE("one MoE layer's GEMM rows add up to the step-time model's gemm item") {
  // The work model prices a layer's GEMMs as one item (hw/iteration_work_model.h). The rows
  // qkv_proj + o_proj + moe_router + moe_experts differ from it only where stated:
  //   FLOPs: the work model counts the layer's norm weights (2h + q/k norms 2 x 128) as GEMM
  //          weights, 2 T x 4352 FLOPs and 2 x 4352 bytes;
  //   bytes: the router row reads its T x h input and writes T x 128 logits, which the work
  //          model leaves out, 2 T (2048 + 128) bytes.
  const auto model = llmsim::loader::load_model("qwen3-30b-a3b");
  auto layer = model;
  layer.num_layers = 1;
  const llmsim::hw::IterationWorkModel work_model(layer, llmsim::core::count_parameters(layer), kBf16,
                                                  llmsim::hw::Parallelism{1});
  for (const std::int64_t t : {1, 37, 512, 8192}) {
    const auto samples = llmsim::hw::read_profile(
        write_profile("layer-" + std::to_string(t) + ".csv", layer_rows(t, {1.0, 1.0, 1.0, 1.0})), &model, kBf16);
    double flops = 0.0;
    double bytes = 0.0;
    for (const ProfileSample& s : samples) {
      flops += s.work.flops;
      bytes += s.work.hbm_bytes;
    }
    llmsim::hw::BatchShape batch;
    batch.prefill_seqs = 1;
    batch.prefill_tokens = t;
    const llmsim::hw::WorkItem gemm = llmsim::hw::work_of(work_model.items(batch), Operator::gemm);
    const double norms = 2.0 * 2048.0 + 2.0 * 128.0;
    const double tokens = static_cast<double>(t);
    CAPTURE(t);
    CHECK(flops + 2.0 * tokens * norms == doctest::Approx(gemm.flops).epsilon(1e-12));
    CHECK(bytes + 2.0 * norms - 2.0 * tokens * (2048.0 + 128.0) == doctest::Approx(gemm.hbm_bytes).epsilon(1e-12));
  }
}

TEST_CASE("a fit to MoE layer times generated at known gemm efficiencies returns them") {
  const Truth truth;
  const auto samples = timed_profile("exact", truth, std::vector<double>(4 * std::size(kTokens), 0.0));
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  const auto fit = llmsim::hw::fit_efficiencies(samples, h100, {});
  const auto& gemm = fit.efficiencies[Operator::gemm];
  // Exact data and a model that contains the truth: Levenberg-Marquardt stops when a step
  // gains less than 1e-14 of the cost, far inside 1e-6 of each parameter; the token sweep
  // spans memory-bound (T <= 64, weights dominate) and compute-bound rows (T >= 2048 for
  // the experts), so each of the three is identified.
  CHECK(gemm.compute == doctest::Approx(truth.compute).epsilon(1e-6));
  CHECK(gemm.bandwidth == doctest::Approx(truth.bandwidth).epsilon(1e-6));
  CHECK(gemm.latency_s == doctest::Approx(truth.latency_s).epsilon(1e-6));
  // The preset's own values are far from the truth: recovering it is the fit's doing.
  CHECK(std::fabs(h100.efficiency[Operator::gemm].compute - truth.compute) > 0.03);
}

TEST_CASE("with 5 percent noise on every time the MoE fit stays within 3 percent of the truth") {
  // Uniform noise in [-5 %, +5 %] (standard deviation 2.9 %) from a fixed mt19937 stream
  // (its output is fixed by the C++ standard). Each efficiency is pinned by some 20 of the 56
  // rows (the compute-bound or the memory-bound ones), so its standard error is about
  // 2.9 % / sqrt(20) = 0.65 %: 3 % is 4.6 standard errors. The 5 us latency is a small part
  // of most rows (at most half of the smallest): it is checked to within 1 us.
  std::mt19937 stream(23);
  std::vector<double> noise;
  for (std::size_t i = 0; i < 4 * std::size(kTokens); ++i) {
    noise.push_back(0.05 * (2.0 * static_cast<double>(stream()) / 4294967295.0 - 1.0));
  }
  const Truth truth;
  const auto samples = timed_profile("noisy", truth, noise);
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  const auto fit = llmsim::hw::fit_efficiencies(samples, h100, {});
  const auto& gemm = fit.efficiencies[Operator::gemm];
  CHECK(gemm.compute == doctest::Approx(truth.compute).epsilon(0.03));
  CHECK(gemm.bandwidth == doctest::Approx(truth.bandwidth).epsilon(0.03));
  CHECK(std::fabs(gemm.latency_s - truth.latency_s) < 1e-6);
}

TEST_CASE("grouped-GEMM benchmark rows price each group's rows against one expert's weights") {
  // DeepSeek-V3 (configs/models/deepseek-v3.yaml): h 7168, expert width 2048, gated: the up
  // GEMM is 7168 x 4096 (DeepGEMM's N 4096, K 7168), the down GEMM 2048 x 7168; fp8 weights.
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const std::string path = llmsim::testing::write_test_file(
      "moe_calibration", "grouped.csv",
      "op,tokens,context,batch,tp,measured_s,weights\n"
      "moe_grouped_up_proj,1024,0,1,1,4.9e-5,fp8\n"
      "moe_grouped_down_proj,256,0,4,1,2.9e-5,fp8\n");
  const auto samples = llmsim::hw::read_profile(path, &model, kBf16);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].weights == llmsim::core::DType::fp8);
  CHECK(samples[0].groups == 1);
  CHECK(samples[0].work.flops == doctest::Approx(2.0 * 1024.0 * 7168.0 * 4096.0));
  // fp8 weights (1 byte), bf16 activations in and out.
  CHECK(samples[0].work.hbm_bytes == doctest::Approx(7168.0 * 4096.0 + 2.0 * 1024.0 * (7168.0 + 4096.0)));
  CHECK(samples[1].work.flops == doctest::Approx(2.0 * 4.0 * 256.0 * 2048.0 * 7168.0));
  CHECK(samples[1].work.hbm_bytes ==
        doctest::Approx(4.0 * 2048.0 * 7168.0 + 2.0 * 4.0 * 256.0 * (2048.0 + 7168.0)));
}

TEST_CASE("MLA attention rows are priced absorbed in decode and expanded in prefill") {
  // Regression: a one-layer copy of DeepSeek-V3 kept first_k_dense_replace 3 and aborted on
  // a broken invariant (no MoE layer left) before any row was read.
  // DeepSeek-V3: one latent of kv_lora_rank 512 + rope 64 per token and layer, bf16 KV;
  // decode reads the latent of every cached key, one block per sequence (one latent head).
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto samples = llmsim::hw::read_profile(
      write_profile("mla.csv", "attention_decode,1,4095,8,1,1e-4\nattention_prefill,1024,0,1,1,1e-3\n"),
      &model, kBf16);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].work.op == Operator::attention_decode);
  CHECK(samples[0].work.hbm_bytes == doctest::Approx(8.0 * 4096.0 * 576.0 * 2.0));
  CHECK(samples[0].work.blocks == 8.0);
  // Absorbed decode: per (query, key) pair 128 heads x (2 x (512 + 64) + 2 x 512) FLOPs
  // (scores over the latent and rope key, values from the latent); expanded prefill:
  // 128 heads x (2 x 192 + 2 x 128) per pair (core/architecture.h, attention_flops_per_pair).
  CHECK(samples[0].work.flops == doctest::Approx(8.0 * 4096.0 * 128.0 * (2.0 * 576.0 + 2.0 * 512.0)));
  CHECK(samples[1].work.flops == doctest::Approx(1024.0 * 1025.0 / 2.0 * 128.0 * (2.0 * 192.0 + 2.0 * 128.0)));
}

TEST_CASE("MoE rows that do not fit the model are refused at their line") {
  const auto dense = llmsim::loader::load_model("llama-3.1-8b");
  const auto moe = llmsim::loader::load_model("qwen3-30b-a3b");
  const auto error_of = [](const std::string& path, const llmsim::core::ModelSpec& model) {
    try {
      llmsim::hw::read_profile(path, &model, kBf16);
    } catch (const llmsim::core::InputError& error) {
      return std::to_string(error.line()) + " " + error.key_path() + ": " + error.message();
    }
    return std::string("no error");
  };
  const std::string moe_on_dense = write_profile("moe-on-dense.csv", "o_proj,8,0,1,1,1e-5\nmoe_experts,8,0,1,1,1e-5\n");
  CHECK(error_of(moe_on_dense, dense) ==
        "3 op: moe_experts is a mixture-of-experts operator, but model llama-3.1-8b is dense");
  const std::string dense_mlp = write_profile("dense-mlp-on-moe.csv", "mlp_up_proj,8,0,1,1,1e-5\n");
  CHECK(error_of(dense_mlp, moe).find("2 op: model qwen3-30b-a3b has no GEMM kernel \"mlp_up_proj\" (its GEMMs: "
                                      "qkv_proj, o_proj, moe_router)") == 0);
  const std::string groups = write_profile("too-many-groups.csv", "moe_grouped_up_proj,8,0,129,1,1e-5\n");
  CHECK(error_of(groups, moe) == "2 batch: 129 groups, but model qwen3-30b-a3b has 128 experts");
  // Regression: a one-layer copy of gpt-oss-20b kept its 12 sliding-window layers and aborted.
  const auto gpt_oss = llmsim::loader::load_model("gpt-oss-20b");
  CHECK(error_of(write_profile("gpt-oss-experts.csv", "moe_experts,8,0,1,1,1e-5\n"), gpt_oss).find(
            "2 op: model gpt-oss-20b stores its routed experts in a format of their own") == 0);
  CHECK(error_of(write_profile("gpt-oss-attention.csv", "attention_decode,1,100,1,1,1e-5\n"), gpt_oss).find(
            "2 op: model gpt-oss-20b has sliding-window or chunked attention layers") == 0);
}

TEST_CASE("the shipped DeepGEMM H800 profile reads as DeepSeek-V3 fp8 expert and shared-expert GEMMs") {
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto samples = llmsim::hw::read_profile(
      "data/profiles/compute/h800_deepgemm/deepseek_v3_fp8_gemms.csv", &model, kBf16);
  REQUIRE(samples.size() == 16);
  int grouped = 0;
  for (const ProfileSample& s : samples) {
    CHECK(s.weights == llmsim::core::DType::fp8);
    CHECK(s.work.op == Operator::gemm);
    if (s.groups > 0) ++grouped;
  }
  CHECK(grouped == 10);
  // First row: 4 groups of 8192 rows through the 7168 x 4096 up GEMM, listed at 1297 TFLOPS.
  CHECK(samples[0].work.flops / samples[0].measured_s == doctest::Approx(1297e12).epsilon(1e-3));
}

TEST_CASE("the shipped vLLM fused_moe profile reads as Mixtral-8x7B routed-expert rows at tensor parallel 2") {
  const auto model = llmsim::loader::load_model("mixtral-8x7b");
  const auto samples = llmsim::hw::read_profile(
      "data/profiles/compute/h100_vllm_fused_moe/mixtral_8x7b_tp2_bf16.csv", &model, kBf16);
  REQUIRE(samples.size() == 15);
  for (const ProfileSample& s : samples) {
    CHECK(s.name == "moe_experts");
    CHECK(s.tensor_parallel == 2);
  }
  // One token: 2 of 8 experts, one 16-row tile each, through 4096 x 14336 (gate and up of
  // 7168 each on this GPU) and 7168 x 4096: 2 x 32 rows x (4096 x 14336 + 7168 x 4096) FLOPs.
  CHECK(samples[0].work.flops == doctest::Approx(2.0 * 32.0 * (4096.0 * 14336.0 + 7168.0 * 4096.0)));
  CHECK(samples[0].measured_s == doctest::Approx(144.03e-6));
}
