// Qwen3-Next's config.json and the model YAML's linear-attention keys (issue 23): read, and
// refused when inconsistent.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::file_text;
using llmsim::testing::replaced;
using llmsim::testing::write_temp_file;

namespace {

const std::string kHfDir = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/";

std::string fixture_text() {
  return file_text(kHfDir + "qwen3-next-80b-a3b.config.json");
}

/// A small hybrid model YAML (4 layers, 3 of them Gated DeltaNet) with `extra` lines.
std::string hybrid_yaml(const std::string& extra) {
  return R"(id: tiny-hybrid
source: "test"
nominal_params: 2.7e6
num_layers: 4
hidden_size: 256
num_attention_heads: 4
num_kv_heads: 2
head_dim: 64
intermediate_size: 512
vocab_size: 1000
max_position_embeddings: 4096
tie_word_embeddings: false
gated_mlp: true
attention_bias: false
)" + extra;
}

const std::string kLinearKeys = R"(linear_attention: gated_delta_net
linear_attention_layers: 3
linear_num_key_heads: 2
linear_key_head_dim: 32
linear_num_value_heads: 4
linear_value_head_dim: 32
linear_conv_kernel_dim: 4
)";

}  // namespace

TEST_CASE("Qwen3-Next: config.json and preset agree; 36 of 48 layers Gated DeltaNet from full_attention_interval 4") {
  const auto json = load_model(kHfDir + "qwen3-next-80b-a3b.config.json");
  const auto yaml = load_model("qwen3-next-80b-a3b");
  CHECK(json.linear_mixer == llmsim::core::LinearMixer::gated_delta_net);
  CHECK(json.linear_attention_layers == 36);
  CHECK(json.linear_num_key_heads == 16);
  CHECK(json.linear_key_head_dim == 128);
  CHECK(json.linear_num_value_heads == 32);
  CHECK(json.linear_value_head_dim == 128);
  CHECK(json.linear_conv_kernel_dim == 4);
  CHECK(json.attention_output_gate);
  CHECK(json.qk_norm);
  CHECK(json.num_experts == 512);
  CHECK(json.experts_per_token == 10);
  CHECK(json.num_shared_experts == 1);
  CHECK(json.shared_expert_intermediate_size == 512);
  const auto from_json = llmsim::core::count_parameters(json);
  const auto from_yaml = llmsim::core::count_parameters(yaml);
  CHECK(from_json.total == from_yaml.total);
  CHECK(from_json.active == from_yaml.active);
  // "80B in total" (the model card), within 2%: 79,674,292,992 counted (core test has the sum).
  CHECK(from_yaml.total == doctest::Approx(80.0e9).epsilon(0.02));
  CHECK(yaml.linear_attention_layers == json.linear_attention_layers);
  CHECK(yaml.attention_output_gate == json.attention_output_gate);
}

TEST_CASE("Qwen3-Next's layer_types, when present, say which layers are linear") {
  std::string types = R"("layer_types": [)";
  for (int i = 0; i < 48; ++i) {
    types += std::string(i == 0 ? "" : ", ") + ((i + 1) % 6 == 0 ? R"("full_attention")" : R"("linear_attention")");
  }
  types += "],\n  ";
  const auto model = load_model(write_temp_file(
      "qwen3_next_layer_types.config.json",
      replaced(fixture_text(), R"("full_attention_interval": 4,)", types + R"("full_attention_interval": 4,)")));
  CHECK(model.linear_attention_layers == 40);  // 8 of 48 full
}

TEST_CASE("a Qwen3-Next config.json with inconsistent linear-attention fields is refused, naming the key") {
  const std::string text = fixture_text();
  SUBCASE("a layer type that is neither linear nor full attention") {
    const auto error = error_of(write_temp_file(
        "qwen3_next_bad_type.config.json",
        replaced(text, R"("full_attention_interval": 4,)",
                 R"("layer_types": ["sliding_attention"], "full_attention_interval": 4,)")));
    CHECK(error.key_path() == "layer_types");
  }
  SUBCASE("no full-attention layer left") {
    const auto error = error_of(write_temp_file(
        "qwen3_next_all_linear.config.json",
        replaced(text, R"("full_attention_interval": 4,)", R"("full_attention_interval": 100,)")));
    CHECK(error.key_path() == "full_attention_interval");
    CHECK(std::string(error.what()).find("no full-attention layer") != std::string::npos);
  }
  SUBCASE("value heads not a multiple of key heads") {
    const auto error = error_of(write_temp_file(
        "qwen3_next_heads.config.json",
        replaced(text, R"("linear_num_value_heads": 32,)", R"("linear_num_value_heads": 24,)")));
    CHECK(error.key_path() == "linear_num_value_heads");
    CHECK(error.line() > 1);
  }
  SUBCASE("a missing DeltaNet width") {
    const auto error = error_of(write_temp_file(
        "qwen3_next_missing.config.json", replaced(text, R"("linear_key_head_dim": 128,)", "")));
    CHECK(error.key_path() == "linear_key_head_dim");
  }
  SUBCASE("a sliding window beside the DeltaNet layers") {
    const auto error = error_of(write_temp_file(
        "qwen3_next_window.config.json",
        replaced(text, R"("use_sliding_window": false,)", R"("use_sliding_window": true,)")));
    CHECK(error.key_path() == "use_sliding_window");
  }
}

