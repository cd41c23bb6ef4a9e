#include "loader/scenario_sections.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <system_error>

#include "core/input_checks.h"
#include "core/input_error.h"
#include "core/precision_defaults.h"
#include "hw/compute_dtypes.h"
#include "hw/expert_balance.h"
#include "hw/parallel_layout.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/kv_offload_section.h"
#include "loader/router_section.h"
#include "loader/session_sections.h"
#include "loader/model_loader.h"
#include "loader/yaml_choice.h"
#include "loader/range_checks.h"
#include "loader/scalar_parse.h"
#include "sim/engine/kv_capacity.h"
#include "workloads/trace_reader.h"

namespace llmsim::loader {
namespace {

/// Runs `load`, re-locating a preset error at the scenario key that named the preset.
template <typename Load>
auto located(YamlMap& map, const std::string& key, Load load) {
  const std::string value = map.required_string(key);
  try {
    return load(value);
  } catch (const core::InputError& error) {
    if (!error.file().empty()) throw;  // an error inside the preset file names that file
    map.fail(key, error.message());
  }
}

core::DType read_dtype(YamlMap& map, const std::string& key, core::DType fallback) {
  if (!map.has(key)) return fallback;
  const std::string name = map.required_string(key);
  if (const auto dtype = core::parse_dtype(name)) return *dtype;
  map.fail(key, "expected one of " + core::dtype_names() + ", got \"" + name + "\"");
}

constexpr std::pair<const char*, workloads::TraceFormat> kTraceFormats[] = {
    {"azure_csv", workloads::TraceFormat::azure_csv},
    {"mooncake_jsonl", workloads::TraceFormat::mooncake_jsonl},
    {"plain_csv", workloads::TraceFormat::plain_csv}};


/// engine.speculative (sim::SpeculativeConfig): method (one the engine preset lists),
/// num_speculative_tokens, one acceptance probability per draft position, the draft's
/// shape, parallel_drafting, disable_above_batch, and `enabled` (default true): false keeps
/// the section checked but runs without speculation, so that one sweep can compare
/// speculation on and off (`--grid engine.speculative.enabled=true,false`).
sim::SpeculativeConfig read_speculative(YamlMap& map, const sim::PoolSpec& pool, const EnginePreset& preset,
                                        const std::string& base_dir) {
  using sim::SpeculativeMethod;
  if (!map.has("method")) map.fail_here("missing required key \"method\" (draft_model, eagle, eagle3, mtp or ngram)");
  sim::SpeculativeConfig speculative;
  speculative.method = required_choice(map, "method", kSpeculativeMethods);
  if (!preset.supports(speculative.method)) {
    std::string listed;
    for (const SpeculativeMethod method : preset.speculative_methods) {
      listed += (listed.empty() ? "" : ", ") + std::string(speculative_method_name(method));
    }
    map.fail("method", "engine " + preset.id + " has no speculative method \"" +
                           speculative_method_name(speculative.method) + "\" (its preset lists " +
                           (listed.empty() ? "none" : listed) + ")");
  }
  speculative.num_speculative_tokens =
      map.require_positive("num_speculative_tokens", map.required_int("num_speculative_tokens"));
  const bool eagle = speculative.method == SpeculativeMethod::eagle || speculative.method == SpeculativeMethod::eagle3;
  const bool head = eagle || speculative.method == SpeculativeMethod::mtp;
  if (auto tree = map.optional_map("tree")) {
    if (!head) map.fail("tree", "only eagle, eagle3 and mtp heads draft trees");
    speculative.tree_steps = tree->require_positive("steps", tree->required_int("steps"));
    speculative.tree_top_k = tree->require_positive("top_k", tree->required_int("top_k"));
    tree->finish();
    // EAGLE-2: the first pass proposes top_k children of the last token, each later pass
    // expands the top_k best nodes into top_k children each; the verified tree is chosen
    // among those nodes and holds one node per depth at least.
    const double candidates = static_cast<double>(speculative.tree_top_k) +
                              static_cast<double>(speculative.tree_steps - 1) *
                                  static_cast<double>(speculative.tree_top_k) * static_cast<double>(speculative.tree_top_k);
    if (speculative.num_speculative_tokens < speculative.tree_steps ||
        static_cast<double>(speculative.num_speculative_tokens) > candidates) {
      map.fail("num_speculative_tokens", "a tree of " + std::to_string(speculative.tree_steps) + " steps and top_k " +
                                             std::to_string(speculative.tree_top_k) + " verifies between " +
                                             std::to_string(speculative.tree_steps) + " and " + format_number(candidates) +
                                             " drafted nodes, got " + std::to_string(speculative.num_speculative_tokens));
    }
  }

  const YAML::Node acceptance = map.required_node("acceptance");
  if (!acceptance.IsSequence()) {
    map.fail("acceptance", "expected a list of probabilities, one per draft position, got " + describe_node(acceptance));
  }
  for (const YAML::Node& item : acceptance) {
    const std::optional<double> p =
        item.IsScalar() && item.Tag() != "!" ? parse_number(item.Scalar()) : std::optional<double>();
    if (!p || *p < 0.0 || *p > 1.0) {
      map.fail("acceptance", "expected probabilities in [0, 1], got " + describe_node(item));
    }
    speculative.acceptance.push_back(*p);
  }
  if (static_cast<std::int64_t>(speculative.acceptance.size()) != speculative.depth()) {
    map.fail("acceptance", "expected " + std::to_string(speculative.depth()) +
                               (speculative.tree() ? " probabilities (one per tree depth), got "
                                                   : " probabilities (one per speculative token), got ") +
                               std::to_string(speculative.acceptance.size()));
  }
  if (map.has("draft_model") && !eagle && speculative.method != SpeculativeMethod::draft_model) {
    map.fail("draft_model", "only methods draft_model, eagle and eagle3 have a draft model");
  }
  if (map.has("draft_layers") && (!head || map.has("draft_model"))) {
    map.fail("draft_layers", head ? "a draft_model head has its own layers" : "only eagle, eagle3 and mtp have draft layers");
  }
  if (head && !map.has("draft_model")) {
    // One decoder layer unless told: an EAGLE-3 head is one layer (EAGLE-3, Li et al. 2025;
    // yuhuili/EAGLE3-LLaMA3.1-Instruct-8B config.json num_hidden_layers 1), an EAGLE-1/2
    // head one (EAGLE, Li et al. 2024, section 4: "a single transformer decoder layer"),
    // DeepSeek-V3's MTP module one (its config.json num_nextn_predict_layers 1).
    speculative.draft_layers = map.require_positive("draft_layers", map.optional_int("draft_layers", 1));
    if (speculative.draft_layers > pool.model.num_layers) {
      map.fail("draft_layers", "expected at most the target's " + std::to_string(pool.model.num_layers) +
                                   " layers, got " + std::to_string(speculative.draft_layers));
    }
  }
  if (speculative.method == SpeculativeMethod::draft_model && !map.has("draft_model")) {
    map.fail_here("missing required key \"draft_model\" (a model preset of the draft)");
  }
  if (map.has("draft_model")) {
    core::ModelSpec draft = located(map, "draft_model", [&](const std::string& id) { return load_model(id, base_dir); });
    // An EAGLE-3 head may sample its own smaller vocabulary and map it to the target's
    // (draft_vocab_size 32000 and its d2t table in the RedHat/speculators heads); a draft
    // model and an EAGLE-1/2 head propose the target's tokens themselves.
    if (speculative.method != SpeculativeMethod::eagle3 && draft.vocab_size != pool.model.vocab_size) {
      map.fail("draft_model", "draft model " + draft.id + " has a vocabulary of " + std::to_string(draft.vocab_size) +
                                  " tokens, the target " + pool.model.id + " one of " +
                                  std::to_string(pool.model.vocab_size) + ": a draft proposes the target's tokens");
    }
    // An EAGLE head reads the target's hidden states: the same width.
    if (eagle && draft.hidden_size != pool.model.hidden_size) {
      map.fail("draft_model", "EAGLE head " + draft.id + " has hidden_size " + std::to_string(draft.hidden_size) +
                                  ", the target " + pool.model.id + " " + std::to_string(pool.model.hidden_size) +
                                  ": an EAGLE head reads the target's hidden states");
    }
    speculative.draft_model = std::move(draft);
  }
  speculative.parallel_drafting = map.optional_bool("parallel_drafting", false);
  if (speculative.parallel_drafting && !eagle) {
    map.fail("parallel_drafting", "only eagle and eagle3 heads draft in parallel (P-EAGLE)");
  }
  if (speculative.parallel_drafting && speculative.tree()) {
    map.fail("parallel_drafting", "parallel drafting proposes a chain, not a tree");
  }
  speculative.disable_above_batch = map.optional_int("disable_above_batch", 0);
  if (map.has("disable_above_batch")) map.require_positive("disable_above_batch", speculative.disable_above_batch);
  const bool enabled = map.optional_bool("enabled", true);
  map.finish();
  return enabled ? speculative : sim::SpeculativeConfig{};
}

}  // namespace

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  const std::filesystem::path given(path);
  if (given.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / given).lexically_normal().string();
}

