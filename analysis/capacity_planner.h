// Capacity planning: for each hardware x tensor-parallel option, the highest request rate
// one replica sustains within percentile latency targets (bisection on the Poisson /
// gamma / constant arrival rate), the replicas and GPUs a target rate needs, and the cost
// and energy per output token (cost_model.h).
//
// A disaggregated scenario (a `disaggregation:` section) is planned by units instead of
// replicas (disaggregated_plan.h): a unit of x prefill and y decode replicas (xPyD) is
// searched as one deployment, beside an aggregated baseline of the same GPUs as plain
// replicas, so the table shows whether disaggregation pays at this SLO.
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

/// A prefill/decode unit: `prefill` replicas of the scenario's prefill pool and `decode` of
/// its decode pool, each >= 1 ("2:1" on the command line is 2P1D).
struct XpYd {
  int prefill = 1;
  int decode = 1;
};

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
  /// Disaggregated scenarios only: the units to plan; empty: the scenario's own replicas.
  std::vector<XpYd> xpyd;
  /// Disaggregated scenarios only: the tensor-parallel sizes of the prefill and of the decode
  /// pool's replicas to plan, each unit at each pair; empty: the pool's own.
  std::vector<int> prefill_tensor_parallel;
  std::vector<int> decode_tensor_parallel;
  /// Disaggregated scenarios only: hardware presets of the prefill and of the decode pool to
  /// plan (ids or paths), each unit on each pair; empty: the pool's own.
  std::vector<std::string> prefill_hardware;
  std::vector<std::string> decode_hardware;
};

/// One run at one rate.
struct RateEvaluation {
  double rate_per_s = 0.0;
  bool passed = false;
  std::string failure;              ///< why it failed, e.g. "p99_ttft_ms 812.4 > 500"; empty when passed
  nlohmann::ordered_json latency;   ///< median and p99 of ttft, tpot, e2el (ms), slo_attainment
};

enum class PlanStatus { ok, above_max_rate, slo_unreachable, cannot_deploy };

/// What one option deploys: one replica (a plain plan), a disaggregated xPyD unit, or the
/// aggregated baseline beside the units (a group of plain replicas of one of the pools).
enum class PlanLayout { replica, disaggregated, aggregated };

// In a disaggregated plan the "replica" fields below (gpus_per_replica,
// usd_per_hour_per_replica, replicas_for_target) are per unit: the deployment the search ran.
struct PlanOption {
  std::string hardware;  ///< preset id (a unit's: the decode pool's; `label` names the unit)
  /// A plain replica's TP; a unit's decode replicas' TP; an aggregated group's replicas' TP.
  int tensor_parallel = 1;
  int prefill_tensor_parallel = 0;  ///< PlanLayout::disaggregated only: the prefill replicas' TP
  std::string prefill_hardware;     ///< PlanLayout::disaggregated only: the prefill pool's preset
  PlanLayout layout = PlanLayout::replica;
  XpYd xpyd;                    ///< PlanLayout::disaggregated only
  int aggregated_replicas = 0;  ///< PlanLayout::aggregated only: replicas of the group
  std::int32_t aggregated_pool = -1;  ///< PlanLayout::aggregated only: the pool it replicates
  std::string label;            ///< "2P1D", "aggregated 3 x TP4"; empty for a plain replica
  /// GPUs of one replica: tensor x pipeline x attention-data parallel (the scenario's
  /// deployment with this option's tensor_parallel); the costs, power and fleet count them.
  /// A unit's: x x prefill GPUs + y x decode GPUs; the aggregated group's: replicas x GPUs.
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

/// The options to search, not yet searched; throws InputError, before anything runs, for a
/// bad scenario, --set, hardware id, a workload whose rate cannot be varied (a trace, closed
/// loop or all-at-once arrivals), a scenario of several pools without a disaggregation
/// section, --xpyd on a scenario that is not disaggregated, or --hardware / --tp on one that
/// is (its pools' hardware and parallelism are the scenario's). pipeline_parallel,
/// attention_data_parallel, expert_parallel and kv_offload are simulated as the scenario
/// gives them, and every GPU is priced. Plain options come in input order: hardware major,
/// tensor parallel minor; a disaggregated plan's: the units in --xpyd order, then one
/// aggregated baseline per distinct GPU count of the units.
std::vector<PlanOption> list_plan_options(const PlanOptions& options);

/// Searches every option of `plan` (from list_plan_options) on options.jobs threads. An
/// option whose model does not fit, or that the step-time model rejects, ends with
/// cannot_deploy.
void search_plan(std::vector<PlanOption>& plan, const PlanOptions& options);

/// list_plan_options, then search_plan.
std::vector<PlanOption> run_capacity_plan(const PlanOptions& options);

/// Indices of `options` best first: deployable options before the others; then by the
/// fleet's $/hour for the target rate (when one is set) or by $ per million output tokens;
/// unknown prices after known ones, then by GPUs, hardware id and tensor parallel. In a
/// disaggregated plan (options with a label) unknown prices rank by requests/s per GPU,
/// highest first, and ties by label.
std::vector<std::size_t> rank_plan(const std::vector<PlanOption>& options, bool has_target);

}  // namespace llmsim::analysis
