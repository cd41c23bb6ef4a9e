// `llmsim memory`: memory footprint per GPU, fit, largest batch, and the scaling
// calculator's latency estimates (DESIGN.md section 2).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "app/cli_values.h"
#include "app/commands.h"
#include "core/input_checks.h"
#include "core/memory_footprint.h"
#include "core/precision_defaults.h"
#include "core/scaling_calculator.h"
#include "hw/compute_dtypes.h"
#include "hw/parallel_layout.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct MemoryOptions {
  std::string model;
  std::string hardware;
  std::int64_t tp = 1;
  // Issue 24's parallelisms, as the scenario keys of the same names (hw/parallelism.h).
  std::int64_t pp = 1;  ///< deployment.pipeline_parallel
  std::int64_t dp = 1;  ///< deployment.attention_data_parallel
  std::int64_t ep = 1;  ///< deployment.expert_parallel
  std::int64_t batch = 1;
  std::int64_t seq_len = 4096;
  std::string weights_dtype;  ///< empty: the checkpoint's (config.json quantization_config), else bf16
  std::string kv_dtype;  ///< empty: the checkpoint's, else fp8 with fp8 weights, else bf16
  std::int64_t output_tokens = 256;
  double calculator_efficiency = 0.3;
  double scaling_factor = 0.9;
  bool json = false;
};

/// The checks `run` makes of the same quantities (core/input_checks.h), each reported at
/// its option: memory accepts exactly the deployments run accepts (issue 22).
/// The option that sets a deployment key of hw::parallel_layout_problem.
std::string layout_option(const std::string& key) {
  if (key == "pipeline_parallel") return "--pp";
  if (key == "attention_data_parallel") return "--dp";
  if (key == "expert_parallel") return "--ep";
  return "--tp";
}

/// Whether the replica uses more than tensor parallelism.
bool beyond_tensor_parallel(const MemoryOptions& options) {
  return options.pp != 1 || options.dp != 1 || options.ep != 1;
}

void check_memory_options(const MemoryOptions& options, const core::ModelSpec& model, const hw::HardwareSpec& gpu,
                          core::DType kv_dtype) {
  if (const auto problem = core::tensor_parallel_problem(model, options.tp)) option_error("--tp", *problem);
  // The layouts `run` accepts (the loader's check of the same keys), each at its option.
  for (const auto& [size, name] : {std::pair{options.pp, "--pp"}, std::pair{options.dp, "--dp"},
                                   std::pair{options.ep, "--ep"}}) {
    if (size < 1 || size > 1'000'000) option_error(name, "expected an integer from 1 to 1000000, got " + std::to_string(size));
  }
  hw::Parallelism parallelism;
  parallelism.tensor_parallel = static_cast<int>(options.tp);
  parallelism.pipeline_parallel = static_cast<int>(options.pp);
  parallelism.attention_data_parallel = static_cast<int>(options.dp);
  parallelism.expert_parallel = static_cast<int>(options.ep);
  if (const auto problem = hw::parallel_layout_problem(model, parallelism, gpu.fabric)) {
    option_error(layout_option(problem->key), problem->message);
  }
  if (const auto problem = core::kv_cache_dtype_problem(kv_dtype)) option_error("--kv-dtype", *problem);
  if (options.batch < 1) option_error("--batch", "expected a positive integer, got " + std::to_string(options.batch));
  // --seq-len is a whole sequence (prompt + output), as long as the model's context at most;
  // --output-tokens only prices the latency estimate, likewise at most the context.
  if (const auto problem = core::context_tokens_problem(model, options.seq_len)) option_error("--seq-len", *problem);
  if (const auto problem = core::context_tokens_problem(model, options.output_tokens)) {
    option_error("--output-tokens", *problem);
  }
  if (const auto problem = core::token_count_problem(options.batch, options.seq_len + options.output_tokens)) {
    option_error("--batch", *problem);
  }
  if (!(options.calculator_efficiency > 0.0 && options.calculator_efficiency <= 1.0)) {
    option_error("--calculator-efficiency", "expected a number in (0, 1], got " +
                                                cli_number_text(options.calculator_efficiency));
  }
  if (!(options.scaling_factor > 0.0 && options.scaling_factor <= 1.0)) {
    option_error("--scaling-factor", "expected a number in (0, 1], got " + cli_number_text(options.scaling_factor));
  }
}

