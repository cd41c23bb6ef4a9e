#include "app/trtllm_bench_replay.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "hw/csv_table.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

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

}  // namespace

std::int64_t trtllm_bench_requests(std::int64_t isl, std::int64_t osl) {
  if (isl == 8192 || osl == 8192) return 1500;
  if (isl == 32768 || osl == 32768) return 1000;
  return 3000;
}

double trtllm_bench_output_per_gpu(sim::PoolSpec pool, std::int64_t isl, std::int64_t osl) {
  pool.engine = loader::load_engine("trtllm").defaults_for(pool.hardware, pool.model);
  pool.model.max_position_embeddings = std::max<std::int64_t>(pool.model.max_position_embeddings, isl + osl);
  if (isl >= pool.engine.max_num_batched_tokens) pool.engine.chunked_prefill = true;
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = trtllm_bench_requests(isl, osl);
  workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(isl)}};
  workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(osl)}};
  const nlohmann::json summary = run_serving_scenario(pool, workload);
  return summary.at("output_throughput").get<double>() / pool.tensor_parallel;
}


void replay_perf_overview_table(const std::string& dir, const PerfOverviewTable& m, std::vector<SetResult>& sets) {
  const std::string path = dir + "/" + m.file;
  const hw::CsvTable table(path);
  SetResult set{.name = m.title};
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
  // DEP and PP are expressible since issue 24, but these rows are not replayed here: the H100
  // DEP4 rows of gpt-oss-120b are (app/serving_set_parallel.cpp), the others not yet.
  fmt::print("{}: {} {} rows left out of this tensor-parallel replay (attention-DP/expert or pipeline parallelism; "
             "gpt-oss-120b's H100 DEP4 rows are replayed in the parallel sets, the others not yet): {}\n",
             std::filesystem::path(path).filename().string(), not_expressible.size(),
             m.hopper ? "Hopper FP8" : "Blackwell FP4", fmt::join(not_expressible, "; "));
}

}  // namespace llmsim::app
