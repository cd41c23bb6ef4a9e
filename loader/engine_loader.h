// Loading an engine preset (configs/engines/<id>.yaml): how a serving engine schedules,
// admits and spends host time, and its default limits (configs/README.md, "Engines").
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// The names of sim::SpeculativeMethod in engine presets (speculative_methods) and in a
/// scenario's engine.speculative.method.
inline constexpr std::pair<const char*, sim::SpeculativeMethod> kSpeculativeMethods[] = {
    {"draft_model", sim::SpeculativeMethod::draft_model},
    {"eagle", sim::SpeculativeMethod::eagle},
    {"eagle3", sim::SpeculativeMethod::eagle3},
    {"mtp", sim::SpeculativeMethod::mtp},
    {"ngram", sim::SpeculativeMethod::ngram}};

/// The name of `method` in kSpeculativeMethods.
const char* speculative_method_name(sim::SpeculativeMethod method);

/// Limits an engine picks when the scenario leaves them out.
struct EngineLimits {
  std::int64_t max_num_seqs = 0;
  /// 0: vLLM V0's rule without chunked prefill, max(the model's max_position_embeddings, 2048).
  std::int64_t max_num_batched_tokens = 0;
};

struct EnginePreset {
  std::string id;
  std::string name;
  std::string source;
  /// Everything but the limits (kind, admission, host time, chunking, prefix caching, block
  /// size, memory share), as the engine runs by default.
  sim::EngineConfig engine;
  EngineLimits limits;
  /// vLLM's get_batch_defaults: GPUs under 70 GiB and A100s get smaller limits.
  std::optional<EngineLimits> small_gpu_limits;
  /// The speculative-decoding methods the engine implements (speculative_methods, each
  /// cited in the preset); empty when the preset lists none: then it speculates with none.
  std::vector<sim::SpeculativeMethod> speculative_methods;

  bool supports(sim::SpeculativeMethod method) const;

  /// `engine` with the limits for `hardware` and `model` filled in.
  sim::EngineConfig defaults_for(const hw::HardwareSpec& hardware, const core::ModelSpec& model) const;
};

/// `id_or_path`: a preset id (configs/engines/<id>.yaml) or a path. Throws core::InputError.
EnginePreset load_engine(const std::string& id_or_path, const std::string& base_dir = "");

/// Preset ids found in configs/engines/, sorted.
std::vector<std::string> list_engine_presets();

}  // namespace llmsim::loader
