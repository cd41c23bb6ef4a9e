#include "analysis/capacity_planner.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <tuple>
#include <utility>

#include "analysis/disaggregated_plan.h"
#include "analysis/parallel_for.h"
#include "analysis/rate_search.h"
#include "core/input_error.h"
#include "loader/hardware_loader.h"
#include "sim/cluster/gpu_sets.h"

namespace llmsim::analysis {
namespace {

sim::Scenario option_scenario(const PlanOptions& options, const std::string& hardware, int tp) {
  std::vector<loader::Override> overrides = options.set_overrides;
  overrides.push_back(loader::Override{"hardware", hardware});
  overrides.push_back(loader::Override{"deployment.tensor_parallel", std::to_string(tp)});
  overrides.push_back(loader::Override{"deployment.replicas", "1"});
  overrides.push_back(loader::Override{"workload.num_requests", std::to_string(options.requests_per_point)});
  sim::Scenario scenario = loader::load_scenario(options.scenario_path, overrides);
  scenario.slo = slo_spec(options.slo);
  return scenario;
}

/// Refuses, before anything runs, a listed hardware preset the loader refuses; `flag` names
/// the option when the error has no key of its own.
void check_hardware_presets(const std::vector<std::string>& ids, const std::string& flag) {
  for (const std::string& id : ids) {
    try {
      (void)loader::load_hardware(id);
    } catch (const core::InputError& error) {
      throw core::InputError(error.file(), error.line(), error.key_path().empty() ? flag : error.key_path(),
                             error.message());
    }
  }
}

std::vector<PlanOption> replica_plan_options(const PlanOptions& options, const sim::Scenario& base) {
  std::vector<std::string> hardware = options.hardware;
  if (hardware.empty()) hardware.push_back(base.pools.front().hardware.id);
  check_hardware_presets(hardware, "--hardware");
  std::vector<int> tps = options.tensor_parallel;
  if (tps.empty()) tps.push_back(base.pools.front().tensor_parallel);
  std::vector<PlanOption> plan;
  for (const std::string& id : hardware) {
    for (const int tp : tps) {
      PlanOption option;
      option.hardware = id;
      option.tensor_parallel = tp;
      option.gpus_per_replica = tp * base.pools.front().pipeline_parallel * base.pools.front().attention_data_parallel;
      plan.push_back(std::move(option));
    }
  }
  return plan;
}

/// Loads the option's scenario and brings the option's hardware id and GPU count in line
/// with what it deploys.
sim::Scenario scenario_of(PlanOption& option, const PlanOptions& options) {
  if (option.layout == PlanLayout::replica) {
    sim::Scenario scenario = option_scenario(options, option.hardware, option.tensor_parallel);
    option.hardware = scenario.pools.front().hardware.id;
    option.gpus_per_replica = scenario.pools.front().gpus_per_replica();
    return scenario;
  }
  sim::Scenario scenario = disaggregated_option_scenario(options, option);
  option.gpus_per_replica = static_cast<int>(sim::gpu_count(scenario.pools));
  if (option.layout == PlanLayout::disaggregated) {
    option.prefill_hardware = scenario.pools[static_cast<std::size_t>(scenario.disaggregation->prefill_pool)].hardware.id;
    option.hardware = scenario.pools[static_cast<std::size_t>(scenario.disaggregation->decode_pool)].hardware.id;
  } else {
    option.hardware = scenario.pools.front().hardware.id;
  }
  return scenario;
}

}  // namespace

std::string to_string(PlanStatus status) {
  switch (status) {
    case PlanStatus::ok: return "ok";
    case PlanStatus::above_max_rate: return "above_max_rate";
    case PlanStatus::slo_unreachable: return "slo_unreachable";
    case PlanStatus::cannot_deploy: return "cannot_deploy";
  }
  return "";
}

std::vector<PlanOption> list_plan_options(const PlanOptions& options) {
  // The scenario and --set as given: their errors are the user's, not an option's.
  const sim::Scenario base = loader::load_scenario(options.scenario_path, options.set_overrides);
  const workloads::WorkloadSpec& workload = base.workload;
  if (workload.kind != workloads::WorkloadKind::synthetic ||
      workload.arrival.process == workloads::ArrivalProcess::all_at_once ||
      workload.arrival.process == workloads::ArrivalProcess::closed_loop) {
    throw core::InputError(options.scenario_path, 0, "workload",
                           "plan varies the arrival rate: it needs a synthetic workload with poisson, gamma or "
                           "constant arrivals");
  }
  if (base.disaggregation) {
    if (!options.hardware.empty() || !options.tensor_parallel.empty()) {
      throw core::InputError(std::string(options.hardware.empty() ? "--tp" : "--hardware") +
                             ": a disaggregated scenario is planned per pool (--xpyd varies their replicas, "
                             "--prefill-hardware and --decode-hardware their hardware, --prefill-tp and --decode-tp "
                             "their tensor parallelism)");
    }
    check_hardware_presets(options.prefill_hardware, "--prefill-hardware");
    check_hardware_presets(options.decode_hardware, "--decode-hardware");
    return disaggregated_plan_options(options, base);
  }
  for (const auto& [flag, listed] : {std::pair{"--prefill-hardware", !options.prefill_hardware.empty()},
                                     std::pair{"--decode-hardware", !options.decode_hardware.empty()},
                                     std::pair{"--prefill-tp", !options.prefill_tensor_parallel.empty()},
                                     std::pair{"--decode-tp", !options.decode_tensor_parallel.empty()}}) {
    if (listed) {
      throw core::InputError(std::string(flag) + ": " + options.scenario_path +
                             " has no prefill and decode pools (no disaggregation section); --hardware and --tp vary "
                             "a plain replica's");
    }
  }
  if (!options.xpyd.empty()) {
    throw core::InputError("--xpyd: " + options.scenario_path +
                           " has no prefill and decode pools to split (no disaggregation section); --xpyd plans a "
                           "disaggregated scenario such as configs/scenarios/disagg-llama-70b.yaml");
  }
  if (base.pools.size() > 1) {
    throw core::InputError(options.scenario_path, 0, "pools",
                           "plan sizes the replicas of one pool, or the units of a disaggregated scenario; a scenario "
                           "of several pools without a disaggregation section is not planned");
  }
  return replica_plan_options(options, base);
}

void search_plan(std::vector<PlanOption>& plan, const PlanOptions& options) {
  parallel_for(static_cast<std::int64_t>(plan.size()), options.jobs, [&](std::int64_t i) {
    PlanOption& option = plan[static_cast<std::size_t>(i)];
    if (option.status == PlanStatus::cannot_deploy) return;  // known before any run (its note says why)
    try {
      const sim::Scenario scenario = scenario_of(option, options);
      search_max_rate(option, options, scenario);
    } catch (const core::InputError& error) {
      PlanOption failed;
      failed.hardware = option.hardware;
      failed.tensor_parallel = option.tensor_parallel;
      failed.prefill_tensor_parallel = option.prefill_tensor_parallel;
      failed.prefill_hardware = option.prefill_hardware;
      failed.layout = option.layout;
      failed.xpyd = option.xpyd;
      failed.aggregated_replicas = option.aggregated_replicas;
      failed.aggregated_pool = option.aggregated_pool;
      failed.label = option.label;
      failed.gpus_per_replica = option.gpus_per_replica;
      option = std::move(failed);
      option.status = PlanStatus::cannot_deploy;
      option.note = error.message();
    }
  });
}

std::vector<PlanOption> run_capacity_plan(const PlanOptions& options) {
  std::vector<PlanOption> plan = list_plan_options(options);
  search_plan(plan, options);
  return plan;
}

std::vector<std::size_t> rank_plan(const std::vector<PlanOption>& options, bool has_target) {
  std::vector<std::size_t> order(options.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto key = [&](std::size_t i) {
    const PlanOption& o = options[i];
    const bool deployable = o.max_rate_per_s > 0.0;
    const bool priced = o.usd_per_gpu_hour > 0.0;
    const double cost = has_target ? o.usd_per_hour_for_target : o.usd_per_million_output_tokens;
    const std::int64_t gpus = has_target ? o.gpus_for_target : o.gpus_per_replica;
    // Units of different sizes, unpriced: the most requests/s per GPU first.
    const double unpriced = o.label.empty() || has_target ? 0.0 : -o.max_rate_per_s / o.gpus_per_replica;
    return std::make_tuple(!deployable, !priced, priced ? cost : unpriced, gpus, o.hardware, o.tensor_parallel,
                           o.label);
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  return order;
}

}  // namespace llmsim::analysis
