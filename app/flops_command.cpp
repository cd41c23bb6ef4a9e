// `llmsim flops`: the FLOP calculator (DESIGN.md section 2).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_values.h"
#include "app/commands.h"
#include "core/flop_method.h"
#include "core/input_checks.h"
#include "core/input_error.h"
#include "core/mfu.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

struct FlopsOptions {
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t batch = 1;
  std::string method = "precise";
  std::string params = "nominal";
  double duration_s = 0.0;
  bool duration_given = false;  ///< --duration-s was given (0 or less is then an error, not "no MFU")
  std::string gpu;
  std::int64_t num_gpus = 1;
  bool json = false;
};

/// The checks `run` makes of the same quantities (core/input_checks.h), each reported at
/// its option (issue 22): a sequence of at least one input and one output token within the
/// model's context, a token total that stays exact, a positive duration and GPU count.
void check_flops_options(const FlopsOptions& options, const core::ModelSpec& model) {
  if (const auto problem = core::sequence_problem(model, options.input_tokens, options.output_tokens)) {
    // The prompt alone leaves no room for an output token: the prompt is at fault.
    const bool prompt_at_fault =
        options.input_tokens < 1 || options.input_tokens >= model.max_position_embeddings;
    option_error(prompt_at_fault ? "--input-tokens" : "--output-tokens", *problem);
  }
  if (options.batch < 1) option_error("--batch", "expected a positive integer, got " + std::to_string(options.batch));
  if (const auto problem = core::token_count_problem(options.batch, options.input_tokens + options.output_tokens)) {
    option_error("--batch", *problem);
  }
  if (options.duration_given && !(options.duration_s > 0.0 && options.duration_s < core::kClockHorizonS)) {
    option_error("--duration-s", "expected a positive number of seconds, got " + cli_number_text(options.duration_s));
  }
  if (options.num_gpus < 1 || options.num_gpus > core::kMaxTensorParallel * core::kMaxReplicas) {
    option_error("--num-gpus", "expected an integer in [1, " +
                                   std::to_string(core::kMaxTensorParallel * core::kMaxReplicas) + "], got " +
                                   std::to_string(options.num_gpus));
  }
}

void run_flops(const FlopsOptions& options) {
  const core::ModelSpec model = loader::load_model(options.model);
  check_flops_options(options, model);
  const core::FlopMethod method = flop_method_option(options.method);
  const core::ParamBasis basis = param_basis_option(options.params);
  const core::FlopQuery query{options.batch, options.input_tokens, options.output_tokens};
  const core::FlopBreakdown flops = core::compute_flops(model, query, method, basis);

  nlohmann::ordered_json out;
  out["model"] = model.id;
  out["method"] = std::string(core::to_string(method));
  out["params"] = std::string(core::to_string(basis));
  out["parameters_used"] = core::parameters_for(model, basis);
  out["batch"] = options.batch;
  out["input_tokens"] = options.input_tokens;
  out["output_tokens"] = options.output_tokens;
  out["flops_prefill"] = flops.flops_prefill;
  out["flops_decode"] = flops.flops_decode;
  out["flops_total"] = flops.total();
  out["flops_per_token"] = flops.per_token();
  out["flops_per_output_token"] = flops.per_output_token();
  out["tflops_total"] = flops.total() / 1e12;

  const bool with_mfu = options.duration_given;
  if (with_mfu) {
    if (options.gpu.empty()) throw core::InputError("--gpu: required with --duration-s (an id or a device name)");
    const hw::HardwareSpec gpu = loader::find_hardware(options.gpu);
    // Peak of the 16-bit tensor cores: the usual MFU denominator for bf16/fp16 inference.
    const double peak = gpu.peak.bf16_flops_per_s.value_or(0.0);
    out["duration_s"] = options.duration_s;
    out["gpu"] = gpu.id;
    out["num_gpus"] = options.num_gpus;
    out["peak_flops_per_s_per_gpu"] = peak;
    out["achieved_flops_per_s"] = core::achieved_flops_per_s(flops.total(), options.duration_s);
    out["mfu"] = core::mfu(flops.total(), options.duration_s, peak, options.num_gpus);
  }

  if (options.json) {
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("model                    {}\n", model.id);
  fmt::print("method / params          {} / {} (N = {:.4g})\n", out["method"].get<std::string>(),
             out["params"].get<std::string>(), out["parameters_used"].get<double>());
  fmt::print("batch x input + output   {} x ({} + {}) tokens\n", options.batch, options.input_tokens,
             options.output_tokens);
  fmt::print("flops_prefill            {:.4e}\n", flops.flops_prefill);
  fmt::print("flops_decode             {:.4e}\n", flops.flops_decode);
  fmt::print("flops_total              {:.4e}  ({:.3f} TFLOPs)\n", flops.total(), flops.total() / 1e12);
  fmt::print("flops_per_token          {:.4e}\n", flops.per_token());
  fmt::print("flops_per_output_token   {:.4e}\n", flops.per_output_token());
  if (with_mfu) {
    fmt::print("achieved FLOP/s          {:.4e} over {} x {}\n", out["achieved_flops_per_s"].get<double>(),
               options.num_gpus, out["gpu"].get<std::string>());
    fmt::print("mfu                      {:.2f} %\n", 100.0 * out["mfu"].get<double>());
  }
}

}  // namespace

void add_flops_command(CLI::App& app) {
  auto options = std::make_shared<FlopsOptions>();
  CLI::App* command = app.add_subcommand("flops", "FLOP calculator: prefill/decode FLOPs, per token, MFU");
  command->add_option("--model", options->model, "model preset id, model YAML or config.json path")->required();
  command->add_option("--input-tokens", options->input_tokens, "prompt tokens per sequence")->required();
  command->add_option("--output-tokens", options->output_tokens, "generated tokens per sequence")->required();
  command->add_option("--batch", options->batch, "sequences")->capture_default_str();
  command->add_option("--method", options->method, "simple | palm | precise | no_kv_cache | calculator")
      ->capture_default_str();
  command->add_option("--params", options->params, "N for simple/no_kv_cache: nominal | non_embedding | total | active")
      ->capture_default_str();
  CLI::Option* duration = command->add_option("--duration-s", options->duration_s, "measured duration, for MFU");
  command->add_option("--gpu", options->gpu, "GPU preset id or device name (e.g. \"NVIDIA H100 80GB HBM3\"), for MFU");
  command->add_option("--num-gpus", options->num_gpus, "GPUs that did the work, for MFU")->capture_default_str();
  command->add_flag("--json", options->json, "print a JSON object instead of a table");
  command->callback([options, duration] {
    options->duration_given = duration->count() > 0;
    run_flops(*options);
  });
}

}  // namespace llmsim::app
