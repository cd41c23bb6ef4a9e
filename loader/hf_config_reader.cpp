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

constexpr std::array<std::string_view, 7> kSupportedTypes{
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe"};

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
  const bool mixtral = model_type == "mixtral";
  if (spec_key == "num_layers") return "num_hidden_layers";
  if (spec_key == "num_kv_heads") return "num_key_value_heads";
  if (spec_key == "num_experts") return mixtral ? "num_local_experts" : "num_experts";
  if (spec_key == "experts_per_token") return "num_experts_per_tok";
  if (spec_key == "expert_intermediate_size") return mixtral ? "intermediate_size" : "moe_intermediate_size";
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

/// Fields that change what a model is but llmsim does not read: refused rather than ignored,
/// so that a run never prices a different model than the file describes.
///   quantization_config  the weights' storage format (FP8, AWQ, GPTQ ...): in llmsim the
///                        precision comes from the scenario (precision.weights) or
///                        --weights-dtype, which a config.json cannot set.
void refuse_unread_model_fields(const std::string& path, const std::string& text, const json& config) {
  if (config.contains("quantization_config") && !config["quantization_config"].is_null()) {
    throw core::InputError(path, line_of_key(text, "quantization_config"), "quantization_config",
                           "llmsim does not read a quantization_config: remove it and give the weights' "
                           "dtype in the scenario (precision.weights) or with --weights-dtype");
  }
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

}  // namespace

core::ModelSpec read_hf_config(const std::string& path) {
  const std::string text = core::read_input_file(path);
  const json config = parse_config_json(path, text);
  if (!config.is_object()) throw core::InputError(path, 1, "", "expected a JSON object");
  refuse_unread_model_fields(path, text, config);
  const ConfigReader reader(path, text, config);

  const std::string model_type = reader.string_or("model_type", "");
  if (std::find(kSupportedTypes.begin(), kSupportedTypes.end(), model_type) == kSupportedTypes.end()) {
    reader.fail("model_type", "unsupported model_type \"" + model_type + "\" (supported: " +
                                  supported_model_types_text() + ")");
  }

  core::ModelSpec model;
  model.id = path;
  model.source = path;
  model.num_layers = reader.positive_int("num_hidden_layers");
  model.hidden_size = reader.positive_int("hidden_size");
  model.num_attention_heads = reader.positive_int("num_attention_heads");
  model.num_kv_heads = reader.positive_int_or("num_key_value_heads", model.num_attention_heads);
  if (model.hidden_size % model.num_attention_heads != 0 && !reader.has("head_dim")) {
    reader.fail("head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
  }
  model.head_dim = reader.positive_int_or("head_dim", model.hidden_size / model.num_attention_heads);
  model.intermediate_size = reader.positive_int("intermediate_size");
  model.vocab_size = reader.positive_int("vocab_size");
  model.max_position_embeddings = reader.positive_int("max_position_embeddings");
  model.tie_word_embeddings = reader.bool_or("tie_word_embeddings", false);
  model.gated_mlp = true;  // every supported model_type uses a SwiGLU MLP
  // Qwen2 hard-codes q/k/v biases; the others read "attention_bias" (default false).
  model.attention_bias = model_type.rfind("qwen2", 0) == 0 ? true : reader.bool_or("attention_bias", false);

  model.qk_norm = model_type.rfind("qwen3", 0) == 0;  // Qwen3Attention has q_norm and k_norm

  if (model_type == "mixtral") {
    model.num_experts = reader.positive_int("num_local_experts");
    model.experts_per_token = reader.positive_int("num_experts_per_tok");
    model.expert_intermediate_size = model.intermediate_size;
  } else if (model_type == "qwen2_moe" || model_type == "qwen3_moe") {
    model.num_experts = reader.positive_int("num_experts");
    model.experts_per_token = reader.positive_int("num_experts_per_tok");
    model.expert_intermediate_size = reader.positive_int("moe_intermediate_size");
    if (reader.has("shared_expert_intermediate_size")) {
      model.num_shared_experts = 1;
      model.shared_expert_intermediate_size = reader.positive_int("shared_expert_intermediate_size");
    }
  }
  read_sliding_window(reader, model_type, model);
  if (reader.architecture_contains("ProcessRewardModel") || reader.architecture_contains("RewardModel")) {
    model.head = core::HeadKind::reward;
  }
  validate_model(model, [&reader, &model_type](const std::string& key, const std::string& message) {
    reader.fail(config_key(key, model_type), message);
  });
  model.nominal_params = core::count_parameters(model).total;
  return model;
}

}  // namespace llmsim::loader
