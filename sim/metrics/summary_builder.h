// build_summary: summary.json from a finished run.
//
// Schema (keys in this order; times in ms unless the key says otherwise):
//   completed, failed (= rejected), duration (s, t = 0 to the last completion),
//   total_input_tokens, total_output_tokens (of completed requests), request_throughput,
//   output_throughput, total_token_throughput (per second of duration);
//   for x in ttft, tpot, itl, e2el: mean_x_ms, median_x_ms, std_x_ms, p90_x_ms, p95_x_ms,
//   p99_x_ms  -- vLLM's serving-benchmark names and definitions: TTFT, E2EL over completed
//   requests; TPOT = (e2el - ttft) / (output - 1) over completed requests with output > 1;
//   ITL over every inter-token gap; numpy percentiles (linear), population std;
//   stopped_early (null, "max_sim_time_s", "max_wall_time_s" or "no_progress"; with
//   "no_progress" the Simulator adds stop_diagnosis, a sentence on the stuck replica, at the
//   end of the summary), sim_time_s (the clock at
//   the end), unfinished_requests (arrived, neither completed nor rejected),
//   not_arrived_requests (the workload had more);
//   goodput {slo {ttft_ms, tpot_ms, e2el_ms: the targets set}, slo_attainment (share of
//     completed requests meeting every set target; null when none is set),
//     goodput_requests_per_s (those requests / duration; null when none is set)};
//   queueing {mean_queueing_delay_ms, median_queueing_delay_ms, p99_queueing_delay_ms
//     (first admission - arrival, over requests ever admitted), max_waiting_requests,
//     waiting_at_end (summed over replicas)};
//   batching {iterations, mean/median/p99_batch_size (sequences per iteration),
//     mean/median/p99_tokens_per_iteration};
//   utilization {compute_bound_iteration_share, memory_bound_iteration_share, mean_mfu
//     (FLOPs / sum over iterations of time x group peak FLOP/s), mean_hbm_bandwidth_utilization
//     (likewise with bytes), busy_time_share (iteration time / (sim_time x GPU sets): a GPU
//     set is a replica's GPUs, counted once for co-located pools, sim/cluster/gpu_sets.h),
//     kv_cache_usage_mean (time-weighted share of blocks allocated, mean over replicas),
//     kv_cache_usage_max, kv_cache_blocks_total (all replicas)};
//   cache {prefix_cache_hit_rate (cached / prompt tokens of admitted requests, at their
//     first admission), cached_tokens, prompt_tokens};
//   preemptions;
//   rejected {total, kv_capacity, batch_budget, context_length};
//   flops {flops_prefill, flops_decode, flops_total, flops_per_output_token}: executed FLOPs
//     (prefix-cache hits reduce them, recomputation adds to them) as the step-time model
//     counts them (StepCost.flops, summed over GPUs); each iteration's FLOPs are split into
//     prefill (prompt-chunk tokens) and decode (decode tokens) in the proportion of the
//     core `precise` method's FLOPs of the two parts; per output token = total / generated tokens;
//   speculative, only when some pool's engine speculates: {verify_steps (decode steps that
//     verified drafts, one per sequence and iteration), verify_tokens_emitted,
//     mean_acceptance_length (emitted / verify steps: tokens per verify step, bonus token
//     included), draft_time_share (draft passes' time / all iteration time)}; with it, ITL
//     has one gap per verify step (its tokens appear together at the step's end, as a
//     streaming client receives them);
//   percentile_sketch, only when some distribution has more than
//     WeightedSamples::kExactDistinctValues distinct values: {exact_up_to_distinct_values,
//     relative_error (of the percentiles of the sketched distributions), sketched (their
//     names: ttft, tpot, itl, e2el, queueing_delay, batch_size, tokens_per_iteration)};
//   scenario {seed, model, hardware, tensor_parallel, replicas (of pools[0]), pools [{name,
//     model, hardware, tensor_parallel, pipeline_parallel / attention_data_parallel /
//     expert_parallel and expert_load_balancer / gpus_per_replica (each only when used: > 1, or
//     gpus_per_replica != tensor_parallel), replicas, colocated_with (only for a pool that shares
//     an earlier pool's GPUs: that pool's name), kv_cache_blocks_per_replica}], gpus (only
//     with co-located pools: the deployment's distinct GPUs, shared ones counted once)}.
// Nothing depends on wall-clock time (bar stopped_early = "max_wall_time_s").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/metrics/metrics_collector.h"
#include "sim/engine/request_record.h"
#include "sim/scenario.h"

namespace llmsim::sim {

struct SummaryInputs {
  const Scenario& scenario;
  const std::vector<std::int64_t>& kv_blocks_per_replica;  ///< per pool
  /// The run's records: the unfinished ones are folded into metrics.requests() here; the
  /// finished ones are already there (MetricsCollector::on_request_done).
  const std::vector<RequestRecord>& records;
  MetricsCollector& metrics;     ///< finished (MetricsCollector::finish called)
  std::string stopped_early;     ///< empty when the run ended by itself
  workloads::TimeNs sim_time_ns = 0;
  std::int64_t not_arrived = 0;
};

/// Call once per run (it folds the unfinished requests into the metrics).
nlohmann::ordered_json build_summary(const SummaryInputs& inputs);

}  // namespace llmsim::sim
