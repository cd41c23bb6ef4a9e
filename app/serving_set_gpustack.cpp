// GPUStack Performance Lab sets (data/reference/2026/gpustack-perflab_*.csv): Qwen3-14B and
// Qwen3-32B on one H100 or A100 under vLLM 0.11.0, SGLang 0.5.5.post1 and TensorRT-LLM
// 1.2.0rc; gpt-oss-20b on one H100 or A100, gpt-oss-120b on one or two GPUs (a row without
// -tp runs on one GPU of its machine) and Qwen3-235B-A22B at TP8 or TP4 (the row's -tp) under
// vLLM 0.11.0. Each file's header gives the exact serve commands. Every row is a
// `vllm bench serve` run without --ignore-eos; llmsim replays each with its engine preset
// (vLLM 0.11 predates async scheduling by default: vllm-v1-sync; --async-scheduling:
// vllm-v1), the row's parallelism (-tp / --tp-size, -pp, --enable-expert-parallel: experts
// over the TP ranks) and token budget (--max-num-batched-tokens, TensorRT-LLM's
// --max_num_tokens; a case_variant that names one overrides the command, which the pages
// repeat from the previous row), weights as the checkpoint name says (-FP8: fp8, -AWQ: int4
// weight-only; gpt-oss keeps its checkpoint's MXFP4 experts, the model preset). Two sets per
// file:
//  - random datasets ("Other Benchmark Cases", random N input): fixed input length, every
//    prompt sent at t = 0 (no --max-concurrency); the row's mean input and output lengths
//    (total tokens / requests) as fixed lengths.
//  - ShareGPT (sections 1-5: every prompt at t = 0; "ShareGPT batch size 4":
//    --max-concurrency 4, a closed loop of 4 clients): the lengths of each request follow
//    LLMServingSim's 300-request ShareGPT sample scaled to the row's mean input and output
//    lengths (app/listed_requests.h: an APPROXIMATION, the run's own draw is not published).
//    Rows whose serve command names another model than the page's (a copy slip on the page)
//    are not replayed and say so.
// Metrics of each row: output throughput, mean TTFT and mean TPOT. VALIDATION only: nothing
// was fitted to them.
#include <fmt/format.h>

#include <regex>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "app/listed_requests.h"
#include "app/serving_sets.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "hw/expert_balance.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

struct ServedModel {
  std::string preset;
  core::DType weights = core::DType::bf16;
};

/// The model of a serve command: Qwen/Qwen3-14B(-FP8|-AWQ), Qwen/Qwen3-32B(-FP8|-AWQ),
/// openai/gpt-oss-20b or openai/gpt-oss-120b, Qwen/Qwen3-235B-A22B-Instruct-2507(-FP8).
/// AWQ checkpoints are 4-bit weight-only (W4A16).
ServedModel served_model(const hw::CsvTable& table, std::size_t row) {
  static const std::regex qwen(R"(Qwen/Qwen3-(14B|32B)(-FP8|-AWQ)?\b)");
  static const std::regex gpt_oss(R"(openai/gpt-oss-(20b|120b)\b)");
  static const std::regex qwen_moe(R"(Qwen/Qwen3-235B-A22B-Instruct-2507(-FP8)?\b)");
  std::smatch match;
  const std::string& command = table.text(row, "serve_cmd");
  if (std::regex_search(command, match, qwen)) {
    const core::DType weights = match[2] == "-FP8" ? core::DType::fp8 : match[2] == "-AWQ" ? core::DType::int4 : core::DType::bf16;
    return {match[1] == "14B" ? "qwen3-14b" : "qwen3-32b", weights};
  }
  if (std::regex_search(command, match, gpt_oss)) return {"gpt-oss-" + match[1].str(), core::DType::bf16};
  if (std::regex_search(command, match, qwen_moe)) {
    return {"qwen3-235b-a22b", match[1].matched ? core::DType::fp8 : core::DType::bf16};
  }
  throw core::InputError(table.path(), table.line(row), "serve_cmd",
                         "no Qwen3-14B, Qwen3-32B, Qwen3-235B-A22B or gpt-oss model in \"" + command + "\"");
}

/// The value of `FLAG N` or `FLAG=N` in `text` (FLAG a whole word: "-tp" does not match
/// inside another flag), or 0 when it is absent.
std::int64_t flag_value(const std::string& text, const std::string& flag) {
  const std::regex pattern(R"((?:^|\s))" + flag + R"([ =](\d+))");
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return 0;
  return std::stoll(match[1].str());
}

/// A flag's value from the row's case_variant when it names the flag, else from the serve command.
std::int64_t row_flag(const hw::CsvTable& table, std::size_t row, const std::string& flag) {
  if (const std::int64_t value = flag_value(table.text(row, "case_variant"), flag); value > 0) return value;
  return flag_value(table.text(row, "serve_cmd"), flag);
}

