#include "loader/hf_config_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <vector>
#include <string_view>

#include "core/input_error.h"
#include "core/input_file.h"
#include "core/message_text.h"
#include "core/parameter_counts.h"
#include "loader/model_loader.h"
#include "workloads/json_value_text.h"

namespace llmsim::loader {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 25> kSupportedTypes{
    "llama",       "llama4",       "llama4_text", "mistral",     "mixtral",          "qwen2",
    "qwen2_moe",   "qwen3",        "qwen3_moe",   "qwen3_next",  "qwen3_5",          "qwen3_5_text",
    "qwen3_5_moe", "qwen3_5_moe_text", "gemma3",  "gemma3_text", "nemotron_h",       "deepseek_v2",
    "deepseek_v3", "deepseek_v32", "kimi_k2",     "glm4_moe",    "glm_moe_dsa",      "minimax_m2",
    "gpt_oss"};

/// Qwen3.5 (model_type qwen3_5, dense) and Qwen3.5-MoE (qwen3_5_moe), either as the released
/// multimodal file (text_config nested) or as their text configs (qwen3_5_text,
/// qwen3_5_moe_text). Both build on Qwen3-Next's hybrid (read_qwen3_next_fields).
bool is_qwen3_5(const std::string& model_type) { return model_type.rfind("qwen3_5", 0) == 0; }
bool is_qwen3_5_moe(const std::string& model_type) { return model_type.rfind("qwen3_5_moe", 0) == 0; }

/// DeepSeek-V2/V3-shaped configs (DeepseekV2Config / DeepseekV3Config in transformers;
/// Kimi K2 ships a DeepseekV3ForCausalLM with model_type "kimi_k2"; GLM-5's GlmMoeDsaConfig
/// has DeepSeek-V3.2's fields under the same names).
bool is_deepseek_shaped(const std::string& model_type) {
  return model_type == "deepseek_v2" || model_type == "deepseek_v3" || model_type == "deepseek_v32" ||
         model_type == "kimi_k2" || model_type == "glm_moe_dsa";
}

/// Models whose every layer is DeepSeek Sparse Attention (read_sparse_attention_fields).
bool has_sparse_attention(const std::string& model_type) {
  return model_type == "deepseek_v32" || model_type == "glm_moe_dsa";
}

/// 1-based line of the first occurrence of "key" in the file text, or 1.
int line_of_key(const std::string& text, const std::string& key) {
  const std::size_t at = text.find("\"" + key + "\"");
  if (at == std::string::npos) return 1;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

int line_of_byte(const std::string& text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

/// The config.json key that holds the ModelSpec field `spec_key` for `model_type`, so that
/// validate_model's messages name the key the file has.
std::string config_key(const std::string& spec_key, const std::string& model_type) {
  const bool mixtral = model_type == "mixtral" || model_type == "gpt_oss" || model_type == "minimax_m2" ||
                       model_type.rfind("llama4", 0) == 0;
  if (spec_key == "num_layers") return "num_hidden_layers";
  if (model_type.rfind("llama4", 0) == 0) {
    if (spec_key == "intermediate_size") return "intermediate_size_mlp";
    if (spec_key == "moe_layer_step") return "interleave_moe_layer_step";
    if (spec_key == "chunked_attention_layers") return "no_rope_layers";
  }
  if (model_type == "nemotron_h") {
    if (spec_key == "linear_num_key_heads") return "n_groups";
    if (spec_key == "linear_key_head_dim") return "ssm_state_size";
    if (spec_key == "linear_num_value_heads") return "mamba_num_heads";
    if (spec_key == "linear_value_head_dim") return "mamba_head_dim";
    if (spec_key == "linear_conv_kernel_dim") return "conv_kernel";
    if (spec_key == "linear_attention_layers" || spec_key == "ffn_only_layers") return "hybrid_override_pattern";
  }
  if ((model_type == "qwen3_next" || is_qwen3_5(model_type)) && spec_key == "linear_attention_layers") {
    return "full_attention_interval";
  }
  if (spec_key == "num_kv_heads") return "num_key_value_heads";
  if (spec_key == "num_experts") return mixtral ? "num_local_experts" : "num_experts";
  if (spec_key == "experts_per_token") return "num_experts_per_tok";
  if (spec_key == "expert_intermediate_size") return mixtral ? "intermediate_size" : "moe_intermediate_size";
  if (is_deepseek_shaped(model_type)) {
    if (spec_key == "num_experts") return "n_routed_experts";
    if (spec_key == "expert_intermediate_size") return "moe_intermediate_size";
    if (spec_key == "num_shared_experts" || spec_key == "shared_expert_intermediate_size") return "n_shared_experts";
    if (spec_key == "moe_layer_step") return "moe_layer_freq";
    if (spec_key == "head_dim") return "qk_nope_head_dim";
  }
  if (model_type == "glm4_moe") {
    if (spec_key == "num_experts") return "n_routed_experts";
    if (spec_key == "expert_intermediate_size") return "moe_intermediate_size";
    if (spec_key == "num_shared_experts" || spec_key == "shared_expert_intermediate_size") return "n_shared_experts";
  }
  if (model_type == "minimax_m2" && spec_key == "expert_intermediate_size") return "intermediate_size";
  if (spec_key == "moe_layer_step" && model_type.rfind("qwen", 0) == 0) return "decoder_sparse_step";
  if (spec_key == "num_shared_experts") return "shared_expert_intermediate_size";
  return spec_key;
}

/// The line of the first occurrence in `text` of the token that `message` quotes ('...'),
/// or 1 when there is none.
int line_of_quoted_token(const std::string& text, const std::string& message) {
  const std::size_t open = message.find('\'');
  const std::size_t close = open == std::string::npos ? open : message.find('\'', open + 1);
  if (close == std::string::npos || close == open + 1) return 1;
  const std::size_t at = text.find(message.substr(open + 1, close - open - 1));
  return at == std::string::npos ? 1 : line_of_byte(text, at);
}

// --- The JSON layer (issue 22): what json::parse accepts silently or not at all ----------

/// Python's json module writes float('inf') and float('nan') as the bare literals Infinity,
/// -Infinity and NaN, which JSON does not have (Nemotron-H's config.json holds
/// "time_step_limit": [0.0, Infinity]). They are turned into strings holding this marker
/// and the literal, so that a field llmsim does not read may hold one (it is ignored like
/// any other field), while a field llmsim reads is refused by name (non_finite_literal):
/// none of those fields (sizes, counts, flags) has a meaning for infinity.
constexpr std::string_view kNonFiniteMarker = "\\u001fllmsim-non-finite:";  ///< as written in the JSON text
constexpr std::string_view kNonFiniteDecoded = "\x1f" "llmsim-non-finite:";      ///< the string it decodes to

/// `text` with every Infinity, -Infinity and NaN outside strings replaced by a marked string.
/// Newlines are kept, so line numbers stay those of the file.
std::string mark_non_finite_literals(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (const std::string_view literal : {std::string_view("-Infinity"), std::string_view("Infinity"),
                                           std::string_view("NaN")}) {
      if (text.compare(i, literal.size(), literal) == 0) {
        out.append("\"").append(kNonFiniteMarker).append(literal).append("\"");
        i += literal.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

/// The literal ("Infinity", "-Infinity", "NaN") a marked value stands for, or empty.
std::string non_finite_literal(const json& value) {
  if (!value.is_string()) return "";
  const std::string& text = value.get_ref<const std::string&>();
  return text.rfind(kNonFiniteDecoded, 0) == 0 ? text.substr(kNonFiniteDecoded.size()) : "";
}

/// Deepest nesting of objects and arrays accepted: a config.json nests 3 or 4 levels
/// (rope_scaling, quantization_config, text_config); a deeper one is not a model config.
constexpr int kMaxJsonDepth = 64;

/// The line of the `occurrence`-th (from 1) appearance of "key" in `text`, or 1.
int line_of_key_occurrence(const std::string& text, const std::string& key, int occurrence) {
  std::size_t at = std::string::npos;
  std::size_t from = 0;
  for (int k = 0; k < occurrence; ++k) {
    at = text.find("\"" + key + "\"", from);
    if (at == std::string::npos) return 1;
    from = at + 1;
  }
  return line_of_byte(text, at);
}

/// json::parse of a config.json, refusing what it would accept silently: a key twice in one
/// object (json keeps the last; transformers' json.load too, but a file that says two
/// things is a mistake to point at), and nesting beyond kMaxJsonDepth. Syntax errors and
/// numbers beyond a double are InputErrors at their line.
json parse_config_json(const std::string& path, const std::string& text) {
  std::vector<std::set<std::string>> open_objects;
  std::map<std::string, int> key_seen;  // how many times each key text appeared so far
  const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) {
      throw core::InputError(path, 1, "", "nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    }
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.empty()) {
      const std::string key = parsed.get<std::string>();
      const int occurrence = ++key_seen[key];
      if (!open_objects.back().insert(key).second) {
        throw core::InputError(path, line_of_key_occurrence(text, key, occurrence), key, "duplicate key");
      }
    }
    return true;
  };
  const std::string marked = mark_non_finite_literals(text);
  try {
    return json::parse(marked, check);
  } catch (const json::parse_error& error) {
    throw core::InputError(path, line_of_byte(marked, error.byte), "", "JSON syntax error: " +
                           core::excerpt(error.what(), 200));
  } catch (const json::exception& error) {
    // Not a parse_error: a number too large for a double ("1e8001", out_of_range 406), which
    // terminated llmsim before (found by fuzz/). It carries no position: find the number.
    throw core::InputError(path, line_of_quoted_token(text, error.what()), "",
                           "JSON error: " + core::excerpt(error.what(), 200));
  }
}

/// "llama, mistral, ...": the model_types read_hf_config supports, from kSupportedTypes, so
/// that a type added there is listed in the message too.
std::string supported_model_types_text() {
  std::string names;
  for (const std::string_view type : kSupportedTypes) names.append(names.empty() ? "" : ", ").append(type);
  return names;
}

class ConfigReader {
 public:
  ConfigReader(std::string path, std::string text, json config)
      : path_(std::move(path)), text_(std::move(text)), config_(std::move(config)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw core::InputError(path_, line_of_key(text_, key), key, message);
  }

  bool has(const std::string& key) const { return config_.contains(key) && !config_[key].is_null(); }

  std::int64_t positive_int(const std::string& key) const {
    if (!has(key)) fail(key, "missing required field");
    const json& value = config_[key];
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) {
      fail(key, "expected a positive integer, got " + describe(value));
    }
    return value.get<std::int64_t>();
  }

  std::int64_t positive_int_or(const std::string& key, std::int64_t fallback) const {
    return has(key) ? positive_int(key) : fallback;
  }

  bool bool_or(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& value = config_[key];
    if (!value.is_boolean()) fail(key, "expected true or false, got " + describe(value));
    return value.get<bool>();
  }

  std::string string_or(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& value = config_[key];
    if (!value.is_string() || !non_finite_literal(value).empty()) fail(key, "expected a string, got " + describe(value));
    return value.get<std::string>();
  }

  /// "got ..." text of a value; a bare Infinity or NaN of the file is named as such.
  static std::string describe(const json& value) {
    const std::string literal = non_finite_literal(value);
    if (!literal.empty()) return literal + " (a non-finite number: this field needs a finite value)";
    return workloads::describe_json_value(value);
  }

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  /// The JSON value of a key the caller checked with has().
  const json& value(const std::string& key) const { return config_[key]; }

  bool architecture_contains(std::string_view name) const {
    if (!has("architectures") || !config_["architectures"].is_array()) return false;
    for (const auto& item : config_["architectures"]) {
      if (item.is_string() && item.get<std::string>().find(name) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  std::string text_;
  json config_;
};

/// Which layers use a sliding window, the way Hugging Face's configs say it:
///   layer_types          one entry per layer, "sliding_attention" or "full_attention"
///                        (Gemma 3, gpt-oss, recent Qwen2/Qwen3 configs);
///   sliding_window_pattern  P: every P-th layer is full, the others windowed (Gemma 3's
///                        older configs; layer i windowed when (i + 1) % P != 0);
///   use_sliding_window + max_window_layers  Qwen2/Qwen3: layers i >= max_window_layers are
///                        windowed when use_sliding_window is true; otherwise transformers
///                        sets sliding_window to None and no layer is windowed;
///   sliding_window alone Mistral/Mixtral: every layer (MistralAttention passes it to each).
/// sliding_window null or absent: no window. Llama's config has no window: a sliding_window
/// there is refused rather than ignored.
void read_sliding_window(const ConfigReader& reader, const std::string& model_type, core::ModelSpec& model) {
  const std::int64_t layers = model.num_layers;
  std::int64_t windowed = 0;
  if (reader.has("layer_types")) {
    const json& types = reader.value("layer_types");
    if (!types.is_array() || static_cast<std::int64_t>(types.size()) != layers) {
      reader.fail("layer_types", "expected a list of " + std::to_string(layers) + " layer types (num_hidden_layers)");
    }
    for (const json& type : types) {
      const std::string name = type.is_string() ? type.get<std::string>() : workloads::describe_json_value(type);
      if (name == "sliding_attention") {
        ++windowed;
      } else if (name != "full_attention") {
        reader.fail("layer_types", "unsupported layer type \"" + name +
                                       "\" (supported: full_attention, sliding_attention)");
      }
    }
  } else if (reader.has("sliding_window_pattern")) {
    const std::int64_t pattern = reader.positive_int("sliding_window_pattern");
    windowed = layers - layers / pattern;
  } else if (model_type.rfind("qwen", 0) == 0) {
    if (reader.bool_or("use_sliding_window", false) && reader.has("sliding_window")) {
      const std::int64_t first = reader.has("max_window_layers") ? reader.positive_int("max_window_layers") : 0;
      windowed = std::max<std::int64_t>(0, layers - first);
    }
  } else if (reader.has("sliding_window")) {
    if (model_type == "llama") {
      reader.fail("sliding_window", "LlamaConfig has no sliding window; remove the key or use the model_type "
                                    "whose attention reads it (mistral)");
    }
    windowed = layers;
  }
  if (windowed == 0) return;
  if (!reader.has("sliding_window")) {
    reader.fail("sliding_window", "missing, but " + std::to_string(windowed) + " layers use a sliding window");
  }
  model.sliding_window = reader.positive_int("sliding_window");
  model.sliding_window_layers = windowed;
}

/// The MoE fields DeepSeek-V3 and GLM-4.5 name alike (DeepseekV3Config, Glm4MoeConfig; see
/// read_deepseek_fields): n_routed_experts, num_experts_per_tok, moe_intermediate_size,
/// n_shared_experts (one MLP of n x moe_intermediate_size), first_k_dense_replace and
/// moe_layer_freq (only 1). Grouped routing (n_group, topk_group) restricts which experts a
/// token may pick, not how many: not read.
void read_deepseek_moe_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.num_experts = reader.positive_int("n_routed_experts");
  model.experts_per_token = reader.positive_int("num_experts_per_tok");
  model.expert_intermediate_size = reader.positive_int("moe_intermediate_size");
  if (reader.has("n_shared_experts")) {
    model.num_shared_experts = reader.positive_int("n_shared_experts");
    model.shared_expert_intermediate_size = model.expert_intermediate_size;
  }
  if (reader.has("first_k_dense_replace")) {
    const json& value = reader.value("first_k_dense_replace");
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      reader.fail("first_k_dense_replace", "expected an integer >= 0, got " + workloads::describe_json_value(value));
    }
    model.first_k_dense_replace = value.get<std::int64_t>();
  }
  if (reader.positive_int_or("moe_layer_freq", 1) != 1) {
    reader.fail("moe_layer_freq", "only 1 is supported (every layer after first_k_dense_replace is MoE)");
  }
}

/// DeepSeek-V2/V3 and Kimi K2 (DeepseekV3Config; the model code is transformers'
/// modeling_deepseek_v3.py and DeepSeek's own modeling_deepseek.py):
///   MLA        q_lora_rank (null: a direct q_proj, DeepSeek-V2-Lite), kv_lora_rank,
///              qk_nope_head_dim, qk_rope_head_dim, v_head_dim; the query/key head width
///              is qk_nope + qk_rope (ModelSpec::head_dim; config.json's own "head_dim",
///              where present, is the rotary width and not used);
///   MoE        n_routed_experts of moe_intermediate_size, num_experts_per_tok routed,
///              n_shared_experts always-on experts (DeepseekV3MoE builds them as one MLP of
///              moe_intermediate_size x n_shared_experts: the same parameters and FLOPs);
///              layer i is MoE when i >= first_k_dense_replace and i % moe_layer_freq == 0,
///              the others a dense MLP of intermediate_size. Only moe_layer_freq 1 is read
///              (every released model has it; other values count MoE layers differently).
///   Not modelled: grouped routing (n_group, topk_group) limits which experts a token may
///   pick, not how many; the multi-token-prediction layers (num_nextn_predict_layers),
///   which serving without speculative decoding does not run.
void read_deepseek_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.q_lora_rank = reader.has("q_lora_rank") ? reader.positive_int("q_lora_rank") : 0;
  model.kv_lora_rank = reader.positive_int("kv_lora_rank");
  model.qk_nope_head_dim = reader.positive_int("qk_nope_head_dim");
  model.qk_rope_head_dim = reader.positive_int("qk_rope_head_dim");
  model.v_head_dim = reader.positive_int("v_head_dim");
  model.head_dim = model.qk_nope_head_dim + model.qk_rope_head_dim;
  if (!reader.has("n_routed_experts")) return;  // a dense DeepSeek-shaped model
  read_deepseek_moe_fields(reader, model);
}

/// DeepSeek-V3.2 (model_type deepseek_v32, DeepseekV32ForCausalLM): DeepSeek-V3's fields plus
/// DeepSeek Sparse Attention's lightning indexer, index_n_heads heads of index_head_dim, and
/// index_topk keys attended per query (core::ModelSpec). All three are required: a V3.2 file
/// without them is not a sparse model, and DeepseekV32Config's defaults are not a fact of the
/// checkpoint.
void read_sparse_attention_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.index_n_heads = reader.positive_int("index_n_heads");
  model.index_head_dim = reader.positive_int("index_head_dim");
  model.index_topk = reader.positive_int("index_topk");
}

/// GLM-5 (model_type glm_moe_dsa, GlmMoeDsaForCausalLM; transformers' GlmMoeDsaConfig, whose
/// docstring names zai-org/GLM-5, and vLLM's config wrapper): DeepSeek-V3.2's MLA, DSA and MoE
/// fields, read by read_deepseek_fields and read_sparse_attention_fields. What the class adds
/// beyond them is refused rather than read as V3.2 would be:
///  - an indexer shared between layers (indexer_types "shared", or index_topk_freq > 1 or an
///    index_topk_pattern with 'S', from which the class derives them: a "shared" layer reuses
///    the previous full layer's top-k and runs no indexer); llmsim runs one on every layer,
///    which the class's defaults (every layer "full") and the GLM-5 report describe;
///  - mlp_layer_types other than first_k_dense_replace dense layers and then MoE ones;
///  - layer_types other than "deepseek_sparse_attention" (vLLM's wrapper drops exactly those).
void read_glm_moe_dsa_fields(const ConfigReader& reader, const core::ModelSpec& model) {
  if (reader.has("indexer_types")) {
    const json& types = reader.value("indexer_types");
    if (!types.is_array()) reader.fail("indexer_types", "expected a list of \"full\" or \"shared\"");
    for (const json& type : types) {
      if (type != "full") {
        reader.fail("indexer_types", "an indexer shared between layers (\"shared\") is not modelled: every layer runs its own");
      }
    }
  }
  if (reader.positive_int_or("index_topk_freq", 1) != 1) {
    reader.fail("index_topk_freq", "an indexer shared between layers is not modelled: only 1 (every layer runs its own)");
  }
  if (reader.has("index_topk_pattern")) {
    const json& pattern = reader.value("index_topk_pattern");
    if (!pattern.is_string() || pattern.get<std::string>().find_first_not_of('F') != std::string::npos) {
      reader.fail("index_topk_pattern", "an indexer shared between layers is not modelled: only 'F' (full) layers");
    }
  }
  if (reader.has("mlp_layer_types")) {
    const json& types = reader.value("mlp_layer_types");
    bool as_first_k = types.is_array() && static_cast<std::int64_t>(types.size()) == model.num_layers;
    for (std::size_t i = 0; as_first_k && i < types.size(); ++i) {
      const bool dense = static_cast<std::int64_t>(i) < model.first_k_dense_replace;
      as_first_k = types[i] == (dense ? "dense" : "sparse");
    }
    if (!as_first_k) {
      reader.fail("mlp_layer_types", "only first_k_dense_replace \"dense\" layers followed by \"sparse\" ones are modelled");
    }
  }
  if (reader.has("layer_types")) {
    const json& types = reader.value("layer_types");
    if (!types.is_array() ||
        std::any_of(types.begin(), types.end(), [](const json& t) { return t != "deepseek_sparse_attention"; })) {
      reader.fail("layer_types", "only \"deepseek_sparse_attention\" layers are modelled");
    }
  }
}

/// GLM-4.5 / GLM-4.6 (model_type glm4_moe, Glm4MoeForCausalLM; transformers' Glm4MoeConfig
/// and modeling_glm4_moe.py): grouped-query attention with head_dim, q/k/v biases
/// (attention_bias; o_proj has none), RMSNorm q_norm and k_norm of head_dim when use_qk_norm;
/// the MoE of DeepSeek-V3 (read_deepseek_moe_fields: first_k_dense_replace dense layers of
/// intermediate_size, then n_routed_experts of moe_intermediate_size with n_shared_experts).
/// partial_rotary_factor (RoPE on half of each head) changes no count llmsim prices. Not
/// counted: the router's e_score_correction_bias (n_routed_experts per MoE layer) and the
/// multi-token-prediction layer (num_nextn_predict_layers), which serving without
/// speculative decoding does not run.
void read_glm4_moe_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.qk_norm = reader.bool_or("use_qk_norm", false);
  read_deepseek_moe_fields(reader, model);
}

/// MiniMax-M2 (model_type minimax_m2, MiniMaxM2ForCausalLM; transformers' MiniMaxM2Config and
/// vLLM's minimax_m2.py): full attention on every layer (attn_type_list all 1; a 0, M1's
/// lightning attention, is refused), grouped-query with head_dim and no biases; every layer a
/// MoE of num_local_experts experts of intermediate_size (the expert width, as in Mixtral),
/// num_experts_per_tok routed, no shared expert (shared_intermediate_size 0; any other value
/// is refused). Not counted: use_qk_norm's per-layer q_norm and k_norm ((heads + KV heads) x
/// head_dim per layer, qk_norm_type "per_layer": ModelSpec's qk_norm is per head), the
/// router's e_score_correction_bias, and the multi-token-prediction modules (num_mtp_modules).
void read_minimax_m2_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.num_experts = reader.positive_int("num_local_experts");
  model.experts_per_token = reader.positive_int("num_experts_per_tok");
  model.expert_intermediate_size = model.intermediate_size;
  if (reader.has("shared_intermediate_size")) {
    const json& shared = reader.value("shared_intermediate_size");
    if (!shared.is_number_integer() || shared.get<std::int64_t>() != 0) {
      reader.fail("shared_intermediate_size", "only 0 (no shared expert) is supported, got " + ConfigReader::describe(shared));
    }
  }
  if (reader.has("attn_type_list")) {
    const json& types = reader.value("attn_type_list");
    if (!types.is_array() || static_cast<std::int64_t>(types.size()) != model.num_layers) {
      reader.fail("attn_type_list", "expected a list of " + std::to_string(model.num_layers) +
                                        " attention types (num_hidden_layers)");
    }
    for (const json& type : types) {
      if (!type.is_number_integer() || type.get<std::int64_t>() != 1) {
        reader.fail("attn_type_list", "only 1 (full attention) is supported, got " + ConfigReader::describe(type) +
                                          " (0 is MiniMax-M1's lightning attention, not modelled)");
      }
    }
  }
}

/// gpt-oss (GptOssConfig; transformers' modeling_gpt_oss.py): every layer MoE with
/// num_local_experts experts of intermediate_size, num_experts_per_tok routed (gated SwiGLU
/// with a clamp: three matrices' worth of weights); q/k/v/o biases (attention_bias; the o_proj
/// bias is not counted); one attention-sink logit per head and layer; windowed layers from
/// layer_types (read_sliding_window). Router and expert biases are not counted.
void read_gpt_oss_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.num_experts = reader.positive_int("num_local_experts");
  model.experts_per_token = reader.positive_int("num_experts_per_tok");
  model.expert_intermediate_size = model.intermediate_size;
  model.attention_sinks = true;
}

