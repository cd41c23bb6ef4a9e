// Serving sets for pipeline, attention-data and expert parallelism (issue 24), from three
// sources in data/reference/2026:
//
// 1. TensorRT-LLM perf overview, gpt-oss-120b on H100 DEP4 (trtllm-perfoverview-1.2_
//    gpt-oss-120b_multi-gpu.csv): trtllm-bench offline throughput, every request at t = 0
//    with exactly ISL/OSL tokens (request counts as the Llama set uses); enable_attention_dp
//    on 4 GPUs with the experts sharded over the 4 (DEP4); MXFP4 experts, bf16 attention and
//    KV ("auto" on Hopper, the file's header); no EPLB (TensorRT-LLM's default). The trtllm
//    preset's limits are taken per DP rank. The B200 DEP2 rows need an FP4 path: not
//    expressible. VALIDATION only.
// 2. The GPUStack TP vs PP and TP vs TP+EP rows are replayed with the other GPUStack rows
//    (app/serving_set_gpustack.cpp), with their throughput ratios.
// 3. Order-of-magnitude checks (the issue's +-25%) of PD-disaggregated DeepSeek-V3
//    deployments, replayed as ONE phase at a fixed batch (the other side is taken as
//    unlimited, as the measurements did): one iteration priced by the step-time model, not a
//    simulation.
//    - LMSYS 96 x H100 (lmsys-large-scale-ep_deepseek-v3_h100x96.csv): decode on EP72 (DP72
//      attention, 256 sequences per GPU at 2,000 tokens of KV) and prefill on EP32 (16,384
//      tokens per GPU of 4,096-token prompts), per-node throughput = 8 GPUs x tokens per GPU
//      / step time. SGLang with EPLB ran 256 + 32 redundant experts (288 slots, 4 per GPU
//      at EP72): the preset is replayed with 288 experts, with two-batch overlap (the
//      file's header: SGLang ran TBO) and DeepEP's FP8 dispatch (fp8 weights). CALIBRATION:
//      the prefill rows are the points the balancers' slot load spread is derived from
//      (hw/expert_balance.h), so the set is left out of the validation total. The TBO
//      ablation's ratios (TBO on over off at 256 and 32 tokens per device in decode, at
//      8,192 tokens per device in prefill) are replayed with SGLang's schedule
//      (hw/overlap_schedule.h) against the same step without overlap; nothing is fitted to them.
//    - vLLM wide-EP on H200 (vllm-blog-wideep_deepseek-r1-v3_h200-gb200-gb300.csv), decode
//      at EP32, EP72 and EP96 with 256 concurrent requests per EP rank, ISL 2,000 and OSL
//      2,000: KV of 3,000 tokens per sequence (the mean over a request's decode), EPLB with
//      288 expert slots where 256 does not divide (vLLM's --num-redundant-experts 32: an
//      ASSUMPTION, the post does not state it); figures read off a chart (+-30 tok/s).
//      With dual-batch overlap (the file's header: --enable-dbo), priced with vLLM's DBO
//      schedule (hw/overlap_schedule.h). VALIDATION only.
//    - LMSYS GB200 NVL72 part 2 (lmsys-gb200-gb300_deepseek-r1-v3_gb200-gb300-nvl72.csv): the
//      "low precision" decode row, 48 decode ranks on one NVLink domain, ISL 2,000, FP8
//      attention (Precision::attention: FP8 attention kernels) and KV with NVFP4 MoE: the
//      routed experts at NVFP4's bytes, computed W4A4
//      (hw/compute_dtypes.h), the rest FP8 (the post's NVFP4 output projection and, likely,
//      shared experts are priced FP8: a little slow); the decode batch the file's header
//      gives for 2k ISL, 1,408 per rank ("chosen to fill KV cache"), at 2,000 tokens of KV as
//      the H100 replay; 288 expert slots (EPLB, as the H100 post; 256 does not divide 48) and
//      no two-batch overlap (part 1: "two-batch overlap to be disabled" on GB200; the same for
//      part 2 is an ASSUMPTION). The other rows are not replayed: part 1 and the "high
//      precision" row state no decode batch (BF16 KV cannot hold 1,408 x 2,000 tokens per
//      GPU), the prefill rows offload weights to Grace memory, and the GB300 rows need
//      chunked pipeline-parallel prefill at 128K. VALIDATION only.
#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <regex>
#include <utility>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "core/input_error.h"
#include "hw/batch_shape.h"
#include "hw/csv_table.h"
#include "hw/expert_balance.h"
#include "hw/overlap_schedule.h"
#include "hw/step_time_model.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

