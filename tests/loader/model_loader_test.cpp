#include "loader/model_loader.h"

#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/hardware_loader.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::loader::load_hardware;
using llmsim::loader::load_model;

namespace {

const std::string kHfDir = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/";

std::string error_of_model(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& error) {
    return error.what();
  }
  FAIL("expected an InputError");
  return "";
}

const std::string kTinyModel = R"(id: tiny
source: "test"
nominal_params: 1.0e6
num_layers: 2
hidden_size: 64
num_attention_heads: 4
num_kv_heads: 2
head_dim: 16
intermediate_size: 256
vocab_size: 1000
max_position_embeddings: 2048
tie_word_embeddings: false
gated_mlp: true
attention_bias: false
)";

}  // namespace

TEST_CASE("every model preset loads and validates") {
  const auto ids = llmsim::loader::list_model_presets();
  CHECK(ids.size() >= 10);
  for (const auto& id : ids) {
    CAPTURE(id);
    const auto model = load_model(id);
    CHECK(model.id == id);
    CHECK(model.nominal_params > 0.0);
  }
}

TEST_CASE("every hardware preset loads with a bf16 peak and HBM") {
  const auto ids = llmsim::loader::list_hardware_presets();
  CHECK(ids.size() >= 7);
  for (const auto& id : ids) {
    CAPTURE(id);
    const auto gpu = load_hardware(id);
    CHECK(gpu.id == id);
    CHECK(gpu.peak.bf16_flops_per_s.value_or(0.0) > 1e14);
    CHECK(gpu.hbm_bandwidth_bytes_per_s > 5e11);
    CHECK(gpu.hbm_capacity_bytes > 40.0 * 1024 * 1024 * 1024);
  }
}

