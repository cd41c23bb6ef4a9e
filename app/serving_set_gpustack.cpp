// GPUStack Performance Lab sets (data/reference/2026/gpustack-perflab_*.csv): Qwen3-14B and
// Qwen3-32B on one H100 or A100 under vLLM 0.11.0, SGLang 0.5.5.post1 and TensorRT-LLM
// 1.2.0rc; gpt-oss-20b on one H100 or A100, gpt-oss-120b on one or two GPUs (a row without
// -tp runs on one GPU of its machine) and Qwen3-235B-A22B at TP8 or TP4 (the row's -tp) under
// vLLM 0.11.0. Each file's header gives the exact
// serve commands. The rows of "Other Benchmark Cases" are `vllm bench serve` random datasets:
// fixed input length, every prompt sent at t = 0 (no --max-concurrency), without
// --ignore-eos. llmsim replays each with its engine preset (vLLM 0.11 predates async
// scheduling by default: vllm-v1-sync; --async-scheduling: vllm-v1) and the row's
// --max-num-batched-tokens, the mean input and output lengths of the row (total tokens /
// requests) as fixed lengths, and all requests at once. gpt-oss keeps its checkpoint's MXFP4
// experts (the model preset; bf16 elsewhere). VALIDATION only: nothing was fitted to them.
// The ShareGPT rows (sections 1-5, and "ShareGPT batch size 4") are left out: the dataset's
// length distribution is not in the file.
#include <fmt/format.h>

#include <regex>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

struct ServedModel {
  std::string preset;
  core::DType weights = core::DType::bf16;
};

/// The model of a serve command: Qwen/Qwen3-14B(-FP8), Qwen/Qwen3-32B(-FP8),
/// openai/gpt-oss-20b or openai/gpt-oss-120b.
ServedModel served_model(const hw::CsvTable& table, std::size_t row) {
  static const std::regex qwen(R"(Qwen/Qwen3-(14B|32B)(-FP8)?\b)");
  static const std::regex gpt_oss(R"(openai/gpt-oss-(20b|120b)\b)");
  static const std::regex qwen_moe(R"(Qwen/Qwen3-235B-A22B-Instruct-2507(-FP8)?\b)");
  std::smatch match;
  const std::string& command = table.text(row, "serve_cmd");
  if (std::regex_search(command, match, qwen)) {
    return {match[1] == "14B" ? "qwen3-14b" : "qwen3-32b", match[2].matched ? core::DType::fp8 : core::DType::bf16};
  }
  if (std::regex_search(command, match, gpt_oss)) return {"gpt-oss-" + match[1].str(), core::DType::bf16};
  if (std::regex_search(command, match, qwen_moe)) {
    return {"qwen3-235b-a22b", match[1].matched ? core::DType::fp8 : core::DType::bf16};
  }
  throw core::InputError(table.path(), table.line(row), "serve_cmd",
                         "no Qwen3-14B, Qwen3-32B, Qwen3-235B-A22B or gpt-oss model in \"" + command + "\"");
}

/// The value of `FLAG N` or `FLAG=N` in a serve command (FLAG a whole word: "-tp" does not
/// match inside another flag), or 0 when it is absent.
std::int64_t flag_value(const hw::CsvTable& table, std::size_t row, const std::string& flag) {
  const std::string& command = table.text(row, "serve_cmd");
  const std::regex pattern(R"((?:^|\s))" + flag + R"([ =](\d+))");
  std::smatch match;
  if (!std::regex_search(command, match, pattern)) return 0;
  return std::stoll(match[1].str());
}

/// The engine preset of a serve command, with the flags the rows use applied.
sim::EngineConfig served_engine(const hw::CsvTable& table, std::size_t row, const sim::PoolSpec& pool) {
  const std::string& command = table.text(row, "serve_cmd");
  std::string id;
  if (command.rfind("vllm serve", 0) == 0) {
    id = command.find("--async-scheduling") != std::string::npos ? "vllm-v1" : "vllm-v1-sync";
  }
  if (command.find("sglang.launch_server") != std::string::npos) id = "sglang";
  if (command.rfind("trtllm-serve", 0) == 0) id = "trtllm";
  if (id.empty()) throw core::InputError(table.path(), table.line(row), "serve_cmd", "unknown engine in \"" + command + "\"");
  sim::EngineConfig engine = loader::load_engine(id).defaults_for(pool.hardware, pool.model);
  if (command.find("--enable_chunked_prefill") != std::string::npos) engine.chunked_prefill = true;
  if (const std::int64_t tokens = flag_value(table, row, "--max-num-batched-tokens"); tokens > 0) {
    engine.max_num_batched_tokens = tokens;
  }
  return engine;
}

void gpustack_random_row(const hw::CsvTable& table, std::size_t row, const std::string& hardware, SetResult& set) {
  const ServedModel served = served_model(table, row);
  sim::PoolSpec pool;
  pool.model = loader::load_model(served.preset);
  pool.hardware = loader::load_hardware(hardware);
  pool.precision.weights = served.weights;
  pool.tensor_parallel = static_cast<int>(std::max<std::int64_t>(1, flag_value(table, row, "-tp")));
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
  const nlohmann::json s = run_serving_scenario(pool, workload);
  const std::string label = fmt::format("line {} {}{} {} {}", table.line(row), pool.engine.id,
                                        pool.tensor_parallel > 1 ? fmt::format(" TP{}", pool.tensor_parallel) : "",
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

}  // namespace

void gpustack_sets(const std::string& dir, std::vector<SetResult>& sets) {
  for (const auto& [file, hardware] : {std::pair{"gpustack-perflab_qwen3-14b_h100x1.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-32b_h100x1.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-14b_a100x1.csv", "a100-sxm-80gb"},
                                       std::pair{"gpustack-perflab_qwen3-32b_a100x1.csv", "a100-sxm-80gb"},
                                       std::pair{"gpustack-perflab_gpt-oss-20b_h100x1.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_gpt-oss-20b_a100x1.csv", "a100-sxm-80gb"},
                                       std::pair{"gpustack-perflab_gpt-oss-120b_a100x2.csv", "a100-sxm-80gb"},
                                       std::pair{"gpustack-perflab_gpt-oss-120b_h100x2.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-235b-a22b_h100x8.csv", "h100-sxm"},
                                       std::pair{"gpustack-perflab_qwen3-235b-a22b_a100x8.csv", "a100-sxm-80gb"}}) {
    gpustack_set(dir + "/" + file, hardware, sets);
  }
}

}  // namespace llmsim::app