void check_trace_file(YamlMap& trace, const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) return;
  if (!error && std::filesystem::exists(path, error)) {
    // A directory, a FIFO or a device (/dev/zero): reading it would fail or never end.
    trace.fail("path", "cannot read " + path + ": not a regular file");
  }
  const bool missing = !error || error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory;
  trace.fail("path", missing ? "no such file: " + path : "cannot read " + path + ": " + error.message());
}

sim::EngineConfig read_engine(YamlMap* map, const sim::PoolSpec& pool, const std::string& base_dir) {
  // engine.kind names an engine preset (configs/engines/); its behaviour and default limits
  // apply, and the scenario's keys override the limits and settings.
  const std::string kind = map && map->has("kind") ? map->required_string("kind") : "vllm-v1";
  EnginePreset preset;
  try {
    preset = load_engine(kind, base_dir);
  } catch (const core::InputError& error) {
    if (!map || !error.file().empty()) throw;
    map->fail("kind", error.message());
  }
  sim::EngineConfig engine = preset.defaults_for(pool.hardware, pool.model);
  if (!map) return engine;
  engine.max_num_seqs = map->require_positive("max_num_seqs", map->optional_int("max_num_seqs", engine.max_num_seqs));
  engine.max_num_batched_tokens = map->require_positive(
      "max_num_batched_tokens", map->optional_int("max_num_batched_tokens", engine.max_num_batched_tokens));
  engine.block_size = map->require_positive("block_size", map->optional_int("block_size", engine.block_size));
  engine.gpu_memory_utilization = map->require_fraction(
      "gpu_memory_utilization", map->optional_number("gpu_memory_utilization", engine.gpu_memory_utilization));
  engine.chunked_prefill = map->optional_bool("chunked_prefill", engine.chunked_prefill);
  engine.prefix_caching = map->optional_bool("prefix_caching", engine.prefix_caching);
  static constexpr std::pair<const char*, sim::SchedulingPolicy> kPolicies[] = {
      {"fcfs", sim::SchedulingPolicy::fcfs},
      {"priority", sim::SchedulingPolicy::priority},
      {"shortest_prompt_first", sim::SchedulingPolicy::shortest_prompt_first}};
  engine.policy = read_choice(*map, "policy", engine.policy, kPolicies);
  if (engine.policy == sim::SchedulingPolicy::priority) {
    // No workload gives a request a priority yet (RequestSpec::priority stays 0): the policy
    // would silently schedule first come, first served.
    map->fail("policy", "no workload gives requests a priority yet (every request has priority 0, so it would "
                        "run as fcfs): use fcfs or shortest_prompt_first");
  }
  if (auto speculative = map->optional_map("speculative")) {
    engine.speculative = read_speculative(*speculative, pool, preset, base_dir);
  }
  map->finish();
  return engine;
}