TEST_CASE("the model YAML's linear-attention keys: read, and refused when inconsistent") {
  const auto model = load_model(write_temp_file("hybrid_ok.yaml", hybrid_yaml(kLinearKeys)));
  CHECK(model.linear_attention_layers == 3);
  CHECK(model.linear_mixer == llmsim::core::LinearMixer::gated_delta_net);
  SUBCASE("widths without linear_attention") {
    const auto error = error_of(write_temp_file("hybrid_no_mixer.yaml", hybrid_yaml("linear_num_key_heads: 2\n")));
    CHECK(error.key_path() == "linear_num_key_heads");
    CHECK(std::string(error.what()).find("set without linear_attention") != std::string::npos);
  }
  SUBCASE("an unknown mixer") {
    const auto error = error_of(write_temp_file("hybrid_bad_mixer.yaml", hybrid_yaml("linear_attention: rwkv\n")));
    CHECK(error.key_path() == "linear_attention");
  }
  SUBCASE("every layer linear") {
    std::string keys = kLinearKeys;
    keys = replaced(keys, "linear_attention_layers: 3", "linear_attention_layers: 4");
    const auto error = error_of(write_temp_file("hybrid_all_linear.yaml", hybrid_yaml(keys)));
    CHECK(error.key_path() == "linear_attention_layers");
  }
  SUBCASE("a missing width") {
    const std::string keys = replaced(kLinearKeys, "linear_conv_kernel_dim: 4\n", "");
    const auto error = error_of(write_temp_file("hybrid_no_kernel.yaml", hybrid_yaml(keys)));
    CHECK(error.key_path() == "linear_conv_kernel_dim");
  }
  SUBCASE("beside a sliding window") {
    const auto error =
        error_of(write_temp_file("hybrid_window.yaml", hybrid_yaml(kLinearKeys + "sliding_window: 512\n")));
    CHECK(error.key_path() == "sliding_window");
  }
}

namespace {

std::string nemotron_text() {
  return file_text(kHfDir + "nemotron-h-8b.config.json");
}

}  // namespace

TEST_CASE("Nemotron-H-8B: config.json (with its Infinity) and preset agree on 24 M, 4 *, 24 - blocks") {
  const auto json = load_model(kHfDir + "nemotron-h-8b.config.json");
  const auto yaml = load_model("nemotron-h-8b");
  CHECK(json.linear_mixer == llmsim::core::LinearMixer::mamba2);
  CHECK(json.linear_attention_layers == 24);
  CHECK(json.ffn_only_layers == 24);
  CHECK(json.attention_layers() == 4);
  CHECK(json.linear_num_key_heads == 8);
  CHECK(json.linear_key_head_dim == 128);
  CHECK(json.linear_num_value_heads == 128);
  CHECK(json.linear_value_head_dim == 64);
  CHECK(json.linear_conv_kernel_dim == 4);
  CHECK(json.head_dim == 128);
  CHECK_FALSE(json.gated_mlp);
  CHECK(llmsim::core::count_parameters(json).total == llmsim::core::count_parameters(yaml).total);
  CHECK(llmsim::core::count_parameters(yaml).total == doctest::Approx(8.0e9).epsilon(0.02));  // "8B"
}

TEST_CASE("a Nemotron-H config.json with a block llmsim does not model is refused, naming the key") {
  const std::string text = nemotron_text();
  const std::string pattern = "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-";
  SUBCASE("a MoE block") {
    std::string moe = pattern;
    moe[1] = 'E';
    const auto error = error_of(write_temp_file("nemotron_moe.config.json", replaced(text, pattern, moe)));
    CHECK(error.key_path() == "hybrid_override_pattern");
    CHECK(std::string(error.what()).find("MoE blocks are not modelled") != std::string::npos);
  }
  SUBCASE("a pattern shorter than the layers") {
    const auto error =
        error_of(write_temp_file("nemotron_short.config.json", replaced(text, pattern, pattern.substr(1))));
    CHECK(error.key_path() == "hybrid_override_pattern");
  }
  SUBCASE("no attention block") {
    std::string none = pattern;
    for (char& block : none) block = block == '*' ? 'M' : block;
    const auto error = error_of(write_temp_file("nemotron_no_attention.config.json", replaced(text, pattern, none)));
    CHECK(error.key_path() == "hybrid_override_pattern");
  }
  SUBCASE("groups that do not divide the heads") {
    const auto error = error_of(write_temp_file("nemotron_groups.config.json",
                                                replaced(text, R"("n_groups": 8,)", R"("n_groups": 6,)")));
    CHECK(error.key_path() == "mamba_num_heads");
  }
}