/// Which layers of a Qwen2-MoE / Qwen3-MoE model are MoE (Qwen3MoeDecoderLayer): layer i
/// when it is not in mlp_only_layers and (i + 1) % decoder_sparse_step == 0, which is
/// ModelSpec::moe_layer_step's count. A non-empty mlp_only_layers is refused: which layers
/// it names would change the count in a way moe_layer_step cannot say.
void read_qwen_moe_layout(const ConfigReader& reader, core::ModelSpec& model) {
  model.moe_layer_step = reader.positive_int_or("decoder_sparse_step", 1);
  if (reader.has("mlp_only_layers")) {
    const json& layers = reader.value("mlp_only_layers");
    if (!layers.is_array() || !layers.empty()) {
      reader.fail("mlp_only_layers", "only an empty list is supported (dense layers among MoE layers are "
                                     "modelled by decoder_sparse_step alone)");
    }
  }
}

/// Qwen3-Next (Qwen3NextConfig, transformers' configuration_qwen3_next.py and
/// modular_qwen3_next.py): Gated DeltaNet layers (linear_num_key_heads, linear_key_head_dim,
/// linear_num_value_heads, linear_value_head_dim, linear_conv_kernel_dim) mixed with gated
/// full attention (q_proj twice as wide: attention_output_gate; q_norm and k_norm). Which
/// layers are linear: layer_types ("linear_attention" / "full_attention", one per layer), or
/// without it full_attention_interval (default 4: layer i is full attention when
/// (i + 1) % interval == 0, as Qwen3NextConfig derives layer_types). MoE as Qwen3-MoE, with a
/// shared expert of shared_expert_intermediate_size (its sigmoid shared_expert_gate, h
/// weights per layer, is not counted). No sliding window: use_sliding_window true is refused.
void read_qwen3_next_fields(const ConfigReader& reader, core::ModelSpec& model) {
  model.linear_mixer = core::LinearMixer::gated_delta_net;
  model.attention_output_gate = true;
  if (reader.has("layer_types")) {
    const json& types = reader.value("layer_types");
    if (!types.is_array() || static_cast<std::int64_t>(types.size()) != model.num_layers) {
      reader.fail("layer_types",
                  "expected a list of " + std::to_string(model.num_layers) + " layer types (num_hidden_layers)");
    }
    for (const json& type : types) {
      const std::string name = type.is_string() ? type.get<std::string>() : workloads::describe_json_value(type);
      if (name == "linear_attention") {
        ++model.linear_attention_layers;
      } else if (name != "full_attention") {
        reader.fail("layer_types", "unsupported layer type \"" + name +
                                       "\" (supported: linear_attention, full_attention)");
      }
    }
  } else {
    const std::int64_t interval = reader.positive_int_or("full_attention_interval", 4);
    model.linear_attention_layers = model.num_layers - model.num_layers / interval;
  }
  if (model.linear_attention_layers >= model.num_layers) {
    reader.fail(reader.has("layer_types") ? "layer_types" : "full_attention_interval",
                "leaves no full-attention layer among the " + std::to_string(model.num_layers) +
                    " (at least one is needed: its KV pages hold the linear layers' state)");
  }
  model.linear_num_key_heads = reader.positive_int("linear_num_key_heads");
  model.linear_key_head_dim = reader.positive_int("linear_key_head_dim");
  model.linear_num_value_heads = reader.positive_int("linear_num_value_heads");
  model.linear_value_head_dim = reader.positive_int("linear_value_head_dim");
  model.linear_conv_kernel_dim = reader.positive_int("linear_conv_kernel_dim");
  if (reader.bool_or("use_sliding_window", false)) {
    reader.fail("use_sliding_window", "a sliding window beside linear-attention layers is not supported");
  }
}

