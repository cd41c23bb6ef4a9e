// Blackwell serving sets: the FP4 rows that llmsim can express since issue 23 gave it NVFP4 /
// MXFP4 weights and Blackwell presets. VALIDATION only: nothing was fitted to these rows, and
// every Blackwell preset's efficiencies are carried over from the h100-sxm calibration.
//
// 1. TensorRT-LLM perf overview (data/reference/2026/trtllm-perfoverview-1.2_<model>_multi-gpu.csv,
//    each file's header gives source and setup): trtllm-bench offline throughput, every request
//    queued at t = 0 with exactly ISL input and OSL output tokens, replayed with the trtllm engine
//    preset exactly as the Hopper rows are (app/trtllm_bench_replay.h). Rows taken: precision
//    FP4 on B200 (b200), GB200 (gb200) and the RTX PRO 6000 Blackwell Server Edition
//    (rtx-pro-6000) under plain tensor parallelism ("TPn", or "TPn,PP1" on the RTX rows).
//    Listed as not expressible: attention-DP + expert-parallel rows (DEPn) and pipeline
//    parallelism (PP > 1). gpt-oss-120b's H200 TP1 rows (FP8 in the table: MXFP4 experts,
//    bf16 KV) are replayed here too, as a set of their own: the Hopper set does not read
//    that file.
//    Formats: Llama-3.3-70B and Qwen3-30B-A3B ran ModelOpt NVFP4 checkpoints
//    (nvidia/Llama-3.3-70B-Instruct-FP4, nvidia/Qwen3-30B-A3B-FP4): nvfp4 weights, KV cache FP8
//    (Llama's hf_quant_config.json: kv_cache_quant_algo FP8; Qwen's is not restated in the
//    file: FP8 assumed, ModelOpt's FP4 recipe default). gpt-oss-20b/120b ran their MXFP4
//    experts with 16-bit attention and "kv_cache_config.dtype fp8" (the files' headers): the
//    presets price the experts at MXFP4's bytes; their expert GEMMs share the 16-bit rate with
//    attention's projections (llmsim prices one GEMM rate per model: hw/compute_dtypes.h).
// 2. The vLLM FP8 KV-cache post (data/reference/2026/vllm-blog-fp8kv_...csv): its B200 rows for
//    Llama-3.1-8B, single-request ITL = slope x input length + intercept, vLLM 0.19.1 with
//    FlashInfer, fitted by the authors over 256..125k input tokens at concurrency 1 with 128
//    output tokens. Replayed like the H100 rows (app/serving_set_vllm_fp8kv.cpp, whose H100
//    fits CALIBRATED the vllm-v1 host time) on b200 with the vllm-v1 preset; here validation only.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "app/serving_sets.h"
#include "app/trtllm_bench_replay.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

/// One model's perf-overview table, the GPUs and precision of the rows a set takes, and
/// the formats those rows ran in.
struct BlackwellTable {
  const char* file;
  const char* title;
  const char* preset;
  core::DType weights;
  core::DType kv_cache;
  bool hopper = false;  ///< take the H100/H200 FP8 rows instead of the Blackwell FP4 ones
};

/// The hardware preset of a perf-overview GPU column, or empty for a GPU the set does not take.
std::string table_preset(const std::string& gpu, bool hopper) {
  if (hopper) return gpu == "H100" ? "h100-sxm" : gpu == "H200" ? "h200" : "";
  if (gpu == "B200") return "b200";
  if (gpu == "GB200") return "gb200";
  if (gpu == "RTX6000ProBlackwellServer") return "rtx-pro-6000";
  return "";
}

/// The tensor-parallel size of a plain "TPn" or "TPn,PP1" cell, or 0 for anything else (DEPn,
/// PP > 1).
int plain_tensor_parallel(const std::string& parallelism) {
  if (parallelism.rfind("TP", 0) != 0) return 0;
  const std::size_t comma = parallelism.find(',');
  if (comma != std::string::npos && parallelism.substr(comma) != ",PP1") return 0;
  const std::string digits = parallelism.substr(2, comma == std::string::npos ? std::string::npos : comma - 2);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoi(digits);
}

void blackwell_table(const std::string& dir, const BlackwellTable& m, std::vector<SetResult>& sets) {
  const std::string path = dir + "/" + m.file;
  const hw::CsvTable table(path);
  SetResult set{m.title, false, {}};
  std::vector<std::string> not_expressible;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string& gpu = table.text(r, "gpu");
    const std::string preset = table_preset(gpu, m.hopper);
    if (preset.empty() || table.text(r, "precision") != (m.hopper ? "FP8" : "FP4")) continue;
    const std::string& parallelism = table.text(r, "parallelism");
    const int tensor_parallel = plain_tensor_parallel(parallelism);
    if (tensor_parallel == 0 || tensor_parallel != table.integer(r, "num_gpus")) {
      not_expressible.push_back(fmt::format("line {} {} {}", table.line(r), gpu, parallelism));
      continue;
    }
    sim::PoolSpec pool;
    pool.model = loader::load_model(m.preset);
    pool.hardware = loader::load_hardware(preset);
    pool.precision.weights = m.weights;
    pool.precision.kv_cache = m.kv_cache;
    pool.tensor_parallel = tensor_parallel;
    const std::int64_t isl = table.integer(r, "isl");
    const std::int64_t osl = table.integer(r, "osl");
    set.metrics.push_back({fmt::format("line {} {} TP{} {}/{} out tok/s/gpu", table.line(r), gpu, tensor_parallel, isl, osl),
                           table.number(r, "output_tok_per_s_per_gpu"), trtllm_bench_output_per_gpu(pool, isl, osl)});
  }
  sets.push_back(set);
  fmt::print("{}: {} {} rows not expressible yet (attention-DP/expert parallelism, pipeline parallelism): {}\n",
             std::filesystem::path(path).filename().string(), not_expressible.size(),
             m.hopper ? "Hopper FP8" : "Blackwell FP4", fmt::join(not_expressible, "; "));
}

