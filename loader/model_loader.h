// Loading ModelSpec from a preset id, a YAML file or a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model_spec.h"

namespace llmsim::loader {

/// `id_or_path`: a preset id (configs/models/<id>.yaml), a path to a model YAML, or a path
/// to a Hugging Face config.json (any file ending in .json). Relative paths are tried
/// against `base_dir` first (the folder of the scenario that names them), then as given.
/// Throws core::InputError naming file, line and key for anything missing or out of range.
core::ModelSpec load_model(const std::string& id_or_path, const std::string& base_dir = "");

/// Preset ids found in configs/models/, sorted.
std::vector<std::string> list_model_presets();

/// Largest accepted model dimension (layers, widths, heads, vocabulary, experts): far beyond
/// any published model, and small enough that products of a few of them stay exact.
inline constexpr std::int64_t kMaxModelDimension = std::int64_t{1} << 24;
/// Largest accepted max_position_embeddings, tokens (~1e9).
inline constexpr std::int64_t kMaxModelContextTokens = std::int64_t{1} << 30;

/// Range checks shared by every model source (positive counts checked by the readers; the
/// upper bounds above; heads divisible by KV heads; MoE fields consistent); `file` and `line`
/// Calls `fail(key, message)`, which must throw (an InputError located at that key of the
/// model's file), for the first problem.
using ModelKeyFailure = std::function<void(const std::string& key, const std::string& message)>;
void validate_model(const core::ModelSpec& model, const ModelKeyFailure& fail);

}  // namespace llmsim::loader