/// Qwen3.5 and Qwen3.5-MoE's language model (Qwen3_5TextConfig / Qwen3_5MoeTextConfig,
/// transformers' modular_qwen3_5.py and modular_qwen3_5_moe.py, both subclasses of
/// Qwen3NextConfig): Qwen3-Next's hybrid (read_qwen3_next_fields: layer_types or
/// full_attention_interval 4, Gated DeltaNet of the linear_* keys, gated attention with q/k
/// norms). The differences, each read here or refused:
///   Gated DeltaNet   in_proj_qkv, in_proj_z, in_proj_b, in_proj_a instead of Qwen3-Next's
///                    in_proj_qkvz and in_proj_ba: the same rows (2 key_dim + value_dim,
///                    value_dim, 2 x value heads), so the same parameters and FLOPs.
///   output gate      attn_output_gate (default true, as vLLM's Qwen3NextAttention reads it:
///                    getattr(config, "attn_output_gate", True)); false: a q_proj of one width.
///   state format     mamba_ssm_dtype ("float32" in the released files): the Gated DeltaNet's
///                    recurrent state is kept in it (vLLM's Qwen3_5ForConditionalGenerationConfig
///                    sets mamba_ssm_cache_dtype from it when the deployment says "auto"); the
///                    conv state stays in the model's dtype. Absent: the model's dtype for both.
///   MoE (qwen3_5_moe) every layer is Qwen3NextSparseMoeBlock: num_experts routed experts of
///                    moe_intermediate_size, num_experts_per_tok of them per token, and one
///                    shared expert of shared_expert_intermediate_size (all required). The
///                    class deletes decoder_sparse_step and mlp_only_layers (every layer is
///                    MoE): a file that sets them otherwise (step != 1, a non-empty list) is
///                    refused rather than read as Qwen3-MoE reads them. It has no
///                    intermediate_size: the dense width, which no layer uses, is set to the
///                    shared expert's so that the spec stays valid.
///   dense (qwen3_5)  every layer a SwiGLU MLP of intermediate_size (Qwen3_5MLP).
///   not modelled     the vision tower (vision_config) and the multi-token-prediction layers
///                    (mtp_num_hidden_layers; transformers' Qwen3_5MoeForCausalLM drops mtp.*),
///                    which serving without speculative decoding does not run; mRoPE
///                    (rope_parameters.mrope_section) changes no count llmsim prices. The
///                    shared_expert_gate (hidden_size weights per layer) is not counted, as for
///                    Qwen3-Next.
void read_qwen3_5_fields(const ConfigReader& reader, const std::string& model_type, core::ModelSpec& model) {
  read_qwen3_next_fields(reader, model);
  model.attention_output_gate = reader.bool_or("attn_output_gate", true);
  if (reader.has("mamba_ssm_dtype")) {
    const std::string name = reader.string_or("mamba_ssm_dtype", "");
    if (name == "float32") {
      model.linear_recurrent_state_dtype = core::DType::fp32;
    } else if (name == "bfloat16") {
      model.linear_recurrent_state_dtype = core::DType::bf16;
    } else if (name == "float16") {
      model.linear_recurrent_state_dtype = core::DType::fp16;
    } else {
      reader.fail("mamba_ssm_dtype", "expected float32, bfloat16 or float16, got \"" + name + "\"");
    }
  }
  if (!is_qwen3_5_moe(model_type)) return;
  model.num_experts = reader.positive_int("num_experts");
  model.experts_per_token = reader.positive_int("num_experts_per_tok");
  model.expert_intermediate_size = reader.positive_int("moe_intermediate_size");
  model.num_shared_experts = 1;
  model.shared_expert_intermediate_size = reader.positive_int("shared_expert_intermediate_size");
  model.intermediate_size = model.shared_expert_intermediate_size;  // unused: no dense MLP layer
  if (reader.positive_int_or("decoder_sparse_step", 1) != 1) {
    reader.fail("decoder_sparse_step", "Qwen3.5-MoE has no dense layers (Qwen3_5MoeTextConfig deletes the key; "
                                       "every layer is MoE): only 1 is accepted");
  }
  if (reader.has("mlp_only_layers")) {
    const json& layers = reader.value("mlp_only_layers");
    if (!layers.is_array() || !layers.empty()) {
      reader.fail("mlp_only_layers", "Qwen3.5-MoE has no dense layers (Qwen3_5MoeTextConfig deletes the key; every "
                                     "layer is MoE): only an empty list is accepted");
    }
  }
}

