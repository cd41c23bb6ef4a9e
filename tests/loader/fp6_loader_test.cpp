// FP6 in the loaders: the hardware presets' fp6 peaks, AMD Quark's OCP MX quantization_config
// in config.json (quant_method "quark"), and mxfp6 weights refused on a GPU without FP6.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "loader/scenario_loader.h"
#include "tests/loader/scenario_error.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::DType;
using llmsim::core::InputError;
using llmsim::loader::load_hardware;
using llmsim::loader::load_model;
using llmsim::testing::write_temp_file;

/// A Llama-3.1-8B config.json with `quantization` as its quantization_config.
std::string llama_config(const std::string& quantization) {
  return R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
  "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
  "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "tie_word_embeddings": false, "vocab_size": 128256,
  "quantization_config": )" + quantization + "}\n";
}

/// A Quark quantization_config with these weight and input_tensors specs and `extra` fields.
std::string quark(const std::string& weight, const std::string& inputs, const std::string& extra = "") {
  return R"({"quant_method": "quark", "global_quant_config": {"weight": )" + weight + R"(, "input_tensors": )" +
         inputs + R"(, "output_tensors": null, "bias": null}, "exclude": ["lm_head"])" + extra + "}";
}

/// One OCP MX spec as Quark writes it.
std::string mx(const std::string& dtype) {
  return R"({"dtype": ")" + dtype + R"(", "qscheme": "per_group", "group_size": 32, "scale_format": "e8m0"})";
}

