// The config.json readers and presets of issue 23's last architectures: DeepSeek-V3.2
// (deepseek_v32, sparse attention). Each fixture and its preset must describe the same model,
// field by field.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::core::ModelSpec;
using llmsim::loader::load_model;
using llmsim::testing::write_temp_file;

namespace {

const std::string kHfDir = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/";
const std::string kPresetDir = std::string(LLMSIM_SOURCE_DIR) + "/configs/models/";

/// Every architecture field the two loaders fill (id, source and nominal_params aside).
void check_same_model(const ModelSpec& json, const ModelSpec& yaml) {
  CHECK(json.num_layers == yaml.num_layers);
  CHECK(json.hidden_size == yaml.hidden_size);
  CHECK(json.num_attention_heads == yaml.num_attention_heads);
  CHECK(json.num_kv_heads == yaml.num_kv_heads);
  CHECK(json.head_dim == yaml.head_dim);
  CHECK(json.intermediate_size == yaml.intermediate_size);
  CHECK(json.vocab_size == yaml.vocab_size);
  CHECK(json.max_position_embeddings == yaml.max_position_embeddings);
  CHECK(json.tie_word_embeddings == yaml.tie_word_embeddings);
  CHECK(json.gated_mlp == yaml.gated_mlp);
  CHECK(json.attention_bias == yaml.attention_bias);
  CHECK(json.qk_norm == yaml.qk_norm);
  CHECK(json.q_lora_rank == yaml.q_lora_rank);
  CHECK(json.kv_lora_rank == yaml.kv_lora_rank);
  CHECK(json.qk_nope_head_dim == yaml.qk_nope_head_dim);
  CHECK(json.qk_rope_head_dim == yaml.qk_rope_head_dim);
  CHECK(json.v_head_dim == yaml.v_head_dim);
  CHECK(json.index_n_heads == yaml.index_n_heads);
  CHECK(json.index_head_dim == yaml.index_head_dim);
  CHECK(json.index_topk == yaml.index_topk);
  CHECK(json.num_experts == yaml.num_experts);
  CHECK(json.experts_per_token == yaml.experts_per_token);
  CHECK(json.expert_intermediate_size == yaml.expert_intermediate_size);
  CHECK(json.num_shared_experts == yaml.num_shared_experts);
  CHECK(json.shared_expert_intermediate_size == yaml.shared_expert_intermediate_size);
  CHECK(json.first_k_dense_replace == yaml.first_k_dense_replace);
  CHECK(json.moe_layer_step == yaml.moe_layer_step);
  CHECK(json.sliding_window == yaml.sliding_window);
  CHECK(llmsim::core::count_parameters(json).total == llmsim::core::count_parameters(yaml).total);
  CHECK(llmsim::core::count_parameters(json).active == llmsim::core::count_parameters(yaml).active);
}

InputError error_of(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& error) {
    return error;
  }
  FAIL("expected an InputError");
  return InputError("");
}

/// `text` with the first `from` replaced by `to` (which must be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

/// A small DeepSeek-V3.2-shaped config.json.
const std::string kSmallV32 = R"({
  "first_k_dense_replace": 1,
  "hidden_size": 256,
  "index_head_dim": 128,
  "index_n_heads": 4,
  "index_topk": 64,
  "intermediate_size": 512,
  "kv_lora_rank": 64,
  "max_position_embeddings": 4096,
  "model_type": "deepseek_v32",
  "moe_intermediate_size": 128,
  "n_routed_experts": 16,
  "n_shared_experts": 1,
  "num_attention_heads": 8,
  "num_experts_per_tok": 2,
  "num_hidden_layers": 4,
  "num_key_value_heads": 8,
  "q_lora_rank": 96,
  "qk_nope_head_dim": 32,
  "qk_rope_head_dim": 16,
  "v_head_dim": 32,
  "vocab_size": 1000
})";

}  // namespace

