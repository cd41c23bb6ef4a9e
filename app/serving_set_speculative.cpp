// Speculative-decoding sets (issue 25). In both, the published ACCEPTANCE LENGTH (tokens a
// verify step emits, bonus included) is an INPUT: it is turned into one acceptance
// probability p per draft position with 1 + p + p^2 + ... + p^K = the published length
// (sim::acceptance_for_length). What is PREDICTED and compared is speed: tokens per second.
//
// vLLM P-EAGLE post (data/reference/2026/vllm-blog-peagle_gpt-oss-20b_b200x1.csv; its header
// gives source and setup): gpt-oss-20b on one B200 under vLLM with --kv-cache-dtype fp8,
// --max-num-seqs 1024, --max-num-batched-tokens 100000, no prefix caching, no chunked
// prefill, async scheduling (the vllm-v1 preset). Drafters: the EAGLE-3 head
// (configs/models/gpt-oss-20b-eagle3-head.yaml, one pass per draft) and P-EAGLE
// (gpt-oss-20b-p-eagle-head.yaml, parallel_drafting: one pass for all drafts), each with
// K = 3 and K = 7, the two K whose acceptance lengths the post prints per benchmark (its K = 5
// runs are not replayed: no acceptance length for them). Closed loop at concurrency C, output
// 2048 tokens (--hf-output-len / --custom-output-len 2048; every request assumed to reach it),
// temperature 0. Prompts: MT-Bench 80, HumanEval 164 (the datasets' sizes); SPEED-Bench's
// count is not published, 80 assumed. Prompt lengths are not published: 128 tokens assumed
// (with 2048 output tokens they weigh little).
//  - tps_ratio rows: output tok/s of the best K of P-EAGLE over the best K of EAGLE-3, as the
//    post picks them ("best = K with max TPS").
//  - output_tps rows (MT-Bench only, read off a figure, about +-5%): no speculation, best
//    EAGLE-3, best P-EAGLE.
// VALIDATION only: nothing was fitted to these rows.
//
// TensorRT-LLM tech blog 1 (trtllm-techblog1_deepseek-r1-mtp-min-latency_b200x8.csv):
// DeepSeek-R1 (DeepSeek-V3's shape: configs/models/deepseek-v3.yaml) at batch 1 on 8 B200,
// TensorRT-LLM (the trtllm preset, max_batch_size 1), ISL 1K / OSL 2K, 10 requests, MTP depth
// 0..5 ("MTP Eagle": the one MTP module run autoregressively, one pass per draft). The blog's
// acceptance length per depth is the INPUT (one p per position, as above); tok/s/user is
// PREDICTED, as 1000 / mean TPOT (ms): the decode speed a user sees, TTFT left out.
// Precision of nvidia/DeepSeek-R1-FP4 (the CSV header): NVFP4 MoE and dense FFN, attention
// BF16, the MTP layer BF16, no KV quantisation named (bf16 KV assumed). llmsim has one weight
// format per deployment plus a per-weight byte count for the routed experts
// (ModelSpec::expert_bytes_per_weight, gpt-oss's MXFP4 experts), so the smallest honest form
// is: weights bf16 with the routed experts at NVFP4's 0.5625 bytes per weight (computed
// W4A4 at the fp4 peak, hw/compute_dtypes.h; at batch 1 they are memory-bound either way),
// and the MTP head priced as a draft model of its
// own shape (draft_head_shape: the target's last layer, MoE) kept in bf16. What this gets
// wrong, knowingly: the shared expert and the 3 dense FFNs (about 3.8e9 parameters) are
// priced in bf16 instead of NVFP4 (too slow, about 0.7 GB more per GPU per step).
// Parallelism: the blog measured this table at "EP4TP2" (attention TP8, MoE TP2 x EP4),
// which llmsim cannot express (expert parallelism spans all of a stage's GPUs); TP8 for
// every layer is used (each GPU reads 1/8 of every active expert, the even split).
// Two sets, VALIDATION only: tok/s/user per depth (6 rows), and the speedup of depth k over
// depth 0 (5 rows), which leaves out the level of the batch-1 step (b200 carries the h100-sxm
// calibration, INFERRED: it has no measurements of its own).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "sim/engine/speculative.h"

