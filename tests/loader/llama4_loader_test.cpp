// Llama 4's config.json (language model in text_config) and the model YAML's chunked-attention
// keys (issue 23): read, and refused when inconsistent.
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

std::string maverick_text() {
  return file_text(kHfDir + "llama-4-maverick.config.json");
}

}  // namespace

TEST_CASE("Llama-4-Maverick: config.json's text_config and the preset agree") {
  const auto json = load_model(kHfDir + "llama-4-maverick.config.json");
  const auto yaml = load_model("llama-4-maverick");
  CHECK(json.num_layers == 48);
  CHECK(json.hidden_size == 5120);  // text_config's, not vision_config's 1408
  CHECK(json.num_experts == 128);
  CHECK(json.experts_per_token == 1);
  CHECK(json.expert_intermediate_size == 8192);
  CHECK(json.intermediate_size == 16384);  // intermediate_size_mlp
  CHECK(json.num_shared_experts == 1);
  CHECK(json.moe_layer_step == 2);
  CHECK(json.attention_chunk_size == 8192);
  CHECK(json.chunked_attention_layers == 36);  // no_rope_layer_interval 4 by default
  CHECK_FALSE(json.qk_norm);
  const auto counts = llmsim::core::count_parameters(json);
  CHECK(counts.total == llmsim::core::count_parameters(yaml).total);
  CHECK(counts.active == llmsim::core::count_parameters(yaml).active);
  CHECK(counts.total == doctest::Approx(400.0e9).epsilon(0.02));  // "400B"
}

TEST_CASE("Llama-4-Scout's preset: 109B with the vision encoder, within 2% of the language model's count") {
  const auto scout = load_model("llama-4-scout");
  CHECK(llmsim::core::count_parameters(scout).total == doctest::Approx(109.0e9).epsilon(0.02));
  CHECK(llmsim::core::count_parameters(scout).active == doctest::Approx(17.0e9).epsilon(0.02));
}

TEST_CASE("Llama 4's no_rope_layers list and refusals") {
  const std::string text = maverick_text();
  std::string flags = R"("no_rope_layers": [)";
  for (int i = 0; i < 48; ++i) flags += std::string(i == 0 ? "" : ", ") + (i % 2 == 0 ? "1" : "0");
  flags += "],\n    ";
  const auto listed = load_model(write_temp_file(
      "llama4_no_rope.config.json", replaced(text, R"("num_attention_heads": 40,)", flags + R"("num_attention_heads": 40,)")));
  CHECK(listed.chunked_attention_layers == 24);
  SUBCASE("a moe_layers list the interleave rule does not give") {
    const auto error = error_of(write_temp_file(
        "llama4_moe_layers.config.json",
        replaced(text, R"("num_attention_heads": 40,)", R"("moe_layers": [0, 2], "num_attention_heads": 40,)")));
    CHECK(error.key_path() == "moe_layers");
  }
  SUBCASE("a llama4 file without text_config") {
    const auto error = error_of(write_temp_file(
        "llama4_no_text.config.json", replaced(text, R"("text_config": {)", R"("language_config": {)")));
    CHECK(error.key_path() == "text_config");
  }
}

TEST_CASE("the model YAML's chunk keys go together") {
  const std::string base = R"(id: tiny-chunked
source: "test"
nominal_params: 2.9e6
num_layers: 4
hidden_size: 256
num_attention_heads: 4
num_kv_heads: 2
head_dim: 64
intermediate_size: 512
vocab_size: 1000
max_position_embeddings: 65536
tie_word_embeddings: false
gated_mlp: true
attention_bias: false
)";
  const auto ok = load_model(write_temp_file("chunked_ok.yaml", base + "attention_chunk_size: 1024\nchunked_attention_layers: 3\n"));
  CHECK(ok.chunked_attention_layers == 3);
  const auto no_layers = error_of(write_temp_file("chunked_no_layers.yaml", base + "attention_chunk_size: 1024\n"));
  CHECK(no_layers.key_path() == "chunked_attention_layers");
  const auto too_many = error_of(
      write_temp_file("chunked_too_many.yaml", base + "attention_chunk_size: 1024\nchunked_attention_layers: 5\n"));
  CHECK(too_many.key_path() == "chunked_attention_layers");
  const auto window = error_of(write_temp_file(
      "chunked_window.yaml", base + "attention_chunk_size: 1024\nchunked_attention_layers: 3\nsliding_window: 512\n"));
  CHECK(window.key_path() == "sliding_window");
}
