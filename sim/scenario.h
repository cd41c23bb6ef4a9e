// Scenario: one simulation's whole input, as plain data (DESIGN.md section 5).
// The loader fills and validates it; the simulator trusts it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model_spec.h"
#include "hw/cuda_graphs.h"
#include "hw/hardware_spec.h"
#include "hw/host_time.h"
#include "hw/step_time_model.h"
#include "sim/cluster/disaggregation_spec.h"
#include "sim/engine/kv_offload_spec.h"
#include "workloads/workload_spec.h"

namespace llmsim::sim {

enum class SchedulingPolicy { fcfs, priority, shortest_prompt_first };
enum class RouterKind { round_robin, least_loaded, random, prefix_aware, session_affinity, kv_utilisation, weighted };

/// The weights of RouterKind::weighted's scorers (llm-d's inference scheduler: each scorer
/// gives every replica a score in [0, 1], the picker takes the highest weighted sum).
/// A weight of 0 leaves its scorer out; at least one is positive (the loader checks it).
struct RouterWeights {
  double prefix = 0.0;            ///< share of the request's KV blocks the replica caches
  double kv_utilisation = 0.0;    ///< 1 - allocated / total KV blocks
  double queue = 0.0;             ///< (max waiting - its waiting) / (max - min), 1 when all equal
  double session_affinity = 0.0;  ///< 1 on the replica that served the session's last turn
};

/// The serving engine a pool models (configs/engines/<id>.yaml; sim/scheduler/).
enum class EngineKind { vllm_v0, vllm_v1, sglang, trtllm };

/// How an engine decides that a waiting request's KV cache fits (sim/scheduler/).
enum class KvAdmission {
  /// vLLM V1: the blocks of what it computes in this iteration are free.
  step_blocks,
  /// vLLM V0's BlockSpaceManager: those blocks, and watermark x total blocks stay free after.
  watermark,
  /// TensorRT-LLM's GUARANTEED_NO_EVICT capacity scheduler: blocks for prompt + maximum output
  /// are set aside at admission, beside what every running request still has set aside, so a
  /// started request is never preempted.
  full_reservation,
  /// SGLang's PrefillAdder (NewTokenRatioRule): a waiting request's prompt plus its whole
  /// (clipped) output fits beside new_token_ratio x the outputs the running requests still
  /// owe; the ratio decays while nothing is retracted and jumps back when something is.
  new_token_ratio,
};

/// SGLang's admission estimate (python/sglang/srt/managers/schedule_policy.py PrefillAdder,
/// new_token_ratio_tracker.py; defaults from sglang/srt/environ.py). Tokens:
///  - a running decode holds back ratio x min(max_new_tokens - generated, clip_max_new_tokens)
///    (_get_running_request_total_token_offset);
///  - a request admitted this round holds back its prompt chunk plus, when its whole prompt
///    is in the round, min(max_new_tokens, clip_max_new_tokens) (_update_prefill_budget);
///  - ratio starts at initial_ratio, falls by (initial - initial x min_ratio_factor) /
///    decay_steps after every decode batch that retracts nothing (decay_step), and after a
///    retraction becomes min(1, (sum generated + retract_decode_steps x n) / (sum max_new + 1))
///    over the n requests left running (estimate_new_token_ratio_after_retract).
/// llmsim takes a request's max_new_tokens to be its output tokens (benchmarks set
/// max_tokens to the output length and ignore EOS), as KvAdmission::full_reservation does.
struct NewTokenRatioRule {
  double initial_ratio = 0.7;      ///< SGLANG_INIT_NEW_TOKEN_RATIO x schedule_conservativeness 1.0
  double min_ratio_factor = 0.14;  ///< SGLANG_MIN_NEW_TOKEN_RATIO_FACTOR
  std::int64_t decay_steps = 600;  ///< SGLANG_NEW_TOKEN_RATIO_DECAY_STEPS
  std::int64_t retract_decode_steps = 20;    ///< SGLANG_RETRACT_DECODE_STEPS
  std::int64_t clip_max_new_tokens = 4096;   ///< SGLANG_CLIP_MAX_NEW_TOKENS_ESTIMATION