TEST_CASE("DeepSeek-V3.2-Exp's config.json and the deepseek-v3.2 preset: MLA with sparse attention") {
  const ModelSpec json = load_model(kHfDir + "deepseek-v3.2-exp.config.json");
  const ModelSpec yaml = load_model(kPresetDir + "deepseek-v3.2.yaml");
  check_same_model(json, yaml);
  CHECK(json.index_n_heads == 64);
  CHECK(json.index_head_dim == 128);
  CHECK(json.index_topk == 2048);
  CHECK(json.has_sparse_attention());
  REQUIRE(json.checkpoint_weights.has_value());  // fp8 e4m3, as DeepSeek-V3
  // DeepSeek-V3's 671,026,404,352 plus 61 x 13,959,424 indexer parameters
  // (tests/core/sparse_attention_test.cpp writes the indexer out tensor by tensor).
  CHECK(llmsim::core::count_parameters(yaml).total == 671'877'929'216.0);
  CHECK(llmsim::core::count_parameters(yaml).active == 38'403'807'488.0);
}

TEST_CASE("deepseek_v32 needs its three DSA keys; inconsistent ones are refused at their key") {
  CHECK(load_model(write_temp_file("v32.config.json", kSmallV32)).index_topk == 64);
  const auto bad = [](const std::string& name, const std::string& from, const std::string& to) {
    return error_of(write_temp_file(name, replaced(kSmallV32, from, to))).key_path();
  };
  CHECK(bad("v32_topk0.config.json", R"("index_topk": 64)", R"("index_topk": 0)") == "index_topk");
  CHECK(bad("v32_topk_neg.config.json", R"("index_topk": 64)", R"("index_topk": -1)") == "index_topk");
  CHECK(bad("v32_no_topk.config.json", R"("index_topk": 64,)", "") == "index_topk");
  CHECK(bad("v32_no_heads.config.json", R"("index_n_heads": 4,)", "") == "index_n_heads");
  CHECK(bad("v32_dim.config.json", R"("index_head_dim": 128)", R"("index_head_dim": 96)") == "index_head_dim");
  CHECK(bad("v32_topk_ctx.config.json", R"("index_topk": 64)", R"("index_topk": 4096)") == "index_topk");
  CHECK(bad("v32_no_qlora.config.json", R"("q_lora_rank": 96)", R"("q_lora_rank": null)") == "q_lora_rank");
}

TEST_CASE("the model YAML's DSA keys need MLA and come together") {
  const std::string base = R"(id: tiny-dsa
source: "test"
nominal_params: 3.0e6
num_layers: 4
hidden_size: 256
num_attention_heads: 8
num_kv_heads: 8
head_dim: 48
intermediate_size: 512
vocab_size: 1000
max_position_embeddings: 4096
tie_word_embeddings: false
gated_mlp: true
attention_bias: false
q_lora_rank: 96
kv_lora_rank: 64
qk_nope_head_dim: 32
qk_rope_head_dim: 16
v_head_dim: 32
)";
  const std::string dsa = "index_n_heads: 4\nindex_head_dim: 128\nindex_topk: 64\n";
  CHECK(load_model(write_temp_file("dsa.yaml", base + dsa)).index_topk == 64);
  CHECK(error_of(write_temp_file("dsa_heads.yaml", base + "index_topk: 64\nindex_head_dim: 128\n")).key_path() ==
        "index_n_heads");
  CHECK(error_of(write_temp_file("dsa_no_topk.yaml", base + "index_n_heads: 4\n")).key_path() == "index_n_heads");
  const std::string gqa = replaced(replaced(base, "q_lora_rank: 96\nkv_lora_rank: 64\nqk_nope_head_dim: 32\n"
                                                  "qk_rope_head_dim: 16\nv_head_dim: 32\n", ""),
                                   "head_dim: 48", "head_dim: 32");
  CHECK(error_of(write_temp_file("dsa_gqa.yaml", gqa + dsa)).key_path() == "index_topk");
}
