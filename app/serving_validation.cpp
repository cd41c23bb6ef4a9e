// The vLLM FP8 KV-cache post's set (data/reference/2026/vllm-blog-fp8kv_...csv, its header
// gives source and setup): vLLM 0.19.1 on one H100 with Llama-3.1-8B.
//  - single_request_fit rows: ITL = slope x input length + intercept, fitted by the authors
//    over input lengths 256..125k at concurrency 1 with 128 output tokens. llmsim runs the
//    same sweep and fits the same line by least squares. CALIBRATION: the intercept is what
//    configs/engines/vllm-v1.yaml cites for its host time being hidden.
//  - load_c8_20k_in_2k_out rows: 150 requests, at most 8 in flight (closed loop, no think
//    time), ~20k input and ~2k output tokens (+-15%, uniform assumed, as the file says).
//    VALIDATION only: nothing was fitted to them.
//
// GPUStack Performance Lab sets (data/reference/2026/gpustack-perflab_qwen3-*_{h100,a100}x1.csv):
// Qwen3-14B and Qwen3-32B on one H100 or A100 under vLLM 0.11.0, SGLang 0.5.5.post1 and
// TensorRT-LLM 1.2.0rc, each file's header giving the exact serve commands. The rows of
// "Other Benchmark Cases" are `vllm bench serve` random datasets: fixed input length, every
// prompt sent at t = 0 (no --max-concurrency), without --ignore-eos. llmsim replays each
// with its engine preset (vLLM 0.11 predates async scheduling by default: vllm-v1-sync),
// the mean input and output lengths of the row (total tokens / requests) as fixed lengths,
// and all requests at once. VALIDATION only: nothing was fitted to them. The ShareGPT rows
// (sections 1-3) are left out: the dataset's length distribution is not in the file.
//
// TensorRT-LLM perf overview, Llama-3.3-70B (data/reference/2026/trtllm-perfoverview-1.2_...csv):
// trtllm-bench offline throughput, every request queued at t = 0 with exactly ISL input and
// OSL output tokens (3000 requests at 1000-1024 ISL/OSL, 1500 at 8192/1024 and 1024/8192,
// 1000 at 32768/1024, as the file's header gives them). The H100 and H200 rows (TP2, FP8
// weights; FP8 KV assumed, which the file does not restate) are replayed with the trtllm
// engine preset; trtllm-bench's own max batch size and token budget are not published, so
// the preset's defaults stand in. The B200/GB200 rows need FP4 and the RTX rows pipeline
// parallelism: listed as not expressible. VALIDATION only.
#include "app/serving_validation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "hw/csv_table.h"
#include "hw/fit_residuals.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "loader/preset_paths.h"
#include "sim/cluster/simulator.h"
#include "sim/scenario.h"

