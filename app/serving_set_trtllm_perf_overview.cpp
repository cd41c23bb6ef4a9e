// TensorRT-LLM perf overview, Llama-3.3-70B (data/reference/2026/trtllm-perfoverview-1.2_...csv):
// trtllm-bench offline throughput, every request queued at t = 0 with exactly ISL input and
// OSL output tokens (3000 requests at 1000-1024 ISL/OSL, 1500 at 8192/1024 and 1024/8192,
// 1000 at 32768/1024, as the file's header gives them). The H100 and H200 rows (TP2, FP8
// weights; FP8 KV assumed, which the file does not restate) are replayed with the trtllm
// engine preset; trtllm-bench's own max batch size and token budget are not published, so
// the preset's defaults stand in (app/trtllm_bench_replay.h). The B200/GB200 FP4 rows are the
// Blackwell set's (app/serving_set_trtllm_blackwell.cpp); the RTX rows with pipeline
// parallelism are listed as not expressible. VALIDATION only.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "app/trtllm_bench_replay.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

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
    const std::int64_t isl = table.integer(r, "isl");
    const std::int64_t osl = table.integer(r, "osl");
    set.metrics.push_back({fmt::format("line {} {} TP{} {}/{} out tok/s/gpu", table.line(r), gpu, pool.tensor_parallel, isl, osl),
                           table.number(r, "output_tok_per_s_per_gpu"), trtllm_bench_output_per_gpu(pool, isl, osl)});
  }
  sets.push_back(set);
  fmt::print("{}: {} rows left to the Blackwell set or not expressible yet (FP4 rows: app/serving_set_trtllm_blackwell.cpp; "
             "pipeline parallelism): {}\n",
             std::filesystem::path(path).filename().string(), not_expressible.size(), fmt::join(not_expressible, "; "));
}

}  // namespace

void trtllm_perf_overview_sets(const std::string& dir, std::vector<SetResult>& sets) {
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
}

}  // namespace llmsim::app
