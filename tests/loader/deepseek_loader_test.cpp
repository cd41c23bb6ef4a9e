// DeepSeek-V3-shaped config.json files (deepseek_v2, deepseek_v3, kimi_k2) and the model
// YAML's MLA and MoE-layout keys (issue 23): read, and refused when inconsistent.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "core/input_error.h"
#include "core/byte_counts.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::core::InputError;
using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::replaced;
using llmsim::testing::write_temp_file;

namespace {

const std::string kHfDir = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/";
const std::string kPresetDir = std::string(LLMSIM_SOURCE_DIR) + "/configs/models/";

/// A small DeepSeek-V3-shaped config.json with `extra` JSON members spliced in first.
std::string deepseek_config(const std::string& extra) {
  return R"({
  )" + extra + R"(
  "first_k_dense_replace": 1,
  "hidden_size": 256,
  "intermediate_size": 512,
  "kv_lora_rank": 64,
  "max_position_embeddings": 4096,
  "model_type": "deepseek_v3",
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
}

/// A small model YAML with MLA keys, plus `extra` lines.
std::string mla_yaml(const std::string& extra) {
  return R"(id: tiny-mla
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
kv_lora_rank: 64
qk_nope_head_dim: 32
qk_rope_head_dim: 16
v_head_dim: 32
)" + extra;
}

}  // namespace