namespace llmsim::app {
namespace {

struct MetricResult {
  std::string label;    ///< row and metric
  double measured = 0.0;
  double predicted = 0.0;
  double error() const { return predicted / measured - 1.0; }
};

struct SetResult {
  std::string name;
  bool calibration = false;
  std::vector<MetricResult> metrics;
};

/// One pool: Llama-3.1-8B on one H100 under the vllm-v1 engine preset, KV in `kv`.
sim::PoolSpec llama_h100_pool(core::DType kv) {
  sim::PoolSpec pool;
  pool.model = loader::load_model("llama-3.1-8b");
  pool.hardware = loader::load_hardware("h100-sxm");
  pool.precision.weights = core::DType::bf16;
  pool.precision.kv_cache = kv;
  pool.engine = loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  return pool;
}

nlohmann::json run(const sim::PoolSpec& pool, const workloads::WorkloadSpec& workload) {
  sim::Scenario scenario;
  scenario.seed = 1;
  scenario.pools.push_back(pool);
  scenario.workload = workload;
  sim::Simulator simulator(scenario);
  return simulator.run().summary;
}

core::DType kv_of(const hw::CsvTable& table, std::size_t row) {
  const std::string& variant = table.text(row, "kv_variant");
  if (variant == "BF16") return core::DType::bf16;
  if (variant == "FP8") return core::DType::fp8;
  throw core::InputError(table.path(), table.line(row), "kv_variant", "expected BF16 or FP8, got \"" + variant + "\"");
}

/// Least-squares line through (x, y): {slope, intercept}.
std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
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

void single_request_fit(const hw::CsvTable& table, std::size_t row, SetResult& set) {
  const sim::PoolSpec pool = llama_h100_pool(kv_of(table, row));
  // The published sweep spans 256..125k input tokens; these points cover it.
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
    itl_ms.push_back(run(pool, workload).at("median_itl_ms").get<double>());
  }
  const auto [slope, intercept] = fit_line(lengths, itl_ms);
  const std::string label = fmt::format("line {} {} ITL fit", table.line(row), table.text(row, "kv_variant"));
  set.metrics.push_back({label + " slope ms/token", table.number(row, "itl_slope_ms_per_token"), slope});
  set.metrics.push_back({label + " intercept ms", table.number(row, "itl_intercept_ms"), intercept});
}

void load_c8(const hw::CsvTable& table, std::size_t row, SetResult& set) {
  const sim::PoolSpec pool = llama_h100_pool(kv_of(table, row));
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = 150;
  workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  workload.arrival.clients = 8;
  workload.input_tokens = workloads::LengthDistribution{workloads::UniformLength{17000, 23000}};
  workload.output_tokens = workloads::LengthDistribution{workloads::UniformLength{1700, 2300}};
  const nlohmann::json s = run(pool, workload);
  const std::string label = fmt::format("line {} {} c8 20k/2k", table.line(row), table.text(row, "kv_variant"));
  set.metrics.push_back({label + " median TTFT ms", table.number(row, "median_ttft_ms"), s.at("median_ttft_ms").get<double>()});
  set.metrics.push_back({label + " median ITL ms", table.number(row, "median_itl_ms"), s.at("median_itl_ms").get<double>()});
  set.metrics.push_back({label + " duration s", table.number(row, "total_duration_s"), s.at("duration").get<double>()});
  set.metrics.push_back({label + " output tok/s", table.number(row, "output_tok_s"), s.at("output_throughput").get<double>()});
}

struct ServedModel {
  std::string preset;
  core::DType weights = core::DType::bf16;
};

/// The model of a serve command: Qwen/Qwen3-14B(-FP8) or Qwen/Qwen3-32B(-FP8).
ServedModel served_model(const hw::CsvTable& table, std::size_t row) {
  static const std::regex pattern(R"(Qwen/Qwen3-(14B|32B)(-FP8)?\b)");
  std::smatch match;
  const std::string& command = table.text(row, "serve_cmd");
  if (!std::regex_search(command, match, pattern)) {
    throw core::InputError(table.path(), table.line(row), "serve_cmd", "no Qwen3-14B or Qwen3-32B model in \"" + command + "\"");
  }
  return {match[1] == "14B" ? "qwen3-14b" : "qwen3-32b", match[2].matched ? core::DType::fp8 : core::DType::bf16};
}

/// The engine preset of a serve command, with the flags the rows use applied.
sim::EngineConfig served_engine(const hw::CsvTable& table, std::size_t row, const sim::PoolSpec& pool) {
  const std::string& command = table.text(row, "serve_cmd");
  std::string id;
  if (command.rfind("vllm serve", 0) == 0) id = "vllm-v1-sync";
  if (command.find("sglang.launch_server") != std::string::npos) id = "sglang";
  if (command.rfind("trtllm-serve", 0) == 0) id = "trtllm";
  if (id.empty()) throw core::InputError(table.path(), table.line(row), "serve_cmd", "unknown engine in \"" + command + "\"");
  sim::EngineConfig engine = loader::load_engine(id).defaults_for(pool.hardware, pool.model);
  if (command.find("--enable_chunked_prefill") != std::string::npos) engine.chunked_prefill = true;
  return engine;
}

void gpustack_random_row(const hw::CsvTable& table, std::size_t row, const std::string& hardware, SetResult& set) {
  const ServedModel served = served_model(table, row);
  sim::PoolSpec pool;
  pool.model = loader::load_model(served.preset);
  pool.hardware = loader::load_hardware(hardware);
  pool.precision.weights = served.weights;
  pool.precision.kv_cache = core::DType::bf16;  // no row sets a KV dtype: the engines' auto = bf16
  pool.engine = served_engine(table, row, pool);
  const double requests = table.number(row, "successful_requests");
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = static_cast<std::int64_t>(requests);
  workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  workload.input_tokens = workloads::LengthDistribution{
      workloads::FixedLength{std::round(table.number(row, "total_input_tokens") / requests)}};
  workload.output_tokens = workloads::LengthDistribution{
      workloads::FixedLength{std::max(1.0, std::round(table.number(row, "total_generated_tokens") / requests))}};
  const nlohmann::json s = run(pool, workload);
  const std::string label = fmt::format("line {} {} {} {}", table.line(row), pool.engine.id,
                                        served.preset + (served.weights == core::DType::fp8 ? "-fp8" : ""),
                                        table.text(row, "case_variant").substr(std::string("random ").size()));
  set.metrics.push_back({label + " out tok/s", table.number(row, "output_token_throughput_tok_per_s"),
                         s.at("output_throughput").get<double>()});
  set.metrics.push_back({label + " mean TTFT ms", table.number(row, "mean_ttft_ms"), s.at("mean_ttft_ms").get<double>()});
  set.metrics.push_back({label + " mean TPOT ms", table.number(row, "mean_tpot_ms"), s.at("mean_tpot_ms").get<double>()});
}

void gpustack_set(const std::string& path, const std::string& hardware, std::vector<SetResult>& sets) {
  const hw::CsvTable table(path);
  SetResult set{"GPUStack " + std::filesystem::path(path).filename().string() + ": random datasets, all at t=0", false, {}};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "section") != "Other Benchmark Cases") continue;
    if (table.text(r, "case_variant").rfind("random ", 0) != 0) continue;
    gpustack_random_row(table, r, hardware, set);
  }
  sets.push_back(set);
}

