// The vLLM FP8 KV-cache post's set (data/reference/2026/vllm-blog-fp8kv_...csv, its header
// gives source and setup): vLLM 0.19.1 on one H100 with Llama-3.1-8B.
//  - single_request_fit rows: ITL = slope x input length + intercept, fitted by the authors
//    over input lengths 256..125k at concurrency 1 with 128 output tokens. llmsim runs the
//    same sweep and fits the same line by least squares. CALIBRATION: the intercept is what
//    configs/engines/vllm-v1.yaml cites for its host time being hidden.
//  - load_c8_20k_in_2k_out rows: 150 requests, at most 8 in flight (closed loop, no think
//    time), ~20k input and ~2k output tokens (+-15%, uniform assumed, as the file says).
//    CALIBRATION for one metric, the BF16 row's median TTFT: the Hopper presets' prefill
//    attention efficiency is fitted to it (configs/hardware/h100-sxm.yaml); it is reported as
//    a set of its own. The other seven metrics (the FP8 row's TTFT among them) are
//    VALIDATION only.
//  - gpt-oss-20b rows (H100: fits and concurrency 8; B200: fits), replayed the same way with
//    the model preset's MXFP4 experts. The post gives one intercept range for all three KV
//    variants ("4.03-4.07"), compared at its midpoint. VALIDATION only. Not replayed: the
//    "FP8 skip-SW" variant (BF16 KV on the sliding-window layers: llmsim keeps one KV dtype
//    per model), gemma-4 (refused), the 0.10.2 rows (break-even points only).
//  - vllm_fp8kv_b200_sets: the B200 single_request_fit rows (vLLM 0.19.1 with FlashInfer)
//    replayed the same way on b200 (its efficiencies carried over from h100-sxm); VALIDATION
//    only, since the H100 fits calibrated the vllm-v1 host time.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>
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

/// One pool: `model` (a preset: llama-3.1-8b, or gpt-oss-20b with its checkpoint's MXFP4
/// experts) on one `hardware` GPU under the vllm-v1 engine preset, KV in `kv`.
sim::PoolSpec pool_of(const std::string& model, const std::string& hardware, core::DType kv) {
  sim::PoolSpec pool;
  pool.model = loader::load_model(model);
  pool.hardware = loader::load_hardware(hardware);
  pool.precision.weights = core::DType::bf16;
  pool.precision.kv_cache = kv;
  pool.engine = loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  return pool;
}

/// The model preset of a row's `model` column; std::nullopt for a model not replayed.
std::optional<std::string> model_of(const hw::CsvTable& table, std::size_t row) {
  const std::string& model = table.text(row, "model");
  if (model == "Llama-3.1-8B") return "llama-3.1-8b";
  if (model == "gpt-oss-20b") return "gpt-oss-20b";
  return std::nullopt;
}

/// The published intercept: a number, or for gpt-oss a range "a-b" that the post gives for
/// all three KV variants together, read as its midpoint.
double intercept_of(const hw::CsvTable& table, std::size_t row) {
  const std::string& text = table.text(row, "itl_intercept_ms");
  const std::size_t dash = text.find('-', 1);
  if (dash == std::string::npos) return table.number(row, "itl_intercept_ms");
  try {
    std::size_t low_end = 0;
    std::size_t high_end = 0;
    const double low = std::stod(text.substr(0, dash), &low_end);
    const std::string rest = text.substr(dash + 1, text.find(' ', dash) - dash - 1);
    const double high = std::stod(rest, &high_end);
    if (low_end == dash && high_end == rest.size() && low <= high) return 0.5 * (low + high);
  } catch (const std::exception&) {
  }
  throw core::InputError(table.path(), table.line(row), "itl_intercept_ms",
                         "expected a number or a range \"a-b\", got \"" + text + "\"");
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

/// One single-request row on `hardware`: llmsim's ITL over the published sweep, fitted like
/// the post. `gpu_label` prefixes the metric labels ("" for the H100 set).
void single_request_fit(const hw::CsvTable& table, std::size_t row, const std::string& hardware,
                        const std::string& gpu_label, SetResult& set) {
  const sim::PoolSpec pool = pool_of(model_of(table, row).value(), hardware, kv_of(table, row));
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
    itl_ms.push_back(run_serving_scenario(pool, workload).at("median_itl_ms").get<double>());
  }
  const auto [slope, intercept] = fit_line(lengths, itl_ms);
  const std::string label = fmt::format("line {} {}{} ITL fit", table.line(row), gpu_label, table.text(row, "kv_variant"));
  set.metrics.push_back({label + " slope ms/token", table.number(row, "itl_slope_ms_per_token"), slope});
  set.metrics.push_back({label + " intercept ms", intercept_of(table, row), intercept});
}