namespace {

/// A bound on each parallel size that keeps PP x DP x TP far inside int.
constexpr std::int64_t kMaxParallelSize = 1024;

/// deployment.pipeline_parallel, attention_data_parallel, expert_parallel and
/// expert_load_balancer and two_batch_overlap (hw/parallelism.h, hw/expert_balance.h), each refused at its key
/// (hw::parallel_layout_problem). Range-checked as int64 before narrowing to int.
void read_parallel_layout(YamlMap& deployment, sim::PoolSpec& pool) {
  const auto read_size = [&](const char* key) {
    const std::int64_t value = deployment.require_positive(key, deployment.optional_int(key, 1));
    if (value > kMaxParallelSize) {
      deployment.fail(key, "expected at most " + std::to_string(kMaxParallelSize) + ", got " + std::to_string(value));
    }
    return static_cast<int>(value);
  };
  pool.pipeline_parallel = read_size("pipeline_parallel");
  pool.attention_data_parallel = read_size("attention_data_parallel");
  pool.expert_parallel = read_size("expert_parallel");
  if (const auto problem = hw::parallel_layout_problem(pool.model, pool.parallelism(), pool.hardware.fabric)) {
    deployment.fail(problem->key, "on " + pool.hardware.id + ": " + problem->message);
  }
  static constexpr std::pair<const char*, hw::ExpertBalancer> kBalancers[] = {{"none", hw::ExpertBalancer::none},
                                                                             {"eplb", hw::ExpertBalancer::eplb}};
  if (deployment.has("expert_load_balancer") && pool.expert_parallel == 1) {
    deployment.fail("expert_load_balancer", "balances experts over expert_parallel GPUs: set expert_parallel > 1");
  }
  pool.expert_balancer = read_choice(deployment, "expert_load_balancer", hw::ExpertBalancer::none, kBalancers);
  if (deployment.has("two_batch_overlap") && (pool.expert_parallel == 1 || pool.attention_data_parallel == 1)) {
    deployment.fail("two_batch_overlap",
                    "overlaps the expert all-to-all: set attention_data_parallel > 1 and expert_parallel > 1");
  }
  pool.two_batch_overlap = deployment.optional_bool("two_batch_overlap", false);
  if (pool.two_batch_overlap && pool.hardware.sm_count == 0) {
    deployment.fail("two_batch_overlap", "on " + pool.hardware.id +
                                             ": two-batch overlap prices the SMs DeepEP's kernels hold, and the "
                                             "hardware preset states no sm_count");
  }
}

}  // namespace