/// The engine preset of a serve command, with the flags the rows use applied.
sim::EngineConfig served_engine(const hw::CsvTable& table, std::size_t row, const sim::PoolSpec& pool) {
  const std::string& command = table.text(row, "serve_cmd");
  std::string id;
  if (command.find("vllm serve") != std::string::npos) {
    id = command.find("--async-scheduling") != std::string::npos ? "vllm-v1" : "vllm-v1-sync";
  }
  if (command.find("sglang.launch_server") != std::string::npos) id = "sglang";
  if (command.find("trtllm-serve") != std::string::npos) id = "trtllm";
  if (id.empty()) throw core::InputError(table.path(), table.line(row), "serve_cmd", "unknown engine in \"" + command + "\"");
  sim::EngineConfig engine = loader::load_engine(id).defaults_for(pool.hardware, pool.model);
  if (command.find("--enable_chunked_prefill") != std::string::npos) engine.chunked_prefill = true;
  for (const char* flag : {"--max-num-batched-tokens", "--max_num_tokens"}) {
    if (const std::int64_t tokens = row_flag(table, row, flag); tokens > 0) engine.max_num_batched_tokens = tokens;
  }
  return engine;
}

/// The deployment of a row: model, weights, parallelism and engine as its serve command says.
sim::PoolSpec served_pool(const hw::CsvTable& table, std::size_t row, const ServedModel& served, const std::string& hardware) {
  const std::string& command = table.text(row, "serve_cmd");
  sim::PoolSpec pool;
  pool.model = loader::load_model(served.preset);
  pool.hardware = loader::load_hardware(hardware);
  pool.precision.weights = served.weights;
  pool.precision.kv_cache = core::DType::bf16;  // no row sets a KV dtype: the engines' auto = bf16
  pool.tensor_parallel = static_cast<int>(std::max({std::int64_t{1}, flag_value(command, "-tp"), flag_value(command, "--tp-size")}));
  pool.pipeline_parallel = static_cast<int>(std::max<std::int64_t>(1, flag_value(command, "-pp")));
  // vLLM's --enable-expert-parallel shards the experts over TP x DP ranks (DP = 1 here).
  // No EPLB (vLLM 0.11's --enable-eplb is not in any command).
  if (command.find("--enable-expert-parallel") != std::string::npos) {
    pool.expert_parallel = pool.tensor_parallel;
    pool.expert_balancer = hw::ExpertBalancer::none;
  }
  pool.engine = served_engine(table, row, pool);
  return pool;
}

std::string row_label(const hw::CsvTable& table, std::size_t row, const sim::PoolSpec& pool, const ServedModel& served,
                      const std::string& variant) {
  std::string layout;
  if (pool.tensor_parallel > 1) layout += fmt::format(" TP{}", pool.tensor_parallel);
  if (pool.expert_parallel > 1) layout += "+EP";
  if (pool.pipeline_parallel > 1) layout += fmt::format(" PP{}", pool.pipeline_parallel);
  const char* suffix = served.weights == core::DType::fp8 ? "-fp8" : served.weights == core::DType::int4 ? "-awq" : "";
  return fmt::format("line {} {}{} {}{}{}", table.line(row), pool.engine.id, layout, served.preset, suffix,
                     variant.empty() ? "" : " " + variant);
}

void push_metrics(const hw::CsvTable& table, std::size_t row, const std::string& label, const nlohmann::json& s,
                  SetResult& set) {
  set.metrics.push_back({label + " out tok/s", table.number(row, "output_token_throughput_tok_per_s"),
                         s.at("output_throughput").get<double>()});
  set.metrics.push_back({label + " mean TTFT ms", table.number(row, "mean_ttft_ms"), s.at("mean_ttft_ms").get<double>()});
  set.metrics.push_back({label + " mean TPOT ms", table.number(row, "mean_tpot_ms"), s.at("mean_tpot_ms").get<double>()});
}

void gpustack_random_row(const hw::CsvTable& table, std::size_t row, const std::string& hardware, SetResult& set) {
  const ServedModel served = served_model(table, row);
  const sim::PoolSpec pool = served_pool(table, row, served, hardware);
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
  push_metrics(table, row, row_label(table, row, pool, served, table.text(row, "case_variant").substr(std::string("random ").size())),
               s, set);
}

/// The model preset a page is about: the file name's second field (gpustack-perflab_<model>_<gpus>.csv).
std::string page_model(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  const std::size_t first = name.find('_');
  const std::size_t second = name.find('_', first + 1);
  return name.substr(first + 1, second - first - 1);
}