/// Nemotron-H (NemotronHConfig; transformers' / vLLM's nemotron_h): each layer is one block,
/// named by one character of hybrid_override_pattern: 'M' a Mamba-2 mixer, '*' attention,
/// '-' a plain MLP of intermediate_size (up and down, relu2: gated_mlp false); one RMSNorm
/// per block. Mamba-2: mamba_num_heads heads of mamba_head_dim (the mixer's inner width is
/// their product), n_groups groups of ssm_state_size for B and C, conv_kernel, a conv bias
/// (use_conv_bias), no projection biases (mamba_proj_bias). Refused: 'E' (MoE blocks, the
/// Nemotron 3 family) and any other character, a pattern whose length is not
/// num_hidden_layers, use_conv_bias false and mamba_proj_bias true (not counted).
void read_nemotron_h_fields(const ConfigReader& reader, core::ModelSpec& model) {
  if (!reader.has("hybrid_override_pattern") || !reader.value("hybrid_override_pattern").is_string()) {
    reader.fail("hybrid_override_pattern", "missing, or not a string of M, * and - (one per layer)");
  }
  const std::string pattern = reader.value("hybrid_override_pattern").get<std::string>();
  if (static_cast<std::int64_t>(pattern.size()) != model.num_layers) {
    reader.fail("hybrid_override_pattern", "has " + std::to_string(pattern.size()) + " characters, expected one per "
                                           "layer (num_hidden_layers " + std::to_string(model.num_layers) + ")");
  }
  std::int64_t attention = 0;
  for (const char block : pattern) {
    if (block == 'M') {
      ++model.linear_attention_layers;
    } else if (block == '-') {
      ++model.ffn_only_layers;
    } else if (block == '*') {
      ++attention;
    } else {
      reader.fail("hybrid_override_pattern",
                  std::string("block '") + block + "' is not supported (supported: M Mamba-2, * attention, - MLP" +
                      (block == 'E' ? "; MoE blocks are not modelled)" : ")"));
    }
  }
  if (attention == 0) reader.fail("hybrid_override_pattern", "has no attention block ('*'): its KV pages hold the states");
  if (model.ffn_only_layers == 0) reader.fail("hybrid_override_pattern", "has no MLP block ('-')");
  model.linear_mixer = core::LinearMixer::mamba2;
  model.linear_num_key_heads = reader.positive_int("n_groups");
  model.linear_key_head_dim = reader.positive_int("ssm_state_size");
  model.linear_num_value_heads = reader.positive_int("mamba_num_heads");
  model.linear_value_head_dim = reader.positive_int("mamba_head_dim");
  model.linear_conv_kernel_dim = reader.positive_int("conv_kernel");
  model.gated_mlp = false;
  if (!reader.bool_or("use_conv_bias", true)) reader.fail("use_conv_bias", "false is not modelled (the conv bias is counted)");
  if (reader.bool_or("mamba_proj_bias", false)) reader.fail("mamba_proj_bias", "true is not modelled (no projection biases)");
  if (reader.bool_or("mlp_bias", false)) reader.fail("mlp_bias", "true is not modelled (no MLP biases)");
}

/// Gemma 3's windows (Gemma3TextConfig): layer_types when the file lists them, else every
/// sliding_window_pattern-th layer global (default 6; older files write _sliding_window_pattern),
/// the others windowed with sliding_window tokens (default 4096). Gemma 3's layers carry four
/// RMSNorms (pre/post attention, pre/post feed-forward): the two beyond ModelSpec's are not
/// counted (62 x 2 x 5,376 = 666,624 parameters in Gemma-3-27B).
void read_gemma3_window(const ConfigReader& reader, core::ModelSpec& model) {
  std::int64_t windowed = 0;
  if (reader.has("layer_types")) {
    read_sliding_window(reader, "gemma3", model);
    return;
  }
  const std::int64_t pattern = reader.has("sliding_window_pattern")
                                   ? reader.positive_int("sliding_window_pattern")
                                   : reader.positive_int_or("_sliding_window_pattern", 6);
  windowed = model.num_layers - model.num_layers / pattern;
  if (windowed == 0) return;
  model.sliding_window = reader.positive_int_or("sliding_window", 4096);
  model.sliding_window_layers = windowed;
}

