#include "loader/model_loader.h"

#include <memory>
#include <utility>

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
}

core::ModelSpec load_model(const std::string& id_or_path, const std::string& base_dir) {
  const std::string path = resolve_preset(id_or_path, base_dir, "models", "model");
  if (ends_with(path, ".json")) return read_hf_config(path);
  return read_model_yaml(path);
}

std::vector<std::string> list_model_presets() { return list_presets("models"); }

}  // namespace llmsim::loader