sim::PoolSpec read_single_pool(YamlMap& map, const std::string& base_dir) {
  sim::PoolSpec pool;
  pool.model = located(map, "model", [&](const std::string& id) { return load_model(id, base_dir); });
  pool.hardware = located(map, "hardware", [&](const std::string& id) { return load_hardware(id, base_dir); });
  // A quantised checkpoint (config.json's quantization_config) runs in its own format
  // unless precision.weights says otherwise.
  const core::DType checkpoint_weights = pool.model.checkpoint_weights.value_or(core::DType::bf16);
  pool.precision.weights = checkpoint_weights;
  pool.precision.kv_cache = core::default_kv_cache_dtype(pool.model, checkpoint_weights);
  if (auto precision = map.optional_map("precision")) {
    pool.precision.weights = read_dtype(*precision, "weights", checkpoint_weights);
    pool.precision.kv_cache =
        read_dtype(*precision, "kv_cache", core::default_kv_cache_dtype(pool.model, pool.precision.weights));
    if (const auto problem = hw::weights_hardware_problem(pool.hardware, pool.precision.weights)) {
      precision->fail("weights", *problem);
    }
    if (const auto problem = core::kv_cache_dtype_problem(pool.precision.kv_cache)) {
      precision->fail("kv_cache", *problem);
    }
    if (const auto problem = hw::kv_cache_hardware_problem(pool.hardware, pool.precision.kv_cache)) {
      precision->fail("kv_cache", *problem);
    }
    if (precision->has("attention")) {
      pool.precision.attention = read_dtype(*precision, "attention", core::DType::bf16);
      if (const auto problem = hw::attention_precision_problem(pool.hardware, pool.precision)) {
        precision->fail("attention", *problem);
      }
    }
    precision->finish();
  } else if (const auto weights_problem = hw::weights_hardware_problem(pool.hardware, pool.precision.weights)) {
    map.fail("model", "the checkpoint's weight format: " + *weights_problem);
  } else if (const auto kv_problem = hw::kv_cache_hardware_problem(pool.hardware, pool.precision.kv_cache)) {
    map.fail("model", "the checkpoint's KV cache format: " + *kv_problem);
  }
  std::optional<YamlMap> deployment = map.optional_map("deployment");
  if (deployment) {
    // Range-checked as int64 before narrowing to int: 2^32 + 1 must not become 1.
    const std::int64_t tensor_parallel =
        deployment->require_positive("tensor_parallel", deployment->optional_int("tensor_parallel", 1));
    if (const auto problem = core::tensor_parallel_problem(pool.model, tensor_parallel)) {
      deployment->fail("tensor_parallel", *problem);
    }
    pool.tensor_parallel = static_cast<int>(tensor_parallel);
    // A group past the scale-up domain crosses scale-out links, which the hardware must state.
    if (const auto problem = pool.hardware.fabric.group_problem(pool.tensor_parallel)) {
      deployment->fail("tensor_parallel", "on " + pool.hardware.id + ": " + *problem);
    }
    read_parallel_layout(*deployment, pool);
    const std::int64_t replicas = deployment->require_positive("replicas", deployment->optional_int("replicas", 1));
    if (replicas > core::kMaxReplicas) {
      deployment->fail("replicas", "expected at most " + std::to_string(core::kMaxReplicas) + ", got " +
                                       std::to_string(replicas));
    }
    pool.replicas = static_cast<int>(replicas);
    read_router(*deployment, pool);
    pool.kv_offload = read_kv_offload(*deployment);
    deployment->finish();
  }
  std::optional<YamlMap> engine = map.optional_map("engine");
  pool.engine = read_engine(engine ? &*engine : nullptr, pool, base_dir);
  // The overlap schedule is the engine's (its preset's two_batch_overlap); an engine without
  // one would run the deployment's overlap as no overlap at all, so it is refused.
  if (deployment && pool.two_batch_overlap && !pool.engine.two_batch_overlap) {
    deployment->fail("two_batch_overlap", "the " + pool.engine.id +
                                              " engine has no two-batch overlap (its preset's two_batch_overlap is "
                                              "none): use an sglang (TBO) or vllm-v1 (DBO) engine, or remove the key");
  }
  // engine.max_num_seqs and max_num_batched_tokens are per attention DP rank, as each of
  // vLLM's DP ranks is an engine core with its own scheduler (SGLang and TensorRT-LLM size
  // them per rank too); the replica schedules the ranks' union (hw/step_time_model.h).
  pool.engine.max_num_seqs *= pool.attention_data_parallel;
  pool.engine.max_num_batched_tokens *= pool.attention_data_parallel;
  if (deployment) check_kv_offload(*deployment, pool);
  return pool;
}