/// Llama 4's language model (Llama4TextConfig, transformers' configuration_llama4.py; a
/// "llama4" file carries it as text_config beside a vision_config, which is not modelled):
///   MoE        num_local_experts of intermediate_size, num_experts_per_tok routed, plus one
///              shared expert of intermediate_size (Llama4TextMoe); layers moe_layers, by
///              default every interleave_moe_layer_step-th from step - 1 (ModelSpec's
///              moe_layer_step); the others a dense MLP of intermediate_size_mlp
///   chunks     attention_chunk_size on the RoPE layers: layer_types "chunked_attention", or
///              no_rope_layers[i] == 1 (by default every layer but each
///              no_rope_layer_interval-th, which is global NoPE attention)
///   qk norm    use_qk_norm is a weightless L2 norm: no parameters
/// Refused: a moe_layers list other than the interleave rule's (its count is all llmsim keeps).
void read_llama4_fields(const ConfigReader& reader, core::ModelSpec& model) {
  const std::int64_t layers = model.num_layers;
  model.num_experts = reader.positive_int("num_local_experts");
  model.experts_per_token = reader.positive_int("num_experts_per_tok");
  model.expert_intermediate_size = model.intermediate_size;
  model.num_shared_experts = 1;
  model.shared_expert_intermediate_size = model.intermediate_size;
  model.intermediate_size = reader.positive_int("intermediate_size_mlp");
  model.moe_layer_step = reader.positive_int_or("interleave_moe_layer_step", 1);
  if (reader.has("moe_layers")) {
    json interleaved = json::array();
    for (std::int64_t i = model.moe_layer_step - 1; i < layers; i += model.moe_layer_step) interleaved.push_back(i);
    if (reader.value("moe_layers") != interleaved) {
      reader.fail("moe_layers", "only the list interleave_moe_layer_step gives (every " +
                                    std::to_string(model.moe_layer_step) + "-th layer from the " +
                                    std::to_string(model.moe_layer_step) + "-th) is supported");
    }
  }
  if (!reader.has("attention_chunk_size")) return;  // null or absent: every layer global
  model.attention_chunk_size = reader.positive_int("attention_chunk_size");
  std::int64_t chunked = 0;
  const bool listed = reader.has("no_rope_layers") && reader.value("no_rope_layers").is_array() &&
                      !reader.value("no_rope_layers").empty();
  if (reader.has("layer_types")) {  // newer files name each layer's attention
    const json& types = reader.value("layer_types");
    if (!types.is_array() || static_cast<std::int64_t>(types.size()) != layers) {
      reader.fail("layer_types", "expected a list of " + std::to_string(layers) + " layer types (num_hidden_layers)");
    }
    for (const json& type : types) {
      const std::string name = type.is_string() ? type.get<std::string>() : workloads::describe_json_value(type);
      if (name == "chunked_attention") {
        ++chunked;
      } else if (name != "full_attention") {
        reader.fail("layer_types", "unsupported layer type \"" + name +
                                       "\" (supported: chunked_attention, full_attention)");
      }
    }
  } else if (listed) {
    const json& flags = reader.value("no_rope_layers");
    if (static_cast<std::int64_t>(flags.size()) != layers) {
      reader.fail("no_rope_layers", "expected a list of " + std::to_string(layers) + " flags (num_hidden_layers)");
    }
    for (const json& flag : flags) {
      if (!flag.is_number_integer() || (flag.get<std::int64_t>() != 0 && flag.get<std::int64_t>() != 1)) {
        reader.fail("no_rope_layers", "expected 0 (NoPE, global) or 1 (RoPE, chunked), got " +
                                          workloads::describe_json_value(flag));
      }
      chunked += flag.get<std::int64_t>();
    }
  } else {
    const std::int64_t interval = reader.positive_int_or("no_rope_layer_interval", 4);
    chunked = layers - layers / interval;
  }
  if (chunked == 0) {
    model.attention_chunk_size = 0;  // no RoPE layer: nothing is chunked
    return;
  }
  model.chunked_attention_layers = chunked;
}

/// Whether an mxfp4 quantization_config's modules_to_not_convert lists modules, and only
/// non-expert ones (attention, router, embeddings, LM head: gpt-oss's list), so that exactly
/// the experts are quantised. Refuses a list naming anything else; false for no list.
bool mxfp4_spares_only_non_experts(const ConfigReader& reader, const json& config) {
  if (!config.contains("modules_to_not_convert") || config["modules_to_not_convert"].is_null()) return false;
  const json& modules = config["modules_to_not_convert"];
  if (!modules.is_array()) reader.fail("quantization_config", "modules_to_not_convert: expected a list of module names");
  if (modules.empty()) return false;
  constexpr std::array<std::string_view, 4> kNonExpert{"self_attn", "router", "embed_tokens", "lm_head"};
  for (const json& module : modules) {
    const std::string name = module.is_string() ? module.get<std::string>() : workloads::describe_json_value(module);
    const bool non_expert = std::any_of(kNonExpert.begin(), kNonExpert.end(), [&name](std::string_view part) {
      return name.find(part) != std::string::npos;
    });
    if (!non_expert) {
      reader.fail("quantization_config", "modules_to_not_convert names \"" + name +
                                             "\"; only attention, router, embeddings and LM head can stay unquantised");
    }
  }
  return true;
}

/// ModelOpt's KV cache field: kv_cache_quant_algo "FP8" or "NVFP4" (absent or null: the
/// checkpoint says nothing, the deployment picks). Anything else is refused.
std::optional<core::DType> modelopt_kv_cache(const ConfigReader& reader, const json& fields) {
  if (!fields.contains("kv_cache_quant_algo") || fields["kv_cache_quant_algo"].is_null()) return std::nullopt;
  const json& algo = fields["kv_cache_quant_algo"];
  const std::string name = algo.is_string() ? algo.get<std::string>() : ConfigReader::describe(algo);
  if (name == "FP8" || name == "fp8") return core::DType::fp8;
  if (name == "NVFP4" || name == "nvfp4") return core::DType::nvfp4;
  reader.fail("quantization_config", "kv_cache_quant_algo \"" + name + "\" is not supported (supported: FP8, NVFP4)");
}

/// Whether `name` (an entry of an unquantised-module list) is a module that every reader
/// here leaves out of the weight format's bytes: the LM head, the embeddings or a MoE router
/// ("mlp.gate" only as the last component, not mlp.gate_proj; compressed-tensors writes
/// regular expressions such as "re:.*mlp.gate$").
bool is_small_module(const std::string& name) {
  constexpr std::array<std::string_view, 4> kSmallModules{"lm_head", "embed_tokens", "router", "mlp.gate"};
  std::string plain = name;
  if (plain.rfind("re:", 0) == 0) plain = plain.substr(3);
  if (!plain.empty() && plain.back() == '$') plain.pop_back();
  return std::any_of(kSmallModules.begin(), kSmallModules.end(), [&plain](std::string_view part) {
    const std::size_t at = plain.find(part);
    return at != std::string::npos && (part != "mlp.gate" || at + part.size() == plain.size());
  });
}

/// Refuses an unquantised-module list (`fields[list_key]`, absent or null: none) that names
/// anything but small modules (is_small_module): a partly quantised body would be priced wrong.
void check_unquantised_modules(const ConfigReader& reader, const json& fields, const std::string& list_key) {
  if (!fields.contains(list_key) || fields[list_key].is_null()) return;
  const json& modules = fields[list_key];
  if (!modules.is_array()) reader.fail("quantization_config", list_key + ": expected a list of module names");
  for (const json& module : modules) {
    const std::string name = module.is_string() ? module.get<std::string>() : ConfigReader::describe(module);
    if (!is_small_module(name)) {
      std::string message = list_key;
      message += " names \"" + name + "\"; only the LM head, embeddings and MoE routers can stay unquantised";
      reader.fail("quantization_config", message);
    }
  }
}

