// The config.json readers and presets of issue 23's last architectures: DeepSeek-V3.2
// (deepseek_v32, sparse attention), GLM-4.5/4.6 (glm4_moe) and MiniMax-M2 (minimax_m2). Each
// fixture and its preset must describe the same model, field by field.
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::core::ModelSpec;
using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::replaced;
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

TEST_CASE("GLM-4.6's config.json and the glm-4.6 preset: GQA with biases and q/k norms, 3 dense + 89 MoE") {
  const ModelSpec json = load_model(kHfDir + "glm-4.6.config.json");
  const ModelSpec yaml = load_model(kPresetDir + "glm-4.6.yaml");
  check_same_model(json, yaml);
  CHECK(json.head_dim == 128);  // 96 x 128 = 12,288 > hidden 5120
  CHECK(json.attention_bias);
  CHECK(json.qk_norm);          // use_qk_norm
  CHECK(json.first_k_dense_replace == 3);
  CHECK(json.num_shared_experts == 1);
  CHECK(json.shared_expert_intermediate_size == 1536);
  // Per layer: attention 2 x 5120 x 12288 + 2 x 5120 x 1024 = 136,314,880, q/k/v biases
  // 12288 + 2 x 1024 = 14,336, norms 2 x 5120 + q/k norms 2 x 128 = 10,496: 136,339,712.
  // Dense MLP 3 x 5120 x 12288 = 188,743,680. MoE: router 5120 x 160 = 819,200, 160 + 1
  // experts of 3 x 5120 x 1536 = 23,592,960. Embeddings 2 x 151552 x 5120 = 1,551,892,480.
  const double layer = 136339712.0;
  const double expert = 23592960.0;
  const double total = 3.0 * (layer + 188743680.0) + 89.0 * (layer + 819200.0 + 161.0 * expert) + 5120.0 +
                       1551892480.0;
  const double active = 3.0 * (layer + 188743680.0) + 89.0 * (layer + 819200.0 + 9.0 * expert) + 5120.0 +
                        1551892480.0;
  const llmsim::core::ParameterCounts counts = llmsim::core::count_parameters(json);
  CHECK(counts.total == total);  // 352,797,814,784
  CHECK(counts.active == active);  // 33,632,251,904
  CHECK(counts.embedding == 1551892480.0);
  // The model card's "355B total, 32B active": the count without the MTP layer is 0.62% under
  // the total (see configs/models/glm-4.6.yaml) and 0.25% over the active without embeddings.
  CHECK(counts.total == doctest::Approx(355.0e9).epsilon(0.0065));
  CHECK(counts.active - counts.embedding == doctest::Approx(32.0e9).epsilon(0.003));
}

TEST_CASE("glm4_moe's MoE keys are DeepSeek's: a missing one is named") {
  const std::string text = R"({
  "attention_bias": true, "first_k_dense_replace": 1, "head_dim": 64, "hidden_size": 256,
  "intermediate_size": 512, "max_position_embeddings": 4096, "model_type": "glm4_moe",
  "moe_intermediate_size": 128, "n_routed_experts": 16, "n_shared_experts": 1,
  "num_attention_heads": 8, "num_experts_per_tok": 2, "num_hidden_layers": 4,
  "num_key_value_heads": 2, "use_qk_norm": true, "vocab_size": 1000
})";
  const ModelSpec small = load_model(write_temp_file("glm.config.json", text));
  CHECK(small.num_experts == 16);
  CHECK(small.qk_norm);
  CHECK(error_of(write_temp_file("glm_no_moe.config.json", replaced(text, R"("moe_intermediate_size": 128,)", "")))
            .key_path() == "moe_intermediate_size");
  CHECK(error_of(write_temp_file("glm_top.config.json",
                                 replaced(text, R"("num_experts_per_tok": 2)", R"("num_experts_per_tok": 17)")))
            .key_path() == "num_experts_per_tok");
}

TEST_CASE("MiniMax-M2.7's config.json and the minimax-m2.7 preset: every layer full attention and MoE") {
  const ModelSpec json = load_model(kHfDir + "minimax-m2.7.config.json");
  const ModelSpec yaml = load_model(kPresetDir + "minimax-m2.7.yaml");
  check_same_model(json, yaml);
  CHECK(json.num_experts == 256);
  CHECK(json.expert_intermediate_size == 1536);  // intermediate_size is the expert width
  CHECK_FALSE(json.qk_norm);  // per-layer q/k norms are not ModelSpec's per-head ones (not counted)
  // Per layer: attention 2 x 3072 x 6144 + 2 x 3072 x 1024 = 44,040,192, norms 2 x 3072,
  // router 3072 x 256 = 786,432, 256 experts of 3 x 3072 x 1536 = 14,155,776.
  // Embeddings 2 x 200064 x 3072 = 1,229,193,216.
  const double layer = 44040192.0 + 6144.0 + 786432.0;
  const llmsim::core::ParameterCounts counts = llmsim::core::count_parameters(json);
  CHECK(counts.total == 62.0 * (layer + 256.0 * 14155776.0) + 3072.0 + 1229193216.0);  // 228,689,304,576
  CHECK(counts.active == 62.0 * (layer + 8.0 * 14155776.0) + 3072.0 + 1229193216.0);   // 11,030,092,800
  CHECK(counts.total == doctest::Approx(230.0e9).epsilon(0.006));  // "~230B": 0.57% under
}

TEST_CASE("minimax_m2: lightning-attention layers and a shared expert are refused at their key") {
  const std::string text = R"({
  "head_dim": 64, "hidden_size": 256, "intermediate_size": 128, "max_position_embeddings": 4096,
  "model_type": "minimax_m2", "num_attention_heads": 8, "num_experts_per_tok": 2,
  "num_hidden_layers": 2, "num_key_value_heads": 2, "num_local_experts": 8,
  "shared_intermediate_size": 0, "vocab_size": 1000, "attn_type_list": [1, 1]
})";
  CHECK(load_model(write_temp_file("mm.config.json", text)).num_experts == 8);
  CHECK(error_of(write_temp_file("mm_lightning.config.json",
                                 replaced(text, R"("attn_type_list": [1, 1])", R"("attn_type_list": [0, 1])")))
            .key_path() == "attn_type_list");
  CHECK(error_of(write_temp_file("mm_short.config.json",
                                 replaced(text, R"("attn_type_list": [1, 1])", R"("attn_type_list": [1])")))
            .key_path() == "attn_type_list");
  CHECK(error_of(write_temp_file("mm_shared.config.json", replaced(text, R"("shared_intermediate_size": 0)",
                                                                    R"("shared_intermediate_size": 64)")))
            .key_path() == "shared_intermediate_size");
  CHECK(error_of(write_temp_file("mm_no_experts.config.json", replaced(text, R"("num_local_experts": 8,)", "")))
            .key_path() == "num_local_experts");
}
