#include "analysis/disaggregated_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <tuple>
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

loader::Override hardware_of(std::int32_t pool, const std::string& hardware) {
  return loader::Override{"pools[" + std::to_string(pool) + "].hardware", hardware};
}

/// One pool's side of a unit: its hardware as listed (empty: the pool's own) and TP size.
struct PoolChoice {
  std::string hardware;
  int tensor_parallel = 1;
};

/// "TP8", "h200 TP8" when the plan varies the hardware, "" when it varies neither.
std::string choice_label(const PoolChoice& choice, bool hardware_varied, bool tp_varied) {
  if (hardware_varied) return fmt::format("{} TP{}", choice.hardware, choice.tensor_parallel);
  return tp_varied ? fmt::format("TP{}", choice.tensor_parallel) : "";
}

/// GPUs of one replica of `pool` at tensor-parallel size `tp` (its pipeline and
/// attention-data parallelism as given).
int gpus_at(const sim::PoolSpec& pool, int tp) { return pool.gpus_per_replica() / pool.tensor_parallel * tp; }

/// A pool's sides to plan: each listed hardware (or its own) at each listed TP (or its own).
std::vector<PoolChoice> pool_choices(const std::vector<std::string>& hardware, const std::vector<int>& tps,
                                     const sim::PoolSpec& pool) {
  const std::vector<std::string> ids = hardware.empty() ? std::vector<std::string>{""} : hardware;
  const std::vector<int> sizes = tps.empty() ? std::vector<int>{pool.tensor_parallel} : tps;
  std::vector<PoolChoice> choices;
  for (const std::string& id : ids) {
    for (const int tp : sizes) choices.push_back(PoolChoice{id, tp});
  }
  return choices;
}

/// The aggregated baseline's pool side among `choices` of the same hardware as `unit_side`:
/// the first whose replica divides `gpus`.
const PoolChoice* dividing_choice(const std::vector<PoolChoice>& choices, const PoolChoice& unit_side,
                                  const sim::PoolSpec& pool, int gpus) {
  for (const PoolChoice& choice : choices) {
    if (choice.hardware == unit_side.hardware && gpus % gpus_at(pool, choice.tensor_parallel) == 0) return &choice;
  }
  return nullptr;
}

}  // namespace