/// quant_method "modelopt": NVIDIA TensorRT Model Optimizer checkpoints (nvidia/*-FP4,
/// nvidia/*-FP8), read the way vLLM's ModelOptQuantConfigBase.from_config reads them
/// (vllm/model_executor/layers/quantization/modelopt.py): the fields sit either under
/// "quantization" (the hf_quant_config.json shape, modules left unquantised in
/// "exclude_modules"; nvidia/Llama-3.3-70B-Instruct-FP4's is {"quant_algo": "NVFP4",
/// "kv_cache_quant_algo": "FP8", "group_size": 16, "exclude_modules": ["lm_head"]}) or
/// beside quant_method (the config.json shape, the list in "ignore").
///   quant_algo NVFP4  nvfp4 weights (4.5 bits with the FP8 scale per 16; group_size, when
///                     given, must be 16); W4A4 at the fp4 peak on Blackwell, W4A16 elsewhere
///                     (hw/compute_dtypes.h)
///   quant_algo FP8    fp8 weights (per-tensor scales)
///   other algos       refused (W4A16_NVFP4, MIXED_PRECISION, W4A8_AWQ, ...)
/// The unquantised list may name the LM head, embeddings and MoE routers (priced as today:
/// the LM head in 16-bit, the small rest in the weights' format); any other module is
/// refused, since a partly quantised body would be priced wrong.
void read_modelopt_quantization(const ConfigReader& reader, const json& config, core::ModelSpec& model) {
  const bool nested = config.contains("quantization");
  const json& fields = nested ? config["quantization"] : config;
  if (!fields.is_object()) reader.fail("quantization_config", "modelopt \"quantization\": expected an object");
  const std::string algo = fields.contains("quant_algo") && fields["quant_algo"].is_string()
                               ? fields["quant_algo"].get<std::string>()
                               : "";
  if (algo == "NVFP4" || algo == "nvfp4") {
    if (fields.contains("group_size") && !(fields["group_size"].is_number_integer() && fields["group_size"].get<int>() == 16)) {
      reader.fail("quantization_config", "modelopt NVFP4 group_size must be 16 (one FP8 scale per 16 elements), got " +
                                             ConfigReader::describe(fields["group_size"]));
    }
    model.checkpoint_weights = core::DType::nvfp4;
  } else if (algo == "FP8" || algo == "fp8") {
    model.checkpoint_weights = core::DType::fp8;
  } else {
    reader.fail("quantization_config", "modelopt quant_algo \"" + algo + "\" is not supported (supported: NVFP4, FP8)");
  }
  check_unquantised_modules(reader, fields, nested ? "exclude_modules" : "ignore");
  model.checkpoint_kv_cache = modelopt_kv_cache(reader, fields);
  model.checkpoint_quantization = "modelopt " + algo + (model.checkpoint_kv_cache
                                                           ? ", KV cache " + std::string(core::to_string(*model.checkpoint_kv_cache))
                                                           : std::string());
}

/// One compressed-tensors QuantizationArgs object ("weights", "input_activations",
/// "kv_cache_scheme"): its type ("int" or "float") and num_bits, or nothing for null/absent.
struct QuantArgs {
  std::string type;
  std::int64_t bits = 0;
};
std::optional<QuantArgs> compressed_tensors_args(const ConfigReader& reader, const json& parent,
                                                 const std::string& key, const std::string& where) {
  if (!parent.contains(key) || parent[key].is_null()) return std::nullopt;
  const json& args = parent[key];
  if (!args.is_object() || !args.contains("num_bits") || !args["num_bits"].is_number_integer() ||
      !args.contains("type") || !args["type"].is_string()) {
    reader.fail("quantization_config", where + key + ": expected an object with num_bits and type, got " +
                                           ConfigReader::describe(args));
  }
  return QuantArgs{args["type"].get<std::string>(), args["num_bits"].get<std::int64_t>()};
}

/// quant_method "compressed-tensors" (llm-compressor / RedHatAI checkpoints), read as vLLM's
/// CompressedTensorsConfig reads it (vllm/model_executor/layers/quantization/compressed_tensors/
/// compressed_tensors.py, _get_scheme_from_parts): one scheme in config_groups targeting
/// "Linear", its "weights" and "input_activations" QuantizationArgs deciding the kernel:
///   weights int 4, no input_activations      int4 (W4A16: vLLM's Marlin/Machete, the
///                                            "pack-quantized" format)
///   weights int 8, no input_activations      int8 (W8A16)
///   weights float 8, input_activations float 8  fp8 (W8A8 FP8 where the GPU has it, the
///                                            "float-quantized" format, FP8-dynamic checkpoints)
///   weights float 4 group_size 16, input_activations float 4   nvfp4 (W4A4 "nvfp4-pack-quantized")
/// Refused, with the field named: int8 activations (W8A8 INT8: llmsim's int8 is weight-only),
/// int 4 weights with 8-bit activations (W4A8), fp8 or fp4 weights without matching
/// activations (weight-only FP8/NVFP4 would be priced as W8A8/W4A4 here), other bit widths,
/// several config groups, targets other than Linear, a sparsity_config (2:4 sparsity), an
/// ignore list naming more than the LM head, embeddings and routers. kv_cache_scheme float 8
/// is the checkpoint's fp8 KV cache; any other KV scheme is refused.
void read_compressed_tensors_quantization(const ConfigReader& reader, const json& config, core::ModelSpec& model) {
  if (config.contains("sparsity_config") && !config["sparsity_config"].is_null() &&
      !(config["sparsity_config"].is_object() && config["sparsity_config"].empty())) {
    reader.fail("quantization_config", "sparsity_config: sparse (2:4) compressed-tensors checkpoints are not modelled");
  }
  if (!config.contains("config_groups") || !config["config_groups"].is_object() || config["config_groups"].size() != 1) {
    reader.fail("quantization_config",
                "config_groups: expected exactly one quantisation scheme (several groups with their own schemes are not "
                "modelled), got " +
                    (config.contains("config_groups") ? ConfigReader::describe(config["config_groups"]) : "none"));
  }
  const auto first_group = config["config_groups"].begin();
  const std::string& group_name = first_group.key();
  const json& group = first_group.value();
  const std::string where = "config_groups." + group_name + ".";
  if (!group.is_object()) reader.fail("quantization_config", where + ": expected an object");
  const bool targets_linear = group.contains("targets") && group["targets"].is_array() &&
                              std::any_of(group["targets"].begin(), group["targets"].end(),
                                          [](const json& target) { return target == "Linear"; });
  if (!targets_linear) {
    reader.fail("quantization_config", where + "targets: expected [\"Linear\"] (every linear layer); a scheme "
                                               "for named modules only is not modelled");
  }
  const std::optional<QuantArgs> weights = compressed_tensors_args(reader, group, "weights", where);
  if (!weights) reader.fail("quantization_config", where + "weights: missing (no weight quantisation)");
  const std::optional<QuantArgs> inputs = compressed_tensors_args(reader, group, "input_activations", where);
  const auto inputs_are = [&inputs](const char* type, std::int64_t bits) {
    return inputs && inputs->type == type && inputs->bits == bits;
  };
  std::string scheme;
  if (weights->type == "int" && weights->bits == 4 && !inputs) {
    model.checkpoint_weights = core::DType::int4;
    scheme = "W4A16 int4";
  } else if (weights->type == "int" && weights->bits == 8 && !inputs) {
    model.checkpoint_weights = core::DType::int8;
    scheme = "W8A16 int8";
  } else if (weights->type == "float" && weights->bits == 8 && inputs_are("float", 8)) {
    model.checkpoint_weights = core::DType::fp8;
    scheme = "W8A8 fp8";
  } else if (weights->type == "float" && weights->bits == 4 && inputs_are("float", 4)) {
    const json& args = group["weights"];
    if (!(args.contains("group_size") && args["group_size"].is_number_integer() && args["group_size"].get<int>() == 16)) {
      reader.fail("quantization_config", where + "weights.group_size: float 4-bit weights need group_size 16 (NVFP4)");
    }
    model.checkpoint_weights = core::DType::nvfp4;
    scheme = "W4A4 nvfp4";
  } else {
    const std::string activations = inputs ? inputs->type + " " + std::to_string(inputs->bits) + "-bit" : "none";
    reader.fail("quantization_config",
                where + "weights " + weights->type + " " + std::to_string(weights->bits) + "-bit with input_activations " +
                    activations +
                    " is not modelled (supported: int 4 or 8 weight-only, float 8 with float 8 activations, float 4 "
                    "with float 4 activations)");
  }
  check_unquantised_modules(reader, config, "ignore");
  if (const std::optional<QuantArgs> kv = compressed_tensors_args(reader, config, "kv_cache_scheme", "")) {
    if (kv->type != "float" || kv->bits != 8) {
      reader.fail("quantization_config", "kv_cache_scheme: " + kv->type + " " + std::to_string(kv->bits) +
                                             "-bit KV cache is not supported (supported: float 8)");
    }
    model.checkpoint_kv_cache = core::DType::fp8;
  }
  model.checkpoint_quantization =
      "compressed-tensors " + scheme + (model.checkpoint_kv_cache ? ", KV cache fp8" : std::string());
}