workloads::WorkloadSpec all_at_once(std::int64_t requests, double input_tokens, double output_tokens) {
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = requests;
  workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{input_tokens}};
  workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{std::max(1.0, output_tokens)}};
  return workload;
}

/// Sets the pool's layout and scales its engine limits to DP ranks (as the loader does).
void set_layout(sim::PoolSpec& pool, int tp, int dp, int ep, int pp, hw::ExpertBalancer balancer) {
  pool.tensor_parallel = tp;
  pool.attention_data_parallel = dp;
  pool.expert_parallel = ep;
  pool.pipeline_parallel = pp;
  pool.expert_balancer = balancer;
  pool.engine.max_num_seqs *= dp;
  pool.engine.max_num_batched_tokens *= dp;
}

// --- 1. TensorRT-LLM gpt-oss-120b DEP4 on H100

std::int64_t trtllm_bench_requests(std::int64_t isl, std::int64_t osl) {
  if (isl == 8192 || osl == 8192) return 1500;
  if (isl == 32768 || osl == 32768) return 1000;
  return 3000;
}

void trtllm_gpt_oss_dep(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/trtllm-perfoverview-1.2_gpt-oss-120b_multi-gpu.csv");
  SetResult set{.name = "TensorRT-LLM perf overview, gpt-oss-120b MXFP4, H100 DEP4: offline, all at t=0"};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "gpu") != "H100" || table.text(r, "parallelism") != "DEP4") continue;
    sim::PoolSpec pool;
    pool.model = loader::load_model("gpt-oss-120b");
    pool.hardware = loader::load_hardware("h100-sxm");
    pool.precision.weights = core::DType::bf16;
    pool.precision.kv_cache = core::DType::bf16;
    pool.engine = loader::load_engine("trtllm").defaults_for(pool.hardware, pool.model);
    const std::int64_t isl = table.integer(r, "isl");
    const std::int64_t osl = table.integer(r, "osl");
    pool.model.max_position_embeddings = std::max<std::int64_t>(pool.model.max_position_embeddings, isl + osl);
    if (isl >= pool.engine.max_num_batched_tokens) pool.engine.chunked_prefill = true;  // as the Llama set
    set_layout(pool, 1, 4, 4, 1, hw::ExpertBalancer::none);
    const nlohmann::json s =
        run_serving_scenario(pool, all_at_once(trtllm_bench_requests(isl, osl), static_cast<double>(isl), static_cast<double>(osl)));
    set.metrics.push_back({fmt::format("line {} H100 DEP4 {}/{} out tok/s/gpu", table.line(r), isl, osl),
                           table.number(r, "output_tok_per_s_per_gpu"), s.at("output_throughput").get<double>() / 4.0});
  }
  sets.push_back(set);
}

// --- 3. One phase at a fixed batch (PD-disaggregated deployments)

/// DeepSeek-V3 with `slots` expert slots (EPLB's redundant experts are real weights).
core::ModelSpec deepseek_with_slots(std::int64_t slots) {
  core::ModelSpec model = loader::load_model("deepseek-v3");
  model.num_experts = slots;
  return model;
}

/// One iteration of a DeepSeek DEP deployment as both sources ran it: fp8 weights, EPLB,
/// and the engine's two-batch overlap (`overlap`; std::nullopt: the batch runs whole).
double step_s(const core::ModelSpec& model, const std::string& hardware, core::DType kv, int dep, const hw::BatchShape& batch,
              std::optional<hw::OverlapSchedule> overlap, std::optional<core::DType> attention = std::nullopt) {
  const hw::StepTimeModel step(model, loader::load_hardware(hardware),
                               hw::Precision{.weights = core::DType::fp8,
                                             .kv_cache = kv,
                                             .activations = core::DType::bf16,
                                             .attention = attention},
                               hw::Parallelism{.tensor_parallel = 1,
                                               .attention_data_parallel = dep,
                                               .expert_parallel = dep,
                                               .expert_balancer = hw::ExpertBalancer::eplb,
                                               .two_batch_overlap = overlap.has_value(),
                                               .overlap_schedule = overlap.value_or(hw::OverlapSchedule::sglang_tbo)});
  return step.price(batch).time_s;
}

/// SGLang's TBO, as the LMSYS deployment ran it (the file's header).
constexpr std::optional<hw::OverlapSchedule> kSglangTbo = hw::OverlapSchedule::sglang_tbo;