bool is_sharegpt_row(const hw::CsvTable& table, std::size_t row) {
  return table.text(row, "section") != "Other Benchmark Cases" || table.text(row, "case_variant").rfind("ShareGPT", 0) == 0;
}

void gpustack_sharegpt_row(const hw::CsvTable& table, std::size_t row, const ServedModel& served,
                           const std::string& hardware, const std::vector<workloads::RequestSpec>& sample,
                           SetResult& set) {
  const sim::PoolSpec pool = served_pool(table, row, served, hardware);
  const double requests = table.number(row, "successful_requests");
  const std::int64_t clients = table.text(row, "maximum_request_concurrency").empty()
                                   ? 0
                                   : table.integer(row, "maximum_request_concurrency");
  sim::Scenario scenario;
  scenario.seed = 1;
  scenario.pools.push_back(pool);
  const nlohmann::json s = run_listed(
      scenario,
      sharegpt_like(sample, static_cast<std::int64_t>(requests), table.number(row, "total_input_tokens") / requests,
                    table.number(row, "total_generated_tokens") / requests),
      clients);
  std::string variant = table.text(row, "label");
  if (!table.text(row, "case_variant").empty()) variant += (variant.empty() ? "" : " ") + table.text(row, "case_variant");
  if (clients == 0) variant += (variant.empty() ? "" : " ") + std::string("burst");
  push_metrics(table, row, row_label(table, row, pool, served, variant), s, set);
}

/// Two ShareGPT rows of one page whose output throughputs are compared as a ratio (second
/// over first): the parallel layouts issue 24 names (TP vs PP, TP vs TP+EP).
struct LayoutRatio {
  const char* file;
  const char* section;
  const char* first;   ///< the first row's `label`
  const char* second;  ///< the second row's `label`
};

constexpr LayoutRatio kLayoutRatios[] = {
    {"gpustack-perflab_gpt-oss-120b_h100x2.csv", "3. Parallelism in vLLM", "TP2", "PP2"},
    {"gpustack-perflab_qwen3-235b-a22b_h100x8.csv", "3. Parallelism in vLLM", "TP4", "TP4+EP"},
    {"gpustack-perflab_qwen3-235b-a22b_a100x8.csv", "3. Parallelism in vLLM", "TP4", "TP4 EP4"},
};

/// The output-throughput metric of the row (section, label) among a set's metrics.
const MetricResult& throughput_of(const hw::CsvTable& table, const SetResult& set, const std::string& section,
                                  const std::string& label) {
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "section") != section || table.text(r, "label") != label) continue;
    const std::string prefix = fmt::format("line {} ", table.line(r));
    for (const MetricResult& m : set.metrics) {
      if (m.label.rfind(prefix, 0) == 0 && m.label.ends_with(" out tok/s")) return m;
    }
  }
  throw core::InputError(table.path(), 0, "", fmt::format("no replayed row \"{}\" in section \"{}\"", label, section));
}

void add_layout_ratios(const std::string& file, const hw::CsvTable& table, SetResult& set) {
  for (const LayoutRatio& ratio : kLayoutRatios) {
    if (file != ratio.file) continue;
    const MetricResult& a = throughput_of(table, set, ratio.section, ratio.first);
    const MetricResult& b = throughput_of(table, set, ratio.section, ratio.second);
    set.metrics.push_back({fmt::format("{} / {} output throughput", ratio.second, ratio.first), b.measured / a.measured,
                           b.predicted / a.predicted});
  }
}

void gpustack_set(const std::string& dir, const std::string& file, const std::string& hardware,
                  const std::vector<workloads::RequestSpec>& sharegpt, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/" + file);
  SetResult random{.name = "GPUStack " + file + ": random datasets, all at t=0"};
  SetResult share{.name = "GPUStack " + file + ": ShareGPT (LLMServingSim's sample scaled to each row's means)"};
  const std::string model = page_model(file);
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "section") == "Other Benchmark Cases" && table.text(r, "case_variant").rfind("random ", 0) == 0) {
      gpustack_random_row(table, r, hardware, random);
    } else if (is_sharegpt_row(table, r)) {
      const ServedModel served = served_model(table, r);
      if (served.preset != model) {
        share.skipped.push_back(fmt::format("line {}: the serve command names another model than the page's {}",
                                            table.line(r), model));
        continue;
      }
      gpustack_sharegpt_row(table, r, served, hardware, sharegpt, share);
    }
  }
  add_layout_ratios(file, table, share);
  sets.push_back(random);
  sets.push_back(share);
}

}  // namespace

void gpustack_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const std::vector<workloads::RequestSpec> sharegpt =
      llama_sharegpt_trace(dir + "/llmservingsim2-fig5_sharegpt-req300-rate10_trace.csv");
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
    gpustack_set(dir, file, hardware, sharegpt, sets);
  }
}

}  // namespace llmsim::app