/// The OCP MX element format of one AMD Quark QuantizationSpec ("weight" or "input_tensors"
/// of global_quant_config): DType::mxfp6 for dtype "fp6_e3m2" / "fp6_e2m3", DType::mxfp4 for
/// "fp4", each only with Quark's MX fields (qscheme "per_group", group_size 32, scale_format
/// "e8m0", where given); nothing for a spec that is absent or null. Anything else is refused.
std::optional<core::DType> quark_mx_format(const ConfigReader& reader, const json& global, const std::string& key) {
  if (!global.contains(key) || global[key].is_null()) return std::nullopt;
  const json& spec = global[key];
  const std::string where = "global_quant_config." + key;
  if (!spec.is_object() || !spec.contains("dtype") || !spec["dtype"].is_string()) {
    reader.fail("quantization_config", where + ": expected one OCP MX spec with a dtype, got " + ConfigReader::describe(spec));
  }
  const std::string dtype = spec["dtype"].get<std::string>();
  std::optional<core::DType> format;
  if (dtype == "fp6_e3m2" || dtype == "fp6_e2m3") format = core::DType::mxfp6;
  if (dtype == "fp4") format = core::DType::mxfp4;
  if (!format) {
    reader.fail("quantization_config", where + ".dtype \"" + dtype +
                                           "\" is not modelled (supported: the OCP MX formats fp6_e3m2, fp6_e2m3, fp4)");
  }
  const auto field_is = [&spec](const char* field, const json& expected) {
    return !spec.contains(field) || spec[field].is_null() || spec[field] == expected;
  };
  if (!field_is("qscheme", "per_group") || !field_is("group_size", 32) || !field_is("scale_format", "e8m0")) {
    reader.fail("quantization_config", where + ": " + dtype +
                                           " is read as OCP MX (qscheme per_group, group_size 32, scale_format e8m0), got " +
                                           ConfigReader::describe(spec));
  }
  return format;
}

/// quant_method "quark" (AMD Quark's OCP MX exports), read as vLLM's QuarkConfig reads them
/// (vllm/model_executor/layers/quantization/quark/quark.py, _is_w_ocp_mx_a_x, and
/// schemes/quark_ocp_mx.py): one global_quant_config whose "weight" and "input_tensors"
/// specs name the element formats, 32 elements to one E8M0 scale:
///   weight fp6_e3m2 or fp6_e2m3, input_tensors fp6_*   mxfp6 (W6A6: vLLM's OCP_MX_Scheme
///                                                     w_fp6_e3m2_a_fp6_e3m2; public example
///                                                     fxmarty/qwen1.5_moe_a2.7b_chat_w_fp6_e3m2_a_fp6_e3m2,
///                                                     which vLLM's Quark tests load)
///   weight fp4, input_tensors fp4                    mxfp4 (W4A4, OCP_MX_Scheme w_fp4_a_fp4)
/// Refused, with the field named: weight-only or mixed specs (W6A16, W6A8 with fp8_e4m3
/// inputs, W4A6: priced neither as W6A6 nor as their own kernels), other dtypes (Quark's
/// int4/int8/fp8 schemes), per-layer schemes (layer_quant_config, layer_type_quant_config:
/// Quark also puts its fp8 KV cache there), output_tensors, and an exclude list naming more
/// than the LM head, embeddings and MoE routers.
void read_quark_quantization(const ConfigReader& reader, const json& config, core::ModelSpec& model) {
  if (!config.contains("global_quant_config") || !config["global_quant_config"].is_object()) {
    reader.fail("quantization_config", "quark: expected a global_quant_config object");
  }
  for (const char* per_layer : {"layer_quant_config", "layer_type_quant_config"}) {
    if (config.contains(per_layer) && !config[per_layer].is_null() &&
        !(config[per_layer].is_object() && config[per_layer].empty())) {
      reader.fail("quantization_config", std::string(per_layer) +
                                             ": per-layer Quark schemes (and a Quark KV cache scheme) are not modelled");
    }
  }
  const json& global = config["global_quant_config"];
  if (global.contains("output_tensors") && !global["output_tensors"].is_null()) {
    reader.fail("quantization_config", "global_quant_config.output_tensors: output quantisation is not modelled");
  }
  const std::optional<core::DType> weights = quark_mx_format(reader, global, "weight");
  if (!weights) reader.fail("quantization_config", "global_quant_config.weight: missing (no weight quantisation)");
  const std::optional<core::DType> inputs = quark_mx_format(reader, global, "input_tensors");
  if (inputs != weights) {
    const std::string activations = inputs ? std::string(core::to_string(*inputs)) : "none (weight-only)";
    reader.fail("quantization_config", "global_quant_config: " + std::string(core::to_string(*weights)) +
                                           " weights with input_tensors " + activations +
                                           " are not modelled (supported: W6A6 mxfp6, W4A4 mxfp4)");
  }
  check_unquantised_modules(reader, config, "exclude");
  model.checkpoint_weights = *weights;
  model.checkpoint_quantization = "quark W" + std::string(*weights == core::DType::mxfp6 ? "6A6 " : "4A4 ") +
                                  std::string(core::to_string(*weights));
}

/// quantization_config, never ignored: read into the checkpoint's weight format, or refused.
///   quant_method "fp8"   DeepSeek-V3's block-scaled e4m3 (fmt "e4m3", weight_block_size
///                        [128, 128]; vLLM's Fp8Config): 1-byte weights. The per-block scales
///                        (one fp32 per 128 x 128 weights, 0.02%) are not counted.
///                        The checkpoint keeps embeddings, LM head and router in bf16 (Kimi K2's
///                        tensor listing): the LM head is priced 16-bit (hw/compute_dtypes.h);
///                        embeddings and router count 1 byte (DeepSeek-V3: 0.3% of the bytes).
///   quant_method "mxfp4" OCP microscaling FP4 (4-bit elements, one 8-bit scale per 32).
///                        With modules_to_not_convert naming only attention, router,
///                        embeddings and LM head (gpt-oss), the routed experts take 0.53125
///                        bytes per weight (ModelSpec::expert_bytes_per_weight, computed in
///                        16-bit: their GEMM shares one rate with the 16-bit attention
///                        projections) and the rest keeps the scenario's 16-bit format;
///                        without it every weight is DType::mxfp4 (W4A4 at the fp4 peak
///                        where the GPU has one, else W4A16: hw/compute_dtypes.h).
///   quant_method "modelopt" read_modelopt_quantization.
///   quant_method "compressed-tensors" read_compressed_tensors_quantization.
///   quant_method "quark" read_quark_quantization (AMD's OCP MX: mxfp6, mxfp4).
///   anything else        refused, naming the method (GPTQ, AWQ, ...).
void read_quantization_config(const ConfigReader& reader, core::ModelSpec& model) {
  if (!reader.has("quantization_config")) return;
  const json& config = reader.value("quantization_config");
  const std::string method = config.is_object() && config.contains("quant_method") && config["quant_method"].is_string()
                                 ? config["quant_method"].get<std::string>()
                                 : "";
  if (method == "fp8") {
    const std::string format =
        config.contains("fmt") && config["fmt"].is_string() ? config["fmt"].get<std::string>() : "e4m3";
    if (format != "e4m3" && format != "e5m2") {
      reader.fail("quantization_config", "fp8 format \"" + format + "\" is not e4m3 or e5m2");
    }
    model.checkpoint_weights = core::DType::fp8;
    model.checkpoint_quantization = "fp8 " + format;
  } else if (method == "mxfp4") {
    // OCP Microscaling Formats v1.0: 32 FP4 (E2M1) elements share one E8M0 scale.
    const double kMxfp4BytesPerWeight = core::bytes_per_element(core::DType::mxfp4);
    if (mxfp4_spares_only_non_experts(reader, config)) {
      // gpt-oss: experts in MXFP4, attention, router and embeddings as they are (16-bit).
      if (!model.is_moe() || model.num_shared_experts > 0) {
        reader.fail("quantization_config", "mxfp4 experts-only quantisation needs routed experts and no shared ones");
      }
      model.expert_bytes_per_weight = kMxfp4BytesPerWeight;
      model.checkpoint_quantization = "mxfp4 experts (W4A16), the rest 16-bit";
    } else {
      model.checkpoint_weights = core::DType::mxfp4;
      model.checkpoint_quantization = "mxfp4";
      if (model.is_moe() && model.num_shared_experts == 0) model.expert_bytes_per_weight = kMxfp4BytesPerWeight;
    }
  } else if (method == "modelopt") {
    read_modelopt_quantization(reader, config, model);
  } else if (method == "compressed-tensors") {
    read_compressed_tensors_quantization(reader, config, model);
  } else if (method == "quark") {
    read_quark_quantization(reader, config, model);
  } else {
    reader.fail("quantization_config", "quant_method \"" + method +
                                           "\" is not supported (supported: fp8, mxfp4, modelopt); also supported: "
                                           "compressed-tensors, quark");
  }
}

