// `llmsim plan` over a disaggregated scenario (issue 24): the deployment searched is a unit of
// x prefill and y decode replicas (xPyD) of the scenario's two pools, each pool keeping its
// hardware, engine and router, and its parallelism but for the tensor-parallel size, which
// the plan may vary per pool (--prefill-tp, --decode-tp: every unit at every pair); the
// unit's GPUs are x x prefill GPUs per replica + y x decode GPUs per replica. Beside the
// units, one aggregated baseline per distinct GPU count: the same GPUs as plain replicas of
// the decode pool (its hardware, parallelism, engine and router) at the first of its planned
// TP sizes whose replica divides the count, serving whole requests with no transfer; the
// prefill pool's deployment likewise when no decode replica divides the count. Both are
// searched by the same bisection and pass rule (capacity_planner.h).
//
// Each unit's scenario is the scenario file loaded with --set pools[i].deployment.replicas
// and .tensor_parallel (the loader's own checks: a TP the model's heads or the scale-up
// domain refuse makes that option cannot_deploy, with the loader's message; the KV link
// between the pools included: more GPUs than one scale-up domain holds move the transfer
// onto the scale-out NICs). The baseline's is the file loaded with the chosen pool's
// replicas and TP set to the group's, then that pool alone.
#pragma once

#include <vector>

#include "analysis/capacity_planner.h"
#include "sim/scenario.h"

namespace llmsim::analysis {

/// The units (options.xpyd, or the scenario's own replicas) and their aggregated baselines,
/// not yet searched. `base` is the scenario as given (with a disaggregation section).
std::vector<PlanOption> disaggregated_plan_options(const PlanOptions& options, const sim::Scenario& base);

/// The scenario one option of a disaggregated plan runs, with options.requests_per_point
/// requests and the --slo targets as its SLO. Throws InputError when the loader refuses it.
sim::Scenario disaggregated_option_scenario(const PlanOptions& options, const PlanOption& option);

}  // namespace llmsim::analysis
