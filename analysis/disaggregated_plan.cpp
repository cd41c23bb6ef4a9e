#include "analysis/disaggregated_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/input_error.h"
#include "loader/scenario_loader.h"

namespace llmsim::analysis {
namespace {

loader::Override replicas_of(std::int32_t pool, int replicas) {
  return loader::Override{"pools[" + std::to_string(pool) + "].deployment.replicas", std::to_string(replicas)};
}

std::string unit_label(const XpYd& unit) { return fmt::format("{}P{}D", unit.prefill, unit.decode); }

/// The aggregated baseline of `gpus` GPUs: plain replicas of the decode pool, or of the
/// prefill pool when a decode replica's GPUs do not divide the count; -1 when neither does.
std::int32_t baseline_pool(const sim::Scenario& base, int gpus) {
  const sim::DisaggregationSpec& d = *base.disaggregation;
  for (const std::int32_t pool : {d.decode_pool, d.prefill_pool}) {
    if (gpus % base.pools[static_cast<std::size_t>(pool)].gpus_per_replica() == 0) return pool;
  }
  return -1;
}

}  // namespace

std::vector<PlanOption> disaggregated_plan_options(const PlanOptions& options, const sim::Scenario& base) {
  const sim::DisaggregationSpec& d = *base.disaggregation;
  const sim::PoolSpec& prefill = base.pools[static_cast<std::size_t>(d.prefill_pool)];
  const sim::PoolSpec& decode = base.pools[static_cast<std::size_t>(d.decode_pool)];
  std::vector<XpYd> units = options.xpyd;
  if (units.empty()) units.push_back(XpYd{prefill.replicas, decode.replicas});

  std::vector<PlanOption> plan;
  std::vector<int> gpu_counts;  // of the units, in order of first appearance
  for (const XpYd& unit : units) {
    PlanOption option;
    option.layout = PlanLayout::disaggregated;
    option.xpyd = unit;
    option.label = unit_label(unit);
    option.hardware = decode.hardware.id;
    option.tensor_parallel = decode.tensor_parallel;
    option.gpus_per_replica = unit.prefill * prefill.gpus_per_replica() + unit.decode * decode.gpus_per_replica();
    if (std::find(gpu_counts.begin(), gpu_counts.end(), option.gpus_per_replica) == gpu_counts.end()) {
      gpu_counts.push_back(option.gpus_per_replica);
    }
    plan.push_back(std::move(option));
  }
  for (const int gpus : gpu_counts) {
    PlanOption option;
    option.layout = PlanLayout::aggregated;
    option.gpus_per_replica = gpus;
    option.aggregated_pool = baseline_pool(base, gpus);
    if (option.aggregated_pool < 0) {
      option.hardware = decode.hardware.id;
      option.tensor_parallel = decode.tensor_parallel;
      option.label = fmt::format("aggregated {} GPUs", gpus);
      option.status = PlanStatus::cannot_deploy;
      option.note = fmt::format("{} GPUs are a whole number of replicas of neither pool ({} GPUs per decode replica, "
                                "{} per prefill replica)",
                                gpus, decode.gpus_per_replica(), prefill.gpus_per_replica());
    } else {
      const sim::PoolSpec& pool = base.pools[static_cast<std::size_t>(option.aggregated_pool)];
      option.hardware = pool.hardware.id;
      option.tensor_parallel = pool.tensor_parallel;
      option.aggregated_replicas = gpus / pool.gpus_per_replica();
      option.label = fmt::format("aggregated {} x TP{}", option.aggregated_replicas, pool.tensor_parallel);
    }
    plan.push_back(std::move(option));
  }
  return plan;
}

sim::Scenario disaggregated_option_scenario(const PlanOptions& options, const PlanOption& option) {
  std::vector<loader::Override> overrides = options.set_overrides;
  overrides.push_back(loader::Override{"workload.num_requests", std::to_string(options.requests_per_point)});
  // The pools' indices are the scenario's as given (the --set overrides cannot add or drop pools).
  const sim::Scenario base = loader::load_scenario(options.scenario_path, options.set_overrides);
  const sim::DisaggregationSpec& d = *base.disaggregation;
  sim::Scenario scenario;
  if (option.layout == PlanLayout::disaggregated) {
    overrides.push_back(replicas_of(d.prefill_pool, option.xpyd.prefill));
    overrides.push_back(replicas_of(d.decode_pool, option.xpyd.decode));
    scenario = loader::load_scenario(options.scenario_path, overrides);
  } else {
    if (option.aggregated_pool < 0) throw core::InputError(option.note);
    // The other pool at one replica: the group is what runs; the pair must still load.
    const std::int32_t other = option.aggregated_pool == d.decode_pool ? d.prefill_pool : d.decode_pool;
    overrides.push_back(replicas_of(option.aggregated_pool, option.aggregated_replicas));
    overrides.push_back(replicas_of(other, 1));
    scenario = loader::load_scenario(options.scenario_path, overrides);
    sim::PoolSpec pool = scenario.pools[static_cast<std::size_t>(option.aggregated_pool)];
    scenario.pools = {std::move(pool)};
    scenario.disaggregation.reset();
  }
  scenario.slo = slo_spec(options.slo);
  return scenario;
}

}  // namespace llmsim::analysis