/// Least-squares line through (x, y): {slope, intercept}.
std::pair<double, double> least_squares_line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {slope, (sy - slope * sx) / n};
}

core::DType fp8kv_variant(const hw::CsvTable& table, std::size_t row) {
  const std::string& variant = table.text(row, "kv_variant");
  if (variant == "BF16") return core::DType::bf16;
  if (variant == "FP8") return core::DType::fp8;
  throw core::InputError(table.path(), table.line(row), "kv_variant", "expected BF16 or FP8, got \"" + variant + "\"");
}

/// One B200 single-request row: llmsim's ITL over the published sweep, fitted like the post.
void b200_itl_fit(const hw::CsvTable& table, std::size_t row, SetResult& set) {
  sim::PoolSpec pool;
  pool.model = loader::load_model("llama-3.1-8b");
  pool.hardware = loader::load_hardware("b200");
  pool.precision.weights = core::DType::bf16;
  pool.precision.kv_cache = fp8kv_variant(table, row);
  pool.engine = loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  // The published sweep spans 256..125k input tokens; these points cover it (as the H100 set).
  const std::vector<double> lengths = {256, 2048, 8192, 32768, 65536, 125000};
  std::vector<double> itl_ms;
  for (const double length : lengths) {
    workloads::WorkloadSpec workload;
    workload.kind = workloads::WorkloadKind::synthetic;
    workload.num_requests = 2;
    workload.arrival.process = workloads::ArrivalProcess::closed_loop;
    workload.arrival.clients = 1;
    workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{length}};
    workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{128}};
    itl_ms.push_back(run_serving_scenario(pool, workload).at("median_itl_ms").get<double>());
  }
  const auto [slope, intercept] = least_squares_line(lengths, itl_ms);
  const std::string label = fmt::format("line {} B200 {} ITL fit", table.line(row), table.text(row, "kv_variant"));
  set.metrics.push_back({label + " slope ms/token", table.number(row, "itl_slope_ms_per_token"), slope});
  set.metrics.push_back({label + " intercept ms", table.number(row, "itl_intercept_ms"), intercept});
}

}  // namespace

void trtllm_blackwell_sets(const std::string& dir, std::vector<SetResult>& sets) {
  static constexpr BlackwellTable kTables[] = {
      {"trtllm-perfoverview-1.2_llama-3.3-70b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Llama-3.3-70B NVFP4, Blackwell TP: offline, all at t=0", "llama-3.1-70b",
       core::DType::nvfp4, core::DType::fp8},
      {"trtllm-perfoverview-1.2_qwen3-30b-a3b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Qwen3-30B-A3B NVFP4, Blackwell TP: offline, all at t=0", "qwen3-30b-a3b",
       core::DType::nvfp4, core::DType::fp8},
      {"trtllm-perfoverview-1.2_gpt-oss-20b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-20b MXFP4 experts, Blackwell TP: offline, all at t=0", "gpt-oss-20b",
       core::DType::bf16, core::DType::fp8},
      {"trtllm-perfoverview-1.2_gpt-oss-120b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-120b MXFP4 experts, Blackwell TP: offline, all at t=0", "gpt-oss-120b",
       core::DType::bf16, core::DType::fp8},
      // The file's Hopper rows, which the Hopper set does not read: H200 TP1 (its H100 rows
      // are DEP4), KV cache "auto" = bf16 on Hopper (the file's header).
      {"trtllm-perfoverview-1.2_gpt-oss-120b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-120b MXFP4 experts, H200 TP1: offline, all at t=0", "gpt-oss-120b",
       core::DType::bf16, core::DType::bf16, true}};
  for (const BlackwellTable& table : kTables) blackwell_table(dir, table, sets);
}

void vllm_fp8kv_b200_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/vllm-blog-fp8kv_llama-3.1-8b-gpt-oss-20b_h100-b200.csv");
  SetResult fits{"vLLM 0.19.1 FP8-KV post: single-request ITL fits, Llama-3.1-8B, B200 (FlashInfer)", false, {}};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "gpu") == "B200" && table.text(r, "model") == "Llama-3.1-8B" &&
        table.text(r, "table") == "single_request_fit") {
      b200_itl_fit(table, r, fits);
    }
  }
  sets.push_back(fits);
}

}  // namespace llmsim::app
