// GLM-5 (model_type glm_moe_dsa): DeepSeek-V3.2's MLA + DSA + MoE at GLM-5's sizes, from its
// config.json (tests/data/hf/glm-5.config.json) and the glm-5 preset; the keys of
// GlmMoeDsaConfig that llmsim does not model are refused at their key.
#include <doctest/doctest.h>

#include <string>

#include "core/architecture.h"
#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::core::ModelSpec;
using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::file_text;
using llmsim::testing::replaced;
using llmsim::testing::write_temp_file;

namespace {

const std::string kConfig = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/glm-5.config.json";
const std::string kPreset = std::string(LLMSIM_SOURCE_DIR) + "/configs/models/glm-5.yaml";

/// The fixture with `"model_type": "glm_moe_dsa",` followed by `extra` (a JSON member and a comma).
std::string with_key(const std::string& extra) {
  const std::string anchor = R"("model_type": "glm_moe_dsa",)";
  return replaced(file_text(kConfig), anchor, anchor + "\n  " + extra);
}

std::string refused_key(const std::string& name, const std::string& extra) {
  return error_of(write_temp_file(name, with_key(extra))).key_path();
}

}  // namespace

TEST_CASE("GLM-5's config.json and the glm-5 preset: 744B total, 40B active without the embeddings") {
  const ModelSpec json = load_model(kConfig);
  const ModelSpec yaml = load_model(kPreset);
  CHECK(json.num_layers == yaml.num_layers);
  CHECK(json.hidden_size == yaml.hidden_size);
  CHECK(json.head_dim == yaml.head_dim);
  CHECK(json.v_head_dim == yaml.v_head_dim);
  CHECK(json.q_lora_rank == yaml.q_lora_rank);
  CHECK(json.index_n_heads == 32);
  CHECK(json.index_topk == 2048);
  CHECK(json.first_k_dense_replace == 3);
  CHECK(json.has_sparse_attention());
  CHECK_FALSE(json.checkpoint_weights.has_value());  // no quantization_config: bf16

  // Per layer: MLA q_a 6144 x 2048 + norm, q_b 2048 x 64 x (192 + 64), kv_a 6144 x (512 + 64) +
  // norm 512, kv_b 512 x 64 x (192 + 256), o 64 x 256 x 6144; the indexer wq_b 2048 x 32 x 128,
  // wk 6144 x 128, k_norm 2 x 128, weights_proj 6144 x 32; two norms.
  const double mla = 6144.0 * 2048 + 2048 + 2048.0 * 64 * 256 + 6144.0 * 576 + 512 + 512.0 * 64 * 448 +
                     64.0 * 256 * 6144;  // 165,022,208
  const double indexer = 2048.0 * 32 * 128 + 6144.0 * 128 + 256 + 6144.0 * 32;  // 9,371,904
  const double layer = mla + indexer + 2.0 * 6144;
  const double dense = 3.0 * 6144 * 12288;
  const double expert = 3.0 * 6144 * 2048;
  const double router = 6144.0 * 256;
  const double embedding = 2.0 * 154880 * 6144;
  const llmsim::core::ParameterCounts c = llmsim::core::count_parameters(json);
  CHECK(c.total == 3 * (layer + dense) + 75 * (layer + router + 257 * expert) + 6144 + embedding);
  CHECK(c.active == 3 * (layer + dense) + 75 * (layer + router + 9 * expert) + 6144 + embedding);
  CHECK(c.total == 743'911'199'232.0);
  CHECK(c.total == doctest::Approx(744e9).epsilon(0.005));  // the report's "744B": -0.01%
  // The report's "40B activated" is the count without the input embedding and the LM head:
  // 39,881,544,192 (-0.30%); with them 41,784,709,632.
  CHECK(c.active == 41'784'709'632.0);
  CHECK(c.active - embedding == doctest::Approx(40e9).epsilon(0.005));
  CHECK(llmsim::core::count_parameters(yaml).total == c.total);
  // KV per token: 78 layers x ((512 + 64) x 2 bytes + the 132-byte indexer key).
  CHECK(llmsim::core::Architecture(yaml).sequence_kv_bytes(1, llmsim::core::DType::bf16) == 78.0 * (1152 + 132));
}

TEST_CASE("glm_moe_dsa: a shared indexer and other layer patterns are refused at their key") {
  CHECK(refused_key("glm5_shared.config.json", R"("indexer_types": ["full", "shared"],)") == "indexer_types");
  CHECK(refused_key("glm5_freq.config.json", R"("index_topk_freq": 4,)") == "index_topk_freq");
  CHECK(refused_key("glm5_pattern.config.json", R"("index_topk_pattern": "FSSF",)") == "index_topk_pattern");
  CHECK(refused_key("glm5_mlp.config.json", R"("mlp_layer_types": ["dense", "sparse"],)") == "mlp_layer_types");
  CHECK(refused_key("glm5_layers.config.json", R"("layer_types": ["full_attention"],)") == "layer_types");
  // What the class writes for the released model is read: every layer "full", DSA layers.
  std::string full = R"("indexer_types": [)";
  std::string dsa = R"("layer_types": [)";
  std::string mlp = R"("mlp_layer_types": [)";
  for (int i = 0; i < 78; ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    full += sep + "\"full\"";
    dsa += sep + "\"deepseek_sparse_attention\"";
    mlp += sep + (i < 3 ? "\"dense\"" : "\"sparse\"");
  }
  const std::string all = full + "], " + dsa + "], " + mlp + "], \"index_topk_pattern\": \"FFFF\",";
  CHECK(load_model(write_temp_file("glm5_full.config.json", with_key(all))).num_layers == 78);
}