std::int64_t trtllm_bench_requests(std::int64_t isl, std::int64_t osl) {
  if (isl == 8192 || osl == 8192) return 1500;
  if (isl == 32768 || osl == 32768) return 1000;
  return 3000;  // 1024/1024 as published; 1000/1000 assumed the same (the file says so)
}

/// One model's perf-overview table: the model preset its rows are priced with, and the
/// weight and KV formats its Hopper rows ran in.
struct PerfOverviewModel {
  const char* file;
  const char* title;
  const char* preset;
  core::DType weights;
  core::DType kv_cache;
};

void trtllm_perf_overview(const std::string& dir, const PerfOverviewModel& m, std::vector<SetResult>& sets) {
  const std::string path = dir + "/" + m.file;
  const hw::CsvTable table(path);
  SetResult set{m.title, false, {}};
  std::vector<std::string> not_expressible;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string& gpu = table.text(r, "gpu");
    const std::string& parallelism = table.text(r, "parallelism");
    if ((gpu != "H100" && gpu != "H200") || table.text(r, "precision") == "FP4" || parallelism.rfind("TP", 0) != 0 ||
        parallelism.find(',') != std::string::npos) {
      not_expressible.push_back(fmt::format("line {} {} {} {}", table.line(r), gpu, parallelism, table.text(r, "precision")));
      continue;
    }
    sim::PoolSpec pool;
    pool.model = loader::load_model(m.preset);
    pool.hardware = loader::load_hardware(gpu == "H100" ? "h100-sxm" : "h200");
    pool.precision.weights = m.weights;
    pool.precision.kv_cache = m.kv_cache;
    pool.tensor_parallel = static_cast<int>(table.integer(r, "num_gpus"));
    pool.engine = loader::load_engine("trtllm").defaults_for(pool.hardware, pool.model);
    const std::int64_t isl = table.integer(r, "isl");
    const std::int64_t osl = table.integer(r, "osl");
    pool.model.max_position_embeddings = std::max<std::int64_t>(pool.model.max_position_embeddings, isl + osl);
    // A whole prompt as long as max_num_tokens fits no iteration that also has a generation
    // token: trtllm-bench sizes its budget or chunks for such inputs (its heuristic is not
    // published); llmsim chunks them (INFERRED).
    if (isl >= pool.engine.max_num_batched_tokens) pool.engine.chunked_prefill = true;
    workloads::WorkloadSpec workload;
    workload.kind = workloads::WorkloadKind::synthetic;
    workload.num_requests = trtllm_bench_requests(isl, osl);
    workload.arrival.process = workloads::ArrivalProcess::all_at_once;
    workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(isl)}};
    workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(osl)}};
    const nlohmann::json s = run(pool, workload);
    set.metrics.push_back({fmt::format("line {} {} TP{} {}/{} out tok/s/gpu", table.line(r), gpu, pool.tensor_parallel, isl, osl),
                           table.number(r, "output_tok_per_s_per_gpu"),
                           s.at("output_throughput").get<double>() / pool.tensor_parallel});
  }
  sets.push_back(set);
  fmt::print("{}: {} rows not expressible yet (FP4, pipeline parallelism): {}\n", std::filesystem::path(path).filename().string(),
             not_expressible.size(), fmt::join(not_expressible, "; "));
}