  double min_ratio() const { return initial_ratio * min_ratio_factor; }
  double decay_per_step() const { return (initial_ratio - min_ratio()) / static_cast<double>(decay_steps); }
};

/// How a speculative-decoding engine drafts the tokens its target model verifies.
enum class SpeculativeMethod {
  draft_model,  ///< a smaller model of the same vocabulary (SpeculativeConfig::draft_model)
  eagle,        ///< an EAGLE-1/2 head: feature-level autoregression, one decoder layer
  eagle3,       ///< an EAGLE-3 head: draft_layers decoder layers of the target's shape
  mtp,          ///< multi-token prediction layers shipped with the model (DeepSeek-V3: 1)
  ngram,        ///< prompt lookup: drafts cost no GPU work
};

/// Speculative decoding (engine.speculative): each decoding sequence drafts up to
/// num_speculative_tokens (k) tokens, and the target verifies them in one step over
/// k + 1 new tokens (sim/engine/speculative.h). Off when num_speculative_tokens == 0.
struct SpeculativeConfig {
  SpeculativeMethod method = SpeculativeMethod::ngram;
  std::int64_t num_speculative_tokens = 0;  ///< k, 0 = off
  /// acceptance[i]: probability that draft position i + 1 is accepted given that every
  /// position before it was (size k, each in [0, 1]).
  std::vector<double> acceptance;
  /// eagle, eagle3, mtp without a draft_model: decoder layers of the draft head, each
  /// priced as one layer of the target.
  std::int64_t draft_layers = 0;
  /// draft_model: the draft's shape (a model preset); same vocabulary as the target.
  /// eagle, eagle3: the head's own shape when given (its decoder layers and LM head; an
  /// EAGLE-3 head may sample a smaller draft vocabulary that it maps to the target's).
  std::optional<core::ModelSpec> draft_model;
  /// The head proposes all of a sequence's drafts in one forward pass over them (vLLM's
  /// speculative_config parallel_drafting, P-EAGLE) instead of one pass per draft.
  bool parallel_drafting = false;
  /// Tree drafting (EAGLE-2's dynamic tree; SGLang's speculative_num_steps and
  /// speculative_eagle_topk): tree_steps draft passes, the first from the last token, each
  /// later one expanding tree_top_k nodes; the target verifies num_speculative_tokens of the
  /// nodes beside the last token, and acceptance[i] is the probability that the best path
  /// reaches depth i + 1 given depth i (size tree_steps). 0: a chain of drafts.
  std::int64_t tree_steps = 0;
  std::int64_t tree_top_k = 0;
  /// > 0: an iteration that starts with more running requests than this decodes without
  /// speculation (vLLM's speculative_disable_by_batch_size, PR #4592: "disable speculative
  /// decoding for the current batch if the running queue has more than N requests");
  /// 0: never turned off.
  std::int64_t disable_above_batch = 0;

  bool enabled() const { return num_speculative_tokens > 0; }
  bool tree() const { return tree_steps > 0; }
  /// Draft positions a verify step can accept at most: the tree's depth, or k for a chain.
  std::int64_t depth() const { return tree() ? tree_steps : num_speculative_tokens; }
};

/// Engine settings of one replica: the engine kind's behaviour (admission, host time) and the
/// vLLM-shaped limits every engine has under its own names.
struct EngineConfig {
  std::string id = "vllm-v1";  ///< the engine preset's id (configs/engines/<id>.yaml)
  EngineKind kind = EngineKind::vllm_v1;
  KvAdmission admission = KvAdmission::step_blocks;
  double watermark = 0.0;  ///< share of all KV blocks kept free at admission (KvAdmission::watermark)
  NewTokenRatioRule new_token_ratio;  ///< KvAdmission::new_token_ratio only
  hw::HostTime host;       ///< CPU time per iteration and whether it overlaps the GPU
  std::int64_t max_num_seqs = 256;              ///< running sequences per iteration, at most
  std::int64_t max_num_batched_tokens = 8192;   ///< new tokens per iteration, at most
  std::int64_t block_size = 16;                 ///< tokens per KV block
  double gpu_memory_utilization = 0.9;          ///< share of HBM the engine may use, (0, 1]
  bool chunked_prefill = true;
  /// SGLang only (--enable-mixed-chunk, off by default): false runs prefill batches and
  /// decode batches as separate iterations, a prefill batch whenever one can be formed
  /// (sim/scheduler/sglang_scheduler.h); true mixes the running decodes into it.
  bool mixed_chunk = true;
  bool prefix_caching = true;
  SchedulingPolicy policy = SchedulingPolicy::fcfs;
  SpeculativeConfig speculative;  ///< off unless the scenario sets engine.speculative
  /// CUDA-graph padding (hw/cuda_graphs.h; the preset's cuda_graphs, none when it has none).
  hw::CudaGraphSpec cuda_graphs;
  /// The schedule the engine runs when a deployment sets two_batch_overlap (the preset's
  /// two_batch_overlap, hw/overlap_schedule.h); std::nullopt: the engine has no two-batch
  /// overlap, and the loader refuses deployment.two_batch_overlap with it.
  std::optional<hw::OverlapSchedule> two_batch_overlap;

