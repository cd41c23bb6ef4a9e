// compressed-tensors quantization_config in config.json (quant_method "compressed-tensors"):
// the schemes llmsim prices are read into the checkpoint's format, the others refused with
// the field named.
#include <doctest/doctest.h>

#include <string>

#include "core/byte_counts.h"
#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "tests/loader/temp_files.h"

namespace {

using llmsim::core::DType;
using llmsim::core::InputError;
using llmsim::loader::load_model;
using llmsim::testing::write_temp_file;

std::string fixture(const std::string& name) { return std::string(LLMSIM_TEST_DATA_DIR) + "/hf/" + name; }

/// "key: message" of the error loading `path` throws, or "" when it loads.
std::string error_of(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& error) {
    return error.key_path() + ": " + error.message();
  }
  return "";
}

/// A Llama-3.1-8B config.json whose quantization_config is compressed-tensors with one group
/// of `weights` and `inputs` (JSON objects or null), plus `extra` top-level fields of it.
std::string ct_config(const std::string& weights, const std::string& inputs, const std::string& extra = "") {
  return R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
  "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
  "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "tie_word_embeddings": false, "vocab_size": 128256,
  "quantization_config": {"quant_method": "compressed-tensors", "format": "pack-quantized", )" +
         extra + R"("config_groups": {"group_0": {"targets": ["Linear"], "weights": )" + weights +
         R"(, "input_activations": )" + inputs + "}}}}\n";
}

std::string ct_error(const std::string& name, const std::string& text) {
  return error_of(write_temp_file(name, text));
}

}  // namespace

TEST_CASE("compressed-tensors W4A16, FP8-dynamic: read into the checkpoint's format") {
  const auto w4a16 = load_model(fixture("llama-3.1-8b-w4a16.config.json"));
  CHECK(w4a16.checkpoint_weights == DType::int4);
  CHECK_FALSE(w4a16.checkpoint_kv_cache.has_value());
  CHECK(w4a16.checkpoint_quantization == "compressed-tensors W4A16 int4");
  const auto fp8 = load_model(fixture("llama-3.1-8b-fp8-dynamic.config.json"));
  CHECK(fp8.checkpoint_weights == DType::fp8);
  CHECK(fp8.checkpoint_quantization == "compressed-tensors W8A8 fp8");
  // The architecture is the base fixture's.
  const auto bf16 = load_model(fixture("llama-3.1-8b.config.json"));
  CHECK(llmsim::core::count_parameters(w4a16).total == llmsim::core::count_parameters(bf16).total);
}

TEST_CASE("compressed-tensors W8A8 INT8 is refused at quantization_config, naming the group") {
  CHECK(error_of(fixture("llama-3.1-8b-w8a8.config.json")) ==
        "quantization_config: config_groups.group_0.weights int 8-bit with input_activations int 8-bit is not "
        "modelled (supported: int 4 or 8 weight-only, float 8 with float 8 activations, float 4 with float 4 "
        "activations)");
}

TEST_CASE("compressed-tensors int8 weight-only, NVFP4 and an fp8 KV scheme") {
  const auto int8 = load_model(write_temp_file(
      "ct_w8a16.config.json", ct_config(R"({"num_bits": 8, "type": "int", "strategy": "channel"})", "null")));
  CHECK(int8.checkpoint_weights == DType::int8);
  const auto nvfp4 = load_model(write_temp_file(
      "ct_nvfp4.config.json",
      ct_config(R"({"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16})",
                R"({"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16})")));
  CHECK(nvfp4.checkpoint_weights == DType::nvfp4);
  const auto kv = load_model(write_temp_file(
      "ct_kv.config.json", ct_config(R"({"num_bits": 8, "type": "float"})", R"({"num_bits": 8, "type": "float"})",
                                     R"("kv_cache_scheme": {"num_bits": 8, "type": "float", "strategy": "tensor"}, )")));
  CHECK(kv.checkpoint_weights == DType::fp8);
  REQUIRE(kv.checkpoint_kv_cache.has_value());
  CHECK(*kv.checkpoint_kv_cache == DType::fp8);
  CHECK(kv.checkpoint_quantization == "compressed-tensors W8A8 fp8, KV cache fp8");
  // The router may stay unquantised (a regular expression, as llm-compressor writes it).
  CHECK(ct_error("ct_router.config.json",
                 ct_config(R"({"num_bits": 4, "type": "int"})", "null", R"("ignore": ["lm_head", "re:.*mlp.gate$"], )")) ==
        "");
}

TEST_CASE("compressed-tensors schemes llmsim cannot price are refused with the field named") {
  // Weight-only FP8 would be priced as W8A8 on Hopper.
  CHECK(ct_error("ct_fp8_wo.config.json", ct_config(R"({"num_bits": 8, "type": "float"})", "null")) ==
        "quantization_config: config_groups.group_0.weights float 8-bit with input_activations none is not "
        "modelled (supported: int 4 or 8 weight-only, float 8 with float 8 activations, float 4 with float 4 "
        "activations)");
  CHECK(ct_error("ct_w4a8.config.json",
                 ct_config(R"({"num_bits": 4, "type": "int"})", R"({"num_bits": 8, "type": "int"})")) != "");
  CHECK(ct_error("ct_nvfp4_group.config.json",
                 ct_config(R"({"num_bits": 4, "type": "float", "group_size": 32})",
                           R"({"num_bits": 4, "type": "float"})")) ==
        "quantization_config: config_groups.group_0.weights.group_size: float 4-bit weights need group_size 16 (NVFP4)");
  CHECK(ct_error("ct_kv_int8.config.json",
                 ct_config(R"({"num_bits": 4, "type": "int"})", "null",
                           R"("kv_cache_scheme": {"num_bits": 8, "type": "int"}, )")) ==
        "quantization_config: kv_cache_scheme: int 8-bit KV cache is not supported (supported: float 8)");
  CHECK(ct_error("ct_ignore.config.json",
                 ct_config(R"({"num_bits": 4, "type": "int"})", "null",
                           R"("ignore": ["lm_head", "model.layers.0.self_attn.q_proj"], )")) ==
        "quantization_config: ignore names \"model.layers.0.self_attn.q_proj\"; only the LM head, embeddings and "
        "MoE routers can stay unquantised");
  CHECK(ct_error("ct_sparse.config.json",
                 ct_config(R"({"num_bits": 4, "type": "int"})", "null",
                           R"("sparsity_config": {"format": "sparse-24-bitmask"}, )")) ==
        "quantization_config: sparsity_config: sparse (2:4) compressed-tensors checkpoints are not modelled");
  CHECK(ct_error("ct_weights.config.json", ct_config(R"({"type": "int"})", "null"))
            .rfind("quantization_config: config_groups.group_0.weights: expected an object with num_bits and type, got ",
                   0) == 0);
  CHECK(ct_error("ct_groups.config.json",
                 R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
  "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
  "num_hidden_layers": 32, "num_key_value_heads": 8, "vocab_size": 128256,
  "quantization_config": {"quant_method": "compressed-tensors", "config_groups": {}}})")
            .rfind("quantization_config: config_groups: expected exactly one quantisation scheme", 0) == 0);
}
