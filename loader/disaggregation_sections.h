// The `disaggregation:` section of a scenario (internal to loader/): which of its two pools
// prefills and which decodes (sim/cluster/disaggregation.h).
#pragma once

#include <vector>

#include "loader/yaml_map.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// Reads `disaggregation:` of `scenario` (the top-level map; the section must be there):
///   prefill_pool          name of the pool that prefills (required)
///   decode_pool           name of the pool that decodes (required)
///   local_prefill_below   prompts of fewer tokens are prefilled on the decode pool;
///                         integer >= 0, default 0 (never)
/// Refused, located at the key: a scenario without `pools:` or with other than two pools;
/// an unknown or repeated pool name; pools of different models or KV dtypes, co-located
/// pools, a sliding-window model; no link between the pools (KV transfer over scale-out
/// links that a hardware preset does not state, sim::kv_link_between), located at decode_pool.
sim::DisaggregationSpec read_disaggregation(YamlMap& scenario, const std::vector<sim::PoolSpec>& pools);

}  // namespace llmsim::loader