namespace llmsim::app {
namespace {

/// sim::acceptance_for_length of a row's published length; throws InputError (at the row)
/// when no p gives it (a length outside [1, k + 1]).
double acceptance_for_row(double length, std::int64_t k, const hw::CsvTable& table, std::size_t row) {
  if (!(length >= 1.0 && length <= static_cast<double>(k + 1))) {
    throw core::InputError(table.path(), table.line(row), "value",
                           fmt::format("an acceptance length of {} is not reachable with K = {}", length, k));
  }
  return sim::acceptance_for_length(length, k);
}

/// One drafter of the post: its head preset, whether it drafts in parallel, and its name in
/// the CSV's config column ("P-EAGLE K=7").
struct Drafter {
  const char* label;
  const char* head_preset;
  bool parallel;
};
constexpr Drafter kEagle3{"EAGLE-3", "gpt-oss-20b-eagle3-head", false};
constexpr Drafter kPEagle{"P-EAGLE", "gpt-oss-20b-p-eagle-head", true};
constexpr std::int64_t kDraftCounts[] = {3, 7};

sim::PoolSpec gpt_oss_b200_pool() {
  sim::PoolSpec pool;
  pool.model = loader::load_model("gpt-oss-20b");
  pool.hardware = loader::load_hardware("b200");
  // The preset prices the MXFP4 experts at their bytes; attention and the rest run bf16.
  pool.precision.weights = core::DType::bf16;
  pool.precision.kv_cache = core::DType::fp8;  // --kv-cache-dtype fp8
  pool.engine = loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  pool.engine.max_num_seqs = 1024;
  pool.engine.max_num_batched_tokens = 100000;
  pool.engine.prefix_caching = false;
  pool.engine.chunked_prefill = false;
  return pool;
}

/// Output tok/s (whole GPU) of `benchmark` at concurrency `clients`, with `speculative` (off
/// when num_speculative_tokens is 0).
double output_tps(const std::string& benchmark, std::int64_t clients, const sim::SpeculativeConfig& speculative) {
  sim::PoolSpec pool = gpt_oss_b200_pool();
  pool.engine.speculative = speculative;
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = benchmark == "HumanEval" ? 164 : 80;
  workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  workload.arrival.clients = clients;
  workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{128}};
  workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{2048}};
  return run_serving_scenario(pool, workload).at("output_throughput").get<double>();
}

/// Per benchmark and drafter config ("P-EAGLE K=7"), the published acceptance length's row.
using AcceptanceRows = std::map<std::pair<std::string, std::string>, std::size_t>;

/// The best output tok/s over K in kDraftCounts of `drafter` on `benchmark` at `clients`.
double best_tps(const hw::CsvTable& table, const AcceptanceRows& lengths, const std::string& benchmark,
                std::int64_t clients, const Drafter& drafter) {
  double best = 0.0;
  for (const std::int64_t k : kDraftCounts) {
    const std::string config = fmt::format("{} K={}", drafter.label, k);
    const auto found = lengths.find({benchmark, config});
    if (found == lengths.end()) {
      throw core::InputError(table.path(), 0, "acceptance_length",
                             fmt::format("no acceptance length for {} {}", benchmark, config));
    }
    const std::size_t row = found->second;
    sim::SpeculativeConfig speculative;
    speculative.method = sim::SpeculativeMethod::eagle3;
    speculative.num_speculative_tokens = k;
    speculative.acceptance.assign(static_cast<std::size_t>(k),
                                  acceptance_for_row(table.number(row, "value"), k, table, row));
    speculative.draft_model = loader::load_model(drafter.head_preset);
    speculative.parallel_drafting = drafter.parallel;
    best = std::max(best, output_tps(benchmark, clients, speculative));
  }
  return best;
}

void peagle_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/vllm-blog-peagle_gpt-oss-20b_b200x1.csv");
  AcceptanceRows lengths;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "table") == "acceptance_length") lengths[{table.text(r, "benchmark"), table.text(r, "config")}] = r;
  }
  SetResult ratios{.name = "vLLM P-EAGLE post: best P-EAGLE / best EAGLE-3 output tok/s, gpt-oss-20b, B200, c=1..64 "
                   "(acceptance length given)"};
  SetResult absolute{.name = "vLLM P-EAGLE post: MT-Bench output tok/s read off its figure, gpt-oss-20b, B200, c=1..64 "
                     "(acceptance length given)"};
  // Each (benchmark, concurrency) is simulated once per drafter and shared by its rows.
  std::map<std::pair<std::string, std::int64_t>, std::pair<double, double>> best;  // {EAGLE-3, P-EAGLE}
  const auto best_pair = [&](const std::string& benchmark, std::int64_t clients) {
    const auto key = std::make_pair(benchmark, clients);
    if (!best.contains(key)) {
      best[key] = {best_tps(table, lengths, benchmark, clients, kEagle3),
                   best_tps(table, lengths, benchmark, clients, kPEagle)};
    }
    return best[key];
  };
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string& kind = table.text(r, "table");
    if (kind != "tps_ratio_best_PEAGLE_over_best_EAGLE3" && kind != "output_tps") continue;
    const std::string& benchmark = table.text(r, "benchmark");
    const std::int64_t clients = table.integer(r, "concurrency");
    const std::string label = fmt::format("line {} {} c={}", table.line(r), benchmark, clients);
    if (kind == "tps_ratio_best_PEAGLE_over_best_EAGLE3") {
      const auto [eagle3, peagle] = best_pair(benchmark, clients);
      ratios.metrics.push_back({label + " P-EAGLE/EAGLE-3", table.number(r, "value"), peagle / eagle3});
      continue;
    }
    const std::string& config = table.text(r, "config");
    double predicted = 0.0;
    if (config == "baseline (no speculation)") {
      predicted = output_tps(benchmark, clients, sim::SpeculativeConfig{});
    } else if (config == "best EAGLE-3") {
      predicted = best_pair(benchmark, clients).first;
    } else if (config == "best P-EAGLE") {
      predicted = best_pair(benchmark, clients).second;
    } else {
      throw core::InputError(table.path(), table.line(r), "config", "unknown output_tps config \"" + config + "\"");
    }
    absolute.metrics.push_back({fmt::format("{} {} tok/s", label, config), table.number(r, "value"), predicted});
  }
  sets.push_back(ratios);
  sets.push_back(absolute);
}