TEST_CASE("DeepSeek-V3's config.json loads as MLA with 3 dense and 58 MoE layers") {
  const auto model = load_model(kHfDir + "deepseek-v3.config.json");
  CHECK(model.num_layers == 61);
  CHECK(model.q_lora_rank == 1536);
  CHECK(model.kv_lora_rank == 512);
  CHECK(model.qk_nope_head_dim == 128);
  CHECK(model.qk_rope_head_dim == 64);
  CHECK(model.v_head_dim == 128);
  CHECK(model.head_dim == 192);
  CHECK(model.num_experts == 256);
  CHECK(model.experts_per_token == 8);
  CHECK(model.expert_intermediate_size == 2048);
  CHECK(model.num_shared_experts == 1);
  CHECK(model.shared_expert_intermediate_size == 2048);
  CHECK(model.first_k_dense_replace == 3);
  CHECK(model.moe_layer_step == 1);
  CHECK(model.intermediate_size == 18432);
  CHECK(model.nominal_params == 671'026'404'352.0);
  // quantization_config: fp8 e4m3 with 128 x 128 blocks, read, not ignored.
  REQUIRE(model.checkpoint_weights.has_value());
  CHECK(*model.checkpoint_weights == llmsim::core::DType::fp8);
  CHECK(model.checkpoint_quantization == "fp8 e4m3");
}

TEST_CASE("quantization_config: mxfp4 is read as the mxfp4 format, other methods are refused") {
  const std::string mxfp4 = deepseek_config(R"("quantization_config": {"quant_method": "mxfp4"},)");
  const auto model = load_model(write_temp_file("mxfp4.config.json", mxfp4));
  REQUIRE(model.checkpoint_weights.has_value());
  CHECK(*model.checkpoint_weights == llmsim::core::DType::mxfp4);
  const std::string partial = deepseek_config(
      R"("quantization_config": {"quant_method": "mxfp4", "modules_to_not_convert": ["model.layers.*.self_attn"]},)");
  CHECK(error_of(write_temp_file("mxfp4_partial.config.json", partial)).key_path() == "quantization_config");
  const std::string gptq = deepseek_config(R"("quantization_config": {"quant_method": "gptq", "bits": 4},)");
  const InputError error = error_of(write_temp_file("gptq.config.json", gptq));
  CHECK(error.key_path() == "quantization_config");
  CHECK(std::string(error.what()).find("gptq") != std::string::npos);
  // A config without the key loads with no checkpoint format (16-bit).
  CHECK_FALSE(load_model(write_temp_file("plain.config.json", deepseek_config(""))).checkpoint_weights.has_value());
}

TEST_CASE("the deepseek-v3 preset and the config.json describe the same model") {
  auto json = load_model(kHfDir + "deepseek-v3.config.json");
  auto yaml = load_model(kPresetDir + "deepseek-v3.yaml");
  CHECK(llmsim::core::count_parameters(json).total == llmsim::core::count_parameters(yaml).total);
  CHECK(llmsim::core::count_parameters(json).active == llmsim::core::count_parameters(yaml).active);
  CHECK(json.head_dim == yaml.head_dim);
  CHECK(json.kv_lora_rank == yaml.kv_lora_rank);
  CHECK(json.q_lora_rank == yaml.q_lora_rank);
  CHECK(json.first_k_dense_replace == yaml.first_k_dense_replace);
  CHECK(json.max_position_embeddings == yaml.max_position_embeddings);
  CHECK(json.vocab_size == yaml.vocab_size);
}

TEST_CASE("deepseek_v2 and kimi_k2 read the same keys; a null q_lora_rank is a direct q_proj") {
  const auto kimi = load_model(write_temp_file(
      "kimi.config.json", replaced(deepseek_config(""), R"("deepseek_v3")", R"("kimi_k2")")));
  CHECK(kimi.kv_lora_rank == 64);
  CHECK(kimi.first_k_dense_replace == 1);
  const auto lite = load_model(write_temp_file(
      "v2lite.config.json", replaced(replaced(deepseek_config(""), R"("deepseek_v3")", R"("deepseek_v2")"),
                                 R"("q_lora_rank": 96)", R"("q_lora_rank": null)")));
  CHECK(lite.q_lora_rank == 0);
  CHECK(lite.kv_lora_rank == 64);
}

TEST_CASE("bad MLA and MoE-layout keys in config.json are refused, naming the key") {
  const std::string base = deepseek_config("");
  const auto bad = [&base](const std::string& name, const std::string& from, const std::string& to) {
    return error_of(write_temp_file(name, replaced(base, from, to))).key_path();
  };
  CHECK(bad("no_rope.config.json", R"("qk_rope_head_dim": 16)", R"("qk_rope_head_dim": 0)") == "qk_rope_head_dim");
  CHECK(bad("no_latent.config.json", R"("kv_lora_rank": 64,)", "") == "kv_lora_rank");
  CHECK(bad("wide_latent.config.json", R"("kv_lora_rank": 64)", R"("kv_lora_rank": 256)") == "kv_lora_rank");
  CHECK(bad("all_dense.config.json", R"("first_k_dense_replace": 1)", R"("first_k_dense_replace": 4)") ==
        "first_k_dense_replace");
  CHECK(bad("negative_k.config.json", R"("first_k_dense_replace": 1)", R"("first_k_dense_replace": -1)") ==
        "first_k_dense_replace");
  CHECK(error_of(write_temp_file("freq.config.json", deepseek_config(R"("moe_layer_freq": 2,)"))).key_path() ==
        "moe_layer_freq");
}

TEST_CASE("the model YAML takes MLA keys and refuses inconsistent ones") {
  const auto model = load_model(write_temp_file("mla.yaml", mla_yaml("")));
  CHECK(model.is_mla());
  CHECK(model.q_lora_rank == 0);
  CHECK(error_of(write_temp_file("head_dim.yaml", replaced(mla_yaml(""), "head_dim: 48", "head_dim: 64")))
            .key_path() == "head_dim");
  CHECK(error_of(write_temp_file("no_v.yaml", replaced(mla_yaml(""), "v_head_dim: 32", "v_head_dim: 0")))
            .key_path() == "v_head_dim");
  CHECK(error_of(write_temp_file("kv_heads.yaml", replaced(mla_yaml(""), "num_kv_heads: 8", "num_kv_heads: 2")))
            .key_path() == "num_kv_heads");
  CHECK(error_of(write_temp_file("q_lora_wide.yaml", mla_yaml("q_lora_rank: 512\n"))).key_path() == "q_lora_rank");
  CHECK(error_of(write_temp_file("window.yaml", mla_yaml("sliding_window: 128\n"))).key_path() == "sliding_window");
}

TEST_CASE("the model YAML's MoE layout keys need a MoE model and leave a MoE layer") {
  const std::string moe = "num_experts: 8\nexperts_per_token: 2\nexpert_intermediate_size: 128\n";
  const auto model = load_model(write_temp_file("layout.yaml", mla_yaml(moe + "first_k_dense_replace: 1\nmoe_layer_step: 3\n")));
  CHECK(model.first_k_dense_replace == 1);
  CHECK(model.moe_layer_step == 3);
  CHECK(error_of(write_temp_file("dense_k.yaml", mla_yaml("first_k_dense_replace: 1\n"))).key_path() ==
        "first_k_dense_replace");
  CHECK(error_of(write_temp_file("step_too_big.yaml", mla_yaml(moe + "first_k_dense_replace: 1\nmoe_layer_step: 4\n")))
            .key_path() == "moe_layer_step");
}

TEST_CASE("Kimi K2's config.json counts exactly the weights of its checkpoint") {
  const auto model = load_model(kHfDir + "kimi-k2-instruct.config.json");
  CHECK(model.num_experts == 384);
  CHECK(model.first_k_dense_replace == 1);
  CHECK(model.num_attention_heads == 64);
  // MLA per layer with 64 heads: q_a 7,168 x 1,536 + 1,536 + q_b 1,536 x 64 x 192
  // + kv_a 7,168 x 576 + 512 + kv_b 512 x 64 x 256 + o 64 x 128 x 7,168 = 101,124,096.
  const double mla = 11'010'048.0 + 1'536.0 + 18'874'368.0 + 4'128'768.0 + 512.0 + 8'388'608.0 + 58'720'256.0;
  const double expert = 3.0 * 7168.0 * 2048.0;
  const double moe_layer = 7168.0 * 384.0 + 385.0 * expert;  // router, 384 routed + 1 shared
  const double total = 61.0 * (mla + 2.0 * 7168.0) + 3.0 * 7168.0 * 18432.0 + 60.0 * moe_layer + 7168.0 +
                       2.0 * 163840.0 * 7168.0;
  const auto counts = llmsim::core::count_parameters(model);
  CHECK(counts.total == total);
  // A public listing of Kimi-K2-Instruct's safetensors (moonshotai/Kimi-K2-Instruct, 61
  // files) sums to 1,026,470,731,056 elements; 62,521,648 of them are not weights: fp8
  // block scales (61,931,520 for the routed experts, 161,280 shared, 24,192 dense,
  // 378,200 attention), 60 x 384 router score-correction biases and 61 x 56 rotary
  // inv_freq entries.
  CHECK(counts.total == 1'026'470'731'056.0 - 62'521'648.0);
  CHECK(std::abs(counts.total / 1e12 - 1.0) < 0.03);  // "1 trillion total parameters"
}

TEST_CASE("Qwen3-30B-A3B: config.json and preset agree, 30.5B total and 3.35B active") {
  const auto json = load_model(kHfDir + "qwen3-30b-a3b.config.json");
  const auto yaml = load_model(kPresetDir + "qwen3-30b-a3b.yaml");
  CHECK(json.num_experts == 128);
  CHECK(json.expert_intermediate_size == 768);
  CHECK(json.qk_norm);
  // Per layer: attention 2 x 2,048 x 4,096 + 2 x 2,048 x 512 = 18,874,368; q/k norms 256;
  // two norms 4,096; router 2,048 x 128 = 262,144; an expert 3 x 2,048 x 768 = 4,718,592.
  const double shared = 18'874'368.0 + 256.0 + 4096.0 + 262'144.0;
  const double expert = 4'718'592.0;
  const double embedding = 2.0 * 151936.0 * 2048.0;
  const auto counts = llmsim::core::count_parameters(json);
  CHECK(counts.total == 48.0 * (shared + 128.0 * expert) + 2048.0 + embedding);
  CHECK(counts.active == 48.0 * (shared + 8.0 * expert) + 2048.0 + embedding);
  CHECK(counts.total == llmsim::core::count_parameters(yaml).total);
  CHECK(counts.active == llmsim::core::count_parameters(yaml).active);
  CHECK(std::abs(counts.total / 30.5e9 - 1.0) < 0.005);           // "30.5B in total"
  CHECK(std::abs(counts.non_embedding / 29.9e9 - 1.0) < 0.005);   // "29.9B" non-embedding
  CHECK(std::abs(counts.active / 3.3e9 - 1.0) < 0.02);            // "3.3B activated", rounded
}

TEST_CASE("Qwen MoE's decoder_sparse_step interleaves dense layers; a non-empty mlp_only_layers is refused") {
  std::string text;
  {
    std::ifstream in(kHfDir + "qwen3-30b-a3b.config.json");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  const auto step2 = load_model(write_temp_file(
      "qwen_step2.config.json", replaced(text, R"("decoder_sparse_step": 1)", R"("decoder_sparse_step": 2)")));
  CHECK(step2.moe_layer_step == 2);
  CHECK(llmsim::core::count_parameters(step2).total <
        llmsim::core::count_parameters(load_model(kHfDir + "qwen3-30b-a3b.config.json")).total);
  const InputError error = error_of(write_temp_file(
      "qwen_mlp_only.config.json", replaced(text, R"("mlp_only_layers": [])", R"("mlp_only_layers": [0, 1])")));
  CHECK(error.key_path() == "mlp_only_layers");
}

TEST_CASE("gpt-oss-120b: windows from layer_types, sinks, and MXFP4 experts beside bf16 attention") {
  const auto model = load_model(kHfDir + "gpt-oss-120b.config.json");
  CHECK(model.num_experts == 128);
  CHECK(model.experts_per_token == 4);
  CHECK(model.expert_intermediate_size == 2880);
  CHECK(model.sliding_window == 128);
  CHECK(model.sliding_window_layers == 18);
  CHECK(model.attention_sinks);
  CHECK(model.attention_bias);
  // modules_to_not_convert spares attention, router and embeddings: only the experts are MXFP4.
  CHECK_FALSE(model.checkpoint_weights.has_value());
  CHECK(model.expert_bytes_per_weight == 0.53125);
  // Per layer: attention 2 x 2,880 x 4,096 + 2 x 2,880 x 512 = 26,542,080, q/k/v biases 5,120,
  // sinks 64, norms 5,760, router 2,880 x 128 = 368,640; an expert 3 x 2,880 x 2,880.
  const double shared = 26'542'080.0 + 5'120.0 + 64.0 + 5'760.0 + 368'640.0;
  const double expert = 24'883'200.0;
  const double embedding = 2.0 * 201088.0 * 2880.0;
  const auto counts = llmsim::core::count_parameters(model);
  CHECK(counts.total == 36.0 * (shared + 128.0 * expert) + 2880.0 + embedding);
  CHECK(counts.total == 116'789'235'264.0);
  CHECK(std::abs(counts.total / 116.8e9 - 1.0) < 0.005);  // "116.8B parameters"
  // The published "5.1B active" leaves out the input embedding lookup (the unembedding runs).
  CHECK(counts.active - 201088.0 * 2880.0 == 5'131'497'024.0);
  CHECK(std::abs((counts.active - 201088.0 * 2880.0) / 5.1e9 - 1.0) < 0.01);
  // Bytes: the 36 x 128 experts at 0.53125, the other 2,127,449,664 weights at 2 (bf16).
  CHECK(llmsim::core::weight_bytes(model, llmsim::core::DType::bf16) ==
        (116'789'235'264.0 - 36.0 * 128.0 * expert) * 2.0 + 36.0 * 128.0 * expert * 0.53125);
  // OpenAI's gpt-oss model card lists a 60.8 GiB checkpoint; 65,168,972,928 bytes = 60.69 GiB
  // (the uncounted biases add about 0.08 GB).
  CHECK(std::abs(llmsim::core::weight_bytes(model, llmsim::core::DType::bf16) / (1024.0 * 1024.0 * 1024.0) / 60.8 -
                 1.0) < 0.005);
  const auto yaml = load_model(kPresetDir + "gpt-oss-120b.yaml");
  CHECK(llmsim::core::count_parameters(yaml).total == counts.total);
  CHECK(yaml.expert_bytes_per_weight == model.expert_bytes_per_weight);
}

TEST_CASE("mxfp4 modules_to_not_convert naming an expert module is refused") {
  std::string text;
  {
    std::ifstream in(kHfDir + "gpt-oss-120b.config.json");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  const InputError error = error_of(write_temp_file(
      "gpt_oss_experts_spared.config.json",
      replaced(text, R"("model.layers.*.mlp.router")", R"("model.layers.*.mlp.experts")")));
  CHECK(error.key_path() == "quantization_config");
}