/// The set's median |error| and worst error (hw::summarize_errors, as calibration reports).
hw::ResidualSummary summarize(const std::string& name, const std::vector<MetricResult>& metrics) {
  std::vector<double> errors;
  std::vector<std::string> labels;
  for (const MetricResult& m : metrics) {
    errors.push_back(m.error());
    labels.push_back(m.label);
  }
  return hw::summarize_errors(name, errors, labels);
}

void print_set(const SetResult& set) {
  fmt::print("{} ({})\n", set.name, set.calibration ? "CALIBRATION: used to set an engine value" : "validation only");
  for (const MetricResult& m : set.metrics) {
    fmt::print("  {:<44} measured {:>11.4g}  predicted {:>11.4g}  {:>+7.1f}%\n", m.label, m.measured,
               m.predicted, 100.0 * m.error());
  }
  const hw::ResidualSummary summary = summarize(set.name, set.metrics);
  if (summary.count > 0) {
    fmt::print("  median |error| {:.1f}%  worst {:+.1f}% ({})\n\n", 100.0 * summary.median_abs_error,
               100.0 * summary.worst_error, summary.worst_where);
  }
}

}  // namespace

void run_serving_validation(const std::string& dir) {
  const std::string path = dir + "/vllm-blog-fp8kv_llama-3.1-8b-gpt-oss-20b_h100-b200.csv";
  const hw::CsvTable table(path);
  SetResult fits{"vLLM 0.19.1 FP8-KV post: single-request ITL fits, Llama-3.1-8B, H100", true, {}};
  SetResult load{"vLLM 0.19.1 FP8-KV post: concurrency 8, 20k/2k, Llama-3.1-8B, H100", false, {}};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    // Only what llmsim can express today: Llama-3.1-8B on H100 (gpt-oss and gemma-4 need
    // architectures of issue 23; B200 rows ran FlashInfer, not priced separately here).
    if (table.text(r, "gpu") != "H100" || table.text(r, "model") != "Llama-3.1-8B" ||
        table.text(r, "vllm_version") != "0.19.1") {
      continue;
    }
    if (table.text(r, "table") == "single_request_fit") single_request_fit(table, r, fits);
    if (table.text(r, "table") == "load_c8_20k_in_2k_out") load_c8(table, r, load);
  }
  std::vector<SetResult> sets = {fits, load};
  for (const auto& [file, hardware] : {std::pair{"gpustack-perflab_qwen3-14b_h100x1.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-32b_h100x1.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-14b_a100x1.csv", "a100-sxm-80gb"},
                                       std::pair{"gpustack-perflab_qwen3-32b_a100x1.csv", "a100-sxm-80gb"}}) {
    gpustack_set(dir + "/" + file, hardware, sets);
  }
  // Llama-3.3-70B has Llama-3.1-70B's shape. gpt-oss-20b's Hopper rows (labelled FP8 in the
  // table) ran its MXFP4 experts with bf16 attention and the KV cache in "auto" = bf16 on
  // Hopper (the file's header); the preset prices the experts at MXFP4's bytes (W4A16).
  static constexpr PerfOverviewModel kPerfOverview[] = {
      {"trtllm-perfoverview-1.2_llama-3.3-70b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Llama-3.3-70B FP8, H100/H200 TP2: offline, all at t=0", "llama-3.1-70b",
       core::DType::fp8, core::DType::fp8},
      {"trtllm-perfoverview-1.2_gpt-oss-20b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-20b MXFP4, H100/H200 TP1: offline, all at t=0", "gpt-oss-20b",
       core::DType::bf16, core::DType::bf16}};
  for (const PerfOverviewModel& model : kPerfOverview) trtllm_perf_overview(dir, model, sets);
  fmt::print("\nServing sets ({}): each replayed through the simulator with its engine preset\n\n", dir);
  std::vector<MetricResult> validation;
  for (const SetResult& set : sets) {
    print_set(set);
    if (!set.calibration) validation.insert(validation.end(), set.metrics.begin(), set.metrics.end());
  }
  fmt::print("validation sets together: {} metrics, median |error| {:.1f}%\n", validation.size(),
             100.0 * summarize("validation sets", validation).median_abs_error);
}

}  // namespace llmsim::app
