// sliding_window from config.json and the model YAML: read in every form Hugging Face writes
// it, never ignored (issue 20).
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::write_temp_file;

namespace {

const std::string kHfDir = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/";

/// A Qwen3-style config.json with `extra` JSON members spliced in before the last one.
std::string qwen3_config(const std::string& extra) {
  return R"({
  "architectures": ["Qwen3ForCausalLM"],
  "head_dim": 128,
  "hidden_size": 4096,
  "intermediate_size": 12288,
  "max_position_embeddings": 40960,
  "model_type": "qwen3",
  "num_attention_heads": 32,
  "num_hidden_layers": 36,
  "num_key_value_heads": 8,
  )" + extra + R"(
  "vocab_size": 151936
})";
}

const std::string kYamlModel = R"(id: tiny
source: "test"
nominal_params: 5.0e5             # the 497,472 parameters the architecture holds, rounded
num_layers: 6
hidden_size: 64
num_attention_heads: 4
num_kv_heads: 2
head_dim: 16
intermediate_size: 256
vocab_size: 1000
max_position_embeddings: 8192
tie_word_embeddings: false
gated_mlp: true
attention_bias: false
)";

}  // namespace

TEST_CASE("Mistral-7B-v0.1's config.json windows every layer at 4096 tokens") {
  const auto model = load_model(kHfDir + "mistral-7b-v0.1.config.json");
  CHECK(model.sliding_window == 4096);
  CHECK(model.sliding_window_layers == 32);
  CHECK(model.vocab_size == 32000);
}

TEST_CASE("configs without a binding window load without one") {
  CHECK(load_model(kHfDir + "mixtral-8x7b.config.json").sliding_window == 0);  // null
  const auto qwen = load_model(kHfDir + "qwen3-8b.config.json");             // use_sliding_window false
  CHECK(qwen.sliding_window == 0);
  CHECK(qwen.sliding_window_layers == 0);
}

TEST_CASE("layer_types counts the sliding_attention layers (Gemma-3-style 5:1)") {
  const auto model = load_model(kHfDir + "qwen3-8b-mixed-window.config.json");
  CHECK(model.sliding_window == 1024);
  CHECK(model.sliding_window_layers == 30);
}

TEST_CASE("sliding_window_pattern windows all but every P-th layer") {
  const auto path = write_temp_file("pattern.config.json",
                                    qwen3_config(R"("sliding_window": 1024, "sliding_window_pattern": 6,)"));
  const auto model = load_model(path);
  CHECK(model.sliding_window_layers == 36 - 6);
}

TEST_CASE("Qwen's use_sliding_window windows the layers from max_window_layers on") {
  const auto on = write_temp_file(
      "qwen_on.config.json",
      qwen3_config(R"("sliding_window": 4096, "use_sliding_window": true, "max_window_layers": 28,)"));
  CHECK(load_model(on).sliding_window_layers == 8);
  const auto off = write_temp_file(
      "qwen_off.config.json",
      qwen3_config(R"("sliding_window": 4096, "use_sliding_window": false, "max_window_layers": 28,)"));
  CHECK(load_model(off).sliding_window == 0);
}

TEST_CASE("window keys that cannot be honoured are refused, naming the key") {
  std::string types = "\"chunked_attention\"";
  for (int i = 1; i < 36; ++i) types += ", \"full_attention\"";
  const auto unknown = write_temp_file(
      "chunked.config.json", qwen3_config(R"("sliding_window": 1024, "layer_types": [)" + types + "],"));
  CHECK(error_of(unknown).key_path() == "layer_types");
  const auto no_window = write_temp_file(
      "no_window.config.json",
      qwen3_config(R"("sliding_window_pattern": 6,)"));
  CHECK(error_of(no_window).key_path() == "sliding_window");
  const auto llama = write_temp_file("llama_window.config.json", R"({
  "model_type": "llama",
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 131072,
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "sliding_window": 4096,
  "vocab_size": 128256
})");
  const InputError error = error_of(llama);
  CHECK(error.key_path() == "sliding_window");
  CHECK(error.line() == 9);
}

TEST_CASE("the model YAML takes sliding_window, on every layer unless sliding_window_layers says") {
  const auto all = load_model(write_temp_file("all.yaml", kYamlModel + "sliding_window: 512\n"));
  CHECK(all.sliding_window == 512);
  CHECK(all.sliding_window_layers == 6);
  const auto five = load_model(write_temp_file("five.yaml", kYamlModel + "sliding_window: 512\nsliding_window_layers: 5\n"));
  CHECK(five.sliding_window_layers == 5);
  CHECK(error_of(write_temp_file("layers_only.yaml", kYamlModel + "sliding_window_layers: 5\n")).key_path() ==
        "sliding_window_layers");
  CHECK(error_of(write_temp_file("too_many.yaml", kYamlModel + "sliding_window: 512\nsliding_window_layers: 7\n"))
            .key_path() == "sliding_window_layers");
  CHECK(error_of(write_temp_file("zero.yaml", kYamlModel + "sliding_window: 0\n")).key_path() == "sliding_window");
}