workloads::LengthDistribution read_length(YamlMap& map, const std::string& base_dir) {
  workloads::LengthDistribution length;
  const std::string dist = map.required_string("dist");
  if (dist == "fixed") {
    length.shape = workloads::FixedLength{map.require_positive("value", map.required_number("value"))};
  } else if (dist == "uniform") {
    const double low = map.require_positive("low", map.required_number("low"));
    const double high = map.require_positive("high", map.required_number("high"));
    if (low > high) map.fail("low", "must not exceed high");
    if (std::ceil(low) > std::floor(high)) map.fail("high", "no whole number of tokens lies between low and high");
    length.shape = workloads::UniformLength{low, high};
  } else if (dist == "normal") {
    const double mean = map.require_positive("mean", map.required_number("mean"));
    const double stddev = map.require_non_negative("stddev", map.required_number("stddev"));
    length.shape = workloads::NormalLength{mean, stddev};
  } else if (dist == "lognormal") {
    const double median = map.require_positive("median", map.required_number("median"));
    const double sigma = map.require_non_negative("sigma", map.required_number("sigma"));
    length.shape = workloads::LognormalLength{median, sigma};
  } else if (dist == "empirical") {
    // One column of a trace file, each row's value equally likely (the sampler of
    // workloads/distributions.h); input and output drawn this way are independent.
    workloads::TraceSpec spec;
    spec.path = resolve_path(map.required_string("path"), base_dir);
    spec.format = read_choice(map, "format", workloads::TraceFormat::plain_csv, kTraceFormats);
    spec.max_rows = map.optional_int("max_rows", 0);
    if (spec.max_rows < 0) map.fail("max_rows", "expected an integer >= 0 (0 = every row)");
    static constexpr std::pair<const char*, workloads::TraceColumn> kColumns[] = {
        {"input_tokens", workloads::TraceColumn::input_tokens},
        {"output_tokens", workloads::TraceColumn::output_tokens}};
    if (!map.has("column")) map.fail_here("missing required key \"column\" (input_tokens or output_tokens)");
    const workloads::TraceColumn column = required_choice(map, "column", kColumns);
    check_trace_file(map, spec.path);
    workloads::EmpiricalLength empirical = workloads::empirical_length_from_trace(workloads::read_trace(spec), column);
    if (empirical.values.empty()) map.fail("path", "the trace has no rows to draw lengths from");
    length.shape = std::move(empirical);
  } else {
    map.fail("dist", "expected one of fixed, uniform, normal, lognormal, empirical, got \"" + dist + "\"");
  }
  length.min_tokens = map.require_positive("min", map.optional_int("min", 1));
  // No model's context exceeds kMaxModelContextTokens, so no request can use more tokens:
  // the cap keeps every draw, and sums of a few of them, far from int64's end (a draw of
  // 2^63 - 1 tokens overflowed input + output in the engine).
  length.max_tokens =
      map.require_positive("max", map.optional_int("max", std::min(length.max_tokens, kMaxModelContextTokens)));
  if (length.max_tokens > kMaxModelContextTokens) {
    map.fail("max", "expected at most " + std::to_string(kMaxModelContextTokens) +
                        " tokens (longer than any model's context), got " + std::to_string(length.max_tokens));
  }
  if (length.min_tokens > length.max_tokens) map.fail("min", "must not exceed max");
  check_length_representable(map, length);
  map.finish();
  return length;
}