void run_memory(const MemoryOptions& options) {
  const core::ModelSpec model = loader::load_model(options.model);
  const hw::HardwareSpec gpu = loader::load_hardware(options.hardware);
  core::MemoryQuery query;
  query.weights_dtype = options.weights_dtype.empty() ? model.checkpoint_weights.value_or(core::DType::bf16)
                                                      : dtype_option("--weights-dtype", options.weights_dtype);
  query.kv_cache_dtype = options.kv_dtype.empty() ? core::default_kv_cache_dtype(model, query.weights_dtype)
                                                  : dtype_option("--kv-dtype", options.kv_dtype);
  check_memory_options(options, model, gpu, query.kv_cache_dtype);
  if (const auto problem = hw::weights_hardware_problem(gpu, query.weights_dtype)) {
    if (!options.weights_dtype.empty()) option_error("--weights-dtype", *problem);
    option_error("--model", "the checkpoint's weight format: " + *problem);
  }
  if (const auto problem = hw::kv_cache_hardware_problem(gpu, query.kv_cache_dtype)) option_error("--kv-dtype", *problem);
  query.batch = options.batch;
  query.sequence_tokens = options.seq_len;
  query.tensor_parallel = options.tp;
  query.pipeline_parallel = options.pp;
  query.attention_data_parallel = options.dp;
  query.expert_parallel = options.ep;
  const std::int64_t gpus = options.tp * options.pp * options.dp;
  const core::MemoryFootprint footprint = core::memory_footprint(model, query);
  const double capacity = gpu.hbm_capacity_bytes;
  const std::int64_t max_batch = core::max_batch_that_fits(model, query, capacity);

  core::CalculatorQuery latency_query;
  latency_query.batch = options.batch;
  latency_query.input_tokens = options.seq_len;
  latency_query.output_tokens = options.output_tokens;
  latency_query.weights_dtype = query.weights_dtype;
  latency_query.kv_cache_dtype = query.kv_cache_dtype;
  latency_query.num_gpus = options.tp;
  latency_query.scaling_factor = options.scaling_factor;
  // The GEMMs' compute dtype as `run` prices it (hw/compute_dtypes.h): fp8 or fp4 where the
  // GPU has that peak for the weights' format, else 16-bit.
  const core::DType compute_dtype = hw::gemm_compute_dtype(gpu, query.weights_dtype);
  const core::CalculatorHardware calculator_gpu{gpu.peak_flops_per_s(compute_dtype).value_or(0.0),
                                                gpu.hbm_bandwidth_bytes_per_s, options.calculator_efficiency};
  const core::CalculatorLatency latency = core::calculator_latency(model, latency_query, calculator_gpu);

  nlohmann::ordered_json out;
  out["model"] = model.id;
  out["hardware"] = gpu.id;
  out["tensor_parallel"] = options.tp;
  out["pipeline_parallel"] = options.pp;
  out["attention_data_parallel"] = options.dp;
  out["expert_parallel"] = options.ep;
  out["gpus"] = gpus;
  out["batch"] = options.batch;
  out["seq_len"] = options.seq_len;
  out["weights_dtype"] = std::string(core::to_string(query.weights_dtype));
  out["kv_cache_dtype"] = std::string(core::to_string(query.kv_cache_dtype));
  out["per_gpu_gib"] = {{"weights", footprint.weight_bytes_with_overhead() / kGiB},
                        {"kv_cache", footprint.kv_cache_bytes_with_overhead() / kGiB},
                        {"activations", footprint.activation_bytes_with_overhead() / kGiB},
                        {"total", footprint.total_bytes() / kGiB},
                        {"capacity", capacity / kGiB}};
  out["fits"] = core::fits(footprint, capacity);
  out["max_batch_at_seq_len"] = max_batch;
  // The scaling calculator knows tensor parallelism alone: no estimate for other layouts.
  if (beyond_tensor_parallel(options)) {
    out["calculator_latency"] = nullptr;
  } else {
    out["calculator_latency"] = {{"efficiency", options.calculator_efficiency},
                                 {"prefill_latency_s", latency.prefill_latency_s},
                                 {"token_latency_s", latency.token_latency_s},
                                 {"token_bound", latency.memory_bound() ? "memory" : "compute"},
                                 {"output_tokens", options.output_tokens},
                                 {"total_latency_s", latency.total_latency_s},
                                 {"multi_gpu_speedup", latency.speedup}};
  }
  if (options.json) {
    fmt::print("{}\n", out.dump(2));
    return;
  }
  // A checkpoint with its experts in their own format (gpt-oss's MXFP4) says so.
  const std::string experts = model.expert_bytes_per_weight > 0.0
                                  ? fmt::format(" (routed experts {:g} bytes per weight)", model.expert_bytes_per_weight)
                                  : "";
  const std::string layout =
      beyond_tensor_parallel(options)
          ? fmt::format("tp {}, pp {}, dp {}, ep {}", options.tp, options.pp, options.dp, options.ep)
          : fmt::format("tp {}", options.tp);
  fmt::print("{} on {} x {} ({}), batch {} x {} tokens, weights {}{}, KV {}\n", model.id, gpus, gpu.id, layout,
             options.batch, options.seq_len, out["weights_dtype"].get<std::string>(), experts,
             out["kv_cache_dtype"].get<std::string>());
  fmt::print("per GPU{}, with the calculator's overhead factors (GiB):\n",
             beyond_tensor_parallel(options) ? " (the busiest: the largest stage, its share of the experts, "
                                               "the batch over the DP ranks)"
                                             : "");
  fmt::print("  weights (x1.05)        {:9.2f}\n", footprint.weight_bytes_with_overhead() / kGiB);
  fmt::print("  KV cache (x1.05)       {:9.2f}\n", footprint.kv_cache_bytes_with_overhead() / kGiB);
  fmt::print("  activations (x1.1)     {:9.2f}\n", footprint.activation_bytes_with_overhead() / kGiB);
  fmt::print("  total (x1.05 system)   {:9.2f}  of {:.2f}  -> {}\n", footprint.total_bytes() / kGiB,
             capacity / kGiB, core::fits(footprint, capacity) ? "fits" : "DOES NOT FIT");
  fmt::print("largest batch at {} tokens: {}\n", options.seq_len, max_batch);
  if (beyond_tensor_parallel(options)) {
    fmt::print("scaling-calculator latency: none (the calculator models tensor parallelism alone)\n");
    return;
  }
  fmt::print("scaling-calculator latency (efficiency {:.2f}): prefill {:.2f} ms, per token {:.2f} ms ({}-bound), "
             "{} tokens {:.3f} s\n",
             options.calculator_efficiency, latency.prefill_latency_s * 1e3, latency.token_latency_s * 1e3,
             latency.memory_bound() ? "memory" : "compute", options.output_tokens, latency.total_latency_s);
}

}  // namespace

