// The test-time-compute part of summary.json, samples.csv and the summary table lines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/metrics/ttc_result.h"

namespace llmsim::sim {

/// Adds to `summary`, at its top level, the compute-cost document's aggregate keys over
/// the problems that completed (core::aggregate_compute of their theoretical accounting):
///   compute/total_tokens, compute/total_input_tokens, compute/total_output_tokens,
///   compute/total_tflops, compute/avg_tokens_per_sample, compute/avg_tflops_per_sample,
///   and, when a PRM scores, compute/prm_input_tokens and compute/prm_tflops;
/// then a "test_time_compute" section:
///   kind, scorer, param_basis, generator_params, prm_params (N of 2 x N x tokens);
///   problems {arrived, completed, failed, unfinished};
///   latency_per_problem_ms {mean, median, p90, p99, max}: arrival to final answer, completed;
///   steps_per_problem {mean, median, p90, p99, max}; calls_per_problem {generator, prm} (means);
///   gpu_seconds {total, generator_calls, prm_calls, prm_share (of GPU time),
///     mean_per_problem (completed problems)}: busy GPU time (iteration time x tensor
///     parallel), split over requests by their share of each iteration's new tokens;
///   flops {theoretical_tflops, theoretical_generator_tflops, theoretical_prm_tflops,
///     prm_to_generator_ratio, executed_tflops, executed_generator_tflops,
///     executed_prm_tflops, executed_to_theoretical}: over completed problems; executed
///     counts 2 x N x (prompt tokens the GPUs computed after prefix-cache hits, with
///     recomputation after preemption, + generated tokens), the document's formula on what
///     actually ran, so with prefix caching off and no preemption it equals the theoretical;
///   pools [{name, model, serves, gpus, colocated_with (only for a co-located pool),
///     busy_gpu_seconds, prefill_tokens, decode_tokens, step_model_flops,
///     prefix_cache_hit_rate, cached_tokens, prompt_tokens}]: gpus are the GPUs the pool
///     adds to the deployment (replicas x tensor_parallel; 0 for a pool co-located with an
///     earlier one, whose GPUs it shares, so summing gpus counts shared GPUs once); busy
///     GPU-seconds stay per pool (co-located engines take turns, so they never overlap).
void add_ttc_summary(nlohmann::ordered_json& summary, const TtcResult& result);

/// samples.csv: a header, then one line per problem in arrival order:
///   problem,status,arrival_ns,done_ns,latency_ms,steps,generator_calls,prm_calls,
///   input_tokens,output_tokens,total_tokens_this_sample,prm_tokens_this_sample,
///   tflops_this_sample,prm_tflops_this_sample,executed_tflops_this_sample,
///   gpu_seconds_<pool>... (one column per pool, in scenario order)
/// done_ns and latency_ms are empty for a problem that did not complete; TFLOPs and
/// GPU-seconds have 6 decimals, latency 6 (1 ns).
std::string samples_csv_text(const TtcResult& result);

/// Lines for the `llmsim run` printout from summary.json's compute/* keys and
/// test_time_compute section: problems, latency per problem, steps, TFLOPs (theoretical,
/// PRM/generator ratio, executed), GPU-seconds and PRM share, prefix-cache hit rate per pool,
/// and which pools share GPUs (colocated_with).
std::string format_ttc_table(const nlohmann::ordered_json& summary);

/// Writes samples_csv_text to `path`; throws core::InputError naming the path on failure.
void write_samples_csv(const TtcResult& result, const std::string& path);

}  // namespace llmsim::sim