workloads::ArrivalSpec read_arrival(YamlMap& arrival) {
  workloads::ArrivalSpec spec;
  static constexpr std::pair<const char*, workloads::ArrivalProcess> kProcesses[] = {
      {"poisson", workloads::ArrivalProcess::poisson},
      {"gamma", workloads::ArrivalProcess::gamma},
      {"constant", workloads::ArrivalProcess::constant},
      {"all_at_once", workloads::ArrivalProcess::all_at_once},
      {"closed_loop", workloads::ArrivalProcess::closed_loop}};
  spec.process = read_choice(arrival, "process", workloads::ArrivalProcess::poisson, kProcesses);
  using workloads::ArrivalProcess;
  const ArrivalProcess kind = spec.process;
  if (kind == ArrivalProcess::poisson || kind == ArrivalProcess::gamma || kind == ArrivalProcess::constant) {
    spec.rate_per_s = arrival.require_positive("rate_per_s", arrival.required_number("rate_per_s"));
  }
  if (kind == ArrivalProcess::gamma) {
    spec.cv = arrival.require_positive("cv", arrival.required_number("cv"));
  }
  if (kind == ArrivalProcess::closed_loop) {
    spec.clients = arrival.require_positive("clients", arrival.required_int("clients"));
    spec.think_time_s = arrival.require_non_negative("think_time_s", arrival.optional_number("think_time_s", 0.0));
    check_time_limit(arrival, "think_time_s", spec.think_time_s);
  }
  arrival.finish();
  return spec;
}

workloads::WorkloadSpec read_workload(YamlMap& map, const std::string& base_dir) {
  workloads::WorkloadSpec workload;
  // The test-time-compute kinds are listed for the message; scenario_loader.cpp hands
  // them to read_ttc_workload (ttc_sections.h) before this is called.
  static constexpr std::pair<const char*, workloads::WorkloadKind> kKinds[] = {
      {"synthetic", workloads::WorkloadKind::synthetic},
      {"trace", workloads::WorkloadKind::trace},
      {"sessions", workloads::WorkloadKind::sessions},
      {"beam_search", workloads::WorkloadKind::beam_search},
      {"online_best_of_n", workloads::WorkloadKind::online_best_of_n},
      {"best_of_n", workloads::WorkloadKind::best_of_n},
      {"self_consistency", workloads::WorkloadKind::self_consistency}};
  workload.kind = read_choice(map, "kind", workloads::WorkloadKind::synthetic, kKinds);
  if (workload.kind == workloads::WorkloadKind::trace) {
    YamlMap trace = map.required_map("trace");
    workloads::TraceSpec spec;
    spec.path = resolve_path(trace.required_string("path"), base_dir);
    spec.format = read_choice(trace, "format", spec.format, kTraceFormats);
    spec.rate_scale = trace.require_positive("rate_scale", trace.optional_number("rate_scale", 1.0));
    spec.max_rows = trace.optional_int("max_rows", 0);
    if (spec.max_rows < 0) trace.fail("max_rows", "expected an integer >= 0 (0 = every row)");
    check_trace_file(trace, spec.path);
    trace.finish();
    workload.trace = spec;
    workload.num_requests = 0;
  } else if (workload.kind == workloads::WorkloadKind::sessions) {
    YamlMap sessions = map.required_map("sessions");
    workload.sessions = std::make_shared<const workloads::SessionSpec>(read_sessions(sessions, base_dir));
    workload.num_requests = 0;
  } else {
    workload.num_requests = map.require_positive("num_requests", map.required_int("num_requests"));
    YamlMap arrival = map.required_map("arrival");
    workload.arrival = read_arrival(arrival);
    check_arrival_span(arrival, workload.arrival, workload.num_requests);
    YamlMap input = map.required_map("input_tokens");
    workload.input_tokens = read_length(input, base_dir);
    YamlMap output = map.required_map("output_tokens");
    workload.output_tokens = read_length(output, base_dir);
    workload.shared_prefix_tokens = map.optional_int("shared_prefix_tokens", 0);
    if (workload.shared_prefix_tokens < 0) map.fail("shared_prefix_tokens", "expected an integer >= 0");
    if (workload.shared_prefix_tokens > workload.input_tokens.max_tokens) {
      map.fail("shared_prefix_tokens", "must not exceed input_tokens.max (" +
                                           std::to_string(workload.input_tokens.max_tokens) + ")");
    }
  }
  map.finish();
  return workload;
}