/// Gemma 4 (model_type gemma4, text_config gemma4_text; transformers' Gemma4TextConfig and
/// convert_gemma4_weights.py, whose _VARIANTS give gemma-4-e2b, -e4b, -31b and -26b-a4b) is
/// refused, naming the first of its features llmsim cannot represent (each in at least one
/// released size), rather than read as a plainer model:
///   per_layer_config           per-layer overrides of head_dim and KV heads (how the class
///                              stores global_head_dim and num_global_key_value_heads)
///   global_head_dim            full-attention layers with heads of 512 (the class default;
///                              every size) beside 256-wide sliding ones: core::Architecture
///                              keeps one head width and KV shape for every attention layer
///   num_global_key_value_heads other KV heads on the full-attention layers (31B: 4 against 16)
///   attention_k_eq_v           no v_proj on the full-attention layers: values are the keys
///   num_kv_shared_layers       the last layers reuse an earlier layer's keys and values (E2B: 20)
///   hidden_size_per_layer_input per-layer input embeddings (E2B/E4B: 256 per layer)
///   use_double_wide_mlp        MLPs twice as wide on the KV-shared layers
///   enable_moe_block           a MoE beside the dense MLP on every layer (26B-A4B)
/// Returns only by throwing.
[[noreturn]] void refuse_gemma4(const ConfigReader& top) {
  const ConfigReader text = top.has("text_config") && top.value("text_config").is_object()
                                ? ConfigReader(top.path(), top.text(), top.value("text_config"))
                                : top;
  const std::int64_t head_dim = text.positive_int_or("head_dim", 256);      // Gemma4TextConfig's defaults
  const std::int64_t global_head_dim = text.positive_int_or("global_head_dim", 512);
  const std::string not_yet = " (Gemma 4 is not modelled yet: llmsim keeps one head width and KV shape for all "
                              "attention layers, and none of Gemma 4's per-layer extras)";
  if (text.has("per_layer_config")) {
    text.fail("per_layer_config", "per-layer head widths and KV heads" + not_yet);
  }
  if (global_head_dim != head_dim) {
    text.fail("global_head_dim", "full-attention layers with heads of " + std::to_string(global_head_dim) +
                                     " beside sliding layers with heads of " + std::to_string(head_dim) + not_yet);
  }
  if (text.has("num_global_key_value_heads")) {
    text.fail("num_global_key_value_heads", "other KV heads on the full-attention layers" + not_yet);
  }
  if (text.bool_or("attention_k_eq_v", false)) text.fail("attention_k_eq_v", "keys used as values" + not_yet);
  if (text.has("num_kv_shared_layers") && text.value("num_kv_shared_layers") != 0) {
    text.fail("num_kv_shared_layers", "layers that reuse another layer's keys and values" + not_yet);
  }
  if (!text.has("hidden_size_per_layer_input") || text.value("hidden_size_per_layer_input") != 0) {
    text.fail("hidden_size_per_layer_input", "per-layer input embeddings (Gemma4TextConfig's default: 256)" + not_yet);
  }
  if (text.bool_or("use_double_wide_mlp", false)) text.fail("use_double_wide_mlp", "double-wide MLPs" + not_yet);
  if (text.bool_or("enable_moe_block", false)) text.fail("enable_moe_block", "a MoE beside the dense MLP" + not_yet);
  top.fail("model_type", "gemma4" + not_yet);
}

}  // namespace

core::ModelSpec read_hf_config(const std::string& path) {
  const std::string text = core::read_input_file(path);
  const json config = parse_config_json(path, text);
  if (!config.is_object()) throw core::InputError(path, 1, "", "expected a JSON object");
  const ConfigReader top(path, text, config);

  const std::string model_type = top.string_or("model_type", "");
  if (model_type == "gemma4" || model_type == "gemma4_text") refuse_gemma4(top);
  if (std::find(kSupportedTypes.begin(), kSupportedTypes.end(), model_type) == kSupportedTypes.end()) {
    top.fail("model_type", "unsupported model_type \"" + model_type + "\" (supported: " +
                               supported_model_types_text() + ")");
  }
  // Llama 4's file describes its language model in text_config (its vision tower is not
  // modelled); quantization_config and architectures stay at the top.
  const bool llama4 = model_type == "llama4" || model_type == "llama4_text";
  // Gemma 3's the same way (model_type gemma3, text_config gemma3_text).
  // Qwen3.5 (qwen3_5, qwen3_5_moe) too: Qwen3_5MoeConfig wraps a Qwen3_5MoeTextConfig.
  const bool nested =
      model_type == "llama4" || model_type == "gemma3" || model_type == "qwen3_5" || model_type == "qwen3_5_moe";
  if (nested && (!top.has("text_config") || !top.value("text_config").is_object())) {
    top.fail("text_config", "missing: a " + model_type + " config.json describes its language model there");
  }
  const ConfigReader reader(path, text, nested ? top.value("text_config") : config);
  // Gemma 3's released files leave most fields to Gemma3TextConfig's defaults (transformers'
  // configuration_gemma3.py): vocab_size 262,208, max_position_embeddings 131,072, 4 KV heads,
  // head_dim 256, intermediate_size 9,216, tie_word_embeddings true.
  const bool gemma3 = model_type == "gemma3" || model_type == "gemma3_text";

  core::ModelSpec model;
  model.id = path;
  model.source = path;
  model.num_layers = reader.positive_int("num_hidden_layers");
  model.hidden_size = reader.positive_int("hidden_size");
  model.num_attention_heads = reader.positive_int("num_attention_heads");
  model.num_kv_heads = reader.positive_int_or("num_key_value_heads", gemma3 ? 4 : model.num_attention_heads);
  if (model.hidden_size % model.num_attention_heads != 0 && !reader.has("head_dim") &&
      !is_deepseek_shaped(model_type)) {
    reader.fail("head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
  }
  // Nemotron-H's configs name the attention head width attention_head_dim.
  const std::string head_dim_key =
      model_type == "nemotron_h" && !reader.has("head_dim") ? "attention_head_dim" : "head_dim";
  model.head_dim = reader.positive_int_or(head_dim_key, gemma3 ? 256 : model.hidden_size / model.num_attention_heads);
  // Qwen3.5-MoE has no intermediate_size (read_qwen3_5_fields sets the unused dense width).
  if (!is_qwen3_5_moe(model_type)) {
    model.intermediate_size =
        gemma3 ? reader.positive_int_or("intermediate_size", 9216) : reader.positive_int("intermediate_size");
  }
  model.vocab_size = gemma3 ? reader.positive_int_or("vocab_size", 262208) : reader.positive_int("vocab_size");
  model.max_position_embeddings = gemma3 ? reader.positive_int_or("max_position_embeddings", 131072)
                                         : reader.positive_int("max_position_embeddings");
  model.tie_word_embeddings = reader.bool_or("tie_word_embeddings", gemma3);
  // Qwen3_5MoeConfig carries tie_word_embeddings at the top as well as in text_config (both
  // false for the released models): a file where they differ says two things.
  if (nested && is_qwen3_5(model_type) && top.has("tie_word_embeddings") &&
      top.bool_or("tie_word_embeddings", false) != model.tie_word_embeddings) {
    top.fail("tie_word_embeddings", "differs from text_config's tie_word_embeddings");
  }
  model.gated_mlp = true;  // a SwiGLU MLP, except Nemotron-H's (read_nemotron_h_fields)
  // Qwen2 hard-codes q/k/v biases; the others read "attention_bias" (default false).
  model.attention_bias = model_type.rfind("qwen2", 0) == 0 ? true : reader.bool_or("attention_bias", false);

  // Qwen3Attention and Gemma3Attention have q_norm and k_norm.
  model.qk_norm = model_type.rfind("qwen3", 0) == 0 || gemma3;

  if (model_type == "gpt_oss") {
    read_gpt_oss_fields(reader, model);
  } else if (model_type == "mixtral") {
    model.num_experts = reader.positive_int("num_local_experts");
    model.experts_per_token = reader.positive_int("num_experts_per_tok");
    model.expert_intermediate_size = model.intermediate_size;
  } else if (model_type == "qwen2_moe" || model_type == "qwen3_moe" || model_type == "qwen3_next") {
    model.num_experts = reader.positive_int("num_experts");
    model.experts_per_token = reader.positive_int("num_experts_per_tok");
    model.expert_intermediate_size = reader.positive_int("moe_intermediate_size");
    if (reader.has("shared_expert_intermediate_size")) {
      model.num_shared_experts = 1;
      model.shared_expert_intermediate_size = reader.positive_int("shared_expert_intermediate_size");
    }
    read_qwen_moe_layout(reader, model);
  }
  if (is_deepseek_shaped(model_type)) read_deepseek_fields(reader, model);
  if (has_sparse_attention(model_type)) read_sparse_attention_fields(reader, model);
  if (model_type == "glm_moe_dsa") read_glm_moe_dsa_fields(reader, model);
  if (model_type == "glm4_moe") read_glm4_moe_fields(reader, model);
  if (model_type == "minimax_m2") read_minimax_m2_fields(reader, model);
  if (llama4) {
    read_llama4_fields(reader, model);  // chunks from no_rope_layers, no sliding window
  } else if (model_type == "qwen3_next") {
    read_qwen3_next_fields(reader, model);  // layer_types name linear layers, not windows
  } else if (is_qwen3_5(model_type)) {
    read_qwen3_5_fields(reader, model_type, model);
  } else if (gemma3) {
    read_gemma3_window(reader, model);
  } else if (model_type == "glm_moe_dsa") {
    // layer_types name DSA layers (read_glm_moe_dsa_fields), not windows.
    if (reader.has("sliding_window")) reader.fail("sliding_window", "not supported beside DeepSeek Sparse Attention");
  } else if (model_type == "nemotron_h") {
    read_nemotron_h_fields(reader, model);
    if (reader.has("sliding_window")) reader.fail("sliding_window", "not supported beside Mamba-2 layers");
  } else {
    read_sliding_window(reader, model_type, model);
  }
  read_quantization_config(top, model);
  if (top.architecture_contains("ProcessRewardModel") || top.architecture_contains("RewardModel")) {
    model.head = core::HeadKind::reward;
  }
  validate_model(model, [&reader, &model_type](const std::string& key, const std::string& message) {
    reader.fail(config_key(key, model_type), message);
  });
  model.nominal_params = core::count_parameters(model).total;
  return model;
}

}  // namespace llmsim::loader