  /// cuda_graphs at this engine's limits; vLLM's rule counts a decode step's speculative
  /// tokens (its decode_query_len).
  hw::CudaGraphPadding cuda_graph_padding() const {
    return cuda_graphs.resolve(max_num_seqs, max_num_batched_tokens, 1 + speculative.num_speculative_tokens);
  }
};

/// Model x hardware x tensor parallel x replicas x engine x router.
struct PoolSpec {
  std::string name = "default";
  core::ModelSpec model;
  hw::HardwareSpec hardware;
  hw::Precision precision;
  int tensor_parallel = 1;
  // Issue 24's other parallelisms (hw/parallelism.h); 1 = not used.
  int pipeline_parallel = 1;
  int attention_data_parallel = 1;
  int expert_parallel = 1;
  hw::ExpertBalancer expert_balancer = hw::ExpertBalancer::none;  ///< deployment.expert_load_balancer (hw/expert_balance.h)
  bool two_batch_overlap = false;  ///< deployment.two_batch_overlap (hw/parallelism.h)
  int replicas = 1;
  RouterKind router = RouterKind::round_robin;
  RouterWeights router_weights;  ///< RouterKind::weighted only
  EngineConfig engine;
  /// deployment.kv_offload: host DRAM / NVMe tiers below each replica's GPU KV cache.
  KvOffloadSpec kv_offload;
  /// Empty: the pool has GPUs of its own. Otherwise the name of an earlier pool whose GPUs
  /// it shares (sim/cluster/gpu_sets.h): same hardware id, tensor_parallel and replicas; replica r
  /// of every pool of such a group runs on the group's GPU set r, one engine's iteration at
  /// a time, and each engine holds its weights and KV cache within its own
  /// engine.gpu_memory_utilization share (the shares of a group sum to at most 1).
  std::string colocated_with;

  /// The replica's layout, as the step-time model takes it; the overlap schedule is the
  /// engine's (the loader refuses two_batch_overlap with an engine that has none).
  hw::Parallelism parallelism() const {
    return hw::Parallelism{.tensor_parallel = tensor_parallel,
                           .pipeline_parallel = pipeline_parallel,
                           .attention_data_parallel = attention_data_parallel,
                           .expert_parallel = expert_parallel,
                           .expert_balancer = expert_balancer,
                           .two_batch_overlap = two_batch_overlap,
                           .overlap_schedule = engine.two_batch_overlap.value_or(hw::OverlapSchedule::sglang_tbo)};
  }
  /// GPUs of one replica: PP x DP x TP.
  int gpus_per_replica() const { return parallelism().gpus(); }
};

/// Latency targets; an unset target is not checked.
struct SloSpec {
  std::optional<double> ttft_ms;
  std::optional<double> tpot_ms;
  std::optional<double> e2el_ms;
};

/// Guards that end a run early with an explicit result instead of looping.
struct RunLimits {
  double max_sim_time_s = 0.0;   ///< 0 = no limit
  double max_wall_time_s = 0.0;  ///< 0 = no limit
  /// A run whose replicas complete this many iterations in a row without sampling a single
  /// token is stuck (e.g. requests preempting each other forever): it stops with
  /// stopped_early "no_progress" and a diagnosis. 0 = no limit. The default is far above
  /// any real run's longest stretch of prompt chunks (a 1M-token prompt in 256-token chunks
  /// takes 4,096 iterations).
  std::int64_t max_iterations_without_progress = 1'000'000;
};

struct Scenario {
  std::string source_file;  ///< for messages; empty when built in code
  std::uint64_t seed = 1;
  std::vector<PoolSpec> pools;  ///< at least one; a plain scenario has exactly one
  workloads::WorkloadSpec workload;
  /// Set: prefill and decode run on two of `pools` joined by KV transfers
  /// (sim/cluster/disaggregation.h); unset: every request runs on one pool.
  std::optional<DisaggregationSpec> disaggregation;
  SloSpec slo;
  RunLimits limits;
};

/// The pools' names in pool order: what RunResult.pool_names holds and requests.csv's pool
/// column (RequestRecord.pool indexes it) prints.
inline std::vector<std::string> pool_names(const Scenario& scenario) {
  std::vector<std::string> names;
  for (const PoolSpec& pool : scenario.pools) names.push_back(pool.name);
  return names;
}

}  // namespace llmsim::sim
