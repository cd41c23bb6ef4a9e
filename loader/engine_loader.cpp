#include "loader/engine_loader.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "core/input_error.h"
#include "loader/preset_resolver.h"
#include "loader/yaml_choice.h"
#include "loader/yaml_map.h"

namespace llmsim::loader {
namespace {

constexpr double kMicro = 1e-6;
constexpr double kGibibyte = 1024.0 * 1024.0 * 1024.0;

EngineLimits read_limits(YamlMap& map) {
  EngineLimits limits;
  limits.max_num_seqs = map.require_positive("max_num_seqs", map.required_int("max_num_seqs"));
  if (map.has("max_num_batched_tokens") && map.required_node("max_num_batched_tokens").IsScalar() &&
      map.required_node("max_num_batched_tokens").Scalar() == "max_model_len") {
    limits.max_num_batched_tokens = 0;
  } else {
    limits.max_num_batched_tokens =
        map.require_positive("max_num_batched_tokens", map.required_int("max_num_batched_tokens"));
  }
  map.finish();
  return limits;
}

/// The optional `cuda_graphs` map: `pads` (none, decode_batches, all_batches) and, unless
/// none, `sizes`: vllm_v1 (vLLM V1's rule) or a list of ascending token counts >= 1.
hw::CudaGraphSpec read_cuda_graphs(YamlMap& map) {
  static constexpr std::pair<const char*, hw::GraphPaddingScope> kScopes[] = {
      {"none", hw::GraphPaddingScope::none},
      {"decode_batches", hw::GraphPaddingScope::decode_batches},
      {"all_batches", hw::GraphPaddingScope::all_batches}};
  hw::CudaGraphSpec spec;
  spec.scope = required_choice(map, "pads", kScopes);
  if (spec.scope == hw::GraphPaddingScope::none) {
    if (map.has("sizes")) map.fail("sizes", "pads: none pads to no size; remove sizes");
    map.finish();
    return spec;
  }
  const YAML::Node& sizes = map.required_node("sizes");
  if (sizes.IsScalar() && sizes.Scalar() == "vllm_v1") {
    spec.vllm_v1_sizes = true;
  } else {
    if (!sizes.IsSequence() || sizes.size() == 0) {
      map.fail("sizes", "expected vllm_v1 or a non-empty list of captured sizes (tokens)");
    }
    for (const YAML::Node& size : sizes) {
      std::int64_t value = 0;
      if (!size.IsScalar() || !YAML::convert<std::int64_t>::decode(size, value) || value < 1 ||
          (!spec.sizes.empty() && value <= spec.sizes.back())) {
        map.fail("sizes", "expected ascending integers >= 1, got \"" + (size.IsScalar() ? size.Scalar() : "a non-scalar") + "\"");
      }
      spec.sizes.push_back(value);
    }
  }
  map.finish();
  return spec;
}

/// The optional `two_batch_overlap`: the schedule the engine runs when a deployment sets
/// two_batch_overlap (hw/overlap_schedule.h), or none (absent: none). Each schedule is one
/// engine's own, so it is refused under another family: sglang_tbo is SGLang's
/// --enable-two-batch-overlap, vllm_dbo is vLLM V1's --enable-dbo.
std::optional<hw::OverlapSchedule> read_two_batch_overlap(YamlMap& map, sim::EngineKind kind) {
  static constexpr std::pair<const char*, std::optional<hw::OverlapSchedule>> kSchedules[] = {
      {"none", std::nullopt},
      {"sglang_tbo", hw::OverlapSchedule::sglang_tbo},
      {"vllm_dbo", hw::OverlapSchedule::vllm_dbo}};
  const std::optional<hw::OverlapSchedule> schedule =
      read_choice(map, "two_batch_overlap", std::optional<hw::OverlapSchedule>{}, kSchedules);
  if (schedule == hw::OverlapSchedule::sglang_tbo && kind != sim::EngineKind::sglang) {
    map.fail("two_batch_overlap", "sglang_tbo is SGLang's --enable-two-batch-overlap: it needs family: sglang");
  }
  if (schedule == hw::OverlapSchedule::vllm_dbo && kind != sim::EngineKind::vllm_v1) {
    map.fail("two_batch_overlap", "vllm_dbo is vLLM V1's --enable-dbo: it needs family: vllm-v1");
  }
  return schedule;
}

EnginePreset read_engine_yaml(const std::string& path) {
  auto origin = std::make_shared<YamlOrigin>();
  origin->file = path;
  YamlMap map(parse_yaml_file(path), origin, "");
  EnginePreset preset;
  preset.id = map.required_string("id");
  preset.name = map.required_string("name");
  preset.source = map.required_string("source");
  static constexpr std::pair<const char*, sim::EngineKind> kKinds[] = {
      {"vllm-v0", sim::EngineKind::vllm_v0},
      {"vllm-v1", sim::EngineKind::vllm_v1},
      {"sglang", sim::EngineKind::sglang},
      {"trtllm", sim::EngineKind::trtllm}};
  sim::EngineConfig& engine = preset.engine;
  engine.id = preset.id;
  engine.kind = required_choice(map, "family", kKinds);

  YamlMap host = map.required_map("host");
  engine.host.iteration_s =
      host.require_non_negative("iteration_us", host.required_number("iteration_us")) * kMicro;
  engine.host.per_seq_s =
      host.require_non_negative("per_seq_us", host.required_number("per_seq_us")) * kMicro;
  engine.host.overlapped = host.required_bool("overlapped");
  host.finish();

  YamlMap scheduler = map.required_map("scheduler");
  static constexpr std::pair<const char*, sim::KvAdmission> kAdmissions[] = {
      {"step_blocks", sim::KvAdmission::step_blocks},
      {"watermark", sim::KvAdmission::watermark},
      {"full_reservation", sim::KvAdmission::full_reservation},
      {"new_token_ratio", sim::KvAdmission::new_token_ratio}};
  engine.admission = required_choice(scheduler, "admission", kAdmissions);
  if (engine.admission == sim::KvAdmission::watermark) {
    engine.watermark = scheduler.required_number("watermark");
    if (!(engine.watermark >= 0.0 && engine.watermark < 1.0)) {
      scheduler.fail("watermark", "expected a share of the KV blocks in [0, 1)");
    }
  } else if (scheduler.has("watermark")) {
    scheduler.fail("watermark", "only the watermark admission keeps a watermark");
  }
  if (engine.admission == sim::KvAdmission::new_token_ratio) {
    YamlMap rule = scheduler.required_map("new_token_ratio");
    sim::NewTokenRatioRule& r = engine.new_token_ratio;
    r.initial_ratio = rule.require_fraction("initial_ratio", rule.required_number("initial_ratio"));
    r.min_ratio_factor = rule.require_fraction("min_ratio_factor", rule.required_number("min_ratio_factor"));
    r.decay_steps = rule.require_positive("decay_steps", rule.required_int("decay_steps"));
    r.retract_decode_steps =
        rule.require_positive("retract_decode_steps", rule.required_int("retract_decode_steps"));
    r.clip_max_new_tokens = rule.require_positive("clip_max_new_tokens", rule.required_int("clip_max_new_tokens"));
    rule.finish();
  } else if (scheduler.has("new_token_ratio")) {
    scheduler.fail("new_token_ratio", "only the new_token_ratio admission keeps a new_token_ratio rule");
  }
  engine.chunked_prefill = scheduler.required_bool("chunked_prefill");
  if (engine.kind == sim::EngineKind::sglang) {
    engine.mixed_chunk = scheduler.required_bool("mixed_chunk");
    if (!engine.chunked_prefill && !engine.mixed_chunk) {
      // Without chunking SGLang's prefill batches are whole prompts; llmsim plans SGLang's
      // separate prefill batches only with chunked prefill.
      scheduler.fail("mixed_chunk", "separate prefill batches (mixed_chunk: false) need chunked_prefill: true");
    }
  } else if (scheduler.has("mixed_chunk")) {
    scheduler.fail("mixed_chunk", "only the sglang family has --enable-mixed-chunk");
  }
  if (engine.admission == sim::KvAdmission::new_token_ratio && engine.kind != sim::EngineKind::sglang) {
    scheduler.fail("admission", "new_token_ratio is SGLang's admission: it needs family: sglang");
  }
  engine.prefix_caching = scheduler.required_bool("prefix_caching");
  engine.block_size = scheduler.require_positive("block_size", scheduler.required_int("block_size"));
  engine.gpu_memory_utilization = scheduler.require_fraction(
      "gpu_memory_utilization", scheduler.required_number("gpu_memory_utilization"));
  if (engine.kind == sim::EngineKind::trtllm && engine.admission != sim::KvAdmission::full_reservation) {
    scheduler.fail("admission", "the trtllm family's planner assumes full_reservation (it never preempts)");
  }
  scheduler.finish();

  for (const std::string& name : map.optional_string_list("speculative_methods")) {
    const auto* found = std::find_if(std::begin(kSpeculativeMethods), std::end(kSpeculativeMethods),
                                     [&](const auto& choice) { return name == choice.first; });
    if (found == std::end(kSpeculativeMethods)) {
      map.fail("speculative_methods", "expected draft_model, eagle, eagle3, mtp or ngram, got \"" + name + "\"");
    }
    if (preset.supports(found->second)) map.fail("speculative_methods", "\"" + name + "\" is listed twice");
    preset.speculative_methods.push_back(found->second);
  }

  if (auto graphs = map.optional_map("cuda_graphs")) engine.cuda_graphs = read_cuda_graphs(*graphs);
  engine.two_batch_overlap = read_two_batch_overlap(map, engine.kind);

  YamlMap limits = map.required_map("limits");
  preset.limits = read_limits(limits);
  if (auto small = map.optional_map("small_gpu_limits")) preset.small_gpu_limits = read_limits(*small);
  map.finish();
  return preset;
}

}  // namespace

const char* speculative_method_name(sim::SpeculativeMethod method) {
  for (const auto& [name, value] : kSpeculativeMethods) {
    if (value == method) return name;
  }
  return "?";
}

bool EnginePreset::supports(sim::SpeculativeMethod method) const {
  return std::find(speculative_methods.begin(), speculative_methods.end(), method) != speculative_methods.end();
}

sim::EngineConfig EnginePreset::defaults_for(const hw::HardwareSpec& hardware,
                                             const core::ModelSpec& model) const {
  sim::EngineConfig config = engine;
  // vLLM's EngineArgs.get_batch_defaults: larger limits when the device has at least 70 GiB
  // and is not an A100 ("a100" not in the device name).
  const bool small_gpu = hardware.hbm_capacity_bytes < 70.0 * kGibibyte ||
                         hardware.id.rfind("a100", 0) == 0;
  const EngineLimits& chosen = small_gpu && small_gpu_limits ? *small_gpu_limits : limits;
  config.max_num_seqs = chosen.max_num_seqs;
  config.max_num_batched_tokens = chosen.max_num_batched_tokens > 0
                                      ? chosen.max_num_batched_tokens
                                      : std::max<std::int64_t>(model.max_position_embeddings, 2048);
  return config;
}

EnginePreset load_engine(const std::string& id_or_path, const std::string& base_dir) {
  return read_engine_yaml(resolve_preset(id_or_path, base_dir, "engines", "engine"));
}

std::vector<std::string> list_engine_presets() { return list_presets("engines"); }

}  // namespace llmsim::loader