/// The TBO ablation's decode points in a note: "+25.5% at 256 tokens/device; ... -27% at 32
/// tokens/device" as (tokens per device, TBO-on over TBO-off throughput).
std::vector<std::pair<std::int64_t, double>> tbo_decode_points(const hw::CsvTable& table, std::size_t row) {
  static const std::regex kPoint(R"(([+-][0-9]+(?:\.[0-9]+)?)% at ([0-9]+) tokens/device)");
  const std::string& note = table.text(row, "note");
  std::vector<std::pair<std::int64_t, double>> points;
  for (auto it = std::sregex_iterator(note.begin(), note.end(), kPoint); it != std::sregex_iterator(); ++it) {
    points.emplace_back(std::stoll((*it)[2].str()), 1.0 + std::stod((*it)[1].str()) / 100.0);
  }
  if (points.empty()) {
    throw core::InputError(fmt::format("{}: note: expected \"+P% at N tokens/device\", got \"{}\"", table.line(row), note));
  }
  return points;
}

/// The TBO ablation's prefill point: "TBO +27% to +35% at equal tokens/device" at the
/// smaller of "8192 vs 16384 tok/device" (vanilla runs out of memory at the larger): the
/// range's midpoint as TBO-on over TBO-off throughput, and the tokens per device.
std::pair<std::int64_t, double> tbo_prefill_point(const hw::CsvTable& table, std::size_t row) {
  static const std::regex kRange(R"(TBO \+([0-9.]+)% to \+([0-9.]+)% at equal tokens/device)");
  static const std::regex kTokens(R"(^([0-9]+) vs [0-9]+ tok/device$)");
  const std::string& note = table.text(row, "note");
  const std::string& tokens = table.text(row, "batch_or_tokens_per_device");
  std::smatch range;
  std::smatch equal;
  if (!std::regex_search(note, range, kRange) || !std::regex_match(tokens, equal, kTokens)) {
    throw core::InputError(fmt::format("{}: expected \"TBO +A% to +B% at equal tokens/device\" and \"N vs M tok/device\"",
                                       table.line(row)));
  }
  const double mid = (std::stod(range[1].str()) + std::stod(range[2].str())) / 2.0;
  return {std::stoll(equal[1].str()), 1.0 + mid / 100.0};
}

void lmsys_large_scale_ep(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/lmsys-large-scale-ep_deepseek-v3_h100x96.csv");
  SetResult set{.name = "LMSYS DeepSeek-V3 96xH100 PD+EP, one phase at a fixed batch (order of magnitude, +-25%)", .calibration = true};
  const core::ModelSpec model = deepseek_with_slots(288);
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string& phase = table.text(r, "phase");
    const std::string& config = table.text(r, "config");
    if (phase == "decode" && config == "SGLang PD+EP") {
      const int gpus = static_cast<int>(table.integer(r, "gpus"));
      const std::int64_t per_gpu = table.integer(r, "batch_or_tokens_per_device");
      const double t = step_s(model, "h100-sxm", core::DType::bf16, gpus,
                              hw::uniform_decodes(per_gpu * gpus, table.number(r, "kv_cache_len")), kSglangTbo);
      set.metrics.push_back({fmt::format("line {} decode EP{} {} seqs/GPU out tok/s/node", table.line(r), gpus, per_gpu),
                             table.number(r, "throughput_tok_s_per_node"), 8.0 * static_cast<double>(per_gpu) / t});
    }
    if (phase == "prefill" && config == "SGLang PD+EP (default EPLB)" && table.integer(r, "input_len") == 4000) {
      const int gpus = static_cast<int>(table.integer(r, "gpus"));
      constexpr std::int64_t kTokensPerGpu = 16384;  // the profile table's point (the file's header)
      const std::int64_t prompt = 4096;               // that point's input length
      const double t = step_s(model, "h100-sxm", core::DType::bf16, gpus,
                              hw::whole_prompts(kTokensPerGpu / prompt * gpus, prompt), kSglangTbo);
      set.metrics.push_back({fmt::format("line {} prefill EP{} {} tokens/GPU in tok/s/node", table.line(r), gpus, kTokensPerGpu),
                             table.number(r, "throughput_tok_s_per_node"), 8.0 * static_cast<double>(kTokensPerGpu) / t});
    }
    // The TBO ablation (the blog's "Ablation Study: Two-batch Overlap"): throughput with TBO
    // over without, at the same tokens per device, both priced here. The context of the
    // decode points and the prompts of the prefill point are not stated: the decode
    // measurement's 2,000 tokens of KV (the row's input_len) and the profile point's
    // 4,096-token prompts (ASSUMPTIONS). The simulated-MTP row (dummy kernels that slow the
    // attention to DeepSeek's profile) is not expressible and is left out.
    if (phase == "decode_tbo_ablation" && config == "TBO on, 256 tokens/device") {
      const int gpus = static_cast<int>(table.integer(r, "gpus"));
      const double context = table.number(r, "input_len");
      for (const auto& [per_gpu, measured] : tbo_decode_points(table, r)) {
        const hw::BatchShape batch = hw::uniform_decodes(per_gpu * gpus, context);
        const double off = step_s(model, "h100-sxm", core::DType::bf16, gpus, batch, std::nullopt);
        const double on = step_s(model, "h100-sxm", core::DType::bf16, gpus, batch, kSglangTbo);
        set.metrics.push_back(
            {fmt::format("line {} decode EP{} {} tokens/GPU TBO on/off throughput", table.line(r), gpus, per_gpu), measured,
             off / on});
      }
    }
    if (phase == "prefill_tbo_ablation") {
      constexpr int kGpus = 32;          // the prefill measurement's EP32 (its rows above)
      constexpr std::int64_t kPrompt = 4096;
      const auto [per_gpu, measured] = tbo_prefill_point(table, r);
      const hw::BatchShape batch = hw::whole_prompts(per_gpu / kPrompt * kGpus, kPrompt);
      const double off = step_s(model, "h100-sxm", core::DType::bf16, kGpus, batch, std::nullopt);
      const double on = step_s(model, "h100-sxm", core::DType::bf16, kGpus, batch, kSglangTbo);
      set.metrics.push_back({fmt::format("line {} prefill EP{} {} tokens/GPU TBO on/off throughput (+27..35%: midpoint)",
                                         table.line(r), kGpus, per_gpu),
                             measured, off / on});
    }
  }
  sets.push_back(set);
}