TEST_CASE("preset parameter counts match published sizes within 1 percent") {
  auto total = [](const std::string& id) { return llmsim::core::count_parameters(load_model(id)).total; };
  CHECK(total("llama-3.1-8b") == doctest::Approx(8.03e9).epsilon(0.01));
  CHECK(total("llama-2-7b") == doctest::Approx(6.74e9).epsilon(0.01));
  CHECK(total("mixtral-8x7b") == doctest::Approx(46.7e9).epsilon(0.01));
  CHECK(llmsim::core::count_parameters(load_model("mixtral-8x7b")).active == doctest::Approx(12.9e9).epsilon(0.01));
  CHECK(total("qwen3-8b") == doctest::Approx(8.19e9).epsilon(0.01));
  CHECK(total("llama-3.1-70b") == doctest::Approx(70.6e9).epsilon(0.01));
  // Llama-3.3-70B: Llama-3.1-70B's shape. Llama-3.1-405B: 126 x (2 x 16,384^2 + 2 x 16,384 x
  // 1,024 + 3 x 16,384 x 53,248 + 2 x 16,384) + 2 x 128,256 x 16,384 + 16,384, "405B".
  CHECK(total("llama-3.3-70b") == total("llama-3.1-70b"));
  CHECK(total("llama-3.1-405b") == 126.0 * (2.0 * 16384.0 * 16384.0 + 2.0 * 16384.0 * 1024.0 +
                                             3.0 * 16384.0 * 53248.0 + 2.0 * 16384.0) +
                                       2.0 * 128256.0 * 16384.0 + 16384.0);
  CHECK(total("llama-3.1-405b") == doctest::Approx(405.0e9).epsilon(0.02));
  // Gemma-3-27B: 62 x (attention 2 x 5,376 x 4,096 + 2 x 5,376 x 2,048, MLP 3 x 5,376 x 21,504,
  // two norms, q/k norms 2 x 128) + tied embedding 262,208 x 5,376 + final norm: "27B".
  CHECK(total("gemma-3-27b") == 62.0 * (2.0 * 5376.0 * 4096.0 + 2.0 * 5376.0 * 2048.0 + 3.0 * 5376.0 * 21504.0 +
                                        2.0 * 5376.0 + 256.0) +
                                    262208.0 * 5376.0 + 5376.0);
  CHECK(total("gemma-3-27b") == doctest::Approx(27.0e9).epsilon(0.02));
  // Its config.json names few fields; Gemma3TextConfig's defaults give the rest.
  const auto gemma = load_model(kHfDir + "gemma-3-27b.config.json");
  CHECK(gemma.vocab_size == 262208);
  CHECK(gemma.tie_word_embeddings);
  CHECK(gemma.qk_norm);
  CHECK(gemma.sliding_window == 1024);
  CHECK(gemma.sliding_window_layers == 52);
  // Qwen3-235B-A22B: "235B in total and 22B activated".
  const auto qwen235 = llmsim::core::count_parameters(load_model("qwen3-235b-a22b"));
  CHECK(qwen235.total == 235'093'634'560.0);
  CHECK(qwen235.total == doctest::Approx(235.0e9).epsilon(0.02));
  CHECK(qwen235.active == doctest::Approx(22.0e9).epsilon(0.02));
}

TEST_CASE("a real config.json gives the same architecture as its preset") {
  for (const std::string id : {"llama-3.1-8b", "mixtral-8x7b", "qwen3-8b", "mistral-7b-v0.1", "gemma-3-27b"}) {
    CAPTURE(id);
    const auto from_json = load_model(kHfDir + id + ".config.json");
    const auto preset = load_model(id);
    CHECK(from_json.num_layers == preset.num_layers);
    CHECK(from_json.hidden_size == preset.hidden_size);
    CHECK(from_json.num_kv_heads == preset.num_kv_heads);
    CHECK(from_json.head_dim == preset.head_dim);
    CHECK(from_json.num_experts == preset.num_experts);
    CHECK(from_json.qk_norm == preset.qk_norm);
    CHECK(from_json.sliding_window == preset.sliding_window);
    CHECK(from_json.sliding_window_layers == preset.sliding_window_layers);
    CHECK(llmsim::core::count_parameters(from_json).total == llmsim::core::count_parameters(preset).total);
  }
}

TEST_CASE("a config.json missing a required field names the field") {
  const auto path = llmsim::testing::write_temp_file(
      "missing.config.json", "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 64\n}\n");
  CHECK(error_of_model(path) == path + ":1: num_hidden_layers: missing required field");
}

TEST_CASE("a config.json with a wrong type names the line of the key") {
  const auto path = llmsim::testing::write_temp_file(
      "badtype.config.json",
      "{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": \"32\",\n  \"hidden_size\": 64\n}\n");
  CHECK(error_of_model(path) == path + ":3: num_hidden_layers: expected a positive integer, got \"32\"");
}

TEST_CASE("an unsupported config.json model_type is rejected") {
  const auto path = llmsim::testing::write_temp_file("gpt2.config.json", "{\"model_type\": \"gpt2\"}");
  CHECK(error_of_model(path).find("model_type: unsupported model_type \"gpt2\"") != std::string::npos);
}

TEST_CASE("broken JSON names its line") {
  const auto path = llmsim::testing::write_temp_file("broken.config.json", "{\n  \"model_type\": \"llama\",\n  oops\n}");
  CHECK(error_of_model(path).rfind(path + ":3: JSON syntax error", 0) == 0);
}

TEST_CASE("a model YAML with an unknown key or a bad value is located") {
  const auto unknown = llmsim::testing::write_temp_file("unknown.yaml", kTinyModel + "num_layerz: 3\n");
  CHECK(error_of_model(unknown) == unknown + ":15: num_layerz: unknown key `num_layerz` (did you mean `num_layers`?)");

  std::string bad_heads = kTinyModel;
  bad_heads.replace(bad_heads.find("num_kv_heads: 2"), 15, "num_kv_heads: 3");
  const auto heads = llmsim::testing::write_temp_file("heads.yaml", bad_heads);
  CHECK(error_of_model(heads).find("num_kv_heads: num_attention_heads (4) must be a multiple of num_kv_heads (3)") !=
        std::string::npos);

  std::string missing = kTinyModel;
  missing.erase(missing.find("vocab_size: 1000\n"), 17);
  const auto missing_path = llmsim::testing::write_temp_file("missing.yaml", missing);
  CHECK(error_of_model(missing_path) == missing_path + ":1: missing required key \"vocab_size\"");
}

TEST_CASE("an unknown preset id lists the presets") {
  const std::string message = error_of_model("no-such-model");
  CHECK(message.find("unknown model \"no-such-model\"") != std::string::npos);
  CHECK(message.find("llama-3.1-8b") != std::string::npos);
}

TEST_CASE("a hardware YAML with an efficiency above 1 is rejected at its line") {
  const std::string text = R"(id: x
name: "X"
source: "test"
peak_tflops: {bf16: 100}
hbm_bandwidth_tb_per_s: 1
hbm_capacity_gib: 40
interconnect_bandwidth_gb_per_s: 10
interconnect_latency_us: 1
tdp_w: 300
idle_power_w: 50
price_per_gpu_hour_usd: 1
efficiency:
  source: "test"
  gemm: {compute: 1.5, bandwidth: 0.8, latency_us: 0}
  per_layer_overhead_us: 0
)";
  const auto path = llmsim::testing::write_temp_file("gpu.yaml", text);
  try {
    load_hardware(path);
    FAIL("expected an InputError");
  } catch (const InputError& error) {
    CHECK(std::string(error.what()) ==
          path + ":14: efficiency.gemm.compute: expected a number in (0, 1], got \"1.5\"");
  }
}

TEST_CASE("a GPU is found by its device name") {
  CHECK(llmsim::loader::find_hardware("NVIDIA H100 80GB HBM3").id == "h100-sxm");
  CHECK(llmsim::loader::find_hardware("NVIDIA A100-SXM4-80GB").id == "a100-sxm-80gb");
  CHECK(llmsim::loader::find_hardware("h200").id == "h200");
  CHECK_THROWS_AS(llmsim::loader::find_hardware("Voodoo 3"), InputError);
}
