// deployment.router: the pool's router and, for the weighted router, its scorers' weights
// (internal to loader/).
#pragma once

#include "loader/yaml_map.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// Reads `router` of a deployment map into pool.router (absent: left as is), either a name
///   router: prefix_aware
/// or a mapping, which the weighted router needs:
///   router: {kind: weighted, scorers: {prefix: 2, kv_utilisation: 1, queue: 1, session_affinity: 0}}
/// Weights are numbers >= 0, at least one positive; scorers only with kind weighted, and
/// kind weighted only with scorers (the weights are the experiment: no default set).
void read_router(YamlMap& deployment, sim::PoolSpec& pool);

}  // namespace llmsim::loader