std::string model_error(const std::string& name, const std::string& text) {
  try {
    load_model(write_temp_file(name, text));
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

std::string hardware_error(const std::string& name, const std::string& text) {
  try {
    load_hardware(write_temp_file(name, text));
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

}  // namespace

TEST_CASE("the presets' fp6 peaks: Blackwell at its fp8 rate, MI355X at its fp4 rate, none elsewhere") {
  for (const char* id : {"b200", "b300", "gb200", "gb300", "rtx-pro-6000"}) {
    CAPTURE(id);
    const auto gpu = load_hardware(id);
    REQUIRE(gpu.peak.fp6_flops_per_s.has_value());
    CHECK(*gpu.peak.fp6_flops_per_s == doctest::Approx(*gpu.peak.fp8_flops_per_s));
    CHECK(*gpu.peak.fp6_flops_per_s < *gpu.peak.fp4_flops_per_s);
  }
  CHECK(*load_hardware("b200").peak.fp6_flops_per_s == doctest::Approx(4500e12));
  CHECK(*load_hardware("b300").peak.fp6_flops_per_s == doctest::Approx(4500e12));  // not B300's faster fp4
  CHECK(*load_hardware("gb200").peak.fp6_flops_per_s == doctest::Approx(5000e12));
  CHECK(*load_hardware("gb300").peak.fp6_flops_per_s == doctest::Approx(5000e12));
  CHECK(*load_hardware("rtx-pro-6000").peak.fp6_flops_per_s == doctest::Approx(1000e12));
  const auto mi355x = load_hardware("mi355x");
  CHECK(*mi355x.peak.fp6_flops_per_s == doctest::Approx(10100e12));
  CHECK(*mi355x.peak.fp6_flops_per_s == doctest::Approx(*mi355x.peak.fp4_flops_per_s));
  CHECK(mi355x.peak_flops_per_s(DType::mxfp6) == doctest::Approx(10100e12));
  for (const char* id : {"h100-sxm", "h100-pcie", "h200", "h20", "mi300x", "mi325x", "a100-sxm-80gb",
                         "a100-pcie-80gb", "l40s"}) {
    CAPTURE(id);
    CHECK_FALSE(load_hardware(id).peak.fp6_flops_per_s.has_value());
  }
}

TEST_CASE("peak_tflops.fp6 is checked at its key") {
  const std::string yaml = "id: x\nname: \"X\"\nsource: \"test\"\npeak_tflops: {bf16: 100, fp6: -4500}\n"
                           "hbm_bandwidth_tb_per_s: 1\nhbm_capacity_gib: 40\n"
                           "interconnect_bandwidth_gb_per_s: 10\ninterconnect_latency_us: 1\n"
                           "tdp_w: 300\nidle_power_w: 50\nprice_per_gpu_hour_usd: 1\n"
                           "efficiency:\n  source: \"test\"\n  per_layer_overhead_us: 0\n";
  CHECK(hardware_error("hardware_fp6.yaml", yaml) == "peak_tflops.fp6: expected a positive number, got \"-4500\"");
}

TEST_CASE("a Quark MXFP6 checkpoint (W6A6) loads as mxfp6 weights") {
  const auto model = load_model(std::string(LLMSIM_TEST_DATA_DIR) + "/hf/llama-3.1-8b-mxfp6.config.json");
  CHECK(model.checkpoint_weights == DType::mxfp6);
  CHECK(model.checkpoint_quantization == "quark W6A6 mxfp6");
  CHECK_FALSE(model.checkpoint_kv_cache.has_value());
  CHECK(llmsim::core::count_parameters(model).total == llmsim::core::count_parameters(load_model("llama-3.1-8b")).total);
  // Either FP6 element format, and activations in the other one: both run at the fp6 peak.
  const auto e2m3 = load_model(write_temp_file("quark_e2m3.config.json", llama_config(quark(mx("fp6_e2m3"), mx("fp6_e3m2")))));
  CHECK(e2m3.checkpoint_weights == DType::mxfp6);
  // Quark's MXFP4 (W4A4) reads as mxfp4.
  const auto fp4 = load_model(write_temp_file("quark_fp4.config.json", llama_config(quark(mx("fp4"), mx("fp4")))));
  CHECK(fp4.checkpoint_weights == DType::mxfp4);
  CHECK(fp4.checkpoint_quantization == "quark W4A4 mxfp4");
}

TEST_CASE("Quark configurations llmsim cannot price are refused with the field named") {
  const std::string fp6 = mx("fp6_e3m2");
  CHECK(model_error("quark_w6a16.config.json", llama_config(quark(fp6, "null"))) ==
        "quantization_config: global_quant_config: mxfp6 weights with input_tensors none (weight-only) are not modelled "
        "(supported: W6A6 mxfp6, W4A4 mxfp4)");
  CHECK(model_error("quark_w6a8.config.json", llama_config(quark(fp6, R"({"dtype": "fp8_e4m3", "qscheme": "per_tensor"})"))) ==
        "quantization_config: global_quant_config.input_tensors.dtype \"fp8_e4m3\" is not modelled (supported: the OCP "
        "MX formats fp6_e3m2, fp6_e2m3, fp4)");
  CHECK(model_error("quark_w4a6.config.json", llama_config(quark(mx("fp4"), fp6))) ==
        "quantization_config: global_quant_config: mxfp4 weights with input_tensors mxfp6 are not modelled (supported: "
        "W6A6 mxfp6, W4A4 mxfp4)");
  CHECK(model_error("quark_int4.config.json", llama_config(quark(R"({"dtype": "int4", "qscheme": "per_group", "group_size": 128})", "null"))) ==
        "quantization_config: global_quant_config.weight.dtype \"int4\" is not modelled (supported: the OCP MX formats "
        "fp6_e3m2, fp6_e2m3, fp4)");
  const std::string group16 = R"({"dtype": "fp6_e3m2", "qscheme": "per_group", "group_size": 16, "scale_format": "e8m0"})";
  CHECK(model_error("quark_group16.config.json", llama_config(quark(group16, fp6))).starts_with(
      "quantization_config: global_quant_config.weight: fp6_e3m2 is read as OCP MX (qscheme per_group, group_size 32, "
      "scale_format e8m0), got "));
  CHECK(model_error("quark_layers.config.json",
                    llama_config(quark(fp6, fp6, R"(, "layer_quant_config": {"*v_proj": {"output_tensors": {"dtype": "fp8_e4m3"}}})"))) ==
        "quantization_config: layer_quant_config: per-layer Quark schemes (and a Quark KV cache scheme) are not modelled");
  CHECK(model_error("quark_exclude.config.json",
                    llama_config(R"({"quant_method": "quark", "global_quant_config": {"weight": )" + fp6 +
                                 R"(, "input_tensors": )" + fp6 + R"(}, "exclude": ["lm_head", "model.layers.0.self_attn.q_proj"]})")) ==
        "quantization_config: exclude names \"model.layers.0.self_attn.q_proj\"; only the LM head, embeddings and MoE "
        "routers can stay unquantised");
  CHECK(model_error("quark_output.config.json",
                    llama_config(R"({"quant_method": "quark", "global_quant_config": {"weight": )" + fp6 +
                                 R"(, "input_tensors": )" + fp6 + R"(, "output_tensors": )" + fp6 + "}}")) ==
        "quantization_config: global_quant_config.output_tensors: output quantisation is not modelled");
  CHECK(model_error("quark_no_global.config.json", llama_config(R"({"quant_method": "quark"})")) ==
        "quantization_config: quark: expected a global_quant_config object");
}

TEST_CASE("mxfp6 weights are refused at precision.weights on a GPU without FP6, accepted on one with it") {
  const std::string scenario = R"(seed: 1
model: llama-3.1-8b
hardware: h100-sxm
precision: {weights: mxfp6}
workload:
  kind: synthetic
  num_requests: 10
  arrival: {process: poisson, rate_per_s: 4}
  input_tokens: {dist: fixed, value: 100}
  output_tokens: {dist: fixed, value: 10}
)";
  const std::string error = llmsim::testing::error_of(scenario);
  CHECK(error.find("scenario.yaml:4: precision.weights: mxfp6 weights need a GPU with FP6 tensor cores") == 0);
  CHECK(error.find("h100-sxm has none") != std::string::npos);
  for (const char* gpu : {"b200", "mi355x"}) {
    CAPTURE(gpu);
    const auto loaded = llmsim::loader::load_scenario_text(
        llmsim::testing::replaced(scenario, "hardware: h100-sxm", std::string("hardware: ") + gpu), "scenario.yaml");
    CHECK(loaded.pools.front().precision.weights == DType::mxfp6);
    CHECK(loaded.pools.front().precision.kv_cache == DType::bf16);
  }
  // A Quark MXFP6 checkpoint without a precision section runs in its own format.
  std::string text = llmsim::testing::replaced(scenario, "precision: {weights: mxfp6}\n", "");
  text = llmsim::testing::replaced(text, "hardware: h100-sxm", "hardware: b200");
  text = llmsim::testing::replaced(text, "model: llama-3.1-8b",
                                   "model: " + std::string(LLMSIM_TEST_DATA_DIR) + "/hf/llama-3.1-8b-mxfp6.config.json");
  const auto checkpoint = llmsim::loader::load_scenario_text(text, "scenario.yaml");
  CHECK(checkpoint.pools.front().precision.weights == DType::mxfp6);
}

TEST_CASE("precision.attention: absent is the 16-bit default; fp8 over an fp8 KV cache loads") {
  const std::string scenario = R"(seed: 1
model: llama-3.1-8b
hardware: h100-sxm
precision: {kv_cache: fp8}
workload:
  kind: synthetic
  num_requests: 10
  arrival: {process: poisson, rate_per_s: 4}
  input_tokens: {dist: fixed, value: 100}
  output_tokens: {dist: fixed, value: 10}
)";
  CHECK_FALSE(llmsim::loader::load_scenario_text(scenario, "scenario.yaml").pools.front().precision.attention);
  const auto fp8 = llmsim::loader::load_scenario_text(
      llmsim::testing::replaced(scenario, "{kv_cache: fp8}", "{kv_cache: fp8, attention: fp8}"), "scenario.yaml");
  CHECK(fp8.pools.front().precision.attention == DType::fp8);
  const std::string error = llmsim::testing::error_of(
      llmsim::testing::replaced(scenario, "{kv_cache: fp8}", "{kv_cache: bf16, attention: fp8}"));
  CHECK(error.find("scenario.yaml:4: precision.attention: fp8 attention reads FP8 keys and values") == 0);
}