void vllm_wide_ep(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/vllm-blog-wideep_deepseek-r1-v3_h200-gb200-gb300.csv");
  SetResult set{.name = "vLLM wide-EP DeepSeek H200 decode, one phase at a fixed batch (order of magnitude, +-25%)"};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "post") != "2025-12-17" || table.text(r, "phase") != "decode") continue;
    const std::string& layout = table.text(r, "layout");  // "EPn, 256 concurrent req per EP rank"
    const int ep = std::stoi(layout.substr(2, layout.find(',') - 2));
    const core::ModelSpec model = deepseek_with_slots(256 % ep == 0 ? 256 : 288);
    constexpr std::int64_t kPerRank = 256;
    const double context = static_cast<double>(table.integer(r, "isl")) + static_cast<double>(table.integer(r, "osl")) / 2.0;
    // KV cache in bf16 (vLLM's "auto" for DeepSeek's checkpoint; the post does not state it).
    const double t = step_s(model, "h200", core::DType::bf16, ep, hw::uniform_decodes(kPerRank * ep, context),
                            hw::OverlapSchedule::vllm_dbo);
    set.metrics.push_back({fmt::format("line {} decode EP{} out tok/s/GPU", table.line(r), ep), table.number(r, "value"),
                           static_cast<double>(kPerRank) / t});
  }
  sets.push_back(set);
}

void lmsys_gb200_decode(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/lmsys-gb200-gb300_deepseek-r1-v3_gb200-gb300-nvl72.csv");
  SetResult set{.name = "LMSYS DeepSeek GB200 NVL72 PD+EP, low-precision decode at a fixed batch (order of magnitude, +-25%)"};
  static const std::regex kRanks(R"(low precision .*, ISL ([0-9]+), ([0-9]+) decode ranks)");
  for (std::size_t r = 0; r < table.rows(); ++r) {
    std::smatch match;
    const std::string& config = table.text(r, "config");
    if (table.text(r, "post") != "gb200-part-2" || table.text(r, "metric") != "decode throughput per GPU" ||
        !std::regex_match(config, match, kRanks)) {
      continue;
    }
    const double context = std::stod(match[1].str());
    const int ranks = std::stoi(match[2].str());
    constexpr std::int64_t kBatchPerRank = 1408;  // the file's header: "1408 for 2k ISL"
    core::ModelSpec model = deepseek_with_slots(288);
    model.expert_bytes_per_weight = core::bytes_per_element(core::DType::nvfp4);
    const double t = step_s(model, "gb200", core::DType::fp8, ranks, hw::uniform_decodes(kBatchPerRank * ranks, context),
                            std::nullopt, core::DType::fp8);
    set.metrics.push_back({fmt::format("line {} decode DEP{} {} seqs/GPU out tok/s/GPU", table.line(r), ranks,
                                       kBatchPerRank),
                           table.number(r, "value"), static_cast<double>(kBatchPerRank) / t});
  }
  sets.push_back(set);
}

}  // namespace

void parallel_sets(const std::string& dir, std::vector<SetResult>& sets) {
  trtllm_gpt_oss_dep(dir, sets);
  lmsys_large_scale_ep(dir, sets);
  vllm_wide_ep(dir, sets);
  lmsys_gb200_decode(dir, sets);
}

}  // namespace llmsim::app