/// One concurrency-8 row; its median TTFT goes to `ttft_set`, the other metrics to `set`.
void load_c8(const hw::CsvTable& table, std::size_t row, SetResult& set, SetResult& ttft_set) {
  const sim::PoolSpec pool = pool_of(model_of(table, row).value(), "h100-sxm", kv_of(table, row));
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = 150;
  workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  workload.arrival.clients = 8;
  workload.input_tokens = workloads::LengthDistribution{workloads::UniformLength{17000, 23000}};
  workload.output_tokens = workloads::LengthDistribution{workloads::UniformLength{1700, 2300}};
  const nlohmann::json s = run_serving_scenario(pool, workload);
  const std::string label = fmt::format("line {} {} c8 20k/2k", table.line(row), table.text(row, "kv_variant"));
  ttft_set.metrics.push_back({label + " median TTFT ms", table.number(row, "median_ttft_ms"), s.at("median_ttft_ms").get<double>()});
  set.metrics.push_back({label + " median ITL ms", table.number(row, "median_itl_ms"), s.at("median_itl_ms").get<double>()});
  set.metrics.push_back({label + " duration s", table.number(row, "total_duration_s"), s.at("duration").get<double>()});
  set.metrics.push_back({label + " output tok/s", table.number(row, "output_tok_s"), s.at("output_throughput").get<double>()});
}

}  // namespace

void vllm_fp8kv_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const std::string path = dir + "/vllm-blog-fp8kv_llama-3.1-8b-gpt-oss-20b_h100-b200.csv";
  const hw::CsvTable table(path);
  SetResult fits{.name = "vLLM 0.19.1 FP8-KV post: single-request ITL fits, Llama-3.1-8B, H100", .calibration = true};
  SetResult prefill{.name = "vLLM 0.19.1 FP8-KV post: concurrency 8, 20k/2k, Llama-3.1-8B, H100, BF16 median TTFT "
                    "(sets the Hopper prefill attention efficiency)", .calibration = true};
  SetResult load{.name = "vLLM 0.19.1 FP8-KV post: concurrency 8, 20k/2k, Llama-3.1-8B, H100"};
  SetResult gpt_oss{.name = "vLLM 0.19.1 FP8-KV post: gpt-oss-20b, H100 (ITL fits and concurrency 8, 20k/2k)"};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    // The H100 rows of vLLM 0.19.1 (the 0.10.2 rows give break-even points only; the B200
    // rows are vllm_fp8kv_b200_sets below).
    if (table.text(r, "gpu") != "H100" || table.text(r, "vllm_version") != "0.19.1") continue;
    const std::optional<std::string> model = model_of(table, r);
    const std::string& kind = table.text(r, "table");
    if (!model) {
      gpt_oss.skipped.push_back(fmt::format("line {}: {} (its architecture is refused: issue 23)", table.line(r),
                                            table.text(r, "model")));
      continue;
    }
    if (table.text(r, "kv_variant") == "FP8 skip-SW") {
      gpt_oss.skipped.push_back(fmt::format("line {}: FP8 KV with the sliding-window layers in BF16 (one KV dtype "
                                            "per model is modelled)",
                                            table.line(r)));
      continue;
    }
    const bool llama = *model == "llama-3.1-8b";
    if (kind == "single_request_fit") single_request_fit(table, r, "h100-sxm", "", llama ? fits : gpt_oss);
    if (kind == "load_c8_20k_in_2k_out") {
      SetResult& rest = llama ? load : gpt_oss;
      load_c8(table, r, rest, llama && table.text(r, "kv_variant") == "BF16" ? prefill : rest);
    }
  }
  sets.push_back(fits);
  sets.push_back(prefill);
  sets.push_back(load);
  sets.push_back(gpt_oss);
}

void vllm_fp8kv_b200_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable table(dir + "/vllm-blog-fp8kv_llama-3.1-8b-gpt-oss-20b_h100-b200.csv");
  SetResult fits{.name = "vLLM 0.19.1 FP8-KV post: single-request ITL fits, Llama-3.1-8B, B200 (FlashInfer)"};
  SetResult gpt_oss{.name = "vLLM 0.19.1 FP8-KV post: single-request ITL fits, gpt-oss-20b, B200 (FlashInfer)"};
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::optional<std::string> model = model_of(table, r);
    if (table.text(r, "gpu") == "B200" && model && table.text(r, "table") == "single_request_fit") {
      single_request_fit(table, r, "b200", "B200 ", *model == "llama-3.1-8b" ? fits : gpt_oss);
    }
  }
  sets.push_back(fits);
  sets.push_back(gpt_oss);
}

}  // namespace llmsim::app