std::vector<PlanOption> disaggregated_plan_options(const PlanOptions& options, const sim::Scenario& base) {
  const sim::DisaggregationSpec& d = *base.disaggregation;
  const sim::PoolSpec& prefill = base.pools[static_cast<std::size_t>(d.prefill_pool)];
  const sim::PoolSpec& decode = base.pools[static_cast<std::size_t>(d.decode_pool)];
  std::vector<XpYd> units = options.xpyd;
  if (units.empty()) units.push_back(XpYd{prefill.replicas, decode.replicas});
  const std::vector<PoolChoice> prefill_sides =
      pool_choices(options.prefill_hardware, options.prefill_tensor_parallel, prefill);
  const std::vector<PoolChoice> decode_sides = pool_choices(options.decode_hardware, options.decode_tensor_parallel, decode);
  const bool hardware_varied = !options.prefill_hardware.empty() || !options.decode_hardware.empty();
  const bool tp_varied = !options.prefill_tensor_parallel.empty() || !options.decode_tensor_parallel.empty();
  const auto own_or = [&](const std::string& listed, const sim::PoolSpec& pool) {
    return listed.empty() ? pool.hardware.id : listed;
  };

  std::vector<PlanOption> plan;
  // The baselines to plan, in order of first appearance: GPU count and the unit's two sides.
  std::vector<std::tuple<int, PoolChoice, PoolChoice>> groups;
  for (const XpYd& unit : units) {
    for (const PoolChoice& p : prefill_sides) {
      for (const PoolChoice& q : decode_sides) {
        PlanOption option;
        option.layout = PlanLayout::disaggregated;
        option.xpyd = unit;
        option.label = fmt::format("{}P{}D", unit.prefill, unit.decode);
        if (hardware_varied || tp_varied) {
          option.label = fmt::format(
              "{} {}{}{}", option.label,
              choice_label(PoolChoice{own_or(p.hardware, prefill), p.tensor_parallel}, hardware_varied, tp_varied),
              hardware_varied ? " : " : ":",
              choice_label(PoolChoice{own_or(q.hardware, decode), q.tensor_parallel}, hardware_varied, tp_varied));
        }
        option.hardware = own_or(q.hardware, decode);
        option.prefill_hardware = own_or(p.hardware, prefill);
        option.tensor_parallel = q.tensor_parallel;
        option.prefill_tensor_parallel = p.tensor_parallel;
        option.gpus_per_replica =
            unit.prefill * gpus_at(prefill, p.tensor_parallel) + unit.decode * gpus_at(decode, q.tensor_parallel);
        const bool listed = std::any_of(groups.begin(), groups.end(), [&](const auto& g) {
          return std::get<0>(g) == option.gpus_per_replica && std::get<1>(g).hardware == p.hardware &&
                 std::get<2>(g).hardware == q.hardware;
        });
        if (!listed) groups.emplace_back(option.gpus_per_replica, p, q);
        plan.push_back(std::move(option));
      }
    }
  }
  // The aggregated baseline of each GPU count (and, when the plan varies the hardware, each
  // pair of the units' hardware): plain replicas of the decode pool on the unit's decode
  // hardware at the first planned TP whose replica divides the count, else of the prefill
  // pool on the unit's prefill hardware likewise.
  for (const auto& [gpus, p, q] : groups) {
    PlanOption option;
    option.layout = PlanLayout::aggregated;
    option.gpus_per_replica = gpus;
    const PoolChoice* fits = dividing_choice(decode_sides, q, decode, gpus);
    option.aggregated_pool = d.decode_pool;
    if (fits == nullptr) {
      fits = dividing_choice(prefill_sides, p, prefill, gpus);
      option.aggregated_pool = d.prefill_pool;
    }
    if (fits != nullptr) {
      const sim::PoolSpec& spec = base.pools[static_cast<std::size_t>(option.aggregated_pool)];
      option.hardware = own_or(fits->hardware, spec);
      option.tensor_parallel = fits->tensor_parallel;
      option.aggregated_replicas = gpus / gpus_at(spec, fits->tensor_parallel);
      option.label = fmt::format("aggregated {} x {}TP{}", option.aggregated_replicas,
                                 hardware_varied ? option.hardware + " " : "", fits->tensor_parallel);
    } else {
      option.aggregated_pool = -1;
      option.hardware = own_or(q.hardware, decode);
      option.tensor_parallel = q.tensor_parallel;
      option.label = fmt::format("aggregated {} GPUs{}", gpus, hardware_varied ? " " + option.hardware : "");
      option.status = PlanStatus::cannot_deploy;
      const auto replica_sizes = [](const sim::PoolSpec& pool, const std::vector<PoolChoice>& sides) {
        std::vector<int> sizes;
        for (const PoolChoice& side : sides) {
          const int size = gpus_at(pool, side.tensor_parallel);
          if (std::find(sizes.begin(), sizes.end(), size) == sizes.end()) sizes.push_back(size);
        }
        return fmt::format("{}", fmt::join(sizes, " or "));
      };
      option.note = fmt::format("{} GPUs are a whole number of replicas of neither pool ({} GPUs per decode replica, "
                                "{} per prefill replica)",
                                gpus, replica_sizes(decode, decode_sides), replica_sizes(prefill, prefill_sides));
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
    // A pool's hardware is set only when the plan lists it: the scenario's may be a file.
    if (!options.prefill_hardware.empty()) overrides.push_back(hardware_of(d.prefill_pool, option.prefill_hardware));
    if (!options.decode_hardware.empty()) overrides.push_back(hardware_of(d.decode_pool, option.hardware));
    scenario = loader::load_scenario(options.scenario_path, overrides);
  } else {
    if (option.aggregated_pool < 0) throw core::InputError(option.note);
    // The other pool at one replica: the group is what runs; the pair must still load.
    const std::int32_t other = option.aggregated_pool == d.decode_pool ? d.prefill_pool : d.decode_pool;
    overrides.push_back(replicas_of(option.aggregated_pool, option.aggregated_replicas));
    overrides.push_back(tensor_parallel_of(option.aggregated_pool, option.tensor_parallel));
    if (!(option.aggregated_pool == d.decode_pool ? options.decode_hardware : options.prefill_hardware).empty()) {
      overrides.push_back(hardware_of(option.aggregated_pool, option.hardware));
    }
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
