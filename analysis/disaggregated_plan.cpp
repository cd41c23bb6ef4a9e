#include "analysis/disaggregated_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "core/input_error.h"
#include "loader/scenario_loader.h"

namespace llmsim::analysis {
namespace {

loader::Override replicas_of(std::int32_t pool, int replicas) {
  return loader::Override{"pools[" + std::to_string(pool) + "].deployment.replicas", std::to_string(replicas)};
}

loader::Override tensor_parallel_of(std::int32_t pool, int tp) {
  return loader::Override{"pools[" + std::to_string(pool) + "].deployment.tensor_parallel", std::to_string(tp)};
}

/// "2P1D", or "2P1D TP2:TP8" when the plan varies the pools' tensor parallelism.
std::string unit_label(const XpYd& unit, int prefill_tp, int decode_tp, bool tp_varied) {
  if (!tp_varied) return fmt::format("{}P{}D", unit.prefill, unit.decode);
  return fmt::format("{}P{}D TP{}:TP{}", unit.prefill, unit.decode, prefill_tp, decode_tp);
}

/// GPUs of one replica of `pool` at tensor-parallel size `tp` (its pipeline and
/// attention-data parallelism as given).
int gpus_at(const sim::PoolSpec& pool, int tp) { return pool.gpus_per_replica() / pool.tensor_parallel * tp; }

/// A pool's tensor-parallel sizes to plan: the listed ones, or the pool's own.
std::vector<int> sizes_or_own(const std::vector<int>& listed, const sim::PoolSpec& pool) {
  return listed.empty() ? std::vector<int>{pool.tensor_parallel} : listed;
}

}  // namespace

std::vector<PlanOption> disaggregated_plan_options(const PlanOptions& options, const sim::Scenario& base) {
  const sim::DisaggregationSpec& d = *base.disaggregation;
  const sim::PoolSpec& prefill = base.pools[static_cast<std::size_t>(d.prefill_pool)];
  const sim::PoolSpec& decode = base.pools[static_cast<std::size_t>(d.decode_pool)];
  std::vector<XpYd> units = options.xpyd;
  if (units.empty()) units.push_back(XpYd{prefill.replicas, decode.replicas});
  const std::vector<int> prefill_tps = sizes_or_own(options.prefill_tensor_parallel, prefill);
  const std::vector<int> decode_tps = sizes_or_own(options.decode_tensor_parallel, decode);
  const bool tp_varied = !options.prefill_tensor_parallel.empty() || !options.decode_tensor_parallel.empty();

  std::vector<PlanOption> plan;
  std::vector<int> gpu_counts;  // of the units, in order of first appearance
  for (const XpYd& unit : units) {
    for (const int prefill_tp : prefill_tps) {
      for (const int decode_tp : decode_tps) {
        PlanOption option;
        option.layout = PlanLayout::disaggregated;
        option.xpyd = unit;
        option.label = unit_label(unit, prefill_tp, decode_tp, tp_varied);
        option.hardware = decode.hardware.id;
        option.tensor_parallel = decode_tp;
        option.prefill_tensor_parallel = prefill_tp;
        option.gpus_per_replica = unit.prefill * gpus_at(prefill, prefill_tp) + unit.decode * gpus_at(decode, decode_tp);
        if (std::find(gpu_counts.begin(), gpu_counts.end(), option.gpus_per_replica) == gpu_counts.end()) {
          gpu_counts.push_back(option.gpus_per_replica);
        }
        plan.push_back(std::move(option));
      }
    }
  }
  // The aggregated baseline of each GPU count: plain replicas of the decode pool at the first
  // of its planned TP sizes whose replica divides the count, else of the prefill pool likewise.
  for (const int gpus : gpu_counts) {
    PlanOption option;
    option.layout = PlanLayout::aggregated;
    option.gpus_per_replica = gpus;
    for (const auto& [pool, tps] : {std::pair{d.decode_pool, decode_tps}, std::pair{d.prefill_pool, prefill_tps}}) {
      const sim::PoolSpec& spec = base.pools[static_cast<std::size_t>(pool)];
      const auto fits = std::find_if(tps.begin(), tps.end(), [&](int tp) { return gpus % gpus_at(spec, tp) == 0; });
      if (fits == tps.end()) continue;
      option.aggregated_pool = pool;
      option.hardware = spec.hardware.id;
      option.tensor_parallel = *fits;
      option.aggregated_replicas = gpus / gpus_at(spec, *fits);
      option.label = fmt::format("aggregated {} x TP{}", option.aggregated_replicas, *fits);
      break;
    }
    if (option.aggregated_pool < 0) {
      option.hardware = decode.hardware.id;
      option.tensor_parallel = decode_tps.front();
      option.label = fmt::format("aggregated {} GPUs", gpus);
      option.status = PlanStatus::cannot_deploy;
      const auto replica_sizes = [](const sim::PoolSpec& pool, const std::vector<int>& tps) {
        std::string sizes;
        for (const int tp : tps) sizes += (sizes.empty() ? "" : " or ") + std::to_string(gpus_at(pool, tp));
        return sizes;
      };
      option.note = fmt::format("{} GPUs are a whole number of replicas of neither pool ({} GPUs per decode replica, "
                                "{} per prefill replica)",
                                gpus, replica_sizes(decode, decode_tps), replica_sizes(prefill, prefill_tps));
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
    overrides.push_back(tensor_parallel_of(d.prefill_pool, option.prefill_tensor_parallel));
    overrides.push_back(tensor_parallel_of(d.decode_pool, option.tensor_parallel));
    scenario = loader::load_scenario(options.scenario_path, overrides);
  } else {
    if (option.aggregated_pool < 0) throw core::InputError(option.note);
    // The other pool at one replica: the group is what runs; the pair must still load.
    const std::int32_t other = option.aggregated_pool == d.decode_pool ? d.prefill_pool : d.decode_pool;
    overrides.push_back(replicas_of(option.aggregated_pool, option.aggregated_replicas));
    overrides.push_back(tensor_parallel_of(option.aggregated_pool, option.tensor_parallel));
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
