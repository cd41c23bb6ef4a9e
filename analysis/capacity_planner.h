// Capacity planning: for each hardware x tensor-parallel option, the highest request rate
// one replica sustains within percentile latency targets (bisection on the Poisson /
// gamma / constant arrival rate), the replicas and GPUs a target rate needs, and the cost
// and energy per output token (cost_model.h).
//
// A rate passes when, in a run of `requests_per_point` requests at that rate (same seed at
// every rate, so the arrival times scale exactly with 1/rate and lengths are identical):
//   every request completes (none rejected, the run not stopped early),
//   each target's percentile in summary.json is within it (p99_ttft_ms <= 300, ...), and
//   the queue is stable (queue_stability.h).
// Search: from initial_rate, double while passing (up to max_rate) or halve while failing
// (down to min_rate), then bisect the bracket [pass, fail] until (fail - pass) <=
// rate_tolerance x pass. Deterministic: same inputs, same evaluations, whatever `jobs`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/slo_targets.h"
#include "loader/scenario_loader.h"

namespace llmsim::analysis {

struct PlanOptions {
  std::string scenario_path;
  std::vector<loader::Override> set_overrides;
  std::vector<std::string> hardware;    ///< preset ids or paths; empty: the scenario's
  std::vector<int> tensor_parallel;     ///< empty: the scenario's
  std::vector<PercentileTarget> slo;    ///< at least one
  std::optional<double> target_rate_per_s;
  std::int64_t requests_per_point = 1000;
  double rate_tolerance = 0.02;
  double initial_rate_per_s = 1.0;
  double min_rate_per_s = 0.01;
  double max_rate_per_s = 10000.0;
  std::map<std::string, double> price_per_gpu_hour_usd;  ///< by hardware id; overrides the preset
  std::int64_t jobs = 1;
};

/// One run at one rate.
struct RateEvaluation {
  double rate_per_s = 0.0;
  bool passed = false;
  std::string failure;              ///< why it failed, e.g. "p99_ttft_ms 812.4 > 500"; empty when passed
  nlohmann::ordered_json latency;   ///< median and p99 of ttft, tpot, e2el (ms), slo_attainment
};

enum class PlanStatus { ok, above_max_rate, slo_unreachable, cannot_deploy };

struct PlanOption {
  std::string hardware;  ///< preset id
  int tensor_parallel = 1;
  /// GPUs of one replica: tensor x pipeline x attention-data parallel (the scenario's
  /// deployment with this option's tensor_parallel); the costs, power and fleet count them.
  int gpus_per_replica = 1;
  PlanStatus status = PlanStatus::ok;
  std::string note;      ///< why it cannot deploy or reach the SLO
  double max_rate_per_s = 0.0;  ///< highest passing rate found; 0 when none
  std::vector<RateEvaluation> evaluations;  ///< in the order they ran
  // At max_rate_per_s (when a rate passed):
  nlohmann::ordered_json latency_at_max;
  double output_tokens_per_s = 0.0;       ///< max_rate x mean output tokens per request
  double busy_time_share = 0.0;
  double usd_per_gpu_hour = 0.0;          ///< 0 = unknown (no price)
  double usd_per_hour_per_replica = 0.0;
  double usd_per_million_output_tokens = 0.0;
  double gpu_power_w = 0.0;
  double joules_per_output_token = 0.0;
  // For target_rate_per_s (when set and a rate passed):
  std::int64_t replicas_for_target = 0;
  std::int64_t gpus_for_target = 0;
  double usd_per_hour_for_target = 0.0;
};

std::string to_string(PlanStatus status);

/// Throws InputError for a bad scenario, --set, hardware id, a workload whose rate
/// cannot be varied (a trace, closed loop or all-at-once arrivals), or a scenario of several
/// pools (`pools`, `disaggregation`: one replica's rate does not size a prefill/decode pair).
/// pipeline_parallel, attention_data_parallel, expert_parallel and kv_offload are simulated
/// as the scenario gives them, and every GPU of the replica is priced. An option whose model
/// does not fit, or that the step-time model rejects, is returned with cannot_deploy.
/// Options come back in input order: hardware major, tensor parallel minor.
std::vector<PlanOption> run_capacity_plan(const PlanOptions& options);

/// Indices of `options` best first: deployable options before the others; then by the
/// fleet's $/hour for the target rate (when one is set) or by $ per million output tokens;
/// unknown prices after known ones, then by GPUs, hardware id and tensor parallel.
std::vector<std::size_t> rank_plan(const std::vector<PlanOption>& options, bool has_target);

}  // namespace llmsim::analysis