void add_memory_command(CLI::App& app) {
  auto options = std::make_shared<MemoryOptions>();
  CLI::App* command = app.add_subcommand("memory", "memory footprint per GPU, fit, and largest batch");
  command->add_option("--model", options->model, "model preset id, model YAML or config.json path")->required();
  command->add_option("--hardware", options->hardware, "hardware preset id or YAML path")->required();
  command->add_option("--tp", options->tp, "tensor-parallel GPUs")->capture_default_str();
  command->add_option("--pp", options->pp, "pipeline-parallel stages (deployment.pipeline_parallel)")
      ->capture_default_str();
  command->add_option("--dp", options->dp, "attention data-parallel ranks (deployment.attention_data_parallel)")
      ->capture_default_str();
  command->add_option("--ep", options->ep, "expert-parallel GPUs (deployment.expert_parallel)")->capture_default_str();
  command->add_option("--batch", options->batch, "sequences held at once")->capture_default_str();
  command->add_option("--seq-len", options->seq_len, "tokens per sequence (prompt + output)")->capture_default_str();
  command->add_option("--weights-dtype", options->weights_dtype,
                      "fp32 | fp16 | bf16 | fp8 | int8 | int4 | nvfp4 | mxfp4 | mxfp6 (default: the checkpoint's "
                      "quantization_config, else bf16)");
  command->add_option("--kv-dtype", options->kv_dtype,
                      "KV cache dtype (default: the checkpoint's kv_cache_quant_algo, else fp8 with fp8 weights, else bf16)");
  command->add_option("--output-tokens", options->output_tokens, "tokens for the calculator's latency estimate")
      ->capture_default_str();
  command->add_option("--calculator-efficiency", options->calculator_efficiency,
                      "achieved fraction of peak for the calculator's latency estimate")
      ->capture_default_str();
  command->add_option("--scaling-factor", options->scaling_factor, "multi-GPU scaling factor f in (0, 1]")
      ->capture_default_str();
  command->add_flag("--json", options->json, "print a JSON object instead of a table");
  command->callback([options] { run_memory(*options); });
}

}  // namespace llmsim::app
