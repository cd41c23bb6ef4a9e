// The search of `llmsim plan` for one option: the highest arrival rate a deployment (one
// replica, a prefill/decode unit, or an aggregated group of replicas) sustains within the
// SLO, and its cost and energy at that rate. capacity_planner.h states the pass rule and the
// search; this file runs them on a scenario that is already the option's deployment.
#pragma once

#include "analysis/capacity_planner.h"
#include "sim/scenario.h"

namespace llmsim::analysis {

/// Runs the bisection on `scenario` (its workload's arrival rate varied, everything else as
/// given) and fills option.evaluations, status, note, max_rate_per_s and, when a rate passed,
/// the costs: $/hour = sum over the scenario's pools of GPUs x price per GPU-hour (the
/// --price of the pool's hardware id, else the preset's; unknown, 0, when any pool's is);
/// power per pool from its busy-time share (the disaggregation section's per-pool share in a
/// disaggregated run, utilization.busy_time_share otherwise); option.gpus_per_replica must
/// already hold the GPUs of the whole deployment.
void search_max_rate(PlanOption& option, const PlanOptions& options, const sim::Scenario& scenario);

}  // namespace llmsim::analysis
