// The results of `llmsim plan`: a ranked table for the terminal, plan.csv and plan.json.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/capacity_planner.h"

namespace llmsim::analysis {

/// Ranked table, one line per option, ending in a newline.
std::string plan_table_text(const PlanOptions& options, const std::vector<PlanOption>& plan);

/// plan.csv: rank, hardware, tensor_parallel, status, max_rate_per_s, the targets'
/// percentiles at that rate, slo_attainment, output_tokens_per_s, busy_time_share,
/// usd_per_gpu_hour, usd_per_hour_per_replica, usd_per_million_output_tokens, gpu_power_w,
/// joules_per_output_token, replicas_for_target, gpus_for_target, usd_per_hour_for_target,
/// evaluations, note; in rank order. Unknown values are empty. A disaggregated plan's rows are
/// units: rank, unit, layout, prefill_replicas, decode_replicas, aggregated_replicas,
/// gpus_per_unit, status, max_rate_per_s, requests_per_s_per_gpu, then the columns above with
/// usd_per_hour_per_unit and units_for_target for the per-replica ones.
std::string plan_csv_text(const PlanOptions& options, const std::vector<PlanOption>& plan);

/// plan.json: the inputs (scenario, set, slo, target rate, requests per point, tolerance,
/// pass rule, power model) and the options in rank order, each with every evaluation
/// (rate, passed, failure, latencies) for latency-vs-rate curves. A disaggregated plan's
/// options also carry unit, layout and replica counts, and its per-replica fields are named
/// per unit (gpus_per_unit, usd_per_hour_per_unit, units_for_target).
nlohmann::ordered_json plan_json(const PlanOptions& options, const std::vector<PlanOption>& plan);

}  // namespace llmsim::analysis
