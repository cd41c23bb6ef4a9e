#include "loader/model_loader.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/dtype.h"
#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "loader/hf_config_reader.h"
#include "loader/preset_resolver.h"
#include "loader/scalar_parse.h"
#include "loader/yaml_map.h"

namespace llmsim::loader {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Multi-head latent attention keys (DeepSeek-V2/V3, Kimi K2), named as in config.json.
/// All absent: no MLA. Consistency is checked by validate_latent_attention.
void read_latent_attention_yaml(YamlMap& map, core::ModelSpec& model) {
  model.q_lora_rank = map.optional_int("q_lora_rank", 0);
  model.kv_lora_rank = map.optional_int("kv_lora_rank", 0);
  model.qk_nope_head_dim = map.optional_int("qk_nope_head_dim", 0);
  model.qk_rope_head_dim = map.optional_int("qk_rope_head_dim", 0);
  model.v_head_dim = map.optional_int("v_head_dim", 0);
  // DeepSeek Sparse Attention (DeepSeek-V3.2), named as in its config.json; all absent: dense.
  model.index_n_heads = map.optional_int("index_n_heads", 0);
  model.index_head_dim = map.optional_int("index_head_dim", 0);
  model.index_topk = map.optional_int("index_topk", 0);
}

/// Which layers of a MoE model are MoE (core::ModelSpec): first_k_dense_replace dense
/// layers first, then every moe_layer_step-th layer MoE.
void read_moe_layout_yaml(YamlMap& map, core::ModelSpec& model) {
  model.first_k_dense_replace = map.optional_int("first_k_dense_replace", 0);
  model.moe_layer_step = map.optional_int("moe_layer_step", 1);
  model.expert_bytes_per_weight = map.optional_number("expert_bytes_per_weight", 0.0);
  model.attention_sinks = map.optional_bool("attention_sinks", false);
}

/// The formats a recurrent state is kept in (vLLM's mamba_ssm_cache_dtype: float32, or the
/// 16-bit float of the model).
bool is_state_float_format(core::DType dtype) {
  return dtype == core::DType::fp32 || dtype == core::DType::bf16 || dtype == core::DType::fp16;
}

/// Hybrid linear-attention keys (Qwen3-Next's Gated DeltaNet, Nemotron-H's Mamba-2), named
/// as in Qwen3-Next's config.json. No linear_attention key: a plain transformer.
/// Consistency is checked by validate_linear_attention.
void read_linear_attention_yaml(YamlMap& map, core::ModelSpec& model) {
  const std::string mixer = map.optional_string("linear_attention", "none");
  if (mixer == "gated_delta_net") {
    model.linear_mixer = core::LinearMixer::gated_delta_net;
  } else if (mixer == "mamba2") {
    model.linear_mixer = core::LinearMixer::mamba2;
  } else if (mixer != "none") {
    map.fail("linear_attention", "expected gated_delta_net, mamba2 or none, got \"" + mixer + "\"");
  }
  model.linear_attention_layers = map.optional_int("linear_attention_layers", 0);
  model.linear_num_key_heads = map.optional_int("linear_num_key_heads", 0);
  model.linear_key_head_dim = map.optional_int("linear_key_head_dim", 0);
  model.linear_num_value_heads = map.optional_int("linear_num_value_heads", 0);
  model.linear_value_head_dim = map.optional_int("linear_value_head_dim", 0);
  model.linear_conv_kernel_dim = map.optional_int("linear_conv_kernel_dim", 0);
  // Qwen3.5's config.json fixes the recurrent state's format (mamba_ssm_dtype float32).
  if (map.has("linear_recurrent_state_dtype")) {
    const std::string name = map.optional_string("linear_recurrent_state_dtype", "");
    const std::optional<core::DType> dtype = core::parse_dtype(name);
    if (!dtype || !is_state_float_format(*dtype)) {
      map.fail("linear_recurrent_state_dtype", "expected fp32, bf16 or fp16, got \"" + name + "\"");
    }
    model.linear_recurrent_state_dtype = dtype;
  }
  model.attention_output_gate = map.optional_bool("attention_output_gate", false);
  model.ffn_only_layers = map.optional_int("ffn_only_layers", 0);
}

/// Llama 4's chunked local attention, named as in its config.json (attention_chunk_size) and
/// a count of the layers that use it (its RoPE layers: no_rope_layers entries of 1).
void read_chunked_attention_yaml(YamlMap& map, core::ModelSpec& model) {
  model.attention_chunk_size = map.optional_int("attention_chunk_size", 0);
  model.chunked_attention_layers = map.optional_int("chunked_attention_layers", 0);
}

/// nominal_params is the size in the model's name ("8B" is 8.0e9); it prices the `simple`
/// FLOP method and test-time-compute accounting. A value more than a factor of 2 from the
/// parameters the architecture holds (core::count_parameters) is a typo (8.0e6 for 8.0e9,
/// a value in billions), not a rounding of the name: every shipped preset is within 10%.
void check_nominal_params(const YamlMap& map, const core::ModelSpec& model) {
  const double counted = core::count_parameters(model).total;
  if (!(model.nominal_params >= counted / 2.0 && model.nominal_params <= counted * 2.0)) {
    map.fail("nominal_params", "expected the size in the model's name, within a factor of 2 of the " +
                                   format_number(counted) + " parameters the architecture holds, got " +
                                   format_number(model.nominal_params));
  }
}

core::ModelSpec read_model_yaml(const std::string& path) {
  auto origin = std::make_shared<YamlOrigin>();
  origin->file = path;
  YamlMap map(parse_yaml_file(path), origin, "");
  core::ModelSpec model;
  model.id = map.required_string("id");
  model.source = map.required_string("source");
  model.nominal_params = map.require_positive("nominal_params", map.required_number("nominal_params"));
  model.num_layers = map.require_positive("num_layers", map.required_int("num_layers"));
  model.hidden_size = map.require_positive("hidden_size", map.required_int("hidden_size"));
  model.num_attention_heads =
      map.require_positive("num_attention_heads", map.required_int("num_attention_heads"));
  model.num_kv_heads = map.require_positive("num_kv_heads", map.required_int("num_kv_heads"));
  model.head_dim = map.require_positive("head_dim", map.required_int("head_dim"));
  model.intermediate_size =
      map.require_positive("intermediate_size", map.required_int("intermediate_size"));
  model.vocab_size = map.require_positive("vocab_size", map.required_int("vocab_size"));
  model.max_position_embeddings =
      map.require_positive("max_position_embeddings", map.required_int("max_position_embeddings"));
  model.tie_word_embeddings = map.required_bool("tie_word_embeddings");
  model.gated_mlp = map.required_bool("gated_mlp");
  model.attention_bias = map.required_bool("attention_bias");
  model.qk_norm = map.optional_bool("qk_norm", false);
  if (map.has("sliding_window")) {
    model.sliding_window = map.require_positive("sliding_window", map.optional_int("sliding_window", 0));
  }
  // A window without a layer count applies to every layer, as Mistral's config.json means it.
  model.sliding_window_layers =
      map.optional_int("sliding_window_layers", model.sliding_window > 0 ? model.num_layers : 0);
  model.num_experts = map.optional_int("num_experts", 0);
  model.experts_per_token = map.optional_int("experts_per_token", 0);
  model.expert_intermediate_size = map.optional_int("expert_intermediate_size", 0);
  model.num_shared_experts = map.optional_int("num_shared_experts", 0);
  model.shared_expert_intermediate_size = map.optional_int("shared_expert_intermediate_size", 0);
  read_moe_layout_yaml(map, model);
  read_latent_attention_yaml(map, model);
  read_linear_attention_yaml(map, model);
  read_chunked_attention_yaml(map, model);
  const std::string head = map.optional_string("head", "language_model");
  if (head == "language_model") {
    model.head = core::HeadKind::language_model;
  } else if (head == "reward") {
    model.head = core::HeadKind::reward;
  } else {
    map.fail("head", "expected language_model or reward, got \"" + head + "\"");
  }
  model.reward_head_outputs =
      map.require_positive("reward_head_outputs", map.optional_int("reward_head_outputs", 2));
  map.finish();
  validate_model(model, [&map](const std::string& key, const std::string& message) { map.fail(key, message); });
  check_nominal_params(map, model);
  return model;
}

using KeyFailure = std::function<void(const std::string& key, const std::string& message)>;

/// MLA fields: all zero (no MLA), or kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim and
/// v_head_dim positive with q_lora_rank >= 0 (0: no query compression). The low-rank
/// projections are narrower than hidden_size (that is what makes them low-rank); head_dim
/// is the query/key head width qk_nope + qk_rope; every head has its own key and value after
/// the up-projection (num_kv_heads = num_attention_heads, as DeepSeek's configs say);
/// no attention biases and no sliding window (no MLA model has them; not modelled).
void validate_latent_attention(const core::ModelSpec& model, const KeyFailure& fail) {
  const std::pair<const char*, std::int64_t> fields[] = {{"q_lora_rank", model.q_lora_rank},
                                                         {"kv_lora_rank", model.kv_lora_rank},
                                                         {"qk_nope_head_dim", model.qk_nope_head_dim},
                                                         {"qk_rope_head_dim", model.qk_rope_head_dim},
                                                         {"v_head_dim", model.v_head_dim}};
  for (const auto& [key, value] : fields) {
    if (value < 0) fail(key, "expected a positive integer, got " + std::to_string(value));
    if (value > kMaxModelDimension) {
      fail(key, "expected at most " + std::to_string(kMaxModelDimension) + ", got " + std::to_string(value));
    }
  }
  if (!model.is_mla()) {
    for (const auto& [key, value] : fields) {
      if (value != 0) fail(key, "set without kv_lora_rank (multi-head latent attention)");
    }
    return;
  }
  for (const auto& [key, value] : fields) {
    if (value == 0 && std::string(key) != "q_lora_rank") {
      fail(key, "expected a positive integer with kv_lora_rank (multi-head latent attention)");
    }
  }
  if (model.kv_lora_rank >= model.hidden_size) {
    fail("kv_lora_rank", "the KV latent (" + std::to_string(model.kv_lora_rank) +
                             ") must be narrower than hidden_size (" + std::to_string(model.hidden_size) + ")");
  }
  if (model.q_lora_rank >= model.hidden_size) {
    fail("q_lora_rank", "the query latent (" + std::to_string(model.q_lora_rank) +
                            ") must be narrower than hidden_size (" + std::to_string(model.hidden_size) + ")");
  }
  if (model.head_dim != model.qk_nope_head_dim + model.qk_rope_head_dim) {
    fail("head_dim", "with multi-head latent attention expected qk_nope_head_dim + qk_rope_head_dim = " +
                         std::to_string(model.qk_nope_head_dim + model.qk_rope_head_dim) + ", got " +
                         std::to_string(model.head_dim));
  }
  if (model.num_kv_heads != model.num_attention_heads) {
    fail("num_kv_heads", "with multi-head latent attention expected num_attention_heads (" +
                             std::to_string(model.num_attention_heads) + "), got " +
                             std::to_string(model.num_kv_heads));
  }
  if (model.attention_bias) fail("attention_bias", "not supported with multi-head latent attention");
  if (model.sliding_window > 0) fail("sliding_window", "not supported with multi-head latent attention");
}

/// DeepSeek Sparse Attention fields: all zero (dense attention), or index_topk in
/// [1, max_position_embeddings) with index_n_heads and index_head_dim positive, on an MLA
/// model with a query latent (the indexer's queries are projected from it: wq_b), and
/// index_head_dim a multiple of 128 (its FP8 key carries one fp32 scale per 128 values).
void validate_sparse_attention(const core::ModelSpec& model, const KeyFailure& fail) {
  const std::pair<const char*, std::int64_t> fields[] = {{"index_topk", model.index_topk},
                                                         {"index_n_heads", model.index_n_heads},
                                                         {"index_head_dim", model.index_head_dim}};
  for (const auto& [key, value] : fields) {
    if (value < 0) fail(key, "expected a positive integer, got " + std::to_string(value));
    if (value > kMaxModelDimension) {
      fail(key, "expected at most " + std::to_string(kMaxModelDimension) + ", got " + std::to_string(value));
    }
  }
  if (model.index_topk == 0) {
    for (const auto& [key, value] : fields) {
      if (value != 0) fail(key, "set without index_topk (DeepSeek sparse attention)");
    }
    return;
  }
  for (const auto& [key, value] : fields) {
    if (value == 0) fail(key, "expected a positive integer with index_topk (DeepSeek sparse attention)");
  }
  if (!model.is_mla()) fail("index_topk", "sparse attention is an option of multi-head latent attention: needs kv_lora_rank");
  if (model.q_lora_rank == 0) {
    fail("q_lora_rank", "expected a positive integer with index_topk: the indexer's queries are projected from the "
                        "query latent");
  }
  if (model.index_head_dim % 128 != 0) {
    fail("index_head_dim", "expected a multiple of 128 (the indexer key is FP8 with one fp32 scale per 128 values), "
                           "got " + std::to_string(model.index_head_dim));
  }
  if (model.index_topk >= model.max_position_embeddings) {
    fail("index_topk", "expected fewer keys than max_position_embeddings (" +
                           std::to_string(model.max_position_embeddings) + "): a top-" +
                           std::to_string(model.index_topk) + " never leaves a key out");
  }
}

/// first_k_dense_replace in [0, num_layers), only on a MoE model; moe_layer_step >= 1; at
/// least one MoE layer left; no sliding window when dense and MoE layers mix (which layers
/// are windowed would matter, and is not recorded).
void validate_moe_layout(const core::ModelSpec& model, const KeyFailure& fail) {
  if (model.first_k_dense_replace < 0) fail("first_k_dense_replace", "expected an integer >= 0");
  // 0 (stored like the other weights) or a real format: at most fp32's 4 bytes, and not NaN.
  if (!(model.expert_bytes_per_weight >= 0.0 && model.expert_bytes_per_weight <= 4.0)) {
    fail("expert_bytes_per_weight", "expected a number of bytes in (0, 4], or no key");
  }
  if (model.expert_bytes_per_weight > 0.0 && (!model.is_moe() || model.num_shared_experts > 0)) {
    fail("expert_bytes_per_weight", "needs routed experts and no shared experts");
  }
  if (model.moe_layer_step < 1) fail("moe_layer_step", "expected a positive integer");
  if (!model.is_moe()) {
    if (model.first_k_dense_replace != 0) fail("first_k_dense_replace", "set without num_experts");
    if (model.moe_layer_step != 1) fail("moe_layer_step", "set without num_experts");
    return;
  }
  if (model.first_k_dense_replace >= model.num_layers) {
    fail("first_k_dense_replace", "expected fewer than num_layers (" + std::to_string(model.num_layers) +
                                      ") dense layers in a MoE model");
  }
  if (model.moe_layer_step > model.num_layers - model.first_k_dense_replace) {
    fail("moe_layer_step", "leaves no MoE layer after the first " + std::to_string(model.first_k_dense_replace) +
                               " of " + std::to_string(model.num_layers) + " layers");
  }
  const bool mixed = model.first_k_dense_replace > 0 || model.moe_layer_step > 1;
  if (mixed && model.sliding_window > 0) {
    fail("sliding_window", "not supported with dense and MoE layers mixed (first_k_dense_replace, moe_layer_step)");
  }
}

/// Linear-attention fields: all zero without a mixer; with one, linear_attention_layers in
/// [1, num_layers - 1] (at least one attention layer keeps a KV cache: a pure recurrent model
/// has no KV pages to hold its state, sim/engine/kv_layout.h), every head count and width
/// positive, value heads a multiple of key heads (GDN repeats q and k over the value heads;
/// Mamba-2's heads share B and C by group), and no window, MLA or mixed dense/MoE layers
/// beside them (which layers are which would matter, and is not recorded).
void validate_linear_attention(const core::ModelSpec& model, const KeyFailure& fail) {
  // Single-block layers (Nemotron-H): a dense MLP alone in ffn_only_layers of them, a mixer
  // alone in the others, at least one of which is attention.
  if (model.ffn_only_layers < 0) fail("ffn_only_layers", "expected an integer >= 0");
  if (model.ffn_only_layers > 0) {
    if (model.attention_layers() < 1) {
      fail("ffn_only_layers", "with linear_attention_layers leaves no attention layer among the " +
                                  std::to_string(model.num_layers));
    }
    if (model.is_moe()) fail("num_experts", "MoE blocks are not supported with ffn_only_layers (single-block layers)");
    if (model.sliding_window > 0) fail("sliding_window", "not supported with ffn_only_layers");
    if (model.is_mla()) fail("kv_lora_rank", "not supported with ffn_only_layers");
  }
  const std::pair<const char*, std::int64_t> fields[] = {
      {"linear_attention_layers", model.linear_attention_layers},
      {"linear_num_key_heads", model.linear_num_key_heads},
      {"linear_key_head_dim", model.linear_key_head_dim},
      {"linear_num_value_heads", model.linear_num_value_heads},
      {"linear_value_head_dim", model.linear_value_head_dim},
      {"linear_conv_kernel_dim", model.linear_conv_kernel_dim}};
  for (const auto& [key, value] : fields) {
    if (value < 0) fail(key, "expected a positive integer, got " + std::to_string(value));
    if (value > kMaxModelDimension) {
      fail(key, "expected at most " + std::to_string(kMaxModelDimension) + ", got " + std::to_string(value));
    }
  }
  if (model.linear_mixer == core::LinearMixer::none) {
    for (const auto& [key, value] : fields) {
      if (value != 0) fail(key, "set without linear_attention (gated_delta_net or mamba2)");
    }
    if (model.linear_recurrent_state_dtype) {
      fail("linear_recurrent_state_dtype", "set without linear_attention (gated_delta_net or mamba2)");
    }
    return;
  }
  for (const auto& [key, value] : fields) {
    if (value == 0) fail(key, "expected a positive integer with linear attention");
  }
  if (model.attention_layers() < 1) {
    fail("linear_attention_layers", "expected fewer than num_layers (" + std::to_string(model.num_layers) +
                                        "): at least one layer must be attention, got " +
                                        std::to_string(model.linear_attention_layers));
  }
  if (model.linear_num_value_heads % model.linear_num_key_heads != 0) {
    fail("linear_num_value_heads", "must be a multiple of linear_num_key_heads (" +
                                       std::to_string(model.linear_num_key_heads) + "), got " +
                                       std::to_string(model.linear_num_value_heads));
  }
  if (model.sliding_window > 0) fail("sliding_window", "not supported beside linear-attention layers");
  if (model.is_mla()) fail("kv_lora_rank", "not supported beside linear-attention layers");
  if (model.first_k_dense_replace > 0 || model.moe_layer_step > 1) {
    fail(model.first_k_dense_replace > 0 ? "first_k_dense_replace" : "moe_layer_step",
         "dense and MoE layers mixed are not supported beside linear-attention layers");
  }
}

/// attention_chunk_size and chunked_attention_layers: both 0, or a chunk of 1..2^30 tokens on
/// 1..num_layers layers; not beside a window, MLA, linear attention or single-block layers
/// (none of those models has chunks).
void validate_chunked_attention(const core::ModelSpec& model, const KeyFailure& fail) {
  if (model.attention_chunk_size < 0) fail("attention_chunk_size", "expected a positive integer (tokens), or no key");
  if (model.attention_chunk_size > kMaxModelContextTokens) {
    fail("attention_chunk_size", "expected at most " + std::to_string(kMaxModelContextTokens) + ", got " +
                                     std::to_string(model.attention_chunk_size));
  }
  if (model.chunked_attention_layers < 0 || model.chunked_attention_layers > model.num_layers) {
    fail("chunked_attention_layers", "expected an integer in [1, num_layers (" + std::to_string(model.num_layers) +
                                         ")] with an attention_chunk_size");
  }
  if ((model.attention_chunk_size > 0) != (model.chunked_attention_layers > 0)) {
    fail(model.attention_chunk_size > 0 ? "chunked_attention_layers" : "attention_chunk_size",
         "attention_chunk_size and chunked_attention_layers go together (Llama 4's chunked local attention)");
  }
  if (model.attention_chunk_size == 0) return;
  if (model.sliding_window > 0) fail("sliding_window", "not supported beside chunked local attention");
  if (model.is_mla()) fail("kv_lora_rank", "not supported beside chunked local attention");
  if (model.has_linear_attention()) fail("linear_attention_layers", "not supported beside chunked local attention");
  if (model.ffn_only_layers > 0) fail("ffn_only_layers", "not supported beside chunked local attention");
}

}  // namespace

