// FP4 in the loaders: the hardware presets' fp4 peaks and fp4_formats, and ModelOpt's
// quantization_config in config.json (quant_method "modelopt").
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::DType;
using llmsim::core::InputError;
using llmsim::loader::load_hardware;
using llmsim::loader::load_model;
using llmsim::testing::write_temp_file;

std::string gpu_yaml(const std::string& peaks, const std::string& extra) {
  return "id: x\nname: \"X\"\nsource: \"test\"\npeak_tflops: " + peaks +
         "\nhbm_bandwidth_tb_per_s: 1\nhbm_capacity_gib: 40\n"
         "interconnect_bandwidth_gb_per_s: 10\ninterconnect_latency_us: 1\n" +
         extra + "tdp_w: 300\nidle_power_w: 50\nprice_per_gpu_hour_usd: 1\n"
         "efficiency:\n  source: \"test\"\n  per_layer_overhead_us: 0\n";
}

/// "key: message" of the error loading `text` as hardware YAML throws, or "" when it loads.
std::string hardware_error(const std::string& name, const std::string& text) {
  try {
    load_hardware(write_temp_file(name, text));
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

/// A Llama-3.1-8B config.json with `quantization` as its quantization_config.
std::string llama_config(const std::string& quantization) {
  return R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
  "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
  "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "tie_word_embeddings": false, "vocab_size": 128256,
  "quantization_config": )" + quantization + "}\n";
}

std::string model_error(const std::string& name, const std::string& text) {
  try {
    load_model(write_temp_file(name, text));
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

}  // namespace

TEST_CASE("fp4 peaks and fp4_formats are checked at their keys") {
  CHECK(hardware_error("fp4_ok.yaml", gpu_yaml("{bf16: 100, fp4: 400}", "")) == "");
  CHECK(hardware_error("fp4_zero.yaml", gpu_yaml("{bf16: 100, fp4: 0}", "")) ==
        "peak_tflops.fp4: expected a positive number, got \"0\"");
  CHECK(hardware_error("fp4_formats_alone.yaml", gpu_yaml("{bf16: 100}", "fp4_formats: [mxfp4]\n")) ==
        "fp4_formats: needs peak_tflops.fp4: the peak these formats run at");
  CHECK(hardware_error("fp4_formats_bad.yaml", gpu_yaml("{bf16: 100, fp4: 400}", "fp4_formats: [fp4]\n")) ==
        "fp4_formats: expected nvfp4 or mxfp4, got \"fp4\"");
  CHECK(hardware_error("fp4_formats_twice.yaml", gpu_yaml("{bf16: 100, fp4: 400}", "fp4_formats: [mxfp4, mxfp4]\n")) ==
        "fp4_formats: lists mxfp4 twice");
  CHECK(hardware_error("fp4_formats_empty.yaml", gpu_yaml("{bf16: 100, fp4: 400}", "fp4_formats: []\n")) ==
        "fp4_formats: expected a non-empty list of nvfp4, mxfp4");
  const auto only_nvfp4 = load_hardware(write_temp_file(
      "fp4_formats_nv.yaml", gpu_yaml("{bf16: 100, fp4: 400}", "fp4_formats: [nvfp4]\n")));
  CHECK(only_nvfp4.peak_flops_per_s(DType::nvfp4).has_value());
  CHECK_FALSE(only_nvfp4.peak_flops_per_s(DType::mxfp4).has_value());
}

TEST_CASE("a ModelOpt NVFP4 checkpoint loads as nvfp4 weights with its fp8 KV cache") {
  const auto model = load_model(std::string(LLMSIM_TEST_DATA_DIR) + "/hf/llama-3.3-70b-fp4.config.json");
  REQUIRE(model.checkpoint_weights.has_value());
  CHECK(*model.checkpoint_weights == DType::nvfp4);
  REQUIRE(model.checkpoint_kv_cache.has_value());
  CHECK(*model.checkpoint_kv_cache == DType::fp8);
  CHECK(model.checkpoint_quantization == "modelopt NVFP4, KV cache fp8");
  // Same shape as the llama-3.1-70b preset (Llama-3.3-70B is Llama-3.1-70B's architecture).
  CHECK(llmsim::core::count_parameters(model).total ==
        llmsim::core::count_parameters(load_model("llama-3.1-70b")).total);
}

TEST_CASE("ModelOpt's config.json shape (fields beside quant_method, list in ignore) reads the same") {
  const auto model = load_model(write_temp_file(
      "modelopt_flat.config.json",
      llama_config(R"({"quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 16,
        "kv_cache_quant_algo": "NVFP4", "ignore": ["lm_head", "model.layers.*.mlp.gate"]})")));
  CHECK(*model.checkpoint_weights == DType::nvfp4);
  CHECK(*model.checkpoint_kv_cache == DType::nvfp4);
  const auto fp8 = load_model(write_temp_file(
      "modelopt_fp8.config.json", llama_config(R"({"quant_method": "modelopt", "quant_algo": "FP8"})")));
  CHECK(*fp8.checkpoint_weights == DType::fp8);
  CHECK_FALSE(fp8.checkpoint_kv_cache.has_value());
}

TEST_CASE("ModelOpt configurations llmsim cannot price are refused with the field named") {
  CHECK(model_error("modelopt_w4a16.config.json",
                    llama_config(R"({"quant_method": "modelopt", "quant_algo": "W4A16_NVFP4"})")) ==
        "quantization_config: modelopt quant_algo \"W4A16_NVFP4\" is not supported (supported: NVFP4, FP8)");
  CHECK(model_error("modelopt_group.config.json",
                    llama_config(R"({"quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 32})")) ==
        "quantization_config: modelopt NVFP4 group_size must be 16 (one FP8 scale per 16 elements), got 32");
  CHECK(model_error("modelopt_kv.config.json",
                    llama_config(R"({"quant_method": "modelopt", "quant_algo": "NVFP4", "kv_cache_quant_algo": "INT8"})")) ==
        "quantization_config: kv_cache_quant_algo \"INT8\" is not supported (supported: FP8, NVFP4)");
  // Attention left in 16-bit beside FP4 MLPs would be priced as if all were FP4: refused.
  CHECK(model_error("modelopt_attn.config.json",
                    llama_config(R"({"quant_method": "modelopt", "quant_algo": "NVFP4",
                      "ignore": ["lm_head", "model.layers.*.self_attn*"]})")) ==
        "quantization_config: ignore names \"model.layers.*.self_attn*\"; only the LM head, embeddings and MoE "
        "routers can stay unquantised");
  // mlp.gate_proj is not the router.
  CHECK(model_error("modelopt_gate_proj.config.json",
                    llama_config(R"({"quant_method": "modelopt", "quant_algo": "NVFP4",
                      "ignore": ["model.layers.0.mlp.gate_proj"]})")) != "");
}