sim::SloSpec read_slo(YamlMap& map) {
  sim::SloSpec slo;
  if (auto v = map.maybe_number("ttft_ms")) slo.ttft_ms = map.require_positive("ttft_ms", *v);
  if (auto v = map.maybe_number("tpot_ms")) slo.tpot_ms = map.require_positive("tpot_ms", *v);
  if (auto v = map.maybe_number("e2el_ms")) slo.e2el_ms = map.require_positive("e2el_ms", *v);
  map.finish();
  return slo;
}

sim::RunLimits read_limits(YamlMap& map) {
  sim::RunLimits limits;
  limits.max_sim_time_s = map.require_non_negative("max_sim_time_s", map.optional_number("max_sim_time_s", 0.0));
  limits.max_wall_time_s = map.require_non_negative("max_wall_time_s", map.optional_number("max_wall_time_s", 0.0));
  check_time_limit(map, "max_sim_time_s", limits.max_sim_time_s);
  check_time_limit(map, "max_wall_time_s", limits.max_wall_time_s);
  limits.max_iterations_without_progress =
      map.optional_int("max_iterations_without_progress", limits.max_iterations_without_progress);
  if (limits.max_iterations_without_progress < 0) {
    map.fail("max_iterations_without_progress",
             "must be >= 0 (0: no limit), got " + std::to_string(limits.max_iterations_without_progress));
  }
  map.finish();
  return limits;
}

void check_trace_acceptance(const workloads::WorkloadSpec& workload, const sim::PoolSpec& pool) {
  if (workload.kind != workloads::WorkloadKind::trace || !workload.trace || !workload.trace->rows) return;
  const sim::SpeculativeConfig& speculative = pool.engine.speculative;
  const double longest = static_cast<double>(speculative.depth() + 1);
  for (const workloads::TraceRow& row : *workload.trace->rows) {
    if (row.acceptance_length <= 0.0) continue;  // no column: the engine's acceptance
    if (!speculative.enabled()) {
      throw core::InputError(workload.trace->path, row.line, "acceptance_length",
                             "the trace gives acceptance lengths, but engine.speculative is not set: nothing "
                             "would use them");
    }
    if (row.acceptance_length > longest) {
      throw core::InputError(workload.trace->path, row.line, "acceptance_length",
                             "expected at most the drafting depth + 1 = " + std::to_string(speculative.depth() + 1) +
                                 " tokens per verify step, got " + format_number(row.acceptance_length));
    }
  }
}

void check_pool_fits(const YamlMap& scenario, const sim::PoolSpec& pool) {
  const sim::KvCapacity capacity = sim::kv_capacity(pool);
  if (capacity.blocks > 0) {
    check_pool_representable(scenario, scenario.has("deployment") ? "deployment" : "hardware", pool);
    return;
  }
  const std::string message = "model " + pool.model.id + " does not fit on " +
                              std::to_string(pool.tensor_parallel) + " x " + pool.hardware.id + ": " +
                              sim::describe_shortfall(pool, capacity);
  if (scenario.has("deployment")) {
    // Locate it at the deployment section, where tensor_parallel is chosen.
    scenario.fail("deployment", message);
  }
  scenario.fail("model", message);
}

}  // namespace llmsim::loader