void validate_model(const core::ModelSpec& model, const ModelKeyFailure& fail_at) {
  // fail_at throws; the throw after it keeps this function from going on if one did not.
  const auto fail = [&fail_at](const std::string& key, const std::string& message) {
    fail_at(key, message);
    throw core::InputError("", 0, key, message);
  };
  const std::pair<const char*, std::int64_t> dimensions[] = {
      {"num_layers", model.num_layers},
      {"hidden_size", model.hidden_size},
      {"num_attention_heads", model.num_attention_heads},
      {"num_kv_heads", model.num_kv_heads},
      {"head_dim", model.head_dim},
      {"intermediate_size", model.intermediate_size},
      {"vocab_size", model.vocab_size},
      {"num_experts", model.num_experts},
      {"experts_per_token", model.experts_per_token},
      {"expert_intermediate_size", model.expert_intermediate_size},
      {"num_shared_experts", model.num_shared_experts},
      {"shared_expert_intermediate_size", model.shared_expert_intermediate_size},
      {"reward_head_outputs", model.reward_head_outputs}};
  for (const auto& [key, value] : dimensions) {
    if (value > kMaxModelDimension) {
      fail(key, "expected at most " + std::to_string(kMaxModelDimension) + ", got " + std::to_string(value));
    }
  }
  if (model.max_position_embeddings > kMaxModelContextTokens) {
    fail("max_position_embeddings", "expected at most " + std::to_string(kMaxModelContextTokens) + ", got " +
                                        std::to_string(model.max_position_embeddings));
  }
  if (model.num_attention_heads % model.num_kv_heads != 0) {
    fail("num_kv_heads", "num_attention_heads (" + std::to_string(model.num_attention_heads) +
                             ") must be a multiple of num_kv_heads (" +
                             std::to_string(model.num_kv_heads) + ")");
  }
  if (model.sliding_window < 0) fail("sliding_window", "expected a positive integer (tokens), or no key");
  if (model.sliding_window > kMaxModelContextTokens) {
    fail("sliding_window", "expected at most " + std::to_string(kMaxModelContextTokens) + ", got " +
                               std::to_string(model.sliding_window));
  }
  if (model.sliding_window > 0 &&
      (model.sliding_window_layers < 1 || model.sliding_window_layers > model.num_layers)) {
    fail("sliding_window_layers", "expected an integer in [1, num_layers (" + std::to_string(model.num_layers) +
                                      ")] with a sliding_window");
  }
  if (model.sliding_window == 0 && model.sliding_window_layers != 0) {
    fail("sliding_window_layers", "set without sliding_window");
  }
  if (model.num_experts < 0) fail("num_experts", "expected a number >= 0");
  if (model.is_moe()) {
    if (model.experts_per_token <= 0 || model.experts_per_token > model.num_experts) {
      fail("experts_per_token", "expected an integer in [1, num_experts] for a MoE model");
    }
    if (model.expert_intermediate_size <= 0) {
      fail("expert_intermediate_size", "expected a positive integer for a MoE model");
    }
  } else if (model.experts_per_token != 0) {
    fail("experts_per_token", "set without num_experts");
  }
  if (model.num_shared_experts < 0) fail("num_shared_experts", "expected a number >= 0");
  if (model.num_shared_experts > 0 && model.shared_expert_intermediate_size <= 0) {
    fail("shared_expert_intermediate_size", "expected a positive integer with shared experts");
  }
  validate_moe_layout(model, fail);
  validate_latent_attention(model, fail);
  validate_sparse_attention(model, fail);
  validate_linear_attention(model, fail);
  validate_chunked_attention(model, fail);
}

core::ModelSpec load_model(const std::string& id_or_path, const std::string& base_dir) {
  const std::string path = resolve_preset(id_or_path, base_dir, "models", "model");
  if (ends_with(path, ".json")) return read_hf_config(path);
  return read_model_yaml(path);
}

std::vector<std::string> list_model_presets() { return list_presets("models"); }

}  // namespace llmsim::loader