/// DeepSeek-R1-FP4 on 8 B200 under TensorRT-LLM at batch 1 (the file comment says what is
/// approximated), with MTP depth `depth` (0 = off) drafting at `acceptance` per position.
sim::PoolSpec deepseek_r1_fp4_b200_pool(std::int64_t depth, double acceptance) {
  sim::PoolSpec pool;
  pool.model = loader::load_model("deepseek-v3");
  pool.model.expert_bytes_per_weight = core::bytes_per_element(core::DType::nvfp4);  // NVFP4 routed experts
  pool.hardware = loader::load_hardware("b200");
  pool.tensor_parallel = 8;
  pool.precision.weights = core::DType::bf16;  // attention (and, approximated, the dense FFNs)
  pool.precision.kv_cache = core::DType::bf16;
  pool.engine = loader::load_engine("trtllm").defaults_for(pool.hardware, pool.model);
  pool.engine.max_num_seqs = 1;  // max_batch_size 1
  if (depth == 0) return pool;
  sim::SpeculativeConfig& speculative = pool.engine.speculative;
  speculative.method = sim::SpeculativeMethod::mtp;
  speculative.num_speculative_tokens = depth;
  speculative.acceptance.assign(static_cast<std::size_t>(depth), acceptance);
  speculative.draft_layers = 1;  // DeepSeek-V3/R1 ship one MTP module (num_nextn_predict_layers 1)
  // The MTP layer stays BF16 in the FP4 checkpoint: its own shape, experts at bf16 bytes.
  core::ModelSpec head = sim::draft_head_shape(pool);
  head.expert_bytes_per_weight = 0.0;
  speculative.draft_model = head;
  return pool;
}

void trtllm_mtp_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/trtllm-techblog1_deepseek-r1-mtp-min-latency_b200x8.csv");
  SetResult speed{.name = "TensorRT-LLM tech blog 1: DeepSeek-R1-FP4 tok/s/user vs MTP depth 0..5, 8x B200, batch 1 "
                  "(acceptance length given)"};
  SetResult speedup{.name = "TensorRT-LLM tech blog 1: DeepSeek-R1-FP4 MTP speedup over depth 0, 8x B200, batch 1 "
                    "(acceptance length given)"};
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = 10;
  workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  workload.arrival.clients = 1;
  workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{1024}};
  workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{2048}};
  double predicted_reference = 0.0;
  double published_reference = 0.0;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "table") != "mtp_depth") continue;
    const std::string& config = table.text(r, "config");
    std::int64_t depth = 0;
    if (config != "no MTP") {
      const char* digits = config.c_str() + std::min<std::size_t>(4, config.size());
      const auto [end, error] = std::from_chars(digits, config.c_str() + config.size(), depth);
      if (config.rfind("MTP ", 0) != 0 || error != std::errc{} || *end != '\0' || depth < 1) {
        throw core::InputError(table.path(), table.line(r), "config", "expected \"no MTP\" or \"MTP <depth>\", got \"" + config + "\"");
      }
    }
    const double length = table.number(r, "acceptance_length");
    const double p = depth == 0 ? 0.0 : acceptance_for_row(length, depth, table, r);
    const nlohmann::json summary = run_serving_scenario(deepseek_r1_fp4_b200_pool(depth, p), workload);
    const double predicted = 1000.0 / summary.at("mean_tpot_ms").get<double>();
    const double published = table.number(r, "tps_per_user");
    const std::string label = fmt::format("line {} {}", table.line(r), config);
    speed.metrics.push_back({label + " tok/s/user", published, predicted});
    if (depth == 0) {
      predicted_reference = predicted;
      published_reference = published;
    } else if (predicted_reference > 0.0) {
      speedup.metrics.push_back({label + " speedup", published / published_reference, predicted / predicted_reference});
    }
  }
  sets.push_back(speed);
  sets.push_back(speedup);
}

}  // namespace

void speculative_sets(const std::string& dir, std::vector<SetResult>& sets) {
  peagle_sets(dir, sets);
  trtllm_mtp_sets(dir, sets);
}

}  // namespace llmsim::app
